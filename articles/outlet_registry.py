"""The default registry of Arabic outlets: names, domains, editorial lines and public feeds.

Loaded by `python manage.py load_outlets` (and by `demo_setup`), never by a migration, so a test
database starts with no outlets. Loading is idempotent and never overwrites what an analyst has
edited: an outlet found by name (case-insensitive) only gets the fields that are still empty, and
a domain already attributed to another outlet stays where it is. Names and domains match the ones
the sample corpus uses ("Orient News", orient-news.net; "Al Mayadeen", almayadeen.net), so
imported seeds attach to these outlets.

Feed addresses are given only where they are the outlet's documented public feed; the others are
left for an analyst to add. Editorial lines are short, sourced descriptions of ownership and
stance, to be refined by analysts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from articles.models import Feed, Outlet, OutletDomain


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    name_ar: str
    domains: tuple[str, ...]
    country: str
    editorial_line: str
    feeds: tuple[str, ...] = ()
    notes: str = ""


REGISTRY: tuple[Entry, ...] = (
    Entry(
        "Orient News",
        "أورينت نت",
        ("orient-news.net",),
        "Syria",
        "Syrian opposition outlet founded by businessman Ghassan Aboud; strongly opposed to the "
        'Assad government ("ميليشيا أسد" for the Syrian army).',
    ),
    Entry(
        "Al Mayadeen",
        "الميادين",
        ("almayadeen.net",),
        "Lebanon",
        "Beirut-based pan-Arab channel launched in 2012; aligned with the 'axis of resistance' "
        "(Iran, Hezbollah and, until December 2024, the Syrian government).",
    ),
    Entry(
        "SANA",
        "الوكالة العربية السورية للأنباء",
        ("sana.sy",),
        "Syria",
        "Syrian state news agency: the voice of the government in Damascus (the Assad "
        "government until December 2024, the transitional authorities since).",
    ),
    Entry(
        "Enab Baladi",
        "عنب بلدي",
        ("enabbaladi.net",),
        "Syria",
        "Independent Syrian outlet founded in Darayya in 2011, long based in Istanbul; "
        "opposition-leaning, with a documentary style.",
        feeds=("https://www.enabbaladi.net/feed/",),
    ),
    Entry(
        "Syria TV",
        "تلفزيون سوريا",
        ("syria.tv",),
        "Turkey",
        "Istanbul-based Syrian opposition channel launched in 2018, Qatari-funded.",
    ),
    Entry(
        "North Press",
        "نورث برس",
        ("npasyria.com",),
        "Syria",
        "North Press Agency, based in Qamishli; covers north-east Syria, close to the "
        "Autonomous Administration and the SDF.",
    ),
    Entry(
        "Hawar News Agency",
        "وكالة أنباء هاوار",
        ("hawarnews.com",),
        "Syria",
        "ANHA: Kurdish news agency of the Autonomous Administration of North and East Syria.",
    ),
    Entry(
        "Anadolu Arabic",
        "الأناضول",
        ("aa.com.tr",),
        "Turkey",
        "Arabic service of Anadolu Agency, the Turkish state news agency; follows Ankara's line "
        "(the SDF/YPG called a terrorist organisation).",
        notes="aa.com.tr serves every language of Anadolu; articles are attributed by domain.",
    ),
    Entry(
        "RT Arabic",
        "آر تي عربي",
        ("arabic.rt.com",),
        "Russia",
        "Arabic service of the Russian state-funded broadcaster RT.",
        feeds=("https://arabic.rt.com/rss/",),
    ),
    Entry(
        "Sputnik Arabic",
        "سبوتنيك عربي",
        ("sarabic.ae", "arabic.sputniknews.com"),
        "Russia",
        "Arabic service of Sputnik, the Russian state news agency (Rossiya Segodnya).",
    ),
    Entry(
        "Al Jazeera",
        "الجزيرة",
        ("aljazeera.net",),
        "Qatar",
        "Doha-based pan-Arab channel funded by the Qatari state; sympathetic to the Syrian "
        "opposition.",
    ),
    Entry(
        "Al Arabiya",
        "العربية",
        ("alarabiya.net",),
        "United Arab Emirates",
        "Dubai-based Saudi-owned channel (MBC group); follows Riyadh's line.",
    ),
    Entry(
        "BBC Arabic",
        "بي بي سي عربي",
        ("bbc.com", "bbcarabic.com"),
        "United Kingdom",
        "Arabic service of the BBC, publicly funded British broadcaster.",
        feeds=("https://feeds.bbci.co.uk/arabic/rss.xml",),
        notes="bbc.com also serves the BBC's other languages; its articles are attributed here.",
    ),
    Entry(
        "Asharq Al-Awsat",
        "الشرق الأوسط",
        ("aawsat.com",),
        "United Kingdom",
        "London-based pan-Arab daily owned by the Saudi Research and Media Group; follows "
        "Riyadh's line.",
    ),
    Entry(
        "Al-Watan",
        "الوطن",
        ("alwatan.sy",),
        "Syria",
        "Privately owned Damascus daily, long close to the Assad government.",
        notes="Not to be confused with the Qatari, Saudi or Omani dailies of the same name.",
    ),
)


@dataclass(frozen=True, slots=True)
class LoadReport:
    created: int
    updated: int
    domains: int
    feeds: int


@transaction.atomic
def load_registry(entries: tuple[Entry, ...] = REGISTRY) -> LoadReport:
    created = updated = domains = feeds = 0
    for entry in entries:
        outlet = Outlet.objects.filter(name__iexact=entry.name).first()
        if outlet is None:
            outlet = Outlet(name=entry.name, slug=_free_slug(entry.name), language="ar")
            created += 1
        else:
            updated += 1
        for name in ("name_ar", "country", "editorial_line", "notes"):
            if not getattr(outlet, name):
                setattr(outlet, name, getattr(entry, name))
        outlet.language = outlet.language or "ar"
        outlet.full_clean()
        outlet.save()
        for domain in entry.domains:
            _, made = OutletDomain.objects.get_or_create(domain=domain, defaults={"outlet": outlet})
            domains += made
        for url in entry.feeds:
            _, made = Feed.objects.get_or_create(url=url, defaults={"outlet": outlet})
            feeds += made
    return LoadReport(created, updated, domains, feeds)


def _free_slug(name: str) -> str:
    base = slugify(name, allow_unicode=True) or "outlet"
    slug, n = base, 1
    while Outlet.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
