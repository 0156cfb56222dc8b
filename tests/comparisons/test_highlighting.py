from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comparisons.framing import default_matcher, find_labels
from comparisons.highlighting import (
    Span,
    from_utf16,
    highlight,
    paragraphs,
    span_from_finding,
    utf16_offsets,
)

OWN_TAG_RE = re.compile(r'</?(?:p|span|mark)(?: [a-z-]+="[^"<>]*")*>')


class _Reader(HTMLParser):
    """A real HTML tokenizer: collects text, checks nesting, records elements with offsets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.stack: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.offset_nodes: list[tuple[int, int, str]] = []
        self._open: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        self._open.append(dict(attrs))
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()
        self._open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._open and "data-start" in self._open[-1]:
            attrs = self._open[-1]
            self.offset_nodes.append(
                (int(attrs["data-start"] or 0), int(attrs["data-end"] or 0), data)
            )


def read(markup: str) -> _Reader:
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    assert reader.stack == []
    return reader


def strip_markup(markup: str) -> str:
    return html.unescape(OWN_TAG_RE.sub("", markup))


# --- safety ------------------------------------------------------------------------------


def test_script_tag_in_body_is_shown_as_text() -> None:
    text = 'قال <script>alert("x")</script> المصدر'
    out = highlight(text, [Span(4, 12, "label", {"label": "<b>"})])
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert 'data-label="&lt;b&gt;"' in out
    assert read(out).text == [text[:4], text[4:12], text[12:]]


def test_script_tag_in_title_is_shown_as_text() -> None:
    title = "<script>alert(1)</script> عين عيسى"
    out = highlight(title, as_paragraphs=False)
    assert "<p" not in out
    assert "".join(read(out).text) == title
    assert "<script" not in out


def test_ampersand_entity_in_text_is_never_split() -> None:
    text = "قسد &amp; الجيش"
    out = highlight(text, [Span(4, 9, "label", {"valence": "0"})])
    assert "&amp;amp;" in out
    assert "&<mark" not in out
    assert strip_markup(out) == text


def test_attribute_values_are_escaped_and_quoted() -> None:
    attrs = {"label": '"\' onmouseover=alert(1) x="', "title": "a<b>&c"}
    out = highlight("ميليشيا أسد", [Span(0, 11, "label", attrs)])
    (mark,) = [attrs for tag, attrs in read(out).elements if tag == "mark"]
    assert mark["data-label"] == attrs["label"]
    assert mark["title"] == attrs["title"]
    assert "onmouseover" not in mark


def test_rejects_attribute_names_that_are_not_plain() -> None:
    with pytest.raises(ValueError, match="attribute name"):
        highlight("abc", [Span(0, 1, "label", {'x" onclick="y': "1"})])


@pytest.mark.parametrize("bounds", [(-1, 2), (2, 2), (3, 2), (0, 99)])
def test_rejects_spans_outside_the_text(bounds: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="span"):
        highlight("abcdef", [Span(*bounds)])


def test_carriage_return_survives_html_parsing_as_a_reference() -> None:
    text = "سطر\r\nسطر"
    out = highlight(text)
    assert "\r" not in out
    assert "".join(read(out).text) == text


# --- structure ---------------------------------------------------------------------------


def test_label_mark_carries_valence_class_and_data_attributes() -> None:
    text = "سيطرت ميليشيا أسد على القرية"
    findings = find_labels(default_matcher(), text)
    (finding,) = [f for f in findings if f.actor_id == "syrian-government"]
    out = highlight(text, [span_from_finding(finding, title="ميليشيا أسد: ازدراء")])
    mark = next(attrs for tag, attrs in read(out).elements if tag == "mark")
    assert mark["class"] == f"hl hl-v{max(-2, min(2, finding.valence))}"
    assert mark["data-actor"] == "syrian-government"
    assert mark["data-voice"] == "own"
    assert mark["data-valence"] == str(finding.valence)
    assert mark["tabindex"] == "0"
    assert mark["title"] == "ميليشيا أسد: ازدراء"
    assert (mark["data-start"], mark["data-end"]) == (str(finding.start), str(finding.end))


@pytest.mark.parametrize(("valence", "css"), [("-5", "hl-v-2"), ("3", "hl-v2"), ("x", "hl-v0")])
def test_valence_class_is_clamped(valence: str, css: str) -> None:
    out = highlight("abc", [Span(0, 3, "label", {"valence": valence})])
    assert f'class="hl {css}"' in out


def test_tag_spans_are_underlined_spans_without_focus_stop() -> None:
    out = highlight("abc def", [Span(0, 3, "tag", {"category": "omission"})])
    assert '<span class="tag" data-span="0" data-category="omission"' in out
    assert "tabindex" not in out


def test_blank_lines_make_paragraphs_with_their_offsets() -> None:
    text = "الفقرة الأولى\nسطر ثان\n \n\nالفقرة الثانية\n"
    assert paragraphs(text) == [(0, 21), (25, 40)]
    out = highlight(text)
    ps = [attrs for tag, attrs in read(out).elements if tag == "p"]
    assert [(p["data-start"], p["data-end"]) for p in ps] == [("0", "21"), ("25", "40")]
    assert strip_markup(out) == text


def test_overlapping_spans_are_cut_into_properly_nested_segments() -> None:
    text = "abcdefghij"
    spans = [Span(0, 6, "label", {"valence": "-2"}), Span(3, 9, "tag", {"category": "x"})]
    reader = read(highlight(text, spans))
    assert [(s, e, t) for s, e, t in reader.offset_nodes] == [
        (0, 3, "abc"),
        (3, 6, "def"),
        (6, 9, "ghi"),
        (9, 10, "j"),
    ]
    marks = [attrs for tag, attrs in reader.elements if tag == "mark"]
    assert [m["data-span"] for m in marks] == ["0", "0"]
    assert [m.get("tabindex") for m in marks] == ["0", None]


def test_span_across_a_paragraph_break_is_split_in_both_paragraphs() -> None:
    text = "aaa bbb\n\nccc ddd"
    reader = read(highlight(text, [Span(4, 12, "label")]))
    assert [(s, e) for s, e, _ in reader.offset_nodes] == [(0, 4), (4, 7), (9, 12), (12, 16)]


def test_every_text_node_maps_back_to_its_offsets() -> None:
    text = "قال 👍🏽 مسؤول\u200f «قسد» إنّ ١٢ عنصراً\n\nوأضاف..."
    spans = [Span(14, 19, "label"), Span(4, 20, "tag")]
    for start, end, data in read(highlight(text, spans)).offset_nodes:
        assert text[start:end] == data


# --- UTF-16 offsets ----------------------------------------------------------------------


def test_utf16_offsets_differ_only_after_characters_outside_the_bmp() -> None:
    text = "قسد 👍 أسد"
    offsets = utf16_offsets(text)
    assert offsets[:5] == [0, 1, 2, 3, 4]
    assert offsets[5] == 6  # after the emoji: two UTF-16 units
    assert offsets[-1] == len(text.encode("utf-16-le")) // 2
    assert from_utf16(text, 6) == 5
    assert from_utf16(text, 5) == 4  # inside the surrogate pair: the emoji itself
    assert from_utf16(text, offsets[-1]) == len(text)


def test_arabic_with_diacritics_has_the_same_offsets_in_js() -> None:
    text = "الجَيْشُ السُّورِيُّ\u200f"
    assert utf16_offsets(text) == list(range(len(text) + 1))


# --- properties --------------------------------------------------------------------------

TRICKY = st.sampled_from(
    [
        "<",
        ">",
        "&",
        '"',
        "'",
        "&amp;",
        "&lt;",
        "<script>",
        "\n",
        "\n\n",
        "\r\n",
        " \n \n",
        "👍",
        "\u200f",
        "\u202e",
        "َ",
        "ـ",
    ]
)
TEXTS = st.lists(
    st.one_of(TRICKY, st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=8)),
    max_size=12,
).map("".join)


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = draw(TEXTS.filter(bool))
    count = draw(st.integers(0, 5))
    spans = []
    for _ in range(count):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        kind = draw(st.sampled_from(["label", "tag"]))
        attrs = draw(
            st.dictionaries(
                st.sampled_from(["actor", "label", "valence", "voice", "title"]),
                st.one_of(TRICKY, st.text(max_size=6)),
                max_size=3,
            )
        )
        spans.append(Span(start, end, kind, attrs))
    return text, spans


@settings(max_examples=300, deadline=None)
@given(text_and_spans(), st.booleans())
def test_removing_markup_gives_back_the_original_text(
    case: tuple[str, list[Span]], as_paragraphs: bool
) -> None:
    text, spans = case
    out = highlight(text, spans, as_paragraphs=as_paragraphs)
    assert strip_markup(out) == text
    assert "".join(read(out).text) == text


@settings(max_examples=300, deadline=None)
@given(text_and_spans())
def test_every_angle_bracket_belongs_to_our_own_tags(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    out = highlight(text, spans)
    remainder = OWN_TAG_RE.sub("", out)
    assert "<" not in remainder
    assert ">" not in remainder
    assert '"' not in remainder


@settings(max_examples=200, deadline=None)
@given(text_and_spans())
def test_attribute_values_round_trip_and_offsets_address_the_text(
    case: tuple[str, list[Span]],
) -> None:
    text, spans = case
    reader = read(highlight(text, spans))
    for tag, attrs in reader.elements:
        if tag in {"mark", "span"} and "data-span" in attrs:
            span = spans[int(attrs["data-span"] or 0)]
            for key, value in span.attrs.items():
                assert attrs["title" if key == "title" else f"data-{key}"] == value
    for start, end, data in reader.offset_nodes:
        assert text[start:end] == data


@given(st.text())
def test_utf16_offsets_agree_with_the_utf16_encoding(text: str) -> None:
    offsets = utf16_offsets(text)
    for index in range(len(text) + 1):
        assert offsets[index] == len(text[:index].encode("utf-16-le", "surrogatepass")) // 2
        assert from_utf16(text, offsets[index]) == index
