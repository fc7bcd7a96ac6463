"""The balancer's rules on crafted predictions: histogram, relative entropy, quotas, replication, skipping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from synthkd.core.classes import histogram, relative_entropy
from synthkd.probe.balance import Predictions, quotas, select


def crafted(labels: list[int]) -> Predictions:
    n = len(labels)
    conf = np.linspace(0.2, 0.99, n, dtype=np.float32)[np.random.default_rng(1).permutation(n)]
    return Predictions(np.asarray(labels, np.int64), conf, (1 - conf).astype(np.float32))


def test_histogram_and_relative_entropy_by_hand():
    counts = histogram(np.array([0, 0, 1, 2]), 4)
    assert counts.tolist() == [2, 1, 1, 0]
    by_hand = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25)) / math.log(4)
    assert relative_entropy(counts) == pytest.approx(by_hand) == pytest.approx(0.75)
    assert relative_entropy(np.array([5, 5, 5])) == pytest.approx(1.0)
    assert relative_entropy(np.array([9, 0, 0])) == 0.0


def test_quotas_skip_empty_classes_and_give_the_rest_to_the_biggest():
    assert quotas(np.array([10, 3, 0, 7]), 12) == [4, 4, 0, 4]
    assert quotas(np.array([10, 3, 0, 7]), 14) == [5, 4, 0, 5]
    assert quotas(np.array([0, 0]), 5) == [0, 0]


def test_select_redistributes_and_replicates():
    labels = [0] * 10 + [1] * 3 + [3] * 7
    pred = crafted(labels)
    sel = select(pred, 4, 12, "balanced", seed=0)
    picked = pred.labels[sel.indices]
    assert histogram(picked, 4).tolist() == [4, 4, 0, 4]
    assert sel.skipped == [2] and sel.replicated == [1]
    ones = sel.indices[picked == 1]
    assert set(ones) == {10, 11, 12} and len(ones) == 4  # all three, one of them twice
    assert len(set(sel.indices[picked == 0])) == 4  # drawn without repeats where there are enough
    assert relative_entropy(histogram(picked, 4)) > relative_entropy(histogram(pred.labels, 4))


def test_replication_in_whole_copies_first():
    pred = crafted([0, 0, 1])
    sel = select(pred, 2, 10, "balanced", seed=3)
    counts = np.bincount(sel.indices, minlength=3)
    assert counts.tolist() == [3, 2, 5] or counts.tolist() == [2, 3, 5]


@pytest.mark.parametrize("strategy,key,best", [("confidence", "confidence", max), ("entropy", "entropy", max)])
def test_ranked_strategies_take_the_top_of_each_class(strategy, key, best):
    pred = crafted([0] * 20 + [1] * 20)
    sel = select(pred, 2, 10, strategy, seed=0)
    values = getattr(pred, key)
    for c in (0, 1):
        members = np.flatnonzero(pred.labels == c)
        top = members[np.argsort(-values[members])][:5]
        assert sorted(sel.indices[pred.labels[sel.indices] == c]) == sorted(top)


def test_random_ignores_classes_and_everything_is_seeded():
    pred = crafted([0] * 30 + [1] * 3)
    a, b, c = (select(pred, 2, 10, "random", seed=s).indices for s in (5, 5, 6))
    assert np.array_equal(a, b) and not np.array_equal(a, c) and len(set(a)) == 10
    x, y = (select(pred, 2, 10, "balanced", seed=s).indices for s in (7, 7))
    assert np.array_equal(x, y)
    with pytest.raises(ValueError, match="unknown selection strategy 'best'"):
        select(pred, 2, 10, "best")
