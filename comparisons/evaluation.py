"""Clustering evaluation: B-cubed and pairwise precision, recall and F1.

Both take two mappings item -> cluster label (predicted, gold) and score the items present in
both (items missing from one side are ignored, so a gold file may cover a subset).

- B-cubed (Bagga and Baldwin 1998; Amigó et al. 2009): for each item, precision is the share of
  its predicted cluster that shares its gold cluster, recall the share of its gold cluster that
  shares its predicted cluster; both are averaged over items. It rewards singletons fairly and
  is the metric Amigó et al. show satisfies all four formal constraints.
- Pairwise: precision and recall over the set of unordered item pairs placed together. Large
  clusters dominate it quadratically, which is why it is reported beside B-cubed, not instead.

F1 is the harmonic mean; when a side is undefined (no pairs), it counts as 1.0 if the other side
also has no pairs and 0.0 otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def to_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def bcubed(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> Scores:
    """B-cubed precision, recall and F1 over the items in both mappings."""
    items = [item for item in predicted if item in gold]
    if not items:
        return Scores(0.0, 0.0, 0.0)
    pred_size = Counter(predicted[i] for i in items)
    gold_size = Counter(gold[i] for i in items)
    both = Counter((predicted[i], gold[i]) for i in items)
    precision = sum(both[predicted[i], gold[i]] / pred_size[predicted[i]] for i in items)
    recall = sum(both[predicted[i], gold[i]] / gold_size[gold[i]] for i in items)
    p, r = precision / len(items), recall / len(items)
    return Scores(p, r, _f1(p, r))


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> Scores:
    """Pairwise precision, recall and F1 over the items in both mappings."""
    items = [item for item in predicted if item in gold]
    pred_pairs = sum(_pairs(n) for n in Counter(predicted[i] for i in items).values())
    gold_pairs = sum(_pairs(n) for n in Counter(gold[i] for i in items).values())
    shared = sum(_pairs(n) for n in Counter((predicted[i], gold[i]) for i in items).values())
    if pred_pairs == 0 and gold_pairs == 0:
        return Scores(1.0, 1.0, 1.0)
    p = shared / pred_pairs if pred_pairs else 0.0
    r = shared / gold_pairs if gold_pairs else 0.0
    return Scores(p, r, _f1(p, r))
