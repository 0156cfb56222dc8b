from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)
from hypothesis import given
from hypothesis import strategies as st

from articles import normalization
from articles.normalization import (
    PROTECTED_WORDS,
    Token,
    lemmas,
    normalize,
    normalize_and_keys,
    normalize_with_map,
    search_document,
    search_keys,
    set_morphology_db,
    strip_proclitics,
    to_original_span,
    token_key,
    token_keys,
    tokenize,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------------------
# normalize
# --------------------------------------------------------------------------------------


def test_strips_arabic_diacritics() -> None:
    assert normalize("قُتِلَ مَدَنِيٌّ") == "قتل مدني"


def test_strips_dagger_alef_and_quranic_marks() -> None:
    assert normalize("هٰذا ذٰلِكَ ۖ") == "هذا ذلك "


def test_agrees_with_camel_tools_on_plain_arabic() -> None:
    text = "أعلنت القُوّات إنهاء العملية على الحدود، ودخلت آليّات إلى القرى"
    camel = normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(text))))
    assert normalize(text) == camel.replace("،", ",")


def test_strips_tatweel() -> None:
    assert normalize("الجـــيش") == "الجيش"


def test_strips_tatweel_and_dots_inside_an_obfuscated_word() -> None:
    assert normalize("قـ.ـتل") == "قتل"
    assert normalize("قـ-ـتل و ذبـ..ـح") == "قتل و ذبح"


def test_keeps_dots_of_abbreviations_without_tatweel() -> None:
    assert normalize("د.سامر في م.ت.ف") == "د.سامر في م.ت.ف"


@pytest.mark.parametrize(
    "control",
    ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d"]
    + ["\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\ufeff"],
)
def test_strips_bidi_and_joiner_controls(control: str) -> None:
    assert normalize(f"قو{control}ات") == "قوات"


def test_folds_alef_variants_to_bare_alef() -> None:
    assert normalize("أ إ آ ٱ") == "ا ا ا ا"


def test_folds_alef_maksura_to_ya() -> None:
    assert normalize("على مستوى") == "علي مستوي"


def test_folds_teh_marbuta_to_heh() -> None:
    assert normalize("سورية") == "سوريه"


def test_folds_persian_and_kurdish_letters() -> None:
    assert normalize("کوبانی") == "كوباني"
    assert normalize("ھەولێر") == "ههولير"
    assert normalize("ڤيينا پوتين") == "فيينا بوتين"


def test_converts_arabic_indic_and_persian_digits() -> None:
    assert normalize("٢٠١٩ و۲۰۲۱ و١٫٥") == "2019 و2021 و1.5"


def test_maps_arabic_punctuation_and_every_quote_style() -> None:
    assert normalize("قال، ثم؛ لماذا؟") == "قال, ثم; لماذا?"
    assert normalize("«أ» “ب” „ج‟ ‘د’") == '"ا" "ب" "ج" \'د\''


def test_lowercases_latin() -> None:
    assert normalize("ISIS and İdlib") == "isis and idlib"


def test_decomposes_arabic_presentation_forms() -> None:
    assert normalize("ﻻ ﺍﻟﺠﻴﺶ") == "لا الجيش"


def test_keeps_emoji_and_latin_punctuation() -> None:
    assert normalize("خبر 😀!") == "خبر 😀!"


# --------------------------------------------------------------------------------------
# offset map
# --------------------------------------------------------------------------------------


def test_offset_map_has_one_entry_per_normalised_character_plus_the_end() -> None:
    text = "قُوّات\u200f"
    norm, index = normalize_with_map(text)
    assert norm == "قوات"
    assert index == [0, 2, 4, 5, len(text)]


def test_offset_map_repeats_the_index_of_an_expanded_character() -> None:
    norm, index = normalize_with_map("ا…ب")
    assert norm == "ا...ب"
    assert index == [0, 1, 1, 1, 2, 3]


def test_a_match_in_normalised_text_maps_to_the_displayed_word() -> None:
    text = "😀 قصفت \u2067«قـ.ـسَدٌ»\u2069 مواقعَ"
    norm, index = normalize_with_map(text)
    found = norm.index("قسد")
    start, end = to_original_span(text, index, found, found + 3)
    assert text[start:end] == "قـ.ـسَدٌ"


def test_original_span_keeps_the_marks_of_the_last_letter() -> None:
    text = "مدنياً قتلوا"
    norm, index = normalize_with_map(text)
    start, end = to_original_span(text, index, 0, len("مدنيا"))
    assert text[start:end] == "مدنياً"


# --------------------------------------------------------------------------------------
# tokenize
# --------------------------------------------------------------------------------------


def test_tokenize_gives_offsets_into_the_original_text() -> None:
    text = "قصفت «الطائراتُ» ٣ قرى."
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["قصفت", "الطائراتُ", "٣", "قرى"]
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert [t.key for t in tokens] == ["قصفت", "طائرات", "3", "قري"]


def test_tokenize_drops_punctuation_and_emoji() -> None:
    assert [t.key for t in tokenize("...؟! 😀 — «»")] == []


def test_tokenize_keeps_latin_words_and_numbers() -> None:
    assert [t.key for t in tokenize("Reuters: M4 road, 2019")] == ["reuters", "m4", "road", "2019"]


def test_tokenize_merges_a_detached_proclitic_with_the_quoted_word() -> None:
    text = 'سلّمت القرى لـ"قسد" أمس'
    tokens = tokenize(text)
    assert Token('لـ"قسد', 12, 18, "قسد") in tokens
    assert [t.key for t in tokens] == ["سلمت", "قري", "قسد", "امس"]


def test_tokenize_merges_a_detached_article_with_a_number() -> None:
    assert tokenize("خلال الـ24 ساعة")[1] == Token("الـ24", 5, 10, "24")


def test_tokenize_reads_an_obfuscated_word_as_one_token() -> None:
    assert tokenize("تم قـ.ـتل") == [Token("تم", 0, 2, "تم"), Token("قـ.ـتل", 3, 9, "قتل")]


def test_token_keys_equal_the_keys_of_tokenize() -> None:
    text = 'قال لـ"قسد" إن الـ24 ساعة \u200fالماضية 😀 شهدت «قـ.ـتل» ١٢ مدنياً، و ISIS…'
    assert token_keys(text) == [t.key for t in tokenize(text)]


# --------------------------------------------------------------------------------------
# proclitics
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("الميليشيات", "ميليشيات"),
        ("والميليشيات", "ميليشيات"),
        ("للجيش", "جيش"),
        ("وللجيش", "جيش"),
        ("بالجيش", "جيش"),
        ("فالقوات", "قوات"),
        ("كالعادة", "عاده"),
        ("لقسد", "قسد"),
        ("وقسد", "قسد"),
        ("بحلب", "حلب"),
        ("الاحتلال", "احتلال"),
        ("والاحتلال", "احتلال"),
        ("الأسد", "اسد"),
        ("لأسد", "اسد"),
        ("ومرتزقة", "مرتزقه"),
    ],
)
def test_token_key_strips_proclitics(word: str, key: str) -> None:
    assert token_key(word) == key


@pytest.mark.parametrize(
    "word", ["وزير", "بيروت", "لبنان", "فصائل", "كركوك", "وحدات", "والي", "الله", "فيها"]
)
def test_token_key_keeps_root_letters_that_look_like_proclitics(word: str) -> None:
    assert token_key(word) == normalize(word)


@pytest.mark.parametrize(
    ("word", "key"),
    [("الوزير", "وزير"), ("للبنان", "لبنان"), ("وبيروت", "بيروت"), ("والوحدات", "وحدات")],
)
def test_token_key_finds_a_protected_word_behind_a_proclitic(word: str, key: str) -> None:
    assert token_key(word) == key


@pytest.mark.parametrize("word", ["بعد", "كان", "لها", "الف", "فم"])
def test_token_key_keeps_a_minimum_stem_length(word: str) -> None:
    assert token_key(word) == word


def test_token_key_does_not_read_alef_lam_with_hamza_as_the_article() -> None:
    assert token_key("إلغاء") == "الغاء"
    assert token_key("ألوية") == token_key("الألوية") == "الويه"


@pytest.mark.parametrize("word", ["قسد", "حلب", "وزير", "بيروت", "لبنان", "نظام", "كتاب"])
@pytest.mark.parametrize("prefix", ["و", "ف", "ب", "ل", "ك", "وب", "ول", "فل"])
def test_a_bare_proclitic_never_changes_the_key(prefix: str, word: str) -> None:
    assert token_key(prefix + word) == token_key(word)


@pytest.mark.parametrize("word", ["قسد", "جيش", "وزير", "نظام", "ميليشيات", "احتلال"])
def test_the_article_never_changes_the_key(word: str) -> None:
    assert token_key("ال" + word) == token_key("وال" + word) == token_key(word)
    assert token_key("لل" + word) == token_key("بال" + word) == token_key(word)


def test_strip_proclitics_works_on_normalised_words() -> None:
    assert strip_proclitics(normalize("وللميليشيات")) == "ميليشيات"


def test_protected_words_are_written_in_the_matching_form() -> None:
    assert all(normalize(word) == word for word in PROTECTED_WORDS)


# --------------------------------------------------------------------------------------
# search
# --------------------------------------------------------------------------------------


def _finds(query: str, article: str) -> bool:
    document = search_document(article)
    return all(f" {key} " in document for key in search_keys(query))


@pytest.mark.parametrize("article", ["ميليشيا", "مليشيا", "ميلشيا", "الميليشيات", "لميليشيات"])
def test_search_for_a_plural_finds_the_singular_and_spelling_variants(article: str) -> None:
    assert _finds("الميليشيات", f"هاجمت {article} أسد القرية")


def test_search_relates_feminine_plural_to_teh_marbuta_singular() -> None:
    assert search_keys("قوات") == search_keys("القوة")


def test_search_relates_masculine_plural_and_nisba_forms() -> None:
    assert search_keys("المسلحين") == search_keys("مسلح")
    assert search_keys("السوريين") == search_keys("سورية") == search_keys("سوريا")


def test_search_does_not_match_part_of_a_key() -> None:
    assert not _finds("قس", "قسد")


def test_search_document_is_space_delimited_with_outer_spaces() -> None:
    document = search_document("قوات النظام وقوات قسد")
    assert document.startswith(" ")
    assert document.endswith(" ")
    assert document.split() == ["قوه", "نظام", "قسد"]


def test_search_document_of_empty_text_matches_nothing() -> None:
    assert search_document("").strip() == ""


# --------------------------------------------------------------------------------------
# lemmas (camel-tools morphology)
# --------------------------------------------------------------------------------------

TINY_MORPHOLOGY_DB = """\
###DEFINES###
DEFINE pos pos:noun pos:punc pos:digit pos:foreign
DEFINE num num:s num:p num:na
DEFINE diac diac:*open*
DEFINE lex lex:*open*
DEFINE bw bw:*open*
DEFINE gloss gloss:*open*
###DEFAULTS###
DEFAULT pos:noun num:na diac:* lex:* bw:* gloss:*
DEFAULT pos:punc num:na diac:* lex:* bw:* gloss:*
DEFAULT pos:digit num:na diac:* lex:* bw:* gloss:*
DEFAULT pos:latin num:na diac:* lex:* bw:* gloss:*
###ORDER###
ORDER pos num diac lex bw gloss
###TOKENIZATIONS###
TOKENIZATION diac
###STEMBACKOFF###
STEMBACKOFF NOUN_PROP NP
###PREFIXES###
\tPref-0\tdiac: bw:
ال\tPref-Al\tdiac:ال bw:Al/DET
###SUFFIXES###
\tSuff-0\tdiac: bw:
ات\tSuff-At\tdiac:ات bw:+At/NSUFF_FEM_PL num:p
###STEMS###
ميليشي\tN-ap\tdiac:مِيلِيشْي lex:مِيلِيشْيا_1 bw:mylyXy/NOUN pos:noun num:s gloss:militia
ميليشيا\tN-0\tdiac:مِيلِيشْيا lex:مِيلِيشْيا_1 bw:mylyXyA/NOUN pos:noun num:s gloss:militia
###TABLE AB###
Pref-0\tN-ap
Pref-0\tN-0
Pref-Al\tN-ap
Pref-Al\tN-0
###TABLE BC###
N-ap\tSuff-At
N-0\tSuff-0
###TABLE AC###
Pref-0\tSuff-0
Pref-0\tSuff-At
Pref-Al\tSuff-0
Pref-Al\tSuff-At
"""


@pytest.fixture
def morphology_db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "morphology.db"
    path.write_text(TINY_MORPHOLOGY_DB, encoding="utf-8")
    set_morphology_db(path)
    yield path
    set_morphology_db(None)


@pytest.fixture
def no_morphology_db(tmp_path: Path) -> Iterator[None]:
    set_morphology_db(tmp_path / "missing.db")
    yield
    set_morphology_db(None)


def test_lemmas_come_from_the_camel_analyzer(morphology_db: Path) -> None:
    assert lemmas("الميليشيات") == ["ميليشيا"]
    assert lemmas("ميليشيا") == ["ميليشيا"]


def test_lemmas_are_empty_for_unknown_words(morphology_db: Path) -> None:
    assert lemmas("قسد") == []
    assert lemmas("2019") == []


@pytest.mark.usefixtures("no_morphology_db")
def test_lemmas_are_empty_without_a_morphology_database() -> None:
    assert lemmas("الميليشيات") == []


def test_camel_data_defaults_to_the_catalogue_shipped_in_the_repo() -> None:
    shipped = REPO_ROOT / "articles" / "camel_data" / "catalogue.json"
    assert shipped.is_file()
    assert shipped.parent == normalization.CAMEL_DATA_DIR


def test_importing_the_module_never_touches_the_network() -> None:
    script = """
import socket, sys

def refuse(*args, **kwargs):
    raise AssertionError("network access")

socket.socket.connect = refuse
socket.create_connection = refuse
import articles.normalization as n
assert "camel_tools.morphology" not in sys.modules
assert "camel_tools.data" not in sys.modules
n.normalize("قوات")
n.lemmas("قوات")  # loads camel-tools' catalogue from the shipped folder, offline
assert "camel_tools.data" in sys.modules
"""
    env = {k: v for k, v in os.environ.items() if k != "CAMELTOOLS_DATA"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------

_ALPHABET = (
    list("قسدالجيشوفبكلنظامتةىأإآٱیکەھ")
    + list("\u064b\u064e\u0650\u0651\u0652\u0670\u0640")  # diacritics, tatweel
    + list("\u200b\u200c\u200d\u200f\u202b\u202c\u2067\u2069\u061c")  # controls
    + list(" .-_*،؛؟«»“”'\"…٣۴7Ab")
    + ["😀", "👍", "\U0001f3fd", "ﻻ", "ﺍ", "İ", "\u00a0", "\n"]
)
_texts = st.one_of(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=60), st.text(max_size=40))


@given(_texts)
def test_offset_map_is_monotonic_and_points_at_the_source_characters(text: str) -> None:
    norm, index = normalize_with_map(text)
    assert norm == normalize(text)
    assert len(index) == len(norm) + 1
    assert index[-1] == len(text)
    assert all(a <= b for a, b in zip(index, index[1:], strict=False))
    assert all(0 <= i < len(text) for i in index[:-1])
    # The normalised characters that come from one original character are exactly that
    # character's own normalisation (or nothing, inside an obfuscation run).
    groups: dict[int, str] = {}
    for char, source in zip(norm, index, strict=False):
        groups[source] = groups.get(source, "") + char
    for source, produced in groups.items():
        assert produced == normalize(text[source])


@given(_texts)
def test_tokens_slice_the_original_text_in_order(text: str) -> None:
    tokens = tokenize(text)
    previous_end = 0
    for token in tokens:
        assert text[token.start : token.end] == token.text
        assert previous_end <= token.start < token.end
        assert token.key
        assert token.key == token.key.strip()
        previous_end = token.end
    assert token_keys(text) == [t.key for t in tokens]


@given(_texts)
def test_search_document_contains_every_search_key_as_a_whole_word(text: str) -> None:
    document = search_document(text)
    assert document.startswith(" ")
    assert document.endswith(" ")
    assert all(f" {key} " in document for key in search_keys(text))


@given(_texts)
def test_normalize_and_keys_equals_normalize_and_token_keys(text: str) -> None:
    assert normalize_and_keys(text) == (normalize(text), token_keys(text))


def test_the_matching_form_is_the_finished_semi_form_for_every_character() -> None:
    # normalize_and_keys derives the matching form from the semi form the keys are read from.
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        assert normalization._finish(normalization._semi_normalize(char)) == normalize(char)
    text = 'قـ.ـتل أإآ الـ24 لـ"قسد" ﺃحمد ـــ'
    assert normalization._finish(normalization._semi_normalize(text)) == normalize(text)


def test_no_replacement_holds_a_character_the_table_changes() -> None:
    # The frequent letters are replaced in a pass of their own (str.replace), the rest by one
    # regex: exact only while no replacement is itself rewritten by the table.
    for rules in (normalization._FULL_RULES, normalization._SEMI_RULES):
        assert not any(char in rules for replacement in rules.values() for char in replacement)
    assert normalization._FULL.hot
    assert normalization._SEMI.hot


def test_memo_map_gives_the_computed_values_past_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(normalization, "MEMO_LIMIT", 3)
    cache: dict[str, int] = {}
    assert normalization.memo_map(cache, len, ["a", "bb", "a"]) == [1, 2, 1]
    assert normalization.memo_map(cache, len, ["ccc", "dddd", "bb", "eeeee"]) == [3, 4, 2, 5]
    assert len(cache) <= 3
    assert normalization.memo_map(cache, len, ["a", "bb"]) == [1, 2]
