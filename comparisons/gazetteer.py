"""Places for event clustering: Arabic and English names, variants and ambiguity rules.

Data are plain Python constants (`PLACES`), reviewed by hand. Sources: the Ain Issa table in
``framing-primer.md`` (coordinates given there), the places that occur in the sample corpus
(seeds and baly-dev), and the fourteen Syrian governorates with their main cities. Coordinates
are approximate (two decimals) and only documentary; nothing below depends on them.

Matching rules
- Names are matched as token sequences of ``articles.normalization.token_key`` keys, so clitics
  (بريف، لمدينة، والرقة) and spelling (أ/ا، ة/ه، ى/ي) are handled by the one normaliser. The
  longest name wins at a position ("ريف دمشق" before "دمشق", "رأس العين" before "العين" which is
  not listed at all).
- ``kind`` sets how specific a shared place is as clustering evidence (``SPECIFICITY``): a town or
  a road is strong evidence that two reports are about one event, a governorate is weaker, a
  country weaker still, and "سوريا" carries none (every article in the corpus is about Syria).
- Ambiguous names: some names denote two places (المشيرفة near Ain Issa and in south-eastern
  Idlib) or are also ordinary words or an outlet (الباب "the door", الراعي "the sponsor",
  الميادين the TV channel, البادية "the desert"). Such an entry lists its ``referents``; a mention
  is resolved to the referent whose governorate is named by an unambiguous place within
  ``CONTEXT_WINDOW`` tokens, or, for a name with one place referent, by a place noun just before
  it (``PLACE_NOUNS``: "مدينة الباب"), and otherwise stays unresolved (id ``"<id>?"``). Unresolved mentions
  are kept for evidence display but carry no weight in similarity, so two reports are never
  merged on one ambiguous place name alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from articles.normalization import token_keys

# How strongly a shared place of each kind supports "same event". A named town, village, base or
# road pins an event to within a few kilometres; a governorate covers thousands of km² and many
# simultaneous events; a country is background. These are ordinal judgements, not fitted values.
SPECIFICITY: dict[str, float] = {
    "site": 1.0,
    "village": 1.0,
    "town": 1.0,
    "city": 1.0,
    "road": 0.8,
    "venue": 1.0,
    "region": 0.5,
    "governorate": 0.5,
    "country": 0.25,
    "domain": 0.0,
}

# Tokens either side of an ambiguous mention searched for a disambiguating place. About two
# sentences of news prose: the Idlib المشيرفة in the seed roundup is named in the same sentence
# as its district, while the Ain Issa paragraphs name عين عيسى or الرقة within a sentence or two.
CONTEXT_WINDOW = 40

# A place noun just before an ambiguous name settles that a place is meant ("مدينة الباب",
# "بلدة الطبقة", "ريف الميادين"); if the name has a single place referent, that one is taken.
PLACE_NOUNS = (
    "مدينة",
    "بلدة",
    "قرية",
    "ريف",
    "منطقة",
    "حي",
    "مخيم",
    "محيط",
    "قاعدة",
    "مطار",
    "مدينتي",
    "بلدات",
)


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    ar: tuple[str, ...]
    en: tuple[str, ...]
    kind: str
    governorate: str | None = None
    lat: float | None = None
    lon: float | None = None
    # Non-empty for ambiguous names: the place ids this name may denote. An id that is not a
    # place (e.g. "not-a-place") means the name is also an ordinary word or an outlet.
    referents: tuple[str, ...] = ()
    note: str = ""


NOT_A_PLACE = "not-a-place"


def _p(
    id: str,
    ar: str,
    en: str,
    kind: str,
    governorate: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    *,
    referents: tuple[str, ...] = (),
    note: str = "",
) -> Place:
    """Compact constructor: ``ar`` and ``en`` are "|"-separated variant lists."""
    return Place(
        id=id,
        ar=tuple(ar.split("|")),
        en=tuple(en.split("|")) if en else (),
        kind=kind,
        governorate=governorate,
        lat=lat,
        lon=lon,
        referents=referents,
        note=note,
    )


PLACES: tuple[Place, ...] = (
    # Country and domain-level names.
    _p("syria", "سوريا|سورية|الأراضي السورية", "Syria", "domain", note="background for the corpus"),
    _p("iraq", "العراق", "Iraq", "country"),
    _p("lebanon", "لبنان", "Lebanon", "country"),
    _p("jordan", "الأردن", "Jordan", "country"),
    _p("israel", "إسرائيل|اسرائيل", "Israel", "country"),
    _p("mosul", "الموصل", "Mosul", "city", None, 36.34, 43.13, note="Iraq"),
    _p("geneva", "جنيف", "Geneva", "venue", note="UN-led talks"),
    _p("astana", "أستانا|الأستانة|آستانا", "Astana|Nur-Sultan", "venue", note="Astana talks"),
    _p("sochi", "سوتشي", "Sochi", "venue"),
    # Governorates (and their capitals, which share the name).
    _p("damascus", "دمشق|العاصمة السورية", "Damascus", "governorate", "damascus", 33.51, 36.29),
    _p("rif-dimashq", "ريف دمشق", "Rif Dimashq|Damascus countryside", "governorate", "rif-dimashq"),
    _p("aleppo", "حلب", "Aleppo", "governorate", "aleppo", 36.20, 37.16),
    _p("homs", "حمص", "Homs", "governorate", "homs", 34.73, 36.71),
    _p("hama", "حماة|حماه", "Hama", "governorate", "hama", 35.13, 36.75),
    _p("latakia", "اللاذقية", "Latakia", "governorate", "latakia", 35.52, 35.78),
    _p("tartus", "طرطوس", "Tartus", "governorate", "tartus", 34.89, 35.89),
    _p("idlib", "إدلب|ادلب", "Idlib", "governorate", "idlib", 35.93, 36.63),
    _p("raqqa", "الرقة", "Raqqa|ar-Raqqah", "governorate", "raqqa", 35.95, 39.02),
    _p(
        "deir-ez-zor",
        "دير الزور|ديرالزور",
        "Deir ez-Zor",
        "governorate",
        "deir-ez-zor",
        35.34,
        40.14,
    ),
    _p("hasakah", "الحسكة", "Hasakah|al-Hasakah", "governorate", "hasakah", 36.50, 40.75),
    _p("daraa", "درعا", "Daraa", "governorate", "daraa", 32.62, 36.10),
    _p("suwayda", "السويداء", "Suwayda|Sweida", "governorate", "suwayda", 32.71, 36.57),
    _p("quneitra", "القنيطرة", "Quneitra", "governorate", "quneitra", 33.13, 35.82),
    # Regions.
    _p(
        "east-euphrates",
        "شرق الفرات|شرقي الفرات|شمال شرق سوريا|شمال شرقي سوريا",
        "east of the Euphrates|north-east Syria",
        "region",
    ),
    _p("eastern-ghouta", "الغوطة الشرقية|الغوطة", "Eastern Ghouta|Ghouta", "region", "rif-dimashq"),
    _p("qalamoun", "القلمون", "Qalamoun", "region", "rif-dimashq"),
    _p(
        "badia",
        "البادية|البادية السورية",
        "Syrian Desert|Badia",
        "region",
        "homs",
        referents=("badia", NOT_A_PLACE),
        note="also 'the desert' in general",
    ),
    # Raqqa governorate (the Ain Issa table of the primer first).
    _p("ain-issa", "عين عيسى", "Ain Issa|Ayn Issa|Ayn Isa", "town", "raqqa", 36.385, 38.859),
    _p(
        "tal-abyad",
        "تل أبيض|تل ابيض|كري سبي",
        "Tal Abyad|Girê Spî",
        "town",
        "raqqa",
        36.698,
        38.957,
    ),
    _p(
        "mushayrifa",
        "المشيرفة",
        "Mushayrifa",
        "village",
        None,
        referents=("mushayrifa-raqqa", "mushayrifa-idlib"),
        note="one village NE of Ain Issa near the M4, another in south-eastern Idlib",
    ),
    _p(
        "mushayrifa-raqqa",
        "",
        "Mushayrifa (Ain Issa)",
        "village",
        "raqqa",
        note="reached only by resolving mushayrifa",
    ),
    _p(
        "mushayrifa-idlib",
        "",
        "Mushayrifa (Idlib)",
        "village",
        "idlib",
        note="reached only by resolving mushayrifa",
    ),
    _p("jahbal", "الجهبل", "Jahbal", "village", "raqqa", note="east of Ain Issa"),
    _p(
        "sharkrak",
        "صوامع الشركراك|الشركراك",
        "Sharkrak silos",
        "site",
        "raqqa",
        note="east of Ain Issa",
    ),
    _p(
        "tabqa",
        "الطبقة|مدينة الثورة",
        "Tabqa",
        "city",
        "raqqa",
        35.84,
        38.55,
        referents=("tabqa", NOT_A_PLACE),
        note="also 'layer, class'",
    ),
    _p(
        "suluk",
        "سلوك",
        "Suluk",
        "town",
        "raqqa",
        referents=("suluk", NOT_A_PLACE),
        note="also 'behaviour'",
    ),
    _p("m4", "طريق M4|الطريق الدولي|إم 4|ام فور|إم فور|M4|M 4", "M4 highway", "road"),
    # Hasakah governorate.
    _p(
        "ras-al-ayn",
        "رأس العين|راس العين|سري كانيه",
        "Ras al-Ayn|Serê Kaniyê",
        "town",
        "hasakah",
        36.850,
        40.071,
    ),
    _p("qamishli", "القامشلي", "Qamishli", "city", "hasakah", 37.05, 41.22),
    _p("tal-tamr", "تل تمر", "Tal Tamr", "town", "hasakah"),
    _p("shaddadi", "الشدادي|الشدادة", "Shaddadi", "town", "hasakah"),
    _p("amuda", "عامودا", "Amuda", "town", "hasakah"),
    _p("malikiyah", "المالكية|ديريك", "al-Malikiyah|Derik", "town", "hasakah"),
    # Aleppo governorate.
    _p("manbij", "منبج", "Manbij", "city", "aleppo", 36.53, 37.95),
    _p("kobani", "عين العرب|كوباني", "Kobani|Ayn al-Arab", "city", "aleppo", 36.89, 38.35),
    _p("afrin", "عفرين", "Afrin", "city", "aleppo", 36.51, 36.87),
    _p("azaz", "أعزاز|اعزاز|إعزاز", "Azaz", "town", "aleppo"),
    _p(
        "al-bab",
        "الباب",
        "al-Bab",
        "city",
        "aleppo",
        referents=("al-bab", NOT_A_PLACE),
        note="also 'the door'",
    ),
    _p("jarablus", "جرابلس", "Jarablus", "town", "aleppo"),
    _p("tal-rifaat", "تل رفعت", "Tal Rifaat", "town", "aleppo"),
    _p("dabiq", "دابق", "Dabiq", "village", "aleppo"),
    _p(
        "al-rai",
        "الراعي",
        "al-Rai",
        "town",
        "aleppo",
        referents=("al-rai", NOT_A_PLACE),
        note="also 'the sponsor'",
    ),
    _p("marea", "مارع", "Marea", "town", "aleppo"),
    _p("safira", "السفيرة", "al-Safira", "town", "aleppo"),
    _p("maskanah", "مسكنة", "Maskanah", "town", "aleppo"),
    _p("deir-hafer", "دير حافر", "Deir Hafer", "town", "aleppo"),
    _p("kuweires", "كويرس|مطار كويرس", "Kuweires airbase", "site", "aleppo"),
    _p("sheikh-maqsoud", "الشيخ مقصود", "Sheikh Maqsoud", "site", "aleppo"),
    _p("ramouseh", "الراموسة", "Ramouseh", "site", "aleppo"),
    _p("castello", "طريق الكاستيلو|الكاستيلو", "Castello road", "road", "aleppo"),
    _p("atarib", "الأتارب|الاتارب", "al-Atarib", "town", "aleppo"),
    # Idlib governorate.
    _p("khan-shaykhun", "خان شيخون", "Khan Shaykhun", "town", "idlib", 35.44, 36.65),
    _p("maarat-al-numan", "معرة النعمان", "Maarat al-Numan", "town", "idlib"),
    _p("saraqib", "سراقب", "Saraqib", "town", "idlib"),
    _p("jisr-al-shughur", "جسر الشغور", "Jisr al-Shughur", "town", "idlib"),
    _p("binnish", "بنش", "Binnish", "town", "idlib"),
    _p("foua", "الفوعة", "al-Fu'ah", "town", "idlib"),
    _p("kafraya", "كفريا", "Kafriya", "town", "idlib"),
    _p("kafr-nabl", "كفرنبل|كفر نبل", "Kafr Nabl", "town", "idlib"),
    # Damascus and Rif Dimashq.
    _p("douma", "دوما", "Douma", "city", "rif-dimashq", 33.57, 36.40),
    _p("harasta", "حرستا", "Harasta", "town", "rif-dimashq"),
    _p("arbin", "عربين", "Arbin", "town", "rif-dimashq"),
    _p("jobar", "جوبر", "Jobar", "site", "damascus"),
    _p("qaboun", "القابون", "Qaboun", "site", "damascus"),
    _p("barzeh", "برزة", "Barzeh", "site", "damascus"),
    _p("zabadani", "الزبداني", "Zabadani", "town", "rif-dimashq"),
    _p("madaya", "مضايا", "Madaya", "town", "rif-dimashq"),
    _p("darayya", "داريا", "Darayya", "town", "rif-dimashq"),
    _p("ain-tarma", "عين ترما", "Ain Tarma", "town", "rif-dimashq"),
    _p("yarmouk", "مخيم اليرموك", "Yarmouk camp", "site", "damascus"),
    # Homs governorate.
    _p(
        "palmyra",
        "تدمر",
        "Palmyra|Tadmur",
        "city",
        "homs",
        34.56,
        38.28,
        referents=("palmyra", NOT_A_PLACE),
        note="also the verb 'destroys'",
    ),
    _p(
        "qusayr",
        "القصير",
        "al-Qusayr",
        "town",
        "homs",
        referents=("qusayr", NOT_A_PLACE),
        note="also 'short'",
    ),
    _p("talbiseh", "تلبيسة", "Talbiseh", "town", "homs"),
    _p("rastan", "الرستن", "al-Rastan", "town", "homs"),
    _p(
        "waer",
        "الوعر|حي الوعر",
        "al-Waer",
        "site",
        "homs",
        referents=("waer", NOT_A_PLACE),
        note="also 'rugged'",
    ),
    _p("tanf", "التنف|قاعدة التنف", "al-Tanf", "site", "homs"),
    _p("shayrat", "الشعيرات|مطار الشعيرات", "Shayrat airbase", "site", "homs"),
    _p(
        "houla",
        "الحولة",
        "Houla",
        "town",
        "homs",
        referents=("houla", NOT_A_PLACE),
        note="normalises like حوله 'around it'",
    ),
    # Hama, Latakia.
    _p("latamneh", "اللطامنة", "al-Lataminah", "town", "hama"),
    _p("morek", "مورك", "Morek", "town", "hama"),
    _p("mhardeh", "محردة", "Mhardeh", "town", "hama"),
    _p(
        "hmeimim",
        "حميميم|قاعدة حميميم",
        "Hmeimim airbase|Khmeimim",
        "site",
        "latakia",
        35.41,
        35.95,
    ),
    _p("jableh", "جبلة", "Jableh", "city", "latakia"),
    # Deir ez-Zor governorate.
    _p(
        "abu-kamal",
        "البوكمال|أبو كمال",
        "Abu Kamal|al-Bukamal",
        "city",
        "deir-ez-zor",
        34.45,
        40.92,
    ),
    _p(
        "mayadin",
        "الميادين",
        "al-Mayadin",
        "city",
        "deir-ez-zor",
        referents=("mayadin", NOT_A_PLACE),
        note="also the TV channel Al Mayadeen",
    ),
    _p("hajin", "هجين", "Hajin", "town", "deir-ez-zor"),
    # Daraa.
    _p("busra", "بصرى الشام|بصرى", "Bosra", "town", "daraa"),
)

PLACES_BY_ID: dict[str, Place] = {p.id: p for p in PLACES}


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place found in a token sequence; ``place_id`` ends in "?" when left unresolved."""

    place_id: str
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    resolved: bool


def specificity(place_id: str) -> float:
    """Weight of a shared place as evidence; 0 for unresolved or unknown ids."""
    if place_id.endswith("?"):
        return 0.0
    place = PLACES_BY_ID.get(place_id)
    return SPECIFICITY.get(place.kind, 0.0) if place else 0.0


def _name_keys(name: str) -> tuple[str, ...]:
    return tuple(k.lower() for k in token_keys(name) if k)


@lru_cache(maxsize=1)
def _place_noun_keys() -> frozenset[str]:
    return frozenset(k for noun in PLACE_NOUNS for k in _name_keys(noun))


@lru_cache(maxsize=1)
def _compiled() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First key -> [(name keys, place id)], longest names first (compiled once, cached)."""
    table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for place in PLACES:
        for name in (*place.ar, *place.en):
            if not name:
                continue
            keys = _name_keys(name)
            if keys:
                table.setdefault(keys[0], []).append((keys, place.id))
    for entries in table.values():
        entries.sort(key=lambda e: (-len(e[0]), e[1]))
    return table


def find_places(keys: Sequence[str]) -> list[PlaceMention]:
    """Places in a sequence of token keys, longest match first, ambiguities resolved by context."""
    table = _compiled()
    lowered = [k.lower() for k in keys]
    raw: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lowered):
        for name, place_id in table.get(lowered[i], ()):
            if tuple(lowered[i : i + len(name)]) == name:
                raw.append((i, i + len(name), place_id))
                i += len(name)
                break
        else:
            i += 1
    anchors = [
        (start, PLACES_BY_ID[pid].governorate)
        for start, _end, pid in raw
        if not PLACES_BY_ID[pid].referents and PLACES_BY_ID[pid].governorate
    ]
    nouns = _place_noun_keys()
    mentions = []
    for start, end, place_id in raw:
        place = PLACES_BY_ID[place_id]
        if not place.referents:
            mentions.append(PlaceMention(place_id, start, end, True))
            continue
        near = {gov for pos, gov in anchors if abs(pos - start) <= CONTEXT_WINDOW}
        fits = [
            ref
            for ref in place.referents
            if ref != NOT_A_PLACE and PLACES_BY_ID[ref].governorate in near
        ]
        place_refs = [ref for ref in place.referents if ref != NOT_A_PLACE]
        if not fits and len(place_refs) == 1 and start > 0 and lowered[start - 1] in nouns:
            fits = place_refs
        if len(fits) == 1:
            mentions.append(PlaceMention(fits[0], start, end, True))
        else:
            mentions.append(PlaceMention(place_id + "?", start, end, False))
    return mentions


def places_in(text: str) -> list[str]:
    """Distinct place ids (resolved or ``"<id>?"``) in ``text``, in order of first mention."""
    return list(dict.fromkeys(m.place_id for m in find_places(token_keys(text))))
