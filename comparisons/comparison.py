"""View-models of a cluster's comparison page: columns, framing matrix, aligned facts, figures.

Pure (no ORM): articles come in as objects with ``pk``, ``title`` and ``body``, their findings
as stored rows (or anything shaped like them), the outlet of each article as a plain mapping.
The page's HTML is assembled by the template from these; every piece of article text, label
and outlet name stays untrusted data, so highlighted HTML comes only from
``comparisons.highlighting.highlight`` (which escapes each piece) and everything else is
escaped by the template.

Rules
    * Columns: one per article, in the order given (the view orders them by date, then
      outlet). Title and body findings are highlighted on their own text.
    * Tooltip of a highlight (``data-tip``): actor, label, voice, then what each *other*
      outlet of the visible columns calls the same actor in its own voice (labels from the
      matrix, most used first), "—" when it does not name the actor, or its quoted labels
      marked as quoted. Built once per (actor, outlet), not per finding.
    * Emphasis: the findings of the actor asked for (``?actor=``) carry ``data-emphasised``;
      the page's script does the same with a class, without a round trip.
    * Facts: ``alignment.align`` over the visible bodies. In a fact several articles report,
      each sentence is word-diffed against the first article's sentence, and the words of
      ``replace`` ops are marked on both sides. A substitution
      (``alignment.substitution_candidates``: 1-4 words a side) is offered for the lexicon
      when at least one side is not already covered by a stored actor finding.
    * Figures: ``figures.find_figures`` per article, compared by counted noun; contested
      groups first. Sources: named and unnamed sources with their camp (attribution phrases
      are left out: they say that an outlet attributes, not to whom).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comparisons import alignment, figures, highlighting, matrix

MODES = ("columns", "facts")

FIGURE_GROUPS = {
    "killed": gettext_lazy("killed"),
    "wounded": gettext_lazy("wounded"),
    "fighters": gettext_lazy("fighters"),
    "civilians": gettext_lazy("civilians"),
    "children": gettext_lazy("children"),
    "women": gettext_lazy("women"),
    "displaced": gettext_lazy("displaced"),
    "families": gettext_lazy("families"),
    "detainees": gettext_lazy("detainees"),
    "strikes": gettext_lazy("strikes and shells"),
    "vehicles": gettext_lazy("vehicles"),
    "points": gettext_lazy("military points"),
}
CAMPS = {
    "sdf": gettext_lazy("SDF"),
    "russia": gettext_lazy("Russia"),
    "syrian-government": gettext_lazy("Syrian government"),
    "turkey": gettext_lazy("Turkey"),
    "independent": gettext_lazy("independent"),
    "wire": gettext_lazy("wire agency"),
    "opposition": gettext_lazy("opposition"),
    "unverifiable": gettext_lazy("unverifiable"),
}
VOICES = {
    "own": gettext_lazy("own voice"),
    "quoted": gettext_lazy("quoted"),
    "attributed": gettext_lazy("attributed"),
}


class ArticleLike(Protocol):
    @property
    def pk(self) -> Any: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...


class FindingRow(matrix.FindingLike, Protocol):
    @property
    def field(self) -> str: ...


def valence_class(valence: int) -> str:
    return f"hl-v{max(-2, min(2, valence))}"


# --------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Toggle:
    slug: str
    name: str
    visible: bool
    url: str


def page_url(path: str, *, mode: str, hidden: Iterable[str], actor: str = "") -> str:
    params: list[tuple[str, str]] = []
    if mode != "columns":
        params.append(("mode", mode))
    params.extend(("hide", slug) for slug in sorted(hidden))
    if actor:
        params.append(("actor", actor))
    return f"{path}?{urlencode(params)}" if params else path


def outlet_toggles(
    path: str, outlets: Sequence[tuple[str, str]], *, mode: str, hidden: set[str], actor: str
) -> list[Toggle]:
    """A link per outlet (slug, name) that hides it, or shows it again when hidden."""
    return [
        Toggle(
            slug,
            name,
            slug not in hidden,
            page_url(path, mode=mode, hidden=hidden ^ {slug}, actor=actor),
        )
        for slug, name in outlets
    ]


# --------------------------------------------------------------------------------------
# Framing matrix and tooltips
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Use:
    label: str
    valence_class: str
    count: int


@dataclass(frozen=True, slots=True)
class Cell:
    own: list[Use]
    quoted: list[Use]


@dataclass(frozen=True, slots=True)
class MatrixRow:
    actor: str
    name: str
    url: str
    cells: list[Cell]
    divergence: float | None


def matrix_rows(
    framing: matrix.Matrix,
    outlets: Sequence[str],
    names: Mapping[str, str],
    url: Mapping[str, str],
) -> list[MatrixRow]:
    """The matrix's actor rows with one cell per outlet of `outlets` (the columns' order)."""
    rows = []
    for row in framing.actors:
        cells = []
        for outlet in outlets:
            uses = row.by_outlet.get(outlet, [])
            cells.append(
                Cell(
                    [
                        Use(u.label, valence_class(u.valence), u.own_voice)
                        for u in uses
                        if u.own_voice
                    ],
                    [Use(u.label, valence_class(u.valence), u.quoted) for u in uses if u.quoted],
                )
            )
        rows.append(
            MatrixRow(
                row.actor, names.get(row.actor, row.actor), url[row.actor], cells, row.divergence
            )
        )
    return rows


def _elsewhere(framing: matrix.Matrix, row: matrix.ActorRow, outlet: str) -> str:
    parts = []
    for other in framing.outlets:
        if other == outlet:
            continue
        uses = row.by_outlet.get(other, [])
        own = [f"«{u.label}»" for u in uses if u.own_voice]
        quoted = [f"«{u.label}» ({VOICES['quoted']})" for u in uses if not u.own_voice]
        parts.append(f"{other}: {'، '.join(own or quoted) or '—'}")
    return "\n".join(parts)


def tooltips(framing: matrix.Matrix) -> dict[tuple[str, str], str]:
    """(actor, outlet) -> what the other outlets call the actor, one outlet per line."""
    return {
        (row.actor, outlet): _elsewhere(framing, row, outlet)
        for row in framing.actors
        for outlet in framing.outlets
    }


def _tip(
    finding: FindingRow,
    outlet: str,
    names: Mapping[str, str],
    elsewhere: Mapping[tuple[str, str], str],
) -> str:
    voice = VOICES.get(finding.voice, finding.voice)
    if not finding.actor_id:
        return f"{finding.term_group} · «{finding.label}» · {voice}"
    head = f"{names.get(finding.actor_id, finding.actor_id)} · «{finding.label}» · {voice}"
    others = elsewhere.get((finding.actor_id, outlet))
    if not others:
        return head
    label = _("Other outlets")
    return f"{head}\n{label}:\n{others}"


def _spans(
    found: Iterable[FindingRow],
    outlet: str,
    names: Mapping[str, str],
    elsewhere: Mapping[tuple[str, str], str],
    emphasis: str,
) -> list[highlighting.Span]:
    spans = []
    for finding in found:
        span = highlighting.span_from_finding(finding)
        attrs = dict(span.attrs, tip=_tip(finding, outlet, names, elsewhere))
        if emphasis and finding.actor_id == emphasis:
            attrs["emphasised"] = "true"
        spans.append(highlighting.Span(span.start, span.end, span.kind, attrs))
    return spans


# --------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextChange:
    """The outlet changed the article's text after it was first fetched (articles.versions)."""

    changed_at: datetime
    versions: int  # stored versions, the first fetch included


@dataclass(frozen=True, slots=True)
class Column:
    article: Any
    outlet: str
    title_html: SafeString
    body_html: SafeString
    labels: int
    change: TextChange | None = None


def columns(
    articles: Sequence[ArticleLike],
    outlets: Mapping[Any, str],
    found: Mapping[Any, Sequence[FindingRow]],
    framing: matrix.Matrix,
    names: Mapping[str, str],
    *,
    emphasis: str = "",
    extra: Mapping[Any, Mapping[str, Sequence[highlighting.Span]]] | None = None,
    changes: Mapping[Any, TextChange] | None = None,
) -> list[Column]:
    """`extra`: more spans per article and field ("title", "body"), e.g. analysts' tags.
    `changes`: the articles whose text changed since their first fetch (the column says so;
    its text is the latest version, the one the article holds)."""
    elsewhere = tooltips(framing)
    out = []
    for article in articles:
        outlet = outlets[article.pk]
        rows = found.get(article.pk, [])
        title = [f for f in rows if f.field == "title"]
        body = [f for f in rows if f.field != "title"]
        more = (extra or {}).get(article.pk, {})
        out.append(
            Column(
                article,
                outlet,
                highlighting.highlight(
                    article.title,
                    _spans(title, outlet, names, elsewhere, emphasis) + list(more.get("title", [])),
                    as_paragraphs=False,
                ),
                highlighting.highlight(
                    article.body,
                    _spans(body, outlet, names, elsewhere, emphasis) + list(more.get("body", [])),
                ),
                len(rows),
                (changes or {}).get(article.pk),
            )
        )
    return out


# --------------------------------------------------------------------------------------
# Aligned facts
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Substitution:
    fact_id: int
    a_outlet: str
    b_outlet: str
    a_text: str
    b_text: str
    unknown: list[str]  # the sides no stored actor finding covers
    actor: str  # the actor of a covered side: the likely actor of the other side


@dataclass(frozen=True, slots=True)
class FactRow:
    id: int
    shared: bool
    outlets_count: int
    score: float
    cells: list[SafeString | None]  # None: not reported by this column's article
    substitutions: list[Substitution] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Facts:
    rows: list[FactRow]
    shared: int
    single: int


def _covering_actor(found: Sequence[FindingRow], start: int, end: int) -> str | None:
    for finding in found:
        if (
            finding.field != "title"
            and finding.actor_id
            and finding.start < end
            and finding.end > start
        ):
            return finding.actor_id
    return None


def _sentence_html(
    ref: alignment.SentenceRef,
    found: Sequence[FindingRow],
    diffs: Iterable[tuple[int, int]],
    outlet: str,
    names: Mapping[str, str],
    elsewhere: Mapping[tuple[str, str], str],
) -> SafeString:
    spans = []
    for finding in found:
        if finding.field != "title" and ref.start <= finding.start and finding.end <= ref.end:
            span = _spans([finding], outlet, names, elsewhere, "")[0]
            spans.append(
                highlighting.Span(span.start - ref.start, span.end - ref.start, "label", span.attrs)
            )
    spans.extend(
        highlighting.Span(start, end, "diff", {"diff": "replace"})
        for start, end in sorted(set(diffs))
        if start < end
    )
    return highlighting.highlight(ref.text, spans, as_paragraphs=False)


def _substitutions(
    fact: alignment.Fact, found: Mapping[Any, Sequence[FindingRow]], outlets: Mapping[Any, str]
) -> list[Substitution]:
    out: list[Substitution] = []
    seen: set[frozenset[str]] = set()
    for sub in alignment.substitution_candidates([fact]):
        key = frozenset((sub.a_text, sub.b_text))
        if key in seen:
            continue
        seen.add(key)
        a_actor = _covering_actor(found.get(sub.a_article, []), sub.a_start, sub.a_end)
        b_actor = _covering_actor(found.get(sub.b_article, []), sub.b_start, sub.b_end)
        unknown = [
            text for text, actor in ((sub.a_text, a_actor), (sub.b_text, b_actor)) if not actor
        ]
        if unknown:
            out.append(
                Substitution(
                    fact.id,
                    outlets[sub.a_article],
                    outlets[sub.b_article],
                    sub.a_text,
                    sub.b_text,
                    unknown,
                    a_actor or b_actor or "",
                )
            )
    return out


def facts(
    articles: Sequence[ArticleLike],
    outlets: Mapping[Any, str],
    found: Mapping[Any, Sequence[FindingRow]],
    framing: matrix.Matrix,
    names: Mapping[str, str],
) -> Facts:
    aligned = alignment.align({a.pk: a.body for a in articles}, outlets=outlets)
    elsewhere = tooltips(framing)
    rows = []
    for fact in aligned.facts:
        refs = fact.sentences
        diffs: dict[Any, list[tuple[int, int]]] = {pk: [] for pk in refs}
        first = next(iter(refs))
        for pk, ref in refs.items():
            if pk == first:
                continue
            for op in alignment.word_diff(refs[first].text, ref.text):
                if op.kind == "replace":
                    diffs[first].append((op.a_start, op.a_end))
                    diffs[pk].append((op.b_start, op.b_end))
        cells: list[SafeString | None] = [
            _sentence_html(
                refs[a.pk], found.get(a.pk, []), diffs[a.pk], outlets[a.pk], names, elsewhere
            )
            if a.pk in refs
            else None
            for a in articles
        ]
        shared = len(refs) > 1
        rows.append(
            FactRow(
                fact.id,
                shared,
                fact.outlets_count,
                fact.score,
                cells,
                _substitutions(fact, found, outlets) if shared else [],
            )
        )
    shared_count = sum(1 for row in rows if row.shared)
    return Facts(rows, shared_count, len(rows) - shared_count)


# --------------------------------------------------------------------------------------
# Figures and sources
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FigureRow:
    group: str
    name: str
    contested: bool
    cells: list[list[figures.Figure]]


@dataclass(frozen=True, slots=True)
class SourceView:
    name: str
    matched_text: str
    camp: str
    camp_name: str


@dataclass(frozen=True, slots=True)
class Figures:
    rows: list[FigureRow]
    sources: list[list[SourceView]]

    @property
    def contested(self) -> int:
        return sum(1 for row in self.rows if row.contested)


def figure_table(articles: Sequence[ArticleLike]) -> Figures:
    found = {a.pk: figures.find_figures(a.body) for a in articles}
    rows = [
        FigureRow(
            comparison.group,
            str(FIGURE_GROUPS.get(comparison.group, comparison.group)),
            comparison.contested,
            [comparison.figures.get(a.pk, []) for a in articles],
        )
        for comparison in figures.compare_figures(found)
    ]
    rows.sort(key=lambda row: not row.contested)  # stable: contested first, then by mention
    sources = []
    for article in articles:
        named: dict[str, SourceView] = {}
        for source in figures.find_sources(article.body):
            if source.kind != "attribution":
                camp = str(CAMPS.get(source.camp, source.camp))
                named.setdefault(
                    source.name, SourceView(source.name, source.matched_text, source.camp, camp)
                )
        sources.append(list(named.values()))
    return Figures(rows, sources)
