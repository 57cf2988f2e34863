"""The real-label learning curve's pieces (the curve itself needs the public data)."""

from __future__ import annotations

import numpy as np

from training.label_curve import (
    MIN_OFF_MAJORITY,
    gain_per_doubling,
    judgeable,
    report_order,
    subset_weights,
)


def test_report_order_is_a_seeded_permutation_of_distinct_reports() -> None:
    ids = ["a", "b", "a", "c", "d", "c"]
    assert sorted(report_order(ids, 1)) == ["a", "b", "c", "d"]
    assert report_order(ids, 1) == report_order(ids, 1)


def test_subset_weights_balance_kept_sources_and_zero_the_rest() -> None:
    real = np.array([True, True, True, False, False])
    keep = np.array([True, False, True, True, True])
    weights = subset_weights(real, keep)
    assert weights[1] == 0
    assert np.isclose(weights[real & keep].sum(), weights[~real & keep].sum())


def test_judgeable_needs_enough_passages_off_the_most_common_level() -> None:
    n = MIN_OFF_MAJORITY
    labels = np.full((3 * n, 4), -1, dtype=np.int64)
    labels[:, 0] = [1] * (2 * n) + [2] * n  # n off the majority: judgeable
    labels[:, 1] = [0] * (3 * n - 1) + [1]  # one off: not
    real = np.ones(3 * n, dtype=bool)
    assert judgeable(labels, real) == ["clarity"]
    assert judgeable(labels, ~real) == []


def test_gain_per_doubling_is_the_slope_in_log2_passages() -> None:
    assert np.isclose(gain_per_doubling([100, 200, 400], [0.5, 0.52, 0.54]), 0.02)
    assert np.isclose(gain_per_doubling([100, 200, 400], [0.5, 0.5, 0.5]), 0.0)
