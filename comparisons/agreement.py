"""Agreement between analysts who tagged the same texts: Krippendorff's unitized alpha.

Pure (no ORM). Reference: Krippendorff, K. (1995), "On the reliability of unitizing continuous
data", Sociological Methodology 25: 47-76; and Content Analysis: An Introduction to Its
Methodology, 2nd ed. (2004), section 12.4 on unitizing (the ``|u alpha`` coefficient computed
for one category at a time, called "u-alpha" here).

Data
    A *continuum* is one text (an article's title or body) of length ``L_t`` characters; the
    continua of a cluster are laid end to end, ``L = sum of L_t``. Each analyst (``m`` of them)
    marks *units* of category k: ranges ``[b, e)`` with length ``l = e - b``. An analyst's
    overlapping units of one category are merged first (the measure assumes one analyst's units
    of a category do not overlap). Between and around an analyst's units lie *gaps*; a gap
    never crosses from one text into the next.

Observed disagreement (per category k)
    For every ordered pair of analysts (i, j), i != j, and every segment g of i and h of j
    (segments = units and gaps) that overlap, the squared distance is
        * both units:                        (b_g - b_h)^2 + (e_g - e_h)^2
        * g a unit inside the gap h:         l_g^2
        * h a unit inside the gap g:         l_h^2
        * otherwise (gap-gap, or a unit only partly in a gap: that disagreement is already
          counted by the unit-unit term):    0
        D_o = sum of those distances / (m (m - 1) L^2)

Expected disagreement (per category k), over all the ways the same units could lie
    With N_k the number of units of k over all analysts, l_u their lengths and the gaps of all
    analysts pooled:
        D_e = (2 / L) * sum over units u of [ (N_k - 1) / 3 * (2 l_u^3 - 3 l_u^2 + l_u)
                                              + l_u^2 * sum over gaps g with l_g >= l_u of
                                                        (l_g - l_u + 1) ]
              / ( m L (m L - 1) - sum over units u of l_u (l_u - 1) )

    u-alpha = 1 - D_o / D_e: 1 is perfect agreement, 0 what chance gives, below 0 systematic
    disagreement. It is None when D_e is 0 (no analyst used the category) or fewer than two
    analysts are given.

Checked against the worked example of Krippendorff (1995: 57), the coders Bertha and Bill
(category A) and Gerret and Gill (category C) on a 24-unit continuum (D_o = 0.03125 and 0.02777,
and for C at half scale D_e = 0.05494, u-alpha = 0.494), in tests/comparisons/test_agreement.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Unit", "alpha_by_category", "unitized_alpha"]


@dataclass(frozen=True, slots=True)
class Unit:
    """One analyst's span of a category in one text (``text`` names the continuum)."""

    analyst: str
    category: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Segment:
    start: int  # offsets on the whole (concatenated) continuum
    end: int
    is_unit: bool

    @property
    def length(self) -> int:
        return self.end - self.start


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _segments(
    spans_by_text: Mapping[str, list[tuple[int, int]]],
    texts: Sequence[tuple[str, int]],
) -> list[_Segment]:
    """One analyst's units and gaps over the whole continuum, text by text."""
    segments = []
    origin = 0
    for name, length in texts:
        position = 0
        for start, end in _merged(spans_by_text.get(name, [])):
            start, end = max(0, start), min(length, end)
            if start >= end:
                continue
            if start > position:
                segments.append(_Segment(origin + position, origin + start, False))
            segments.append(_Segment(origin + start, origin + end, True))
            position = end
        if position < length:
            segments.append(_Segment(origin + position, origin + length, False))
        origin += length
    return segments


def _distance(g: _Segment, h: _Segment) -> int:
    if g.end <= h.start or h.end <= g.start:
        return 0
    if g.is_unit and h.is_unit:
        return (g.start - h.start) ** 2 + (g.end - h.end) ** 2
    if g.is_unit and h.start <= g.start and g.end <= h.end:
        return g.length**2
    if h.is_unit and g.start <= h.start and h.end <= g.end:
        return h.length**2
    return 0


def unitized_alpha(
    units: Iterable[Unit], *, analysts: Sequence[str], texts: Sequence[tuple[str, int]]
) -> float | None:
    """u-alpha for units of one category (the ``category`` field is not looked at).

    ``analysts``: everyone who tagged these texts (an analyst with no unit of the category
    still counts: they saw the texts and found none). ``texts``: (name, length) of each text.
    """
    m = len(analysts)
    total = sum(length for _, length in texts)
    if m < 2 or total == 0:
        return None
    spans: dict[str, dict[str, list[tuple[int, int]]]] = {a: defaultdict(list) for a in analysts}
    for unit in units:
        if unit.analyst in spans:
            spans[unit.analyst][unit.text].append((unit.start, unit.end))
    segments = {a: _segments(spans[a], texts) for a in analysts}

    observed = 0
    for i, first in enumerate(analysts):
        for second in analysts[i + 1 :]:
            for g in segments[first]:
                for h in segments[second]:
                    observed += _distance(g, h)
    # Each unordered pair stands for the two ordered ones.
    d_observed = 2 * observed / (m * (m - 1) * total**2)

    unit_lengths = [s.length for segs in segments.values() for s in segs if s.is_unit]
    gap_lengths = [s.length for segs in segments.values() for s in segs if not s.is_unit]
    n_units = len(unit_lengths)
    if n_units == 0:
        return None
    expected = 0.0
    for length in unit_lengths:
        expected += (n_units - 1) / 3 * (2 * length**3 - 3 * length**2 + length)
        expected += length**2 * sum(gap - length + 1 for gap in gap_lengths if gap >= length)
    denominator = m * total * (m * total - 1) - sum(n * (n - 1) for n in unit_lengths)
    if denominator <= 0 or expected == 0:
        return None
    d_expected = (2 / total) * expected / denominator
    return 1 - d_observed / d_expected


def alpha_by_category(
    units: Iterable[Unit], *, analysts: Sequence[str], texts: Sequence[tuple[str, int]]
) -> dict[str, float | None]:
    """u-alpha for each category used by any analyst."""
    by_category: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_category[unit.category].append(unit)
    return {
        category: unitized_alpha(rows, analysts=analysts, texts=texts)
        for category, rows in sorted(by_category.items())
    }
