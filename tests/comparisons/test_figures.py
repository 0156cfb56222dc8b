from __future__ import annotations

import pytest

from articles.cleaning import clean_text
from comparisons.figures import Figure, compare_figures, find_figures, find_sources


def figures(text: str) -> list[tuple[str, int, int | None, str]]:
    found = find_figures(text)
    for f in found:
        assert text[f.start : f.end] == f.matched_text
    return [(f.group, f.low, f.high, f.qualifier) for f in found]


def sources(text: str) -> list[tuple[str, str, str]]:
    found = find_sources(text)
    for s in found:
        assert text[s.start : s.end] == s.matched_text
    return [(s.kind, s.name, s.camp) for s in found]


# --- figures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("سقط 12 قتيلا في القصف", [("killed", 12, 12, "")]),
        ("سقط ١٢ قتيلاً في القصف", [("killed", 12, 12, "")]),
        ("أصيب ۱۵ جريحا", [("wounded", 15, 15, "")]),
        ("نزوح 1,200 عائلة", [("families", 1200, 1200, "")]),
        ("نزوح 3 آلاف نازح", [("displaced", 3000, 3000, "")]),
        ("ثلاثة أطفال وخمس نساء", [("children", 3, 3, ""), ("women", 5, 5, "")]),
        ("نشر 3 نقاط مراقبة", [("points", 3, 3, "")]),
        ("اعتقال 7 من المدنيين", [("detainees", 7, 7, "")]),
        ("سقط ثلاثة عشر قتيلا", [("killed", 13, 13, "")]),
        ("سقط أحد عشر قتيلا", [("killed", 11, 11, "")]),
        ("وصول خمسة وعشرين مسلحا", [("fighters", 25, 25, "")]),
        ("نزوح 1.5 مليون شخص", [("civilians", 1_500_000, 1_500_000, "")]),
    ],
)
def test_counts_a_number_with_the_noun_it_counts(text: str, expected: list[tuple]) -> None:
    assert figures(text) == expected


def test_casualty_verb_before_the_number_names_what_is_counted() -> None:
    text = "أسفر القصف عن مقتل ١٢ عنصراً من قسد وإصابة 5 مدنيين"
    assert figures(text) == [("killed", 12, 12, ""), ("wounded", 5, 5, "")]
    first = find_figures(text)[0]
    assert first.matched_text == "مقتل ١٢ عنصراً"
    assert first.noun == "عنصراً"


def test_casualty_verb_with_pronoun_and_detached_proclitic() -> None:
    (figure,) = find_figures("أعلنت قسد قتلها لـ12 من الفصائل")
    assert (figure.group, figure.low, figure.matched_text) == ("killed", 12, "قتلها لـ12")


def test_duals_of_broken_plural_nouns_are_two() -> None:
    assert figures("مقتل عنصرين وإصابة طفلين") == [
        ("killed", 2, 2, "dual"),
        ("wounded", 2, 2, "dual"),
    ]
    assert figures("وصل قتيلان إلى المشفى") == [("killed", 2, 2, "dual")]


def test_sound_plurals_are_not_read_as_duals() -> None:
    assert figures("أصيب مدنيين في القصف") == []


def test_vague_quantities_are_ranges() -> None:
    assert figures("سقوط عشرات القتلى ومئات الجرحى") == [
        ("killed", 10, 99, "vague"),
        ("wounded", 100, 999, "vague"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("سقط أكثر من 20 قتيلا", ("killed", 21, None, "more than")),
        ("سقط ما لا يقل عن 20 قتيلا", ("killed", 20, None, "at least")),
        ("قتل 7 أشخاص على الأقل", ("killed", 7, None, "at least")),
        ("سقط نحو 50 قتيلا", ("killed", 45, 55, "about")),
        ("سقط حوالي 5 قتلى", ("killed", 4, 6, "about")),
        ("سقط أقل من 10 قتلى", ("killed", 0, 9, "less than")),
    ],
)
def test_qualifiers_widen_the_range(text: str, expected: tuple) -> None:
    assert figures(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "بعد 3 أيام من الاشتباكات",
        "منذ عام 2012",
        "على طريق M4",
        "بنسبة 3.5 بالمئة",
        "في 3 مناطق",
        "لم يتحدث أحد عن الخسائر",
        "اليوم الاثنين",
    ],
)
def test_numbers_without_a_counted_noun_are_not_figures(text: str) -> None:
    assert figures(text) == []


# --- sources -----------------------------------------------------------------------------


def test_named_sources_with_their_camp() -> None:
    assert sources('بحسب وكالة "هاوار".') == [
        ("attribution", "بحسب", ""),
        ("named", "وكالة هاوار", "sdf"),
    ]
    assert sources("ذكرت وكالة سانا") == [
        ("attribution", "ذكرت", ""),
        ("named", "سانا", "syrian-government"),
    ]
    assert sources('وفقاً لـ"الأناضول"') == [
        ("attribution", "وفقا", ""),
        ("named", "الأناضول", "turkey"),
    ]
    assert ("named", "سبوتنيك", "russia") in sources("ونقلت سبوتنيك الروسية")
    assert ("named", "وزارة الدفاع التركية", "turkey") in sources("أعلنت وزارة الدفاع التركية")


def test_longest_source_wins() -> None:
    assert sources("أفاد المرصد السوري لحقوق الإنسان") == [
        ("attribution", "أفاد", ""),
        ("named", "المرصد السوري لحقوق الإنسان", "independent"),
    ]


@pytest.mark.parametrize(
    ("text", "name", "camp"),
    [
        ("قالت مصادر محلية لأورينت", "مصادر محلية", "unverifiable"),
        ("بحسب مصادر خاصة", "مصادر خاصة", "unverifiable"),
        ("نقلت عن مصادر أهلية", "مصادر أهلية", "syrian-government"),
        ("عن مصادر لم تسمها", "مصادر لم تسمها", "unverifiable"),
        ("قالت مصادر عشائرية", "مصادر عشائرية", ""),
        ("وأكد ناشطون", "ناشطون", "unverifiable"),
    ],
)
def test_unnamed_sources(text: str, name: str, camp: str) -> None:
    assert ("unnamed", name, camp) in sources(text)


def test_a_verb_after_sources_is_not_their_adjective() -> None:
    assert sources("المصادر قالت إن") == [("unnamed", "المصادر", "")]


def test_a_comma_breaks_a_source_name() -> None:
    found = find_sources("وكالة، هاوار")
    assert [s.matched_text for s in found] == ["هاوار"]


# --- comparison --------------------------------------------------------------------------


def _figure(group: str, low: int, high: int | None = None) -> Figure:
    return Figure(group, low, low if high is None else high, "", "", "", 0, 0)


def test_different_numbers_for_the_same_noun_are_contested() -> None:
    result = compare_figures(
        {
            "orient": find_figures("مقتل 12 عنصرا من قسد"),
            "hawar": find_figures("سقط 15 قتيلا من الفصائل"),
            "sana": find_figures("إصابة 4 مدنيين"),
        }
    )
    by_group = {c.group: c for c in result}
    assert by_group["killed"].contested
    assert set(by_group["killed"].figures) == {"orient", "hawar"}
    assert not by_group["wounded"].contested  # one outlet only


def test_overlapping_ranges_agree() -> None:
    result = compare_figures(
        {
            "a": find_figures("عشرات القتلى"),
            "b": find_figures("45 قتيلا"),
            "c": find_figures("أكثر من 40 قتيلا"),
        }
    )
    assert not result[0].contested


def test_a_running_total_does_not_contest_the_shared_figure() -> None:
    result = compare_figures(
        {"a": [_figure("killed", 12)], "b": [_figure("killed", 12), _figure("killed", 200)]}
    )
    assert not result[0].contested


def test_groups_keep_the_order_of_first_mention() -> None:
    result = compare_figures(
        {"a": [_figure("points", 3), _figure("killed", 1)], "b": [_figure("killed", 2)]}
    )
    assert [c.group for c in result] == ["points", "killed"]
    assert [c.contested for c in result] == [False, True]


# --- corpus -------------------------------------------------------------------------------


def test_seed_figures_and_sources(corpus_dir) -> None:
    seeds = corpus_dir / "seeds"
    mayadeen = clean_text((seeds / "002_d2149961e44ccfac.txt").read_text(encoding="utf-8")).body
    orient = clean_text((seeds / "000_c21d961c0c8a5938.txt").read_text(encoding="utf-8")).body
    assert ("killed", 12, 12, "") in figures(mayadeen)
    assert ("points", 3, 3, "") in figures(mayadeen)
    names = {s.name for s in find_sources(orient)}
    assert {"مصادر محلية", "وكالة هاوار", "سبوتنيك"} <= names
    assert "مصادر ميدانية" in {s.name for s in find_sources(mayadeen)}
