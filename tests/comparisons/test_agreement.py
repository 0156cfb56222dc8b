"""Krippendorff's unitized alpha, against hand-computed cases and Krippendorff (1995)."""

from __future__ import annotations

import pytest

from comparisons.agreement import Unit, alpha_by_category, unitized_alpha

TEXTS = [("t", 24)]


def units(analyst: str, spans: list[tuple[int, int]], text: str = "t") -> list[Unit]:
    return [Unit(analyst, "k", text, start, start + length) for start, length in spans]


def test_perfect_agreement_is_one():
    same = [(2, 8), (14, 6)]
    alpha = unitized_alpha(units("a", same) + units("b", same), analysts=["a", "b"], texts=TEXTS)
    assert alpha == pytest.approx(1.0)


def test_systematic_disagreement_is_below_zero():
    # Each analyst tags exactly what the other leaves out.
    a = units("a", [(0, 6), (12, 6)])
    b = units("b", [(6, 6), (18, 6)])
    alpha = unitized_alpha(a + b, analysts=["a", "b"], texts=TEXTS)
    assert alpha is not None and alpha < 0


def test_hand_computed_one_unit_against_none():
    # a tags [0, 2) of a 4-character text, b tags nothing. Segments: a = unit(2), gap(2);
    # b = gap(4). D_o: the unit lies inside b's gap: 2^2 = 4; times 2 ordered pairs over
    # m(m-1)L^2 = 2*1*16: D_o = 8/32 = 0.25. D_e: N = 1, the unit (l = 2) gives
    # (0)/3*(...) = 0 and 2^2 * [(2-2+1) + (4-2+1)] = 4 * 4 = 16 over the gaps 2 and 4;
    # times 2/L = 1/2: 8; over mL(mL-1) - l(l-1) = 8*7 - 2 = 54: D_e = 8/54.
    # u-alpha = 1 - 0.25 / (8/54) = 1 - 1.6875 = -0.6875.
    alpha = unitized_alpha(units("a", [(0, 2)]), analysts=["a", "b"], texts=[("t", 4)])
    assert alpha == pytest.approx(-0.6875)


# Krippendorff (1995: 57), a continuum of 24: coders Bertha and Bill (category A),
# Gerret and Gill (category C). The figures are the paper's (D_o) and, for the half-size
# continuum of C, D_e = 0.05494 and u-alpha = 0.494.
BERTHA = [(2, 8), (14, 6)]
BILL = [(4, 4), (15, 2)]
GERRET = [(2, 6), (10, 2), (14, 4), (20, 2)]
GILL = [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]


def test_krippendorff_1995_observed_disagreement():
    from comparisons import agreement

    def d_observed(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> float:
        seg_a = agreement._segments({"t": [(s, s + n) for s, n in a]}, TEXTS)
        seg_b = agreement._segments({"t": [(s, s + n) for s, n in b]}, TEXTS)
        total = sum(agreement._distance(g, h) for g in seg_a for h in seg_b)
        return 2 * total / (2 * 1 * 24**2)

    assert d_observed(BERTHA, BILL) == pytest.approx(0.03125, abs=1e-5)
    assert d_observed(GERRET, GILL) == pytest.approx(0.02777, abs=1e-5)


def test_krippendorff_1995_example_c_at_half_scale():
    half = [("t", 12)]
    gerret = units("g1", [(s // 2, n // 2) for s, n in GERRET])
    gill = units("g2", [(s // 2, n // 2) for s, n in GILL])
    alpha = unitized_alpha(gerret + gill, analysts=["g1", "g2"], texts=half)
    assert alpha == pytest.approx(1 - 0.02777 / 0.05494, abs=2e-3)
    assert alpha == pytest.approx(0.494, abs=0.01)


def test_krippendorff_1995_example_a_on_a_long_continuum():
    # The paper's figures for A are for a finely divided continuum; stretched 50x here.
    stretch = 50
    a = units("a", [(s * stretch, n * stretch) for s, n in BERTHA])
    b = units("b", [(s * stretch, n * stretch) for s, n in BILL])
    alpha = unitized_alpha(a + b, analysts=["a", "b"], texts=[("t", 24 * stretch)])
    assert alpha == pytest.approx(0.553, abs=0.02)


def test_an_analyst_without_units_still_counts_and_one_analyst_gives_none():
    assert unitized_alpha(units("a", [(0, 2)]), analysts=["a"], texts=TEXTS) is None
    assert unitized_alpha([], analysts=["a", "b"], texts=TEXTS) is None


def test_units_in_different_texts_do_not_meet():
    a = [Unit("a", "k", "one", 0, 4), Unit("a", "k", "two", 0, 4)]
    b = [Unit("b", "k", "one", 0, 4), Unit("b", "k", "two", 0, 4)]
    alpha = unitized_alpha(a + b, analysts=["a", "b"], texts=[("one", 10), ("two", 10)])
    assert alpha == pytest.approx(1.0)
    shifted = [Unit("b", "k", "one", 0, 4), Unit("b", "k", "two", 5, 9)]
    worse = unitized_alpha(a + shifted, analysts=["a", "b"], texts=[("one", 10), ("two", 10)])
    assert worse is not None and worse < 1.0


def test_alpha_by_category_keeps_categories_apart():
    rows = [
        Unit("a", "x", "t", 0, 4),
        Unit("b", "x", "t", 0, 4),
        Unit("a", "y", "t", 10, 14),
    ]
    result = alpha_by_category(rows, analysts=["a", "b"], texts=TEXTS)
    assert result["x"] == pytest.approx(1.0)
    assert result["y"] is not None and result["y"] < 0
