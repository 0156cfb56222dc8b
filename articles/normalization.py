"""Arabic normalisation, tokenisation and search keys.

Everything here is a pure function over ``str``: no Django, no ORM. The rules are
deliberately explicit (no generic stemmer: ISRI, Tashaphyne and Snowball all damage names,
see the framing primer).

Matching form (``normalize``)
    One character table applied with ``str.translate``; each entry says why it exists.
    Built from camel-tools' ``camel_tools.utils.normalize`` (alef, alef maksura, teh
    marbuta, Unicode compatibility forms) plus rules camel-tools does not cover:

    * diacritics (harakat, tanwin, shadda, sukun, dagger alef, Quranic marks) deleted;
    * tatweel deleted, and inside a word a run of tatweel mixed with dots, dashes,
      joiners or diacritics is deleted as a whole (the "قـ.ـتل" obfuscation style);
      a dot between letters *without* tatweel is kept ("د.محمد", "م.ت.ف");
    * bidi and joiner controls (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069, U+061C,
      U+2060, U+FEFF, soft hyphen) deleted;
    * أ إ آ ٱ (and the wavy-hamza alefs) → ا; ى → ي; ة → ه (matching only: display
      always uses the original text);
    * Persian/Kurdish/Urdu letters folded onto the Arabic ones (ک → ك, ی → ي, ە ھ ۀ → ه,
      ۆ → و, ...), and the letters Arabic writers replace in foreign names (پ → ب,
      چ → ج, ژ → ز, ڤ → ف, گ → ك);
    * Arabic-Indic and Persian digits → 0-9; Arabic comma, semicolon, question mark,
      percent and decimal signs → ASCII; every style of double quote → ``"``, of single
      quote → ``'``, of dash → ``-``; exotic spaces → " ";
    * Latin (and Greek, Cyrillic) lower-cased; presentation forms (ﻻ, ﺍ, ...) decomposed.

    ``normalize_with_map`` returns the same string plus, for each normalised character,
    the index of the original character it came from, so a match in normalised text maps
    back to the displayed text exactly (``to_original_span``).

Tokens (``tokenize``)
    A token is a maximal run of letters and digits (any script) in the normalised text;
    punctuation, symbols and emoji separate tokens and are dropped. Offsets are into the
    original text; a token's span also covers the diacritics that follow its last letter,
    so a highlight never cuts a mark from its letter. A detached proclitic written with
    a tatweel (لـ"قسد", بـ «...», الـ24) is merged with the word that follows it; the
    token's key is then the key of that word. (camel-tools' ``simple_word_tokenize``
    splits the same way but gives no offsets, hence the own regex.)

Clitic keys (``token_key``, ``strip_proclitics``)
    Proclitics are stripped by the pattern (و|ف)? (ب|ك|ل)? (ال)?, where ل + ال is written
    لل. Thresholds and safeguards:

    * after a prefix ending in the article (ال, لل, وال, بال, ولل, ...) the stem must keep
      at least ``MIN_STEM_AFTER_ARTICLE`` = 2 letters (الحي → حي, but الف stays);
    * after a bare prefix (و ف ب ك ل and their pairs) it must keep at least
      ``MIN_STEM_AFTER_BARE`` = 3 letters (بعد, كان, لها stay whole);
    * the article is only recognised with a bare alef: a hamza-initial word keeps its
      alef-lam (إلغاء, ألوية, ألمانيا); hamza is folded away only after stripping;
    * ``PROTECTED_WORDS`` lists frequent words and names whose first letter only looks
      like a proclitic (وزير, بيروت, لبنان, فصائل, ...); a protected word (optionally
      with one common suffix) is never cut, and a protected stem wins over a longer
      prefix (للبنان → لبنان);
    * stripping repeats until nothing more can be stripped, so that adding a proclitic
      never changes a key: key(و + w) == key(w), key(ال + w) == key(w). The price is
      that an unlisted word starting with a proclitic letter may lose it (كتاب → تاب)
      everywhere; keys are for matching and are never displayed.

Search keys (``search_keys``, ``search_document``)
    Search only, on top of the clitic key and repeated until stable: a sound feminine
    plural ات becomes the singular's ه (stem >= 2 letters: قوات → قوه = قوة); a sound
    masculine plural ون/ين is dropped (stem >= 3); final ا/ه/ي are dropped while more
    than 3 letters remain (ميليشيا, ميليشيات → ميليش; سوريا, سورية, سوريين → سور).
    ``SEARCH_SPELLING_VARIANTS`` then maps known spelling variants of loanwords onto one
    form (مليشيا, ميلشيا → ميليش). The stored document is " key1 key2 ... " so that
    ``search_text__contains=f" {key} "`` matches whole keys only.

Lemmas (``lemmas``)
    With a CAMeL morphology database (``set_morphology_db`` or camel-tools' default
    database under ``CAMELTOOLS_DATA``) the camel-tools analyser gives lemmas; without one
    ``lemmas`` returns []. camel-tools' morphology is imported lazily, and
    ``CAMELTOOLS_DATA`` defaults to ``articles/camel_data`` (a minimal catalogue.json),
    because importing it otherwise downloads a catalogue.

Not handled (known limits): a combining hamza after و or ي (ؤ/ئ written as two code
points) is not composed; enclitic pronouns are not stripped (مرتزقته, قواتها); broken
plurals (فصيل/فصائل) are not related.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

logger = logging.getLogger(__name__)

# Importing camel_tools.morphology (or camel_tools.data) downloads a catalogue unless
# CAMELTOOLS_DATA points at a folder holding catalogue.json. Ship a minimal one so that no
# import ever touches the network; an operator with a real camel-tools data folder sets
# CAMELTOOLS_DATA first and wins.
CAMEL_DATA_DIR = Path(__file__).resolve().parent / "camel_data"
os.environ.setdefault("CAMELTOOLS_DATA", str(CAMEL_DATA_DIR))

MIN_STEM_AFTER_ARTICLE = 2
MIN_STEM_AFTER_BARE = 3

TATWEEL = "\u0640"

# --------------------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------------------

# Harakat, tanwin, shadda, sukun (U+064B-U+0652), maddah and combining hamza
# (U+0653-U+0655), other Arabic marks (U+0656-U+065F), dagger alef (U+0670), Quranic
# honorific and annotation marks (U+0610-U+061A, U+06D6-U+06ED) and the extended-A marks
# (U+08D3-U+08FF). News text uses them inconsistently (a headline is diacritised, the
# body is not), so they never distinguish words for matching. This is a superset of
# camel-tools' AR_DIAC_CHARSET; camel_tools.utils.dediac is not imported here because
# its charsets module takes about 0.6 s to import (a test checks the two agree).
_DIACRITICS = (
    "".join(chr(c) for c in range(0x064B, 0x0660))
    + "\u0670"
    + "".join(chr(c) for c in range(0x0610, 0x061B))
    + "".join(chr(c) for c in range(0x06D6, 0x06DD))
    + "".join(chr(c) for c in range(0x06DF, 0x06E5))
    + "\u06e7\u06e8"
    + "".join(chr(c) for c in range(0x06EA, 0x06EE))
    + "".join(chr(c) for c in range(0x08D3, 0x0900) if c != 0x08E2)
)

# Zero-width space/non-joiner/joiner, LRM/RLM (U+200B-U+200F), embeddings and overrides
# (U+202A-U+202E), isolates (U+2066-U+2069), Arabic letter mark (U+061C), word joiner,
# BOM and soft hyphen. They change rendering or line breaking, never the letters;
# copy-paste from web pages and PDF extraction leave them inside words.
_CONTROLS = (
    "".join(chr(c) for c in range(0x200B, 0x2010))
    + "".join(chr(c) for c in range(0x202A, 0x202F))
    + "".join(chr(c) for c in range(0x2066, 0x206A))
    + "\u061c\u2060\ufeff\u00ad"
)

# Characters an obfuscated word hides between its letters ("قـ.ـتل", "قـ-ـتل").
_OBFUSCATION_FILLERS = ".\u00b7\u2022\u2027\u2219\u22c5*_\\-"

_ARABIC_LETTERS = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff"

# Inside a word (Arabic letter on both sides), a run containing a tatweel and made only of
# tatweel, fillers, diacritics and controls is deleted whole: kashida is typographic
# stretching, and a tatweel next to a dot marks deliberate obfuscation of a word, not an
# abbreviation. Possessive quantifier: no backtracking on long decorative lines.
_OBFUSCATION_RE = re.compile(
    f"(?<=[{_ARABIC_LETTERS}])(?=[{TATWEEL}{_OBFUSCATION_FILLERS}{_DIACRITICS}{_CONTROLS}]*?{TATWEEL})"
    f"[{TATWEEL}{_OBFUSCATION_FILLERS}{_DIACRITICS}{_CONTROLS}]++(?=[{_ARABIC_LETTERS}])"
)


def _camel_letter_rules(char: str) -> str:
    # camel-tools' own normalisers: أ إ آ ٱ → ا, ى → ي, ة → ه.
    return str(normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(char))))


def _build_table(*, keep: str = "") -> dict[str, str]:
    """Map each changed character to its matching form ("" deletes), except ``keep``."""
    table: dict[str, str] = {}

    # Latin, Greek, Cyrillic, Armenian and Vietnamese letters lower-cased: case carries no
    # meaning for matching names in transliteration (ISIS, Isis, isis). Only one-to-one
    # mappings; İ (Turkish dotted capital I, as in İdlib) lowers to two code points in
    # Python, so it gets a plain i.
    for code in [*range(0x0041, 0x0590), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        lower = char.lower()
        if lower != char and len(lower) == 1:
            table[char] = lower
    table["\u0130"] = "i"

    # Arabic presentation forms (ﻻ, ﺍ, ﷲ ...) come out of PDF extraction; camel-tools'
    # normalize_unicode (NFKC plus the rial and bismillah ligatures) decomposes them into
    # plain letters, which then go through the letter rules below.
    for code in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF)]:
        char = chr(code)
        if unicodedata.category(char) == "Cn":
            continue
        decomposed = str(normalize_unicode(char))
        if decomposed != char:
            table[char] = decomposed

    for char in _DIACRITICS + _CONTROLS + TATWEEL:
        table[char] = ""

    # Alef with hamza above/below, madda and wasla (camel-tools), and the wavy-hamza alefs
    # (U+0672, U+0673) and high-hamza alef (U+0675): writers and keyboards are
    # inconsistent about hamza on alef, so all alefs match.
    for char in "\u0623\u0625\u0622\u0671":
        table[char] = _camel_letter_rules(char)
    for char in "\u0672\u0673\u0675":
        table[char] = "\u0627"
    # Alef maksura written for final ya and vice versa (على/علي, Egyptian usage).
    table["\u0649"] = _camel_letter_rules("\u0649")
    # Teh marbuta is often typed as heh (سورية/سوريه) and is pronounced h in pause.
    table["\u0629"] = _camel_letter_rules("\u0629")
    table["\u06c3"] = "\u0647"  # Urdu teh marbuta goal.

    # Persian and Kurdish keyboards produce look-alike letters: keheh and swash kaf are
    # kaf; Farsi yeh, Kurdish ێ and Pashto ې are ya; Kurdish ە, heh doachashmee, heh goal
    # and heh with yeh are heh; Kurdish/Uyghur waw forms are waw; Kurdish ڵ ڕ are l, r.
    folds = {
        "\u06a9": "\u0643",  # ک
        "\u06aa": "\u0643",  # ڪ
        "\u06cc": "\u064a",  # ی
        "\u06ce": "\u064a",  # ێ
        "\u06d0": "\u064a",  # ې
        "\u06cd": "\u064a",  # ۍ
        "\u06d5": "\u0647",  # ە
        "\u06be": "\u0647",  # ھ
        "\u06c1": "\u0647",  # ہ
        "\u06c0": "\u0647",  # ۀ
        "\u06c6": "\u0648",  # ۆ
        "\u06c7": "\u0648",  # ۇ
        "\u06c8": "\u0648",  # ۈ
        "\u06cb": "\u0648",  # ۋ
        "\u06b5": "\u0644",  # ڵ
        "\u0695": "\u0631",  # ڕ
        # Letters for sounds Arabic lacks; Arabic writers spell the same foreign names
        # with the nearest Arabic letter (ڤيينا/فيينا, پوتين/بوتين, گ for g as in ك).
        "\u067e": "\u0628",  # پ
        "\u0686": "\u062c",  # چ
        "\u0698": "\u0632",  # ژ
        "\u06a4": "\u0641",  # ڤ
        "\u06af": "\u0643",  # گ
    }
    table.update(folds)

    # Arabic-Indic (U+0660) and Persian (U+06F0) digits: outlets mix them with ASCII
    # digits for dates and casualty figures.
    for offset in range(10):
        table[chr(0x0660 + offset)] = str(offset)
        table[chr(0x06F0 + offset)] = str(offset)

    # Arabic punctuation has ASCII equivalents with the same function.
    table.update(
        {
            "\u060c": ",",  # Arabic comma
            "\u061b": ";",  # Arabic semicolon
            "\u061f": "?",  # Arabic question mark
            "\u066a": "%",  # Arabic percent sign
            "\u066b": ".",  # Arabic decimal separator
            "\u066c": ",",  # Arabic thousands separator
            "\u066d": "*",  # Arabic five-pointed star
            "\u06d4": ".",  # Urdu full stop
            "\ufd3e": "(",  # ornate parentheses
            "\ufd3f": ")",
        }
    )
    # Quotation style is house style (guillemets, curly or straight quotes), not meaning.
    for char in "\u00ab\u00bb\u201c\u201d\u201e\u201f\u2033\u2036\u301d\u301e\uff02":
        table[char] = '"'
    for char in "\u2018\u2019\u201a\u201b\u2039\u203a\u2032\u2035\u00b4`":
        table[char] = "'"
    for char in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212":
        table[char] = "-"
    table["\u2026"] = "..."
    # No-break, narrow and typographic spaces separate words like a space does.
    for char in "\u00a0\u202f\u205f\u3000" + "".join(chr(c) for c in range(0x2000, 0x200B)):
        table[char] = " "

    for char in keep:
        table.pop(char, None)
    # Letters produced by decomposition go through the same rules (ﺃ → أ → ا).
    for char, replacement in list(table.items()):
        table[char] = "".join(table.get(c, c) for c in replacement)
    return {char: replacement for char, replacement in table.items() if replacement != char}


_FULL_RULES = _build_table()

# The "semi" form keeps hamza on alef and tatweel: clitic analysis needs them (a word
# starting with أ or إ has no article; a tatweel marks a detached proclitic, لـ"قسد").
# _FINISH_TABLE then turns a semi-normalised key into the full matching form.
_HAMZA_ALEFS = "\u0623\u0625\u0622\u0672\u0673\u0675"
_SEMI_RULES = _build_table(keep=_HAMZA_ALEFS + TATWEEL)

_FINISH_TABLE = str.maketrans({char: _FULL_RULES[char] for char in _HAMZA_ALEFS + TATWEEL})
_HAMZA_FOLD_TABLE = str.maketrans({char: _FULL_RULES[char] for char in _HAMZA_ALEFS})


def _char_class(chars: str) -> str:
    """A compact regex character class for ``chars`` (ranges of consecutive code points)."""
    codes = sorted({ord(c) for c in chars})
    parts: list[str] = []
    start = prev = codes[0]
    for code in [*codes[1:], -1]:
        if code == prev + 1:
            prev = code
            continue
        parts.append(
            re.escape(chr(start))
            if start == prev
            else f"{re.escape(chr(start))}-{re.escape(chr(prev))}"
        )
        start = prev = code
    return "[" + "".join(parts) + "]"


# Changed by the tables and frequent in Arabic text: replaced in bulk by _Rules.apply.
_HOT_CHARS = "\u0629\u0649\u0623\u0625\u0622\u060c"


class _Rules:
    """One rule table, applied fast, with or without an offset map.

    ``re.sub`` over a class of the changed characters beats ``str.translate`` about
    twofold on Arabic text (translate looks up every character; most are unchanged), and
    ``str.replace`` for the few frequent letters beats a callback per occurrence again.
    One-to-one replacements keep every index where it is, so for the offset map only
    deletions, expansions and obfuscation runs (rare in news text) are visited one by one.
    """

    def __init__(self, rules: dict[str, str]) -> None:
        self.rules = rules
        # The letters Arabic text is full of (teh marbuta, alef maksura, hamza alefs, the
        # Arabic comma: over a hundred in a 4,000-character article) are replaced with
        # str.replace, a C loop, instead of one Python callback each; the regex then only
        # visits the rare rest. Splitting the table into passes is only exact because no
        # replacement contains a character the table changes (checked here and by a test).
        idempotent = not any(
            char in rules for replacement in rules.values() for char in replacement
        )
        self.hot = [(c, rules[c]) for c in _HOT_CHARS if c in rules] if idempotent else []
        hot_chars = {char for char, _ in self.hot}
        self.rest_re = re.compile(_char_class("".join(c for c in rules if c not in hot_chars)))
        one_to_one = "".join(c for c, r in rules.items() if len(r) == 1)
        resizing = "".join(c for c, r in rules.items() if len(r) != 1)
        self.one_to_one_re = re.compile(_char_class(one_to_one))
        self.resizing_re = re.compile(f"(?P<obf>{_OBFUSCATION_RE.pattern})|{_char_class(resizing)}")
        # Without a tatweel there is no obfuscation run, and a bare character class is
        # scanned much faster than a pattern starting with a lookbehind.
        self.resizing_chars_re = re.compile(_char_class(resizing))

    def _replace(self, match: re.Match[str]) -> str:
        return self.rules[match.group()]

    def apply(self, text: str) -> str:
        if TATWEEL in text:
            text = _OBFUSCATION_RE.sub("", text)
        for char, replacement in self.hot:
            text = text.replace(char, replacement)
        return self.rest_re.sub(self._replace, text)

    def apply_with_map(self, text: str) -> tuple[str, list[int]]:
        same_length = self.one_to_one_re.sub(self._replace, text)
        resizing_re = self.resizing_re if TATWEEL in text else self.resizing_chars_re
        matches = list(resizing_re.finditer(text))
        if not matches:
            return same_length, list(range(len(text) + 1))
        pieces: list[str] = []
        index: list[int] = []
        pos = 0
        for match in matches:
            start, end = match.span()
            if start > pos:
                pieces.append(same_length[pos:start])
                index.extend(range(pos, start))
            if match.lastgroup is None:  # a deleted or expanded character
                replacement = self.rules[text[start]]
                pieces.append(replacement)
                index.extend([start] * len(replacement))
            pos = end  # an obfuscation run is deleted whole
        pieces.append(same_length[pos:])
        index.extend(range(pos, len(text) + 1))
        return "".join(pieces), index


_FULL = _Rules(_FULL_RULES)
_SEMI = _Rules(_SEMI_RULES)
_DIACRITIC_SET = frozenset(_DIACRITICS)


def normalize(text: str) -> str:
    """The matching form of ``text`` (see the module docstring for the rules)."""
    return _FULL.apply(text)


def _semi_normalize(text: str) -> str:
    return _SEMI.apply(text)


# _FINISH_TABLE as str.replace passes: hamza alefs and tatweel are few, and a replace that
# finds nothing costs one fast scan, where str.translate looks up every character.
_FINISH_PAIRS = tuple((char, _FULL_RULES[char]) for char in _HAMZA_ALEFS + TATWEEL)


def _finish(semi: str) -> str:
    """The matching form of semi-normalised text: ``normalize(t) == _finish(_semi_normalize(t))``."""
    for char, replacement in _FINISH_PAIRS:
        semi = semi.replace(char, replacement)
    return semi


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """``normalize(text)`` and, for each normalised character, its original index.

    The list has ``len(normalised) + 1`` entries; the last is ``len(text)``. A character
    that expands (… → ...) maps all its outputs to the same original index.
    """
    return _FULL.apply_with_map(text)


def to_original_span(text: str, index_map: list[int], start: int, end: int) -> tuple[int, int]:
    """Map the normalised span [start, end) to a span of the original ``text``.

    The span ends after the last matched character plus any diacritics attached to it,
    so that a highlight never separates a mark from its letter.
    """
    if start >= end:
        position = index_map[start]
        return position, position
    original_start = index_map[start]
    original_end = index_map[end - 1] + 1
    limit = index_map[end]
    while original_end < limit and text[original_end] in _DIACRITIC_SET:
        original_end += 1
    return original_start, original_end


# --------------------------------------------------------------------------------------
# Proclitics
# --------------------------------------------------------------------------------------

# Every proclitic sequence (و|ف)? (ب|ك|ل)? (ال)?, with ل + ال written لل, longest first.
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ك", "ل")
_PROCLITIC_SEQUENCES: tuple[str, ...] = tuple(
    sorted(
        {
            conj + ("لل" if prep == "ل" and art else prep + art)
            for conj in _CONJUNCTIONS
            for prep in _PREPOSITIONS
            for art in ("", "ال")
        }
        - {""},
        key=len,
        reverse=True,
    )
)

_PROCLITICS_BY_INITIAL: dict[str, tuple[str, ...]] = {
    initial: tuple(prefix for prefix in _PROCLITIC_SEQUENCES if prefix[0] == initial)
    for initial in "وفبكلا"
}

# Frequent words and names (matching form) whose first letters only look like proclitics.
# Without this list وزير would become زير, بيروت يروت and لبنان بنان. Add to it when a
# label or a frequent word is cut wrongly; entries also protect the word with one of
# _PROTECTED_SUFFIXES (وزيره, وزيرا).
_PROTECTED_TEXT = """
    الله والد والده والي في بين بعد كل لكن ليس بناء فضل كثير فبراير
    وسائل وسيله وفق واسطه وافق
    وزير وزراء وزاره وزارات وحدات وحده وكاله وكالات ولايه ولايات وطن وطني وفد وفود وقت
    وقف وضع واقع وسط وصل وصول وقع وقوع ورد وجود واحد وادي ورقه وثيقه وثائق وقود وفاه
    واشنطن ولي
    فصائل فصيل فرنسا فرنسي فلسطين فلسطيني فريق فتره فرع فكره فيلق فوج فيديو فاغنر فرقه
    فرات فيصل فهد فيينا فلاديمير فرصه
    بيروت بغداد بشار بريطانيا بريطاني بوتين بايدن برلين باريس بلجيكا بنغازي بيان بيانات
    بلده بلدات بلاد بلدي بلديه برلمان بنك بوابه بيت بحريه بحر باب بريد بدا بدايه
    برنامج برامج بلغ بحيره بيسكوف
    كركوك كوباني كردستان كندا كوريا كتيبه كتائب كبير كلمه كميه كيلو كيلومتر كانت كانوا
    كان كافه كامل كرد كردي كنيسه
    لبنان لبناني لندن ليبيا لافروف لجنه لجان لواء الويه لقاء لحظه لغه ليله لاجئ لاجئين
    لاجئون لاذقيه لائحه
"""
PROTECTED_WORDS: frozenset[str] = frozenset(_PROTECTED_TEXT.split())
_PROTECTED_SUFFIXES = (
    *("ه", "ا", "ي", "ت", "ان", "ين", "ون", "ات", "يه", "يين", "يون"),  # inflection
    *("ها", "هم", "هما", "ك", "كم", "نا", "ما"),  # pronouns and ما (فيها, بينما)
)


# Every protected word with every allowed suffix, for one set lookup per candidate stem.
_PROTECTED_FORMS: frozenset[str] = frozenset(
    form
    for word in PROTECTED_WORDS
    # A final ه (teh marbuta) becomes ت before a suffix and gives way to ات in the plural.
    for stem in ({word, word[:-1] + "ت"} if word.endswith("ه") else {word})
    for form in (stem, *(stem + suffix for suffix in _PROTECTED_SUFFIXES))
) | frozenset(word[:-1] + "ات" for word in PROTECTED_WORDS if word.endswith("ه"))


def strip_proclitics(normalized_word: str) -> str:
    """Strip proclitics from one normalised word (rules in the module docstring).

    Accepts the full matching form or a form that still has hamza on alef; with hamza
    the article is not confused with a hamza-initial stem (إلغاء).
    """
    word = normalized_word
    while True:
        stripped = _strip_once(word)
        if stripped == word:
            return word
        word = stripped


def _strip_once(word: str) -> str:
    if len(word) < 3 or word[0] not in "وفبكلا":
        return word
    fold = word.translate(_HAMZA_FOLD_TABLE)  # same length as word
    if fold in _PROTECTED_FORMS:
        return word
    candidates = [prefix for prefix in _PROCLITICS_BY_INITIAL[word[0]] if word.startswith(prefix)]
    # A known word behind a proclitic wins over a longer, wrong cut (للبنان = ل + لبنان).
    for prefix in candidates:
        if fold[len(prefix) :] in _PROTECTED_FORMS:
            return word[len(prefix) :]
    for prefix in candidates:
        with_article = prefix.endswith(("ال", "لل"))
        minimum = MIN_STEM_AFTER_ARTICLE if with_article else MIN_STEM_AFTER_BARE
        if len(word) - len(prefix) >= minimum:
            return word[len(prefix) :]
    return word


_NON_WORD_RE = re.compile(r"[\W_]+")


@lru_cache(maxsize=200_000)
def _key_from_semi(word: str) -> str:
    """Key of one word already in the semi form (tatweel and hamza still present)."""
    word = word.replace(TATWEEL, "")
    return strip_proclitics(word).translate(_FINISH_TABLE)


def token_key(word: str) -> str:
    """The clitic-stripped matching key of one word: والميليشيات → ميليشيات."""
    return _key_from_semi(_NON_WORD_RE.sub("", _semi_normalize(word)))


# --------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # original text[start:end]
    start: int
    end: int
    key: str  # normalised, clitic-stripped


# Runs over the semi form. A word starts with a letter or digit (not a tatweel) and runs
# over letters, digits and tatweel. A detached proclitic (its letters then tatweel)
# followed by spaces, quotes or a bracket is merged with the next word.
_DETACHED = "(?:[وف]?[بكل]|[وف]?[بك]?ال|[وف]?لل)" + TATWEEL + "+"
_TOKEN_RE = re.compile(f"(?:{_DETACHED}[ \"'(\\[]*)?(?P<word>[^\\W_{TATWEEL}][^\\W_]*)")
# Without a tatweel left in the semi form there is no detached proclitic: a simpler
# pattern finds the same words about three times faster.
_PLAIN_TOKEN_RE = re.compile(f"(?P<word>[^\\W_{TATWEEL}][^\\W_]*)")


def tokenize(text: str) -> list[Token]:
    """Word tokens of ``text`` with offsets into ``text`` and clitic keys."""
    semi, index = _SEMI.apply_with_map(text)
    tokens: list[Token] = []
    diacritics = _DIACRITIC_SET
    token_re = _TOKEN_RE if TATWEEL in semi else _PLAIN_TOKEN_RE
    for match in token_re.finditer(semi):
        key = _key_from_semi(match["word"])
        if not key:
            continue
        semi_start, semi_end = match.span()
        start = index[semi_start]
        end = index[semi_end - 1] + 1
        limit = index[semi_end]
        while end < limit and text[end] in diacritics:
            end += 1
        tokens.append(Token(text[start:end], start, end, key))
    return tokens


def token_keys(text: str) -> list[str]:
    """``[t.key for t in tokenize(text)]`` without computing offsets."""
    return _keys_of_semi(_semi_normalize(text))


def normalize_and_keys(text: str) -> tuple[str, list[str]]:
    """``(normalize(text), token_keys(text))`` with one pass of the rule table, not two."""
    semi = _semi_normalize(text)
    return _finish(semi), _keys_of_semi(semi)


# Keys of each white-space-separated piece of semi-normalised text ("والقوات", "(سانا)،"):
# pieces repeat so much in news text that a dictionary look-up per piece replaces most of the
# regex and key work.
_PIECE_KEYS: dict[str, tuple[str, ...]] = {}


def _piece_keys(piece: str) -> tuple[str, ...]:
    return tuple(key for key in map(_key_from_semi, _PLAIN_TOKEN_RE.findall(piece)) if key)


def _keys_of_semi(semi: str) -> list[str]:
    if TATWEEL in semi:
        keys = [_key_from_semi(word) for word in _TOKEN_RE.findall(semi)]
        return [key for key in keys if key]
    # Without a tatweel a token never spans white space (white space is not a word
    # character), so the tokens of the text are the tokens of its pieces, in order.
    pieces = semi.split()
    piece_keys: list[tuple[str, ...]] = memo_map(_PIECE_KEYS, _piece_keys, pieces)
    return list(chain.from_iterable(piece_keys))


_K = TypeVar("_K")
_V = TypeVar("_V")

# Entries a memo_map dictionary holds at most. Entries are never evicted (no thread ever finds
# one gone); past the limit new items are computed each time, so memory stays bounded.
MEMO_LIMIT = 100_000


def memo_map(cache: dict[_K, _V], compute: Callable[[_K], _V], items: list[_K]) -> list[_V]:
    """``[compute(item) for item in items]``, remembering results in ``cache``.

    For the per-token functions of an article (hundreds of tokens, mostly seen before): one
    dictionary look-up per item through map(), a fraction of a call through lru_cache.
    """
    try:
        return list(map(cache.__getitem__, items))
    except KeyError:
        pass
    found = {item: compute(item) for item in set(items).difference(cache)}
    if len(cache) + len(found) <= MEMO_LIMIT:
        cache.update(found)
        return list(map(cache.__getitem__, items))
    return [found[item] if item in found else cache[item] for item in items]


# --------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------

# Loanwords with unstable spelling, as search stems (after the suffix rule).
SEARCH_SPELLING_VARIANTS: dict[str, str] = {
    "مليش": "ميليش",  # مليشيا
    "ميلش": "ميليش",  # ميلشيا
    "مليلش": "ميليش",
    "امريك": "اميرك",  # أمريكا / أميركا
}

_ARABIC_LETTER_RE = re.compile(f"[{_ARABIC_LETTERS}]")


@lru_cache(maxsize=200_000)
def search_key(key: str) -> str:
    """The search form of one clitic key (light suffix rule, then spelling variants)."""
    if not key or not _ARABIC_LETTER_RE.match(key[-1]):
        return key
    while True:
        previous = key
        if key.endswith("ات") and len(key) - 2 >= 2:
            # Sound feminine plural: the singular usually ends in teh marbuta (قوات/قوة).
            key = key[:-2] + "ه"
        elif key.endswith(("ون", "ين")) and len(key) - 2 >= 3:
            # Sound masculine plural (مسلحون/مسلحين → مسلح).
            key = key[:-2]
        # Final alef, heh (teh marbuta) and ya vary between singular, feminine, nisba and
        # loanword spellings (ميليشيا/ميليشيه, سوري/سورية/سوريا); keep 3 letters.
        while len(key) > 3 and key[-1] in "اهي":
            key = key[:-1]
        if key == previous:
            return SEARCH_SPELLING_VARIANTS.get(key, key)


def search_keys(text: str) -> list[str]:
    """Distinct search keys of ``text``, in order of first appearance."""
    return list(dict.fromkeys(_search_keys_of(token_keys(text))))


def search_document(text: str) -> str:
    """The stored search form: " key1 key2 ... " with a leading and a trailing space."""
    return search_document_from_keys(token_keys(text))


def search_document_from_keys(keys: list[str]) -> str:
    """``search_document`` for text whose ``token_keys`` are already known (import reuses them)."""
    return " " + " ".join(dict.fromkeys(_search_keys_of(keys))) + " "


# search_key of each clitic key, as a plain dictionary (see memo_map).
_SEARCH_KEYS: dict[str, str] = {}


def _search_keys_of(keys: list[str]) -> list[str]:
    return memo_map(_SEARCH_KEYS, search_key, keys)


# --------------------------------------------------------------------------------------
# Lemmas (camel-tools morphology, optional)
# --------------------------------------------------------------------------------------

_analyzer_lock = threading.Lock()
_analyzer_state: dict[str, Any] = {"loaded": False, "analyzer": None, "path": None}
_ARABIC_WORD_RE = re.compile(f"[{_ARABIC_LETTERS}]+")


def set_morphology_db(path: str | os.PathLike[str] | None) -> None:
    """Use the camel-tools text database at ``path`` for ``lemmas`` (None: the default).

    The default is camel-tools' default MorphologyDB in the ``CAMELTOOLS_DATA`` catalogue;
    when that file is missing, ``lemmas`` returns [].
    """
    with _analyzer_lock:
        _analyzer_state.update(loaded=False, analyzer=None, path=path)
        _lemmas_cached.cache_clear()


def _analyzer() -> Any:
    with _analyzer_lock:
        if _analyzer_state["loaded"]:
            return _analyzer_state["analyzer"]
        _analyzer_state["loaded"] = True
        try:
            # Lazy: this import reads the catalogue (network unless CAMELTOOLS_DATA is set).
            from camel_tools.morphology.analyzer import Analyzer
            from camel_tools.morphology.database import MorphologyDB

            path = _analyzer_state["path"]
            database = MorphologyDB(str(path)) if path is not None else MorphologyDB.builtin_db()
            _analyzer_state["analyzer"] = Analyzer(database)
        except Exception as error:
            # A missing file (OSError) is the normal case without a database; camel-tools'
            # own errors (DatabaseParseError, CatalogueError) derive from Exception only.
            # Either way lemmas are optional, so log and carry on without them.
            logger.info("camel-tools morphology unavailable: %s", error)
        return _analyzer_state["analyzer"]


@lru_cache(maxsize=50_000)
def _lemmas_cached(word: str) -> tuple[str, ...]:
    analyzer = _analyzer()
    if analyzer is None or not _ARABIC_WORD_RE.fullmatch(word):
        return ()
    analyses: list[dict[str, Any]] = analyzer.analyze(word)
    return tuple(dict.fromkeys(normalize(str(analysis["lex"])) for analysis in analyses))


def lemmas(word: str) -> list[str]:
    """Lemmas of ``word`` in the matching form (الميليشيات → ["ميليشيا"]); [] without a DB."""
    return list(_lemmas_cached(normalize(word).strip()))
