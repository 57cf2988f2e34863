"""Metrics agree with scikit-learn and behave at the edges."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.metrics import (
    expected_calibration_error,
    macro_f1,
    quadratic_weighted_kappa,
    qwk_interval,
    score_dimension,
    spearman,
)


def test_qwk_and_macro_f1_match_scikit_learn() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, 200)
    pred = np.clip(truth + rng.integers(-1, 2, 200), 0, 3)
    assert quadratic_weighted_kappa(truth, pred) == pytest.approx(
        metrics.cohen_kappa_score(truth, pred, weights="quadratic")
    )
    assert macro_f1(truth, pred) == pytest.approx(metrics.f1_score(truth, pred, average="macro"))


def test_edges() -> None:
    assert quadratic_weighted_kappa([0, 1, 2, 3], [0, 1, 2, 3]) == pytest.approx(1.0)
    assert quadratic_weighted_kappa([0, 1, 2, 3], [3, 2, 1, 0]) < 0
    assert np.isnan(spearman([1, 1, 1], [0.1, 0.2, 0.3]))
    assert spearman([0, 1, 2, 3], [0.1, 0.5, 0.9, 3.0]) == pytest.approx(1.0)


def test_ece_is_zero_when_confidence_matches_accuracy() -> None:
    probs = np.tile([0.5, 0.5, 0.0, 0.0], (100, 1))
    truth = np.array([0, 1] * 50)  # argmax is 0: right half the time at confidence 0.5
    assert expected_calibration_error(truth, probs) == pytest.approx(0.0)
    sure = np.tile([1.0, 0.0, 0.0, 0.0], (10, 1))
    assert expected_calibration_error(np.ones(10, dtype=int), sure) == pytest.approx(1.0)


def test_score_dimension_uses_argmax_and_expected_level() -> None:
    probs = np.eye(4)[[0, 1, 2, 3, 3]]
    scores = score_dimension([0, 1, 2, 3, 3], probs)
    assert scores.qwk == pytest.approx(1.0) and scores.spearman == pytest.approx(1.0)
    assert scores.n == 5


def test_qwk_interval_resamples_reports_and_brackets_the_figure() -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, 600)
    pred = np.clip(truth + rng.integers(-1, 2, 600), 0, 3)
    groups = [f"r{i // 6}" for i in range(600)]
    low, high = qwk_interval(truth, pred, groups, rounds=300)
    assert low < quadratic_weighted_kappa(truth, pred) < high
    assert (low, high) == qwk_interval(truth, pred, groups, rounds=300)  # seeded
    # Whole reports move together: a report-level error widens the interval.
    clustered = pred.copy()
    clustered[:60] = 3 - truth[:60]
    c_low, c_high = qwk_interval(truth, clustered, groups, rounds=300)
    p_low, p_high = qwk_interval(truth, clustered, [f"p{i}" for i in range(600)], rounds=300)
    assert c_high - c_low >= p_high - p_low


def test_qwk_interval_edges() -> None:
    assert all(v != v for v in qwk_interval([1, 2], [1, 2], ["a", "a"]))  # one report: none
    low, high = qwk_interval([0, 1, 2, 3] * 5, [0, 1, 2, 3] * 5, [str(i) for i in range(20)])
    assert low == high == 1.0
    assert all(v != v for v in qwk_interval([], [], []))
