"""Actor detection for event clustering (first version: names only, no stance).

Actor ids are the ones in ``framing-primer.md`` (and ``seeds/gold.json``). Each actor has a list
of names drawn from ``framing-lexicon.tsv`` (the lexicon id is kept in ``LEXICON_IDS``) plus the
plain country, capital and adjective forms that news prose uses for a state actor ("روسيا",
"موسكو", "الروسية"). The framing matcher will later read the same lexicon from the database; until
then this table is the single list both jobs can start from.

Rules
- Names are matched as sequences of ``articles.normalization.token_key`` keys (clitics, alef,
  ta marbuta and ya variants handled by the one normaliser), longest name first at each
  position, without overlaps. So "الجيش السوري الحر" (Free Syrian Army) is never read as
  "الجيش السوري" (government army), and "الجيش الوطني السوري" (Turkish-backed SNA) is
  ``sna``, not the government.
- Proxy labels are attributed to the proxy: "الفصائل الموالية لتركيا" is ``sna``; the patron
  inside it is not counted separately.
- One noun can serve two actors: "الميليشيات الروسية والإيرانية" yields ``russia`` and ``iran``
  because the nationality adjectives are names of their own.
- Left out on purpose, as too generic for clustering: bare "النظام" (also "the system"), bare
  "الوحدات", "الهيئة", "المقاومة" (the lexicon lists them, but outside a framing context they
  mostly mean something else), and "دمشق" (kept as a place in the gazetteer).
- "الجيش السوري الحر" is listed under ``sna`` as in the lexicon (row SNA, note "also FSA
  generally"); the primer's ``opposition-factions`` covers the general opposition terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from articles.normalization import token_keys

ACTOR_IDS: tuple[str, ...] = (
    "syrian-government",
    "sdf",
    "ypg-pkk",
    "sna",
    "turkey",
    "russia",
    "iran",
    "hts",
    "isis",
    "usa",
    "opposition-factions",
    "aanes",
    "asayish",
)

LEXICON_IDS: dict[str, tuple[str, ...]] = {
    "syrian-government": ("SYR_GOV", "SYR_GOV_FORCES"),
    "sdf": ("SDF",),
    "ypg-pkk": ("YPG", "PYD", "PKK"),
    "sna": ("SNA",),
    "turkey": ("TURKEY",),
    "russia": ("RUSSIA",),
    "iran": ("IRAN_MIL",),
    "hts": ("HTS",),
    "isis": ("ISIS",),
    "usa": ("COALITION",),
    "opposition-factions": ("OPPOSITION",),
    "aanes": ("AANES",),
    "asayish": ("ASAYISH",),
}

# Names per actor, "|"-separated. Lexicon surfaces and variants first, then plain forms.
_NAMES: dict[str, str] = {
    "syrian-government": (
        "الجيش العربي السوري|الجيش السوري|القوات الرديفة|قوات الحكومة السورية|الحكومة السورية"
        "|قوات النظام|قوات النظام السوري|النظام السوري|جيش النظام|قوات الأسد|قوات بشار الأسد"
        "|نظام الأسد|ميليشيا أسد|ميليشيات أسد|ميليشيا الأسد|ميليشيات الأسد|مليشيا أسد"
        "|مليشيات الأسد|نظام أسد|مخابرات أسد|حكومة أسد|ميليشيا النظام|ميليشيات النظام"
        "|النظام المخلوع|النظام البائد|فلول النظام|بشار الأسد|الأسد|أسد|القوات السورية"
        "|القوات الحكومية|الجيش النظامي|قوات الجيش السوري"
        "|Syrian army|Syrian government|Assad regime|regime forces|Assad"
    ),
    "sdf": (
        "قوات سوريا الديمقراطية|قوات سورية الديمقراطية|قسد|ميليشيا قسد|مليشيا قسد"
        "|ميليشيات قسد|تنظيم قسد|مسلحي قسد|القوات المدافعة|SDF|QSD|Syrian Democratic Forces"
    ),
    "ypg-pkk": (
        "وحدات حماية الشعب|وحدات حماية الشعب الكردية|الوحدات الكردية|وحدات حماية المرأة"
        "|ي ب ك|واي بي جي|قوات الحماية الشعبية|ب ي د|بي واي دي|حزب الاتحاد الديمقراطي"
        "|با يا دا|بي كا كا|بي كي كي|حزب العمال الكردستاني|البيكيكي|العمال الكردستاني"
        "|YPG|PYD|PKK"
    ),
    "sna": (
        "الجيش الوطني السوري|الجيش الوطني|فصائل الجيش الوطني|ميليشيا الجيش الوطني"
        "|الجيش السوري الحر|الجيش الحر|الفصائل المدعومة من تركيا|الفصائل الموالية لتركيا"
        "|الفصائل الموالية لأنقرة|الفصائل التابعة لتركيا|التنظيمات المسلحة الموالية لتركيا"
        "|الفصائل التركمانية|الميليشيات التركمانية|مرتزقة تركيا|مرتزقة الاحتلال التركي"
        "|الفصائل المرتزقة|الفصائل الإرهابية التابعة للاحتلال التركي|الفصائل الجهادية التابعة لتركيا"
        "|أحرار الشرقية|فرقة الحمزات|فرقة السلطان مراد|لواء السلطان مراد"
        "|Syrian National Army|Free Syrian Army|FSA|SNA"
    ),
    "turkey": (
        "الجيش التركي|القوات التركية|تركيا|أنقرة|الجانب التركي|الاحتلال التركي"
        "|قوات الاحتلال التركي|جيش الاحتلال التركي|دولة الاحتلال التركي|المحتل التركي"
        "|نظام أردوغان|النظام التركي|أردوغان|العدوان التركي|الغزو التركي|الاجتياح التركي"
        "|عملية نبع السلام|نبع السلام|درع الفرات|غصن الزيتون|التركي|التركية|الأتراك"
        "|Turkey|Turkish|Ankara|Erdogan"
    ),
    "russia": (
        "القوات الروسية|الشرطة العسكرية الروسية|الطيران الروسي|الاحتلال الروسي"
        "|قوات الاحتلال الروسي|المحتل الروسي|الحليف الروسي|الأصدقاء الروس|الجانب الروسي"
        "|الجيش الروسي|روسيا|موسكو|الروس|الروسي|الروسية|بوتين|الكرملين"
        "|Russia|Russian|Moscow|Kremlin|Putin"
    ),
    "iran": (
        "الميليشيات الإيرانية|ميليشيات إيران|المليشيات المدعومة من إيران"
        "|المليشيات الموالية لإيران|الحرس الثوري الإيراني|الحرس الثوري|فاطميون|زينبيون"
        "|المحتل الإيراني|الميليشيات الشيعية|الميليشيات الطائفية|إيران|طهران|الإيراني"
        "|الإيرانية|الإيرانيين|حزب الله|Iran|Iranian|Tehran|Hezbollah|IRGC"
    ),
    "hts": (
        "هيئة تحرير الشام|تحرير الشام|جبهة النصرة|النصرة|جبهة فتح الشام|جبهة النصرة الإرهابية"
        "|HTS|Nusra|Hayat Tahrir al-Sham"
    ),
    "isis": (
        "تنظيم الدولة الإسلامية|تنظيم الدولة|الدولة الإسلامية|داعش|تنظيم داعش|الدواعش"
        "|تنظيم داعش الإرهابي|الخوارج|مرتزقة داعش|ISIS|ISIL|Daesh|Islamic State"
    ),
    "usa": (
        "التحالف الدولي|التحالف الدولي بقيادة الولايات المتحدة|القوات الأمريكية"
        "|القوات الأميركية|التحالف الأمريكي|قوات التحالف|قوات التحالف الأميركي"
        "|قوات الاحتلال الأمريكي|قوات الاحتلال الأمريكية|الولايات المتحدة|واشنطن|أمريكا|أميركا"
        "|الأمريكي|الأمريكية|الأميركي|الأميركية|الأمريكيين|الأميركيين|البنتاغون"
        "|United States|US-led coalition|Washington|Pentagon|American"
    ),
    "opposition-factions": (
        "الثوار|فصائل الثوار|الفصائل الثورية|الفصائل العسكرية الثورية|المعارضة المسلحة"
        "|فصائل المعارضة|المعارضة السورية|الفصائل المسلحة|المجموعات المسلحة|المسلحين"
        "|التنظيمات الإرهابية|المجموعات الإرهابية|التكفيريين|جيش الإسلام|أحرار الشام"
        "|فيلق الرحمن|Syrian opposition|rebels"
    ),
    "aanes": (
        "الإدارة الذاتية لشمال وشرق سوريا|الإدارة الذاتية الديمقراطية|الإدارة الذاتية"
        "|الإدارة الذاتية الكردية|روج آفا|Autonomous Administration|AANES|Rojava"
    ),
    "asayish": "قوى الأمن الداخلي|الأسايش|قوات الأسايش|الآسايش|ميليشيات الأسايش|Asayish",
}

ACTOR_NAMES: dict[str, tuple[str, ...]] = {
    actor: tuple(name.strip() for name in names.split("|")) for actor, names in _NAMES.items()
}


@dataclass(frozen=True, slots=True)
class ActorMention:
    actor_id: str
    start: int  # token index, inclusive
    end: int  # token index, exclusive


def _name_keys(name: str) -> tuple[str, ...]:
    return tuple(k.lower() for k in token_keys(name) if k)


@lru_cache(maxsize=1)
def _compiled() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First key -> [(name keys, actor id)], longest names first (compiled once, cached)."""
    table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    seen: set[tuple[tuple[str, ...], str]] = set()
    for actor, names in ACTOR_NAMES.items():
        for name in names:
            keys = _name_keys(name)
            if keys and (keys, actor) not in seen:
                seen.add((keys, actor))
                table.setdefault(keys[0], []).append((keys, actor))
    for entries in table.values():
        entries.sort(key=lambda e: (-len(e[0]), e[1]))
    return table


def find_actors(keys: Sequence[str]) -> list[ActorMention]:
    """Actor mentions in a sequence of token keys, longest name first, no overlaps."""
    table = _compiled()
    lowered = [k.lower() for k in keys]
    mentions = []
    i = 0
    while i < len(lowered):
        for name, actor in table.get(lowered[i], ()):
            if tuple(lowered[i : i + len(name)]) == name:
                mentions.append(ActorMention(actor, i, i + len(name)))
                i += len(name)
                break
        else:
            i += 1
    return mentions


def actors_in(text: str) -> list[str]:
    """Distinct actor ids mentioned in ``text``, in order of first mention."""
    found = [m.actor_id for m in find_actors(token_keys(text))]
    return list(dict.fromkeys(found))
