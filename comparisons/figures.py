"""Figures and sources per article, side by side, so that a contested figure stands out.

Pure and typed (no ORM). Offsets are character offsets into the text as given (the stored
cleaned body), and every match is found on ``articles.normalization.tokenize`` tokens, so
clitics (و ف ب ك ل ال), diacritics, tatweel, hamza forms and Arabic-Indic digits are handled
once, by the one normaliser: "لـ١٢ قتيلاً" and "12 قتيلا" are the same figure.

Figures (``find_figures``)
    * A number is a digit token (ASCII, Arabic-Indic ٠-٩ or Persian), with thousands joined
      across "," "٬" or "." when the next group has exactly three digits ("1,200"; "1.5" is a
      decimal), or spelled out (``NUMBER_WORDS``: ثلاثة to عشرة, tens, مئة, ألف; teens "ثلاثة
      عشر", "أحد عشر"; unit + tens "خمسة وعشرون"). One and two are not listed alone: "أحد" and
      "اثنين" are far more often "someone" / "Monday"; two is read from duals instead. A
      multiplier after a number scales it ("3 آلاف", "1.5 مليون"); a decimal left without one
      is a rate, not a count.
    * Vague quantities have ranges: عشرات 10-99, مئات 100-999, آلاف 1,000-999,999 (they count
      tens, hundreds, thousands; an Arabic plural of a unit means at least three of them, but
      outlets use عشرات loosely, so the range starts at the unit).
    * Qualifiers before a number widen its range: أكثر من / ما يزيد عن (n+1, open), ما لا يقل عن /
      على الأقل (n, open), نحو / حوالي / قرابة / زهاء / ما يقارب / أقل من ... (±``APPROX_SHARE`` =
      10%, or up to n-1 for أقل من). Figures are ranges ``low..high`` (``high`` None = open).
    * The counted noun must follow the number directly, or after "من" ("12 من العناصر"), and
      belong to ``COUNTED_NOUNS``; it gives the figure its group (killed, wounded, fighters,
      civilians, children, women, displaced, families, detainees, strikes, vehicles, points).
    * A casualty verbal noun just before the number names the group instead ("مقتل 12 عنصرا",
      "إصابة 5 مدنيين", "قتلها لـ12 من الفصائل"): what the outlets dispute is the dead, not
      the kind of person. Looked for up to ``VERB_WINDOW`` = 2 tokens before the number.
    * Duals are two: "مقتل عنصرين", "قتيلان", "طفلين". Only nouns whose plural is broken
      (قتلى, جرحى, عناصر, أطفال, ...) are read as duals; مدنيين is plural or dual, never counted.
    * A number with neither a listed noun nor a casualty verb is not a figure: years, days,
      kilometres, percentages, "M4".

Sources (``find_sources``)
    Named sources (``NAMED_SOURCES``: agencies, ministries, the Observatory; with the camp the
    framing primer gives them: سانا and مصادر أهلية government, هاوار SDF, الأناضول and the
    Turkish defence ministry Turkey, سبوتنيك Russia, the Observatory cited by all) and unnamed
    ones ("مصادر محلية/خاصة/ميدانية/أهلية", "مصادر لم تسمها", "ناشطون") are matched on token
    keys, longest first; tokens of one name may be separated by spaces, quotation marks and
    tatweel only (وكالة "هاوار"). "مصادر" + any other adjective is an unnamed source too.
    Attribution phrases (بحسب، وفق، نقلا عن، نقلت عن، أفادت، ...) are reported as kind
    ``attribution``: they mark where an outlet leans on someone else's account.

Comparison (``compare_figures``)
    Figures are compared by group across the articles of a cluster. Two figures agree when
    their ranges overlap. A group is **contested** when two articles both give figures for it
    and none of one article's figures agrees with any of the other's: "12 قتيلا" against
    "15 قتيلا" is contested, "عشرات القتلى" against "45 قتيلا" is not, and an article that
    also gives a running total ("12 today, 200 since the start") does not contest another that
    gives only the 12.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from articles.normalization import Token, token_key, tokenize

__all__ = [
    "Figure",
    "FigureComparison",
    "Source",
    "compare_figures",
    "find_figures",
    "find_sources",
]

ArticleId = int | str

APPROX_SHARE = 0.1
VERB_WINDOW = 2

# Counted nouns by group: singular, accusative (تمييز), plural and (for broken plurals) dual.
COUNTED_NOUNS: dict[str, str] = {
    "killed": "قتيل قتيلا قتلى شهيد شهيدا شهداء ضحية ضحايا جثة جثث",
    "wounded": "جريح جريحا جرحى مصاب مصابا مصابين",
    "fighters": "عنصر عنصرا عناصر مقاتل مقاتلا مقاتلين مسلح مسلحا مسلحين جندي جنديا جنود "
    "مرتزق مرتزقة",
    "civilians": "مدني مدنيا مدنيين شخص شخصا أشخاص",
    "children": "طفل طفلا أطفال",
    "women": "امرأة نساء سيدة سيدات",
    "displaced": "نازح نازحا نازحين مهجر مهجرا مهجرين لاجئ لاجئا لاجئين",
    "families": "عائلة عائلات أسرة أسر",
    "detainees": "معتقل معتقلا معتقلين أسير أسيرا أسرى مختطف مختطفا مختطفين",
    "strikes": "غارة غارات صاروخ صواريخ قذيفة قذائف",
    "vehicles": "آلية آليات دبابة دبابات مدرعة مدرعات عربة عربات",
    "points": "نقطة نقاط",
}
DUAL_NOUNS: dict[str, str] = {
    "killed": "قتيلان قتيلين شهيدان شهيدين",
    "wounded": "جريحان جريحين",
    "fighters": "عنصران عنصرين جنديان جنديين",
    "children": "طفلان طفلين",
    "women": "امرأتان امرأتين",
    "detainees": "أسيران أسيرين",
    "strikes": "غارتان غارتين صاروخان صاروخين",
}
# Verbal nouns and verbs before a number that name what is counted.
CASUALTY_VERBS: dict[str, str] = {
    "killed": "مقتل قتل قتلها قتله قتلهم استشهاد استشهد مصرع",
    "wounded": "إصابة جرح إصابتها",
    "detainees": "اعتقال أسر خطف",
}
NUMBER_WORDS: dict[str, int] = {
    "ثلاث": 3,
    "ثلاثة": 3,
    "أربع": 4,
    "أربعة": 4,
    "خمس": 5,
    "خمسة": 5,
    "ست": 6,
    "ستة": 6,
    "سبع": 7,
    "سبعة": 7,
    "ثماني": 8,
    "ثمانية": 8,
    "تسع": 9,
    "تسعة": 9,
    "عشر": 10,
    "عشرة": 10,
    "عشرين": 20,
    "عشرون": 20,
    "ثلاثين": 30,
    "ثلاثون": 30,
    "أربعين": 40,
    "أربعون": 40,
    "خمسين": 50,
    "خمسون": 50,
    "ستين": 60,
    "ستون": 60,
    "سبعين": 70,
    "سبعون": 70,
    "ثمانين": 80,
    "ثمانون": 80,
    "تسعين": 90,
    "تسعون": 90,
    "مئة": 100,
    "مائة": 100,
    "ألف": 1000,
}
# Only before عشر/عشرة (11, 12): alone they are "someone" and "Monday".
TEEN_UNITS: dict[str, int] = {"أحد": 1, "إحدى": 1, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2}
TEN_WORDS = "عشر عشرة"
VAGUE_WORDS: dict[str, tuple[int, int]] = {
    "عشرات": (10, 99),
    "مئات": (100, 999),
    "آلاف": (1000, 999_999),
}
MULTIPLIERS: dict[str, int] = {"ألف": 1000, "آلاف": 1000, "مليون": 1_000_000, "ملايين": 1_000_000}
QUALIFIERS: dict[str, str] = {
    "أكثر من": "more than",
    "ما يزيد عن": "more than",
    "ما يزيد على": "more than",
    "ما لا يقل عن": "at least",
    "أقل من": "less than",
    "نحو": "about",
    "حوالي": "about",
    "قرابة": "about",
    "زهاء": "about",
    "ما يقارب": "about",
    "ما يقرب من": "about",
}
AT_LEAST_AFTER = "على الأقل"

# Named and unnamed sources: surface -> (canonical name, camp). Camps from the framing primer.
NAMED_SOURCES: dict[str, tuple[str, str]] = {
    "وكالة هاوار": ("وكالة هاوار", "sdf"),
    "هاوار": ("وكالة هاوار", "sdf"),
    "سبوتنيك": ("سبوتنيك", "russia"),
    "وكالة سبوتنيك": ("سبوتنيك", "russia"),
    "سانا": ("سانا", "syrian-government"),
    "وكالة سانا": ("سانا", "syrian-government"),
    "الوكالة العربية السورية للأنباء": ("سانا", "syrian-government"),
    "الأناضول": ("الأناضول", "turkey"),
    "وكالة الأناضول": ("الأناضول", "turkey"),
    "وزارة الدفاع التركية": ("وزارة الدفاع التركية", "turkey"),
    "وزارة الدفاع الروسية": ("وزارة الدفاع الروسية", "russia"),
    "المرصد السوري لحقوق الإنسان": ("المرصد السوري لحقوق الإنسان", "independent"),
    "المرصد السوري": ("المرصد السوري لحقوق الإنسان", "independent"),
    "رويترز": ("رويترز", "wire"),
    "فرانس برس": ("فرانس برس", "wire"),
    "وكالة فرانس برس": ("فرانس برس", "wire"),
    "المركز الإعلامي لقوات سوريا الديمقراطية": ("المركز الإعلامي لقسد", "sdf"),
    "الدفاع المدني": ("الدفاع المدني", "opposition"),
    "مصادر محلية": ("مصادر محلية", "unverifiable"),
    "مصادر خاصة": ("مصادر خاصة", "unverifiable"),
    "مصادر ميدانية": ("مصادر ميدانية", "unverifiable"),
    "مصادر أهلية": ("مصادر أهلية", "syrian-government"),
    "مصادر مطلعة": ("مصادر مطلعة", "unverifiable"),
    "مصادر لم تسمها": ("مصادر لم تسمها", "unverifiable"),
    "مصادر عسكرية": ("مصادر عسكرية", "unverifiable"),
    "ناشطون": ("ناشطون", "unverifiable"),
    "ناشطين": ("ناشطون", "unverifiable"),
}
ATTRIBUTION_PHRASES = (
    "بحسب",  # also حسب: the same key once ب is stripped
    "وفق",
    "وفقا",
    "نقلا عن",
    "نقلت عن",
    "نقل عن",
    "أفادت",
    "أفاد",
    "ذكرت",
    "أكدت",
    "كشفت",
    "زعمت",
    "ادعت",
)
# After "مصادر" these are verbs or particles, not the adjective naming the source.
_NOT_SOURCE_ADJECTIVES = "قالت أكدت أفادت ذكرت كشفت أن إن عن في من على لـ إلى"
_SOURCES_WORD = "مصادر"
UNNAMED_HEADS = "مصادر ناشطون ناشطين"

FigureGroup = str
SourceKind = Literal["named", "unnamed", "attribution"]


@dataclass(frozen=True, slots=True)
class Figure:
    """A number with what it counts. ``text[start:end] == matched_text``."""

    group: FigureGroup
    low: int
    high: int | None  # None: open upwards ("أكثر من 20")
    qualifier: str  # "", "about", "more than", "at least", "less than", "vague", "dual"
    noun: str  # the counted noun (or casualty verb) as written
    matched_text: str
    start: int
    end: int

    def agrees_with(self, other: Figure) -> bool:
        """True when the two ranges overlap."""
        self_high = math.inf if self.high is None else self.high
        other_high = math.inf if other.high is None else other.high
        return self.low <= other_high and other.low <= self_high


@dataclass(frozen=True, slots=True)
class Source:
    kind: SourceKind
    name: str  # canonical name
    camp: str  # "" for attribution phrases and unknown unnamed sources
    matched_text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class FigureComparison:
    group: FigureGroup
    figures: dict[ArticleId, list[Figure]]  # only articles with a figure for the group
    contested: bool


# --------------------------------------------------------------------------------------
# Key tables (built once, lazily, through the one normaliser)
# --------------------------------------------------------------------------------------


def _key(word: str) -> str:
    return token_key(word)


def _phrase_keys(phrase: str) -> tuple[str, ...]:
    return tuple(token.key for token in tokenize(phrase))


@dataclass(frozen=True, slots=True)
class _Tables:
    nouns: dict[str, str]
    duals: dict[str, str]
    verbs: dict[str, str]
    numbers: dict[str, int]
    teen_units: dict[str, int]
    ten_words: frozenset[str]
    vague: dict[str, tuple[int, int]]
    multipliers: dict[str, int]
    qualifiers: dict[tuple[str, ...], str]
    at_least_after: tuple[str, ...]
    sources: dict[tuple[str, ...], tuple[str, str]]
    attributions: dict[tuple[str, ...], str]
    not_adjectives: frozenset[str]
    sources_word: str
    unnamed_heads: frozenset[str]
    first_keys: frozenset[str]  # keys a source or attribution phrase can start with
    longest: int
    min_word: str  # "من" between a number and its noun


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    def groups(table: dict[str, str]) -> dict[str, str]:
        return {_key(word): group for group, words in table.items() for word in words.split()}

    sources = {_phrase_keys(surface): value for surface, value in NAMED_SOURCES.items()}
    attributions: dict[tuple[str, ...], str] = {}
    for phrase in ATTRIBUTION_PHRASES:
        attributions.setdefault(_phrase_keys(phrase), phrase)
    return _Tables(
        nouns=groups(COUNTED_NOUNS),
        duals=groups(DUAL_NOUNS),
        verbs=groups(CASUALTY_VERBS),
        numbers={_key(word): value for word, value in NUMBER_WORDS.items()},
        teen_units={_key(word): value for word, value in TEEN_UNITS.items()},
        ten_words=frozenset(_key(word) for word in TEN_WORDS.split()),
        vague={_key(word): value for word, value in VAGUE_WORDS.items()},
        multipliers={_key(word): value for word, value in MULTIPLIERS.items()},
        qualifiers={_phrase_keys(phrase): name for phrase, name in QUALIFIERS.items()},
        at_least_after=_phrase_keys(AT_LEAST_AFTER),
        sources=sources,
        attributions=attributions,
        not_adjectives=frozenset(_key(word) for word in _NOT_SOURCE_ADJECTIVES.split()),
        sources_word=_key(_SOURCES_WORD),
        unnamed_heads=frozenset(_key(word) for word in UNNAMED_HEADS.split()),
        first_keys=frozenset(keys[0] for keys in (*sources, *attributions)),
        longest=max(len(keys) for keys in (*sources, *attributions)),
        min_word=_key("من"),
    )


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------

_GROUP_SEPARATORS = {",", "٬", ".", "٫"}
_DECIMAL_SEPARATORS = {".", "٫"}
_GAP_RE = re.compile("[\\s\"'«»“”‘’\u0640\u200e\u200f\u061c]*")


def _tight(text: str, left: Token, right: Token) -> bool:
    """Only spaces, quotation marks and tatweel between two tokens."""
    return _GAP_RE.fullmatch(text, left.end, right.start) is not None


def _number_at(text: str, tokens: Sequence[Token], i: int) -> tuple[float, int] | None:
    """(value, index after the number) for a digit number starting at token i."""
    key = tokens[i].key
    if not key.isdigit() or not key.isascii():
        return None
    digits = key
    j = i + 1
    while j < len(tokens) and tokens[j].key.isdigit() and len(tokens[j].key) == 3:
        gap = text[tokens[j - 1].end : tokens[j].start]
        if gap not in _GROUP_SEPARATORS:
            break
        digits += tokens[j].key
        j += 1
    if j == i + 1 and j < len(tokens) and tokens[j].key.isdigit():
        gap = text[tokens[i].end : tokens[j].start]
        if gap in _DECIMAL_SEPARATORS:
            return float(f"{digits}.{tokens[j].key}"), j + 1
    return float(digits), j


def _qualifier_before(tokens: Sequence[Token], i: int, tables: _Tables) -> tuple[str, int]:
    """(qualifier name, index of its first token) for a qualifier ending just before i."""
    for phrase, name in tables.qualifiers.items():
        n = len(phrase)
        if i >= n and tuple(t.key for t in tokens[i - n : i]) == phrase:
            return name, i - n
    return "", i


def _range(value: int, qualifier: str) -> tuple[int, int | None]:
    if qualifier == "more than":
        return value + 1, None
    if qualifier == "at least":
        return value, None
    if qualifier == "less than":
        return 0, max(0, value - 1)
    if qualifier == "about":
        spread = max(1, round(value * APPROX_SHARE))
        return max(0, value - spread), value + spread
    return value, value


def _parse_number(
    text: str, tokens: Sequence[Token], i: int, tables: _Tables
) -> tuple[int, int | None, str, int] | None:
    """(low, high, qualifier, index after the number) for a number starting at token i."""
    key = tokens[i].key
    parsed = _number_at(text, tokens, i)
    if parsed is not None:
        value, after = parsed
    elif key in tables.numbers or key in tables.teen_units:
        value, after = _number_words(tokens, i, tables)
        if not value:
            return None
    elif key in tables.vague:
        low, high = tables.vague[key]
        return low, high, "vague", i + 1
    else:
        return None
    if after < len(tokens) and tokens[after].key in tables.multipliers:
        value *= tables.multipliers[tokens[after].key]
        after += 1
    if value != int(value):
        return None  # a decimal without a multiplier is a rate or a distance, not a count
    return int(value), int(value), "", after


def _number_words(tokens: Sequence[Token], i: int, tables: _Tables) -> tuple[float, int]:
    """Value of a spelled-out number at token i: units, teens (ثلاثة عشر) and units + tens
    (خمسة وعشرون); (0, i + 1) for a teen unit without its عشر."""
    key = tokens[i].key
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    unit = tables.numbers.get(key, tables.teen_units.get(key, 0))
    if nxt is not None and nxt.key in tables.ten_words and unit < 10:
        return float(unit + 10), i + 2
    if key not in tables.numbers:
        return 0.0, i + 1
    tens = tables.numbers.get(nxt.key, 0) if nxt is not None else 0
    if nxt is not None and unit < 10 and nxt.text.startswith("و") and 20 <= tens <= 90:
        return float(unit + tens), i + 2
    return float(unit), i + 1


@dataclass(frozen=True, slots=True)
class _Verb:
    group: FigureGroup
    index: int


def _verb_before(tokens: Sequence[Token], i: int, tables: _Tables) -> _Verb | None:
    """A casualty verb within VERB_WINDOW tokens before token i."""
    for j in range(i - 1, max(-1, i - 1 - VERB_WINDOW), -1):
        group = tables.verbs.get(tokens[j].key)
        if group is not None:
            return _Verb(group, j)
    return None


def find_figures(text: str) -> list[Figure]:
    """Counted figures in ``text``, in order (see the module docstring for the rules)."""
    tables = _tables()
    tokens = tokenize(text)
    figures: list[Figure] = []
    i = 0
    while i < len(tokens):
        verb = _verb_before(tokens, i, tables)
        if tokens[i].key in tables.duals:
            group = verb.group if verb else tables.duals[tokens[i].key]
            start = tokens[verb.index].start if verb else tokens[i].start
            end = tokens[i].end
            figures.append(Figure(group, 2, 2, "dual", tokens[i].text, text[start:end], start, end))
            i += 1
            continue
        parsed = _parse_number(text, tokens, i, tables)
        if parsed is None:
            i += 1
            continue
        low, high, qualifier, after = parsed
        noun_index = after
        if noun_index < len(tokens) - 1 and tokens[noun_index].key == tables.min_word:
            noun_index += 1
        noun_group = tables.nouns.get(tokens[noun_index].key) if noun_index < len(tokens) else None
        if noun_group is None and verb is None:
            i = after
            continue
        first = i
        if not qualifier:
            qualifier, first = _qualifier_before(tokens, i, tables)
            low, high = _range(low, qualifier)
        end_index = noun_index + 1 if noun_group is not None else after
        tail = tables.at_least_after
        if (
            qualifier in {"", "vague"}
            and tuple(t.key for t in tokens[end_index : end_index + len(tail)]) == tail
        ):
            qualifier, high = "at least", None
            end_index += len(tail)
        if verb is not None:
            group, first = verb.group, min(first, verb.index)
            noun = tokens[noun_index].text if noun_group is not None else tokens[verb.index].text
        else:
            assert noun_group is not None  # noqa: S101  # checked above
            group, noun = noun_group, tokens[noun_index].text
        start, end = tokens[first].start, tokens[end_index - 1].end
        figures.append(Figure(group, low, high, qualifier, noun, text[start:end], start, end))
        i = end_index
    return figures


# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------


def _source_at(
    text: str, tokens: Sequence[Token], i: int, tables: _Tables
) -> tuple[Source, int] | None:
    """The longest source or attribution phrase starting at token i, and its token count."""
    # Most tokens start no phrase: skip the window search for them (a page's worth of tokens
    # times every window length was most of a comparison page's time).
    if tokens[i].key not in tables.first_keys and tokens[i].key != tables.sources_word:
        return None
    for n in range(min(tables.longest, len(tokens) - i), 0, -1):
        window = tokens[i : i + n]
        if not all(_tight(text, a, b) for a, b in zip(window, window[1:], strict=False)):
            continue
        keys = tuple(t.key for t in window)
        start, end = window[0].start, window[-1].end
        if keys in tables.sources:
            name, camp = tables.sources[keys]
            kind: SourceKind = "unnamed" if keys[0] in tables.unnamed_heads else "named"
            return Source(kind, name, camp, text[start:end], start, end), n
        if keys in tables.attributions:
            phrase = tables.attributions[keys]
            return Source("attribution", phrase, "", text[start:end], start, end), n
    if tokens[i].key != tables.sources_word:
        return None
    # "مصادر" + an adjective not in the list: an unnamed source all the same.
    n = 1
    if i + 1 < len(tokens) and _tight(text, tokens[i], tokens[i + 1]):
        n = 1 if tokens[i + 1].key in tables.not_adjectives else 2
    start, end = tokens[i].start, tokens[i + n - 1].end
    return Source("unnamed", text[start:end], "", text[start:end], start, end), n


def find_sources(text: str) -> list[Source]:
    """Named and unnamed sources and attribution phrases in ``text``, in order."""
    tables = _tables()
    tokens = tokenize(text)
    found: list[Source] = []
    i = 0
    while i < len(tokens):
        match = _source_at(text, tokens, i, tables)
        if match is None:
            i += 1
            continue
        found.append(match[0])
        i += match[1]
    return found


# --------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------


def compare_figures(figures: Mapping[ArticleId, Iterable[Figure]]) -> list[FigureComparison]:
    """Figures grouped by what they count, across articles; groups in order of first mention."""
    by_group: dict[FigureGroup, dict[ArticleId, list[Figure]]] = {}
    for article_id, article_figures in figures.items():
        for figure in article_figures:
            by_group.setdefault(figure.group, {}).setdefault(article_id, []).append(figure)
    comparisons = []
    for group, per_article in by_group.items():
        lists = list(per_article.values())
        contested = any(
            not any(a.agrees_with(b) for a in left for b in right)
            for index, left in enumerate(lists)
            for right in lists[index + 1 :]
        )
        comparisons.append(FigureComparison(group, per_article, contested))
    return comparisons
