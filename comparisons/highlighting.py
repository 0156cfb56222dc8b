"""Highlighted HTML of an article's text, built safely from character spans.

Pure (no ORM); the only Django import is ``SafeString``, applied once, to the finished string.

Safety rule
    Highlighting works on the *raw* stored text: the text is cut at span and paragraph
    boundaries and every piece is escaped on its own with ``html.escape(piece, quote=True)``;
    attribute values are escaped the same way and always double-quoted. Patterns are never run
    over escaped HTML (that turns ``&amp;`` into ``&<mark>amp</mark>;`` and can split an entity
    or a tag). So a ``<script>`` in a title or body is shown as text, and every ``<`` in the
    output opens one of our own tags (``p``, ``span``, ``mark``). Property tests (hypothesis)
    check that removing the tags and unescaping gives back exactly the original text, with
    ``<``, ``&``, quotes, ``&amp;``, emoji, bidi marks and newlines in it.

Structure
    * Paragraphs: the text is split at blank lines (a newline, then any number of lines holding
      only spaces, then a newline). Each non-empty paragraph becomes ``<p data-start data-end>``;
      the separators are written between the paragraphs as (whitespace) text, so nothing of the
      original is lost. A single newline inside a paragraph stays a newline character: style
      the container with ``white-space: pre-line`` (a ``<br>`` would add markup and, with
      ``pre-line``, a second line break).
    * Segments: inside a paragraph the text is cut at every span boundary, so each segment is
      covered by a fixed set of spans. Overlapping and nested spans are therefore handled
      without crossing tags: each segment opens one element per covering span (longer, earlier
      spans outside), writes its text and closes them in reverse order. A span cut into several
      segments (because another span starts inside it, or it crosses a paragraph break) gives
      several elements that share ``data-span`` (the span's index in the list passed in); only
      the first piece of a label gets ``tabindex="0"``, so keyboard focus stops once per label.
    * Offsets: every text node of the output (except the whitespace between paragraphs) is the
      only child of an element carrying ``data-start``/``data-end``, its character range in the
      stored text: a plain segment is wrapped in ``<span data-start data-end>``, a highlighted one
      carries them on its innermost element. The browser maps a selection back to the stored
      text as ``element.dataset.start + code points before the caret in that text node``.
    * Code points, not UTF-16: offsets here are Python ``str`` indices (Unicode code points).
      JavaScript string indices count UTF-16 units; they differ only after a character outside
      the Basic Multilingual Plane (emoji, some CJK and historic scripts), which takes two units.
      Arabic letters, diacritics and bidi marks are all in the BMP, so an Arabic text without
      emoji has identical offsets. In JS count code points with ``Array.from(s).length`` (or
      ``[...s]``), never ``s.length``; ``utf16_offsets`` and ``from_utf16`` convert on the server.
    * A carriage return is written as ``&#13;``: HTML parsers turn a raw CR (and CRLF) into LF,
      which would shift every offset after it; a character reference survives parsing. U+0000
      cannot survive HTML parsing at all (parsers drop it or make it U+FFFD); cleaned text never
      holds it.

Span kinds and attributes
    * ``label`` (framing findings, ``span_from_finding``): ``<mark class="hl hl-v{valence}">``,
      valence clamped to -2..2 (classes ``hl-v-2 hl-v-1 hl-v0 hl-v1 hl-v2`` for CSS colours),
      with ``data-actor``, ``data-label``, ``data-valence``, ``data-voice`` and ``tabindex="0"``.
    * ``tag`` (analyst tags): ``<span class="tag">`` (underlined by CSS), for later.
    * ``diff`` (words one outlet has where another has others, ``alignment.word_diff``):
      ``<span class="diff">``.
    * ``attrs`` keys become ``data-<key>`` attributes, except ``title`` (the tooltip). Keys must
      match ``[a-z][a-z0-9-]*``; anything else is rejected (a key is markup, not text).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils.safestring import SafeString

from comparisons.matrix import FindingLike

__all__ = [
    "Span",
    "from_utf16",
    "highlight",
    "paragraphs",
    "span_from_finding",
    "utf16_offsets",
]

SpanKind = Literal["label", "tag", "diff"]

MIN_VALENCE = -2
MAX_VALENCE = 2

_PARAGRAPH_BREAK_RE = re.compile(r"\n(?:[^\S\n]*\n)+")
_ATTR_NAME_RE = re.compile(r"[a-z][a-z0-9-]*\Z")
_ELEMENT = {"label": "mark", "tag": "span", "diff": "span"}
_CLASS = {"label": "hl", "tag": "tag", "diff": "diff"}


@dataclass(frozen=True, slots=True, eq=False)
class Span:
    """A character range ``[start, end)`` of the stored text to highlight."""

    start: int
    end: int
    kind: SpanKind = "label"
    attrs: Mapping[str, str] = field(default_factory=dict)


def span_from_finding(finding: FindingLike, *, title: str | None = None) -> Span:
    """A ``label`` span for a ``comparisons.framing.Finding`` (or a stored finding row)."""
    attrs = {
        "actor": finding.actor_id or "",
        "label": finding.label,
        "valence": str(finding.valence),
        "voice": finding.voice,
    }
    if finding.term_group:
        attrs["term-group"] = finding.term_group
    if title:
        attrs["title"] = title
    return Span(finding.start, finding.end, "label", attrs)


# --------------------------------------------------------------------------------------
# Offsets
# --------------------------------------------------------------------------------------


def utf16_offsets(text: str) -> list[int]:
    """``result[i]`` is the UTF-16 offset (a JavaScript index) of code point ``i``.

    The list has ``len(text) + 1`` entries, the last being the text's JS ``length``.
    """
    offsets = [0] * (len(text) + 1)
    position = 0
    for index, char in enumerate(text):
        offsets[index] = position
        position += 2 if ord(char) > 0xFFFF else 1
    offsets[len(text)] = position
    return offsets


def from_utf16(text: str, offset: int) -> int:
    """The code point index of a JavaScript (UTF-16) offset into ``text``.

    An offset in the middle of a surrogate pair maps to the character it splits.
    """
    if offset < 0:
        raise ValueError(f"negative UTF-16 offset {offset}")
    position = 0
    for index, char in enumerate(text):
        width = 2 if ord(char) > 0xFFFF else 1
        if offset < position + width:
            return index
        position += width
    if offset > position:
        raise ValueError(f"UTF-16 offset {offset} is past the end ({position})")
    return len(text)


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-empty paragraph (text between blank lines)."""
    ranges: list[tuple[int, int]] = []
    start = 0
    for match in _PARAGRAPH_BREAK_RE.finditer(text):
        if match.start() > start:
            ranges.append((start, match.start()))
        start = match.end()
    if len(text) > start:
        ranges.append((start, len(text)))
    return ranges


def _escape_text(piece: str) -> str:
    return html.escape(piece, quote=True).replace("\r", "&#13;")


def _attr(name: str, value: str) -> str:
    return f' {name}="{_escape_text(value)}"'


def _valence_class(value: str | None) -> str:
    try:
        valence = int(value) if value is not None else 0
    except ValueError:
        valence = 0
    return f"hl-v{max(MIN_VALENCE, min(MAX_VALENCE, valence))}"


def _validate(text: str, spans: Sequence[Span]) -> None:
    for span in spans:
        if not 0 <= span.start < span.end <= len(text):
            raise ValueError(f"span {span.start}-{span.end} is not inside a text of {len(text)}")
        if span.kind not in _ELEMENT:
            raise ValueError(f"unknown span kind {span.kind!r}")
        for key in span.attrs:
            if not _ATTR_NAME_RE.match(key):
                raise ValueError(f"invalid attribute name {key!r}")


def _open_tag(span: Span, index: int, *, first_piece: bool, segment: tuple[int, int] | None) -> str:
    classes = _CLASS[span.kind]
    if span.kind == "label":
        classes += " " + _valence_class(span.attrs.get("valence"))
    parts = [f'<{_ELEMENT[span.kind]} class="{classes}" data-span="{index}"']
    for key, value in span.attrs.items():
        parts.append(_attr("title" if key == "title" else f"data-{key}", value))
    if span.kind == "label" and first_piece:
        parts.append(' tabindex="0"')
    if segment is not None:
        parts.append(f' data-start="{segment[0]}" data-end="{segment[1]}"')
    parts.append(">")
    return "".join(parts)


def _render_range(
    text: str, start: int, end: int, spans: Sequence[Span], order: list[int], seen: set[int]
) -> Iterable[str]:
    """The segments of ``text[start:end]`` with their covering spans' elements."""
    cuts = {start, end}
    for index in order:
        span = spans[index]
        if span.start < end and span.end > start:
            cuts.add(max(span.start, start))
            cuts.add(min(span.end, end))
    bounds = sorted(cuts)
    for seg_start, seg_end in zip(bounds, bounds[1:], strict=False):
        covering = [i for i in order if spans[i].start <= seg_start and spans[i].end >= seg_end]
        piece = _escape_text(text[seg_start:seg_end])
        if not covering:
            yield f'<span data-start="{seg_start}" data-end="{seg_end}">{piece}</span>'
            continue
        closing = []
        for depth, index in enumerate(covering):
            innermost = depth == len(covering) - 1
            yield _open_tag(
                spans[index],
                index,
                first_piece=index not in seen,
                segment=(seg_start, seg_end) if innermost else None,
            )
            seen.add(index)
            closing.append(f"</{_ELEMENT[spans[index].kind]}>")
        yield piece
        yield from reversed(closing)


def highlight(text: str, spans: Iterable[Span] = (), *, as_paragraphs: bool = True) -> SafeString:
    """HTML of ``text`` with ``spans`` highlighted; see the module docstring for the markup.

    ``as_paragraphs=False`` renders one run of segments without ``<p>`` (a title).
    Raises ``ValueError`` for a span outside the text, an empty span, an unknown kind or an
    invalid attribute name.
    """
    span_list = list(spans)
    _validate(text, span_list)
    # Outer elements first: earlier start, then longer span, then input order.
    order = sorted(range(len(span_list)), key=lambda i: (span_list[i].start, -span_list[i].end, i))
    seen: set[int] = set()
    out: list[str] = []
    if not as_paragraphs:
        if text:
            out.extend(_render_range(text, 0, len(text), span_list, order, seen))
        return SafeString("".join(out))
    position = 0
    for start, end in paragraphs(text):
        out.append(_escape_text(text[position:start]))
        out.append(f'<p data-start="{start}" data-end="{end}">')
        out.extend(_render_range(text, start, end, span_list, order, seen))
        out.append("</p>")
        position = end
    out.append(_escape_text(text[position:]))
    return SafeString("".join(out))
