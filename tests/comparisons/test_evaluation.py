from __future__ import annotations

import pytest

from comparisons.evaluation import bcubed, pairwise


def test_identical_clusterings_score_one() -> None:
    gold = {"a": 1, "b": 1, "c": 2}
    pred = {"a": "x", "b": "x", "c": "y"}
    assert bcubed(pred, gold).f1 == pytest.approx(1.0)
    assert pairwise(pred, gold).f1 == pytest.approx(1.0)


def test_all_in_one_cluster_has_full_recall_and_low_precision() -> None:
    gold = {"a": 1, "b": 1, "c": 2, "d": 3}
    pred = dict.fromkeys(gold, "x")
    scores = bcubed(pred, gold)
    assert scores.recall == pytest.approx(1.0)
    # a, b: 2/4 each; c, d: 1/4 each -> 6/16
    assert scores.precision == pytest.approx(6 / 16)


def test_singletons_have_full_precision_and_partial_recall() -> None:
    gold = {"a": 1, "b": 1, "c": 2}
    pred = {"a": 1, "b": 2, "c": 3}
    scores = bcubed(pred, gold)
    assert scores.precision == pytest.approx(1.0)
    assert scores.recall == pytest.approx((0.5 + 0.5 + 1) / 3)
    assert pairwise(pred, gold).recall == 0.0


def test_pairwise_counts_pairs() -> None:
    gold = {"a": 1, "b": 1, "c": 1, "d": 2}
    pred = {"a": 1, "b": 1, "c": 2, "d": 2}
    scores = pairwise(pred, gold)
    assert scores.precision == pytest.approx(1 / 2)  # (a,b) right, (c,d) wrong
    assert scores.recall == pytest.approx(1 / 3)  # (a,b) of (a,b),(a,c),(b,c)


def test_items_missing_from_gold_are_ignored() -> None:
    assert bcubed({"a": 1, "z": 1}, {"a": 1}).f1 == pytest.approx(1.0)
