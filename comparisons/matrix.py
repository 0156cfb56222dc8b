"""The framing matrix of a cluster: actors x outlets, and how far the outlets diverge.

Input is plain data: for each article, its outlet and the framing findings stored for it.

- A cell (actor, outlet) lists the labels the outlet uses for the actor, each with its valence
  and two counts: uses in the outlet's own voice and uses inside quoted or attributed speech.
  Quoted uses are kept apart because an outlet quoting "الجيش العربي السوري" from a state agency
  is not calling the army that itself.
- An outlet's stance towards an actor is the mean valence of its own-voice uses (each use
  counts, so a label repeated ten times weighs more than one used once). Quoted uses never
  count towards it.
- An actor's divergence is the range (max - min) of those stances over the outlets that name
  the actor in their own voice: 0 when all agree, 4 when one outlet's labels are all +2 and
  another's all -2. The range, not the standard deviation, because an analyst's question is
  "how far apart are the extremes", and with two to five outlets a spread measure says little
  more. None when fewer than two outlets name the actor in their own voice.
- A cluster's divergence is the largest actor divergence (its sharpest contrast), used to sort
  the cluster list; None when no actor has one.
- Loaded terms (casualty words, attribution verbs and cues, territory words) are listed per
  outlet under their term group and have no divergence, even when a cue is tied to an actor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

# Findings that name an actor: its labels and plain references ("روسيا"). An attribution cue
# tied to an actor ("لما أسمته") is about how the outlet quotes, so it is listed with the terms.
NAMING_GROUPS = frozenset({"", "reference"})


class FindingLike(Protocol):
    @property
    def actor_id(self) -> str | None: ...
    @property
    def term_group(self) -> str | None: ...
    @property
    def label(self) -> str: ...
    @property
    def valence(self) -> int: ...
    @property
    def voice(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ArticleFindings:
    article_id: str
    outlet: str
    findings: Sequence[FindingLike]


@dataclass(slots=True)
class LabelUse:
    label: str
    valence: int
    own_voice: int = 0
    quoted: int = 0


@dataclass(slots=True)
class ActorRow:
    actor: str
    by_outlet: dict[str, list[LabelUse]] = field(default_factory=dict)
    stance: dict[str, float] = field(default_factory=dict)
    divergence: float | None = None


@dataclass(frozen=True, slots=True)
class Matrix:
    outlets: list[str]
    actors: list[ActorRow]
    terms: list[ActorRow]
    divergence: float | None


def _rows(uses: dict[str, dict[str, dict[str, LabelUse]]]) -> list[ActorRow]:
    rows = []
    for name in sorted(uses):
        row = ActorRow(name)
        for outlet in sorted(uses[name]):
            labels = sorted(uses[name][outlet].values(), key=lambda u: (-u.own_voice, u.label))
            row.by_outlet[outlet] = labels
            own = [(u.valence, u.own_voice) for u in labels if u.own_voice]
            if own:
                total = sum(n for _, n in own)
                row.stance[outlet] = sum(v * n for v, n in own) / total
        if len(row.stance) >= 2:
            row.divergence = max(row.stance.values()) - min(row.stance.values())
        rows.append(row)
    return rows


def build_matrix(articles: Iterable[ArticleFindings]) -> Matrix:
    actors: dict[str, dict[str, dict[str, LabelUse]]] = defaultdict(lambda: defaultdict(dict))
    terms: dict[str, dict[str, dict[str, LabelUse]]] = defaultdict(lambda: defaultdict(dict))
    outlets: set[str] = set()
    for article in articles:
        outlets.add(article.outlet)
        for finding in article.findings:
            if finding.actor_id and (finding.term_group or "") in NAMING_GROUPS:
                table = actors[finding.actor_id][article.outlet]
            elif finding.term_group:
                table = terms[finding.term_group][article.outlet]
            else:
                continue
            use = table.setdefault(finding.label, LabelUse(finding.label, finding.valence))
            if finding.voice == "own":
                use.own_voice += 1
            else:
                use.quoted += 1
    actor_rows = _rows(actors)
    # Actors whose outlets disagree most come first: that is what the analyst looks for.
    actor_rows.sort(key=lambda r: (-(r.divergence or -1.0), r.actor))
    divergences = [r.divergence for r in actor_rows if r.divergence is not None]
    return Matrix(
        outlets=sorted(outlets),
        actors=actor_rows,
        terms=_rows(terms),
        divergence=max(divergences) if divergences else None,
    )


def report(matrix: Matrix) -> dict[str, object]:
    """The matrix as plain JSON-ready data (`framing_report`'s `outlets` and `actors`)."""
    return {
        "outlets": matrix.outlets,
        "actors": [
            {
                "actor": row.actor,
                "by_outlet": {
                    outlet: [
                        {
                            "label": u.label,
                            "valence": u.valence,
                            "own_voice": u.own_voice,
                            "quoted": u.quoted,
                        }
                        for u in uses
                    ]
                    for outlet, uses in row.by_outlet.items()
                },
                "divergence": row.divergence,
            }
            for row in matrix.actors
        ],
        "divergence": matrix.divergence,
    }
