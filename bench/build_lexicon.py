"""Generate comparisons/data/default_lexicon.json (the shipped Syrian-conflict lexicon).

Usage: .venv/bin/python bench/build_lexicon.py [--tsv PATH] [--out PATH] [--check]

Inputs: ``framing-lexicon.tsv`` (64 labels with camps, stance codes and evidence ids, in
``../shared/design``) and the curated tables below, taken from ``framing-primer.md`` (term
groups, patterns, attribution markers) and from the analyst's ``seeds/gold.json`` (valences
the TSV leaves open). The JSON is the shipped artefact; this script documents how it was
made and re-makes it when the TSV changes. ``--check`` exits 1 if the file on disk differs.

Generation rules
1. Actor ids: the TSV's ids are mapped to the primer's (``ACTOR_MAP``); gold uses those.
2. Stance code to valence: L (legitimising) +1, N (neutral) 0, D (mildly delegitimising)
   -1, P (pejorative) -2. A mixed code ("L/N", "N/D", "P(with الإرهابي) / N(bare)") takes
   the milder value: the TSV records two usages, and the stronger one usually comes from a
   qualifier that is its own label or pattern here (X + الإرهابي, ميليشيا + X).
   ``VALENCE_OVERRIDES`` then sets what the seeds' gold states (+2 for the state honorific
   "الجيش العربي السوري" and the glorifying "الفصائل الثورية"; -1 for "نظام أسد"...), and
   any wording built on ميليشيا/ميليشيات is -2 (the primer's pejorative pattern).
3. Each TSV variant that is a different wording becomes its own label with the row's
   actor, camps and evidence: outlets differ exactly there. Spelling variants of the same
   words (ميليشيا/مليشيا/ميلشيا, سوريا/سورية, أمريكي/أميركي) are folded into one label's
   ``variants``; clitics, hamza, ta marbuta and diacritics need no listing at all.
4. Left out of the literal labels, with the reason: distancing wordings ("ما يسمى X",
   "ما يعرف بـ X", "تسمي نفسها", "وفق تسمية"): they are attribution markers here, so the
   label after them is found in attributed voice; "X ومرتزقته" forms: a suffix rule gives
   both X and the mercenaries; bare "الوحدات", "الهيئة", "المقاومة": too generic outside a
   framing context (as in comparisons/actors.py); "المسلحين", "الإرهابيين", "التكفيريين":
   single words any camp applies to its enemy, kept as terrorism terms with no actor;
   "تركيا", "أنقرة": plain names (term group ``reference``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from articles.normalization import token_keys  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TSV = (
    Path(os.environ.get("ZAWIYA_SHARED_DIR", ROOT.parent / "shared"))
    / "design"
    / "framing-lexicon.tsv"
)
DEFAULT_OUT = ROOT / "comparisons" / "data" / "default_lexicon.json"

STANCE_VALENCE = {"L": 1, "N": 0, "D": -1, "P": -2}

ACTOR_MAP = {
    "SYR_GOV": "syrian-government",
    "SYR_GOV_FORCES": "syrian-government",
    "SDF": "sdf",
    "YPG": "ypg-pkk",
    "PYD": "ypg-pkk",
    "PKK": "ypg-pkk",
    "SNA": "sna",
    "TURKEY": "turkey",
    "RUSSIA": "russia",
    "IRAN_MIL": "iran",
    "HTS": "hts",
    "ISIS": "isis",
    "COALITION": "usa",
    "OPPOSITION": "opposition-factions",
    "AANES": "aanes",
    "ASAYISH": "asayish",
}

# id, Arabic name, English name, client (who is counted when this actor is the patron).
ACTORS = [
    (
        "syrian-government",
        "الحكومة السورية",
        "Syrian government and its forces",
        "syrian-government",
    ),
    ("sdf", "قوات سوريا الديمقراطية", "Syrian Democratic Forces", None),
    ("ypg-pkk", "وحدات حماية الشعب / حزب العمال الكردستاني", "YPG / PYD / PKK", None),
    ("sna", "الجيش الوطني السوري", "Syrian National Army (Turkish-backed)", None),
    # "الفصائل الموالية لتركيا" are the SNA factions (primer, actor table).
    ("turkey", "تركيا", "Turkey", "sna"),
    ("russia", "روسيا", "Russia", "russia"),
    # The primer's iran actor is "Iran and militias it backs".
    ("iran", "إيران", "Iran and militias it backs", "iran"),
    ("hts", "هيئة تحرير الشام", "Hay'at Tahrir al-Sham", None),
    ("isis", "تنظيم الدولة الإسلامية", "Islamic State", None),
    # "المدعومة أمريكياً" in north-east Syria 2015-2024 reporting means the SDF.
    ("usa", "الولايات المتحدة والتحالف الدولي", "United States and the US-led coalition", "sdf"),
    ("opposition-factions", "المعارضة السورية المسلحة", "Syrian armed opposition", None),
    ("aanes", "الإدارة الذاتية", "Autonomous Administration of North and East Syria", None),
    ("asayish", "الأسايش", "Asayish (internal security)", None),
]

# Spelling variants of one word (matching form keys); each label and filler gets the
# other spellings of its words listed as variants.
SPELLINGS: list[tuple[str, ...]] = [
    ("ميليشيا", "مليشيا", "ميلشيا"),
    ("ميليشيات", "مليشيات", "ميلشيات"),
    ("الميليشيا", "المليشيا", "الميلشيا"),
    ("الميليشيات", "المليشيات", "الميلشيات"),
    ("سوريا", "سورية"),
    ("الأمريكي", "الأميركي"),
    ("الأمريكية", "الأميركية"),
    ("أمريكا", "أميركا"),
    ("أمريكيا", "أميركيا"),
    ("الأمريكيين", "الأميركيين"),
]
_SPELLING_OF = {word: group for group in SPELLINGS for word in group}
_FOLD = {token_keys(word)[0]: token_keys(group[0])[0] for group in SPELLINGS for word in group}

# Distancing wordings are attribution markers here; a proxy cue without its noun
# ("المدعومة تركياً") is left to the proxy patterns, which need the noun.
SKIP_PREFIXES = ("ما يسمى", "ما يعرف", "تسمي نفسها", "وفق تسمية", "المدعوم")
SKIP_FORMS = {
    "الوحدات",
    "الهيئة",
    "المقاومة",
    "المسلحين",
    "الإرهابيين",
    "التكفيريين",
    "تركيا",
    "أنقرة",
    "هيئة تحرير الشام (جبهة النصرة)",
}

VALENCE_OVERRIDES = {
    "الجيش العربي السوري": (2, "state honorific (gold 000)"),
    "الفصائل الثورية": (2, "glorifying (gold 003)"),
    "الثوار": (2, "glorifying, as الفصائل الثورية"),
    "فصائل الثوار": (2, "glorifying, as الفصائل الثورية"),
    "الفصائل العسكرية الثورية": (2, "glorifying, as الفصائل الثورية"),
    "نظام الأسد": (-1, "non-recognition (gold 003, 004)"),
    "مخابرات أسد": (-1, "as نظام أسد; article-less أسد is an Orient style marker"),
    "التنظيمات المسلحة الموالية لتركيا": (-2, "gold 002"),
}

# Labels the TSV lacks, from the seeds' gold and the primer.
EXTRA_LABELS: list[dict[str, Any]] = [
    {
        "surface": "حكومة أسد",
        "actor": "syrian-government",
        "valence": -1,
        "camps": ["OPP"],
        "evidence": ["gold:000"],
        "note": "article-less أسد: Orient style",
    },
    {
        "surface": "الحكومة السورية",
        "actor": "syrian-government",
        "valence": 0,
        "camps": ["NPA", "PAN"],
        "evidence": ["S75"],
    },
    {
        "surface": "الجيش الروسي",
        "actor": "russia",
        "valence": 0,
        "camps": ["ALL"],
        "evidence": ["gold:000"],
    },
    {
        "surface": "الجانب الروسي",
        "actor": "russia",
        "valence": 0,
        "camps": ["ALL"],
        "evidence": ["gold:004"],
        "note": "as الجانب التركي (S3, S9)",
    },
    {
        "surface": "فصائل الجيش الوطني السوري",
        "actor": "sna",
        "valence": 1,
        "camps": ["OPP"],
        "evidence": ["S1"],
        "note": "so that فصائل الجيش الوطني does not cut السوري off",
    },
    {
        "surface": "ميليشيات الأسد وإيران",
        "actor": "syrian-government",
        "valence": -2,
        "camps": ["OPP"],
        "evidence": ["S53"],
    },
]

# Plain names: identify the actor, carry no stance (term group "reference").
REFERENCES = {
    "syrian-government": ["بشار الأسد", "الأسد"],
    "turkey": ["تركيا", "أنقرة", "الأتراك", "أردوغان"],
    "russia": ["روسيا", "موسكو", "الروس", "بوتين", "الكرملين"],
    "iran": ["إيران", "طهران", "الإيرانيين"],
    "usa": ["أمريكا", "واشنطن", "الولايات المتحدة", "الأمريكيين", "البنتاغون"],
    "opposition-factions": ["الجبهة الوطنية للتحرير"],
}

# Loaded terms (framing-primer.md, "Loaded terms beyond names"): surface, valence,
# other wordings (inflections are listed: keys strip proclitics, not suffixes).
TERMS: dict[str, list[tuple[str, int, list[str]]]] = {
    "casualties": [
        ("شهيد", 2, ["شهداء", "استشهد", "استشهدت", "استشهدوا", "استشهاد"]),
        ("ارتقى", 2, ["ارتقت", "ارتقوا", "ارتقاء"]),
        ("قتيل", 0, ["قتلى", "مقتل"]),
        ("لقي مصرعه", 0, ["لقيت مصرعها", "لقوا مصرعهم", "لقي حتفه", "لقوا حتفهم"]),
        ("تحييد", -1, ["حيدت", "تحييدهم"]),
        ("هلاك", -2, ["هلك", "هلكوا", "نفوق"]),
        ("القضاء على", -2, []),
    ],
    "territory": [
        ("تحرير", 2, ["حرر", "حررت", "تحريرها"]),
        ("استعادة", 1, ["استعاد", "استعادت"]),
        ("سيطرة", 0, ["سيطر", "سيطرت"]),
        ("دخول", 0, ["دخل", "دخلت"]),
        ("تسليم", 0, ["سلم"]),
        ("سقوط", 0, ["سقطت"]),
        ("احتلال", -2, ["احتل", "احتلت"]),
        ("عدوان", -2, ["العدوان"]),
        ("غزو", -2, []),
        ("اجتياح", -2, ["اجتاح", "اجتاحت"]),
        ("تسلل فاشل", -1, ["محاولة تسلل فاشلة"]),
    ],
    "violence": [
        ("مجزرة", -2, ["مجازر", "مذبحة", "مذابح"]),
        ("قصف", 0, []),
        ("قصف همجي", -2, ["قصف عشوائي", "قصف وحشي", "القصف الهمجي", "القصف العشوائي"]),
        ("الدفاع المشروع", 1, []),
        ("تصدى", 1, ["تصدت", "تصدوا", "التصدي"]),
    ],
    "emotive": [
        ("همجي", -2, ["همجية"]),
        ("وحشي", -2, ["وحشية"]),
        ("دموي", -2, ["دموية"]),
    ],
    "attribution": [
        ("زعم", -1, ["زعمت", "زعموا", "يزعم", "تزعم", "مزاعم"]),
        ("ادعى", -1, ["ادعت", "ادعوا", "يدعي", "تدعي", "ادعاء", "ادعاءات"]),
        ("أكد", 1, ["أكدت", "أكدوا", "يؤكد", "تؤكد"]),
        ("كشف", 1, ["كشفت", "يكشف"]),
        ("قال", 0, ["قالت", "قالوا", "يقول", "تقول"]),
        ("أعلن", 0, ["أعلنت", "أعلنوا", "يعلن", "تعلن"]),
        ("أفاد", 0, ["أفادت", "يفيد", "تفيد"]),
    ],
    "terrorism": [
        ("إرهابي", -2, ["إرهابية", "إرهابيين", "إرهابيون", "الإرهاب"]),
        ("التكفيريين", -2, ["تكفيري", "تكفيرية", "تكفيريون"]),
    ],
}

# Sources named in a text (primer, "Sourcing"): camp of the source, valence 0.
SOURCES = [
    ("سانا", ["GOV"], ["وكالة سانا"]),
    ("مصادر أهلية", ["GOV"], []),
    ("وكالة هاوار", ["SDF"], ["هاوار"]),
    ("الأناضول", ["TR"], ["وكالة الأناضول"]),
    ("وزارة الدفاع التركية", ["TR"], []),
    ("سبوتنيك", ["AXIS"], ["وكالة سبوتنيك"]),
    ("المرصد السوري لحقوق الإنسان", ["ALL"], []),
    ("مصادر محلية", ["unverifiable"], ["مصادر خاصة", "مصدر خاص", "مصدر محلي"]),
]

# Attribution markers: the label they govern is someone else's wording.
# surface, other wordings, scope, window (tokens between marker and label), valence.
MARKERS: list[tuple[str, list[str], str, int, int]] = [
    (
        "لما أسمته",
        ["ما أسمته", "لما أسماه", "ما أسماه", "لما أسموه", "ما أسموه", "ما سمته"],
        "after",
        3,
        -1,
    ),
    (
        "ما يسمى",
        ["ما تسمى", "بما يسمى", "لما يسمى", "مما يسمى", "بما تسمى", "لما تسمى"],
        "after",
        2,
        -1,
    ),
    ("ما يعرف", ["ما تعرف", "بما يعرف", "لما يعرف", "مما يعرف"], "after", 2, -1),
    ("ما يطلق عليه", ["ما يطلق عليها", "ما تطلق عليه"], "after", 2, -1),
    ("المسماة", ["المسمى"], "after", 1, -1),
    ("تسمي نفسها", ["يسمي نفسه", "تطلق على نفسها", "يطلق على نفسه"], "after", 2, -1),
    ("وفق تسمية", ["بحسب تسمية", "حسب تسمية"], "after", 3, 0),
    ("بحسب وصف", ["حسب وصف", "وفق وصف"], "after", 3, 0),
    ("بحسب تعبير", ["حسب تعبير", "وفق تعبير", "بحسب تعبيره", "وفق تعبيره"], "both", 4, 0),
    ("على حد تعبير", ["على حد تعبيره", "على حد تعبيرها", "على حد تعبيرهم"], "before", 6, 0),
    ("على حد زعمه", ["على حد زعمها", "على حد زعمهم", "بحسب زعمه", "بحسب زعمها"], "before", 6, -1),
    ("المزعوم", ["المزعومة", "المزعومين"], "before", 0, -1),
    (
        "كما وصفها",
        ["كما وصفتها", "كما يصفها", "كما تصفها", "كما يسميها", "كما تسميها"],
        "before",
        1,
        0,
    ),
]

# Pattern slots (framing-primer.md, "How labels carry stance").
NAMES = {
    "syrian-government": ["أسد", "النظام", "النظام السوري", "بشار الأسد"],
    "sdf": ["قسد", "قوات سوريا الديمقراطية"],
    "ypg-pkk": [
        "وحدات حماية الشعب",
        "بي كا كا",
        "بي كي كي",
        "ي ب ك",
        "حزب العمال الكردستاني",
        "العمال الكردستاني",
        "PKK",
        "YPG",
    ],
    "sna": ["الجيش الوطني", "الجيش الوطني السوري"],
    "turkey": ["تركيا", "أنقرة", "أردوغان"],
    "russia": ["روسيا", "بوتين"],
    "iran": ["إيران", "الحرس الثوري"],
    "hts": ["هيئة تحرير الشام", "تحرير الشام", "جبهة النصرة", "النصرة"],
    "isis": ["داعش", "تنظيم الدولة"],
    "usa": ["أمريكا", "واشنطن"],
    "aanes": ["الإدارة الذاتية"],
    "asayish": ["الأسايش"],
    "opposition-factions": ["المعارضة"],
}
NATIONALITIES = {
    "turkey": ["التركي", "التركية"],
    "russia": ["الروسي", "الروسية"],
    "iran": ["الإيراني", "الإيرانية"],
    "usa": ["الأمريكي", "الأمريكية"],
}
PATRONS = {
    "turkey": [("تركيا", 0), ("أنقرة", 0), ("الجيش التركي", 0), ("الاحتلال التركي", -2)],
    "russia": [("روسيا", 0), ("موسكو", 0), ("الاحتلال الروسي", -2)],
    "iran": [("إيران", 0), ("طهران", 0), ("إيرانيا", 0)],
    "usa": [("أمريكا", 0), ("واشنطن", 0), ("الولايات المتحدة", 0), ("أمريكيا", 0)],
    "syrian-government": [("النظام", 0), ("الأسد", 0), ("دمشق", 0)],
}
PROXY_NOUNS = [
    ("الفصائل", 0),
    ("الفصائل المسلحة", -1),
    ("التنظيمات", -1),
    ("التنظيمات المسلحة", -1),
    ("المجموعات", 0),
    ("المجموعات المسلحة", -1),
    ("الجماعات المسلحة", -1),
    ("الميليشيات", -2),
    ("الميليشيا", -2),
    ("القوات", 0),
]
# "backed by" is the wires' neutral wording; "loyal to / affiliated to / subject to" present
# the client as an instrument.
PROXY_CUES = [
    ("الموالية لـ", -1, ["الموالي لـ", "الموالين لـ"]),
    ("التابعة لـ", -1, ["التابع لـ", "التابعين لـ"]),
    ("الخاضعة لـ", -1, ["الخاضع لـ"]),
    ("المدعومة من", 0, ["المدعوم من", "المدعومين من"]),
    ("المدعومة", 0, ["المدعوم", "المدعومين"]),
    ("المتحالفة مع", 0, ["المتحالف مع"]),
]
PRONOUN_CUES = [
    (["الموالية", "الموالي", "الموالين"], ["له", "لها", "لهم"], -1),
    (["التابعة", "التابع", "التابعين"], ["له", "لها", "لهم"], -1),
    (["الخاضعة", "الخاضع"], ["له", "لها", "لهم"], -1),
    (["المدعومة", "المدعوم", "المدعومين"], ["منه", "منها", "منهم"], 0),
    (["المتحالفة", "المتحالف"], ["معه", "معها", "معهم"], 0),
]

PATTERNS: list[dict[str, Any]] = [
    {
        "surface": "{militia} {name}",
        "valence": 0,
        "camps": ["OPP", "GOV", "SDF"],
        "evidence": ["S45", "S48", "S24", "S53"],
        "note": "ميليشيا/ميليشيات + actor name",
    },
    {
        "surface": "{militia_def} {nationality}",
        "valence": 0,
        "camps": ["OPP"],
        "evidence": ["S40", "gold:003"],
        "note": "الميليشيات + nationality adjective",
    },
    {
        "surface": "{occupier} {nationality}",
        "valence": 0,
        "camps": ["SDF", "GOV", "OPP"],
        "evidence": ["S18", "S25", "S46", "S60"],
        "note": "الاحتلال + nationality adjective",
    },
    {
        "surface": "{proxy_noun} {proxy_cue}{patron}",
        "valence": 0,
        "camps": ["AXIS", "PAN", "OPP"],
        "evidence": ["S14", "S3", "S8"],
        "note": "proxy frame; the client of the patron",
    },
    {
        "surface": "{name} {proxy_cue}{patron}",
        "valence": 0,
        "camps": ["AXIS", "OPP", "GOV"],
        "evidence": ["S10", "S8", "S23"],
        "note": "a named actor presented as a patron's proxy",
    },
    {
        "surface": "{proxy_noun} {proxy_pronoun}",
        "term_group": "proxy",
        "valence": 0,
        "camps": ["AXIS"],
        "evidence": ["gold:002"],
        "note": "patron is a pronoun: resolved to an actor named just before (X والفصائل الموالية له)",
    },
    {
        "surface": "{mercenaries} {patron}",
        "valence": 0,
        "camps": ["SDF"],
        "evidence": ["S26", "S34"],
        "note": "مرتزقة + patron",
    },
    {
        "surface": "{label} {mercenary_suffix}",
        "term_group": "proxy",
        "valence": 0,
        "camps": ["SDF"],
        "evidence": ["S27", "S34"],
        "note": "X ومرتزقته: the client of X",
    },
    {
        "surface": "{name} {terror_adj}",
        "valence": 0,
        "camps": ["TR", "AXIS", "GOV"],
        "evidence": ["S40", "S41", "S61"],
        "note": "X + الإرهابي/الإرهابية",
    },
]


def spellings(form: str) -> list[str]:
    """Every spelling of ``form`` from SPELLINGS (form itself first)."""
    out = [""]
    for word in form.split(" "):
        alternatives = _SPELLING_OF.get(word, (word,))
        out = [f"{prefix} {alt}".strip() for prefix in out for alt in alternatives]
    return [form, *[o for o in out if o != form]]


def folded_keys(form: str) -> tuple[str, ...]:
    return tuple(_FOLD.get(k, k) for k in token_keys(form))


def valence_of(stance: str) -> int:
    values = [STANCE_VALENCE[code] for code in re.findall(r"[LNDP]", stance)]
    return min(values, key=lambda v: (abs(v), v))


def split_camps(camps: str) -> list[str]:
    return [c.strip() for c in re.split(r",(?![^()]*\))", camps) if c.strip()]


def is_militia(form: str) -> bool:
    return any(_FOLD.get(k, k) in ("ميليشيا", "ميليشيات") for k in token_keys(form))


def build(tsv: Path) -> dict[str, Any]:
    labels: list[dict[str, Any]] = []
    by_key: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}

    def add(entry: dict[str, Any]) -> None:
        key = (entry.get("actor") or entry.get("term_group") or "", folded_keys(entry["surface"]))
        if key in by_key:
            return  # an earlier row already has this wording
        forms = spellings(entry["surface"])
        if len(forms) > 1:
            entry["variants"] = forms[1:]
        by_key[key] = entry
        labels.append(entry)

    with tsv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            actor = ACTOR_MAP[row["actor_id"]]
            forms = [row["surface_ar"], *row["variants_or_pattern"].split("|")]
            for form in forms:
                form = re.sub('["«»“”]', "", form).strip()
                if not form or form in SKIP_FORMS or form.startswith(SKIP_PREFIXES):
                    continue
                if "ومرتزقته" in form:
                    continue  # the suffix rule "{label} {mercenary_suffix}"
                valence = valence_of(row["stance"])
                note = row["notes"] if form == row["surface_ar"] else ""
                if is_militia(form):
                    valence = -2
                if form in VALENCE_OVERRIDES:
                    valence, reason = VALENCE_OVERRIDES[form]
                    note = f"{note}; {reason}" if note else reason
                entry: dict[str, Any] = {
                    "surface": form,
                    "actor": actor,
                    "valence": valence,
                    "camps": split_camps(row["camps_observed"]),
                    "evidence": [e.strip() for e in row["evidence"].split(",")],
                }
                if row["actor_id"] == "SYR_GOV" and row["surface_ar"] == "النظام المخلوع":
                    entry["date_from"] = "2024-12-08"  # fall of the government
                if note:
                    entry["note"] = note
                add(entry)
    for extra in EXTRA_LABELS:
        add(dict(extra))
    for actor, names in REFERENCES.items():
        for name in names:
            add(
                {
                    "surface": name,
                    "actor": actor,
                    "term_group": "reference",
                    "valence": 0,
                    "evidence": ["primer"],
                }
            )
    for group, terms in TERMS.items():
        for surface, valence, others in terms:
            entry = {
                "surface": surface,
                "term_group": group,
                "valence": valence,
                "evidence": ["primer"],
            }
            add(entry)
            entry.setdefault("variants", [])
            entry["variants"] += [o for o in others if o not in entry["variants"]]
    for surface, camps, others in SOURCES:
        add(
            {
                "surface": surface,
                "term_group": "sourcing",
                "valence": 0,
                "camps": camps,
                "variants": others,
                "evidence": ["primer"],
            }
        )
    for surface, others, scope, window, valence in MARKERS:
        add(
            {
                "surface": surface,
                "term_group": "attribution",
                "variants": others,
                "valence": valence,
                "scope": scope,
                "window": window,
                "evidence": ["primer"],
                "note": "attribution marker",
            }
        )
    for pattern in PATTERNS:
        labels.append({"kind": "pattern", **pattern})

    def filler(
        surface: str, actor: str | None = None, valence: int = 0, others: list[str] | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"surface": surface}
        variants = [*spellings(surface)[1:], *(others or [])]
        if variants:
            out["variants"] = variants
        if actor:
            out["actor"] = actor
        if valence:
            out["valence"] = valence
        return out

    slots: dict[str, Any] = {
        "militia": {
            "role": "modifier",
            "fillers": [filler("ميليشيا", valence=-2), filler("ميليشيات", valence=-2)],
        },
        "militia_def": {
            "role": "modifier",
            "fillers": [filler("الميليشيات", valence=-2), filler("الميليشيا", valence=-2)],
        },
        "name": {"role": "actor", "fillers": [filler(n, a) for a, ns in NAMES.items() for n in ns]},
        "nationality": {
            "role": "actor",
            "coordinable": True,
            "fillers": [filler(n, a) for a, ns in NATIONALITIES.items() for n in ns],
        },
        "occupier": {
            "role": "modifier",
            "fillers": [
                filler(s, valence=-2)
                for s in ("الاحتلال", "قوات الاحتلال", "جيش الاحتلال", "دولة الاحتلال", "المحتل")
            ],
        },
        "patron": {
            "role": "patron",
            "fillers": [filler(n, a, v) for a, ps in PATRONS.items() for n, v in ps],
        },
        "proxy_noun": {
            "role": "modifier",
            "fillers": [filler(n, valence=v) for n, v in PROXY_NOUNS],
        },
        "proxy_cue": {
            "role": "modifier",
            "fillers": [filler(s, valence=v, others=o) for s, v, o in PROXY_CUES],
        },
        "proxy_pronoun": {
            "role": "patron",
            "fillers": [
                filler(
                    f"{cues[0]} {pronoun}",
                    valence=v,
                    others=[f"{cue} {pronoun}" for cue in cues[1:]],
                )
                for cues, pronouns, v in PRONOUN_CUES
                for pronoun in pronouns
            ],
        },
        "mercenaries": {"role": "modifier", "fillers": [filler("مرتزقة", valence=-2)]},
        "mercenary_suffix": {
            "role": "modifier",
            "fillers": [filler("ومرتزقته", valence=-2, others=["ومرتزقتها", "ومرتزقتهم"])],
        },
        "terror_adj": {
            "role": "modifier",
            "fillers": [filler("الإرهابي", valence=-2), filler("الإرهابية", valence=-2)],
        },
    }
    return {
        "name": "syria",
        "version": "syria-2026.11.1",
        "description": "Syrian-conflict framing lexicon, built by bench/build_lexicon.py from "
        "framing-lexicon.tsv, framing-primer.md and seeds/gold.json valences.",
        "stance_valence": STANCE_VALENCE,
        "actors": [{"id": i, "name_ar": ar, "name_en": en, "client": c} for i, ar, en, c in ACTORS],
        "slots": slots,
        "labels": labels,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args()
    from comparisons.lexicon import lexicon_to_json, load_lexicon

    # Round-trip through the loader: validates, and writes the canonical field order.
    document = lexicon_to_json(load_lexicon(build(args.tsv)))
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date; run bench/build_lexicon.py")
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    lexicon = load_lexicon(document)
    print(
        f"wrote {args.out}: {len(lexicon.actors)} actors, {len(lexicon.labels)} labels, "
        f"{len(lexicon.slots)} slots"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
