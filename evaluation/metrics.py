"""Per-dimension metrics: quadratic weighted kappa, macro-F1, Spearman, calibration error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.model.dimensions import LEVELS, shown_level

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def quadratic_weighted_kappa(
    truth: Sequence[int] | npt.NDArray[np.integer],
    pred: Sequence[int] | npt.NDArray[np.integer],
    levels: int = LEVELS,
) -> float:
    """Cohen's kappa with quadratic weights over ``levels`` ordinal classes (1 = perfect)."""
    t = np.asarray(truth, dtype=np.int64)
    p = np.asarray(pred, dtype=np.int64)
    if t.size == 0:
        return float("nan")
    observed = np.zeros((levels, levels))
    np.add.at(observed, (t, p), 1.0)
    expected = np.outer(observed.sum(1), observed.sum(0)) / t.size
    i, j = np.indices((levels, levels))
    weights = (i - j) ** 2 / (levels - 1) ** 2
    denominator = (weights * expected).sum()
    if denominator == 0:
        return 1.0 if np.array_equal(t, p) else 0.0
    return float(1.0 - (weights * observed).sum() / denominator)


def qwk_interval(
    truth: Sequence[int] | npt.NDArray[np.integer],
    pred: Sequence[int] | npt.NDArray[np.integer],
    groups: Sequence[str],
    *,
    rounds: int = 2000,
    coverage: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of QWK, resampling whole ``groups`` (reports) with
    replacement: passages of one report are not independent, so resampling passages would
    give an interval too narrow."""
    t = np.asarray(truth, dtype=np.int64)
    p = np.asarray(pred, dtype=np.int64)
    names, index = np.unique(np.asarray(groups), return_inverse=True)
    if t.size == 0 or len(names) < 2:
        return float("nan"), float("nan")
    members = [np.flatnonzero(index == g) for g in range(len(names))]
    rng = np.random.default_rng(seed)
    # A resample always holds passages, so every round's QWK is defined.
    values = [
        quadratic_weighted_kappa(t[rows], p[rows])
        for rows in (
            np.concatenate([members[g] for g in rng.integers(0, len(names), len(names))])
            for _ in range(rounds)
        )
    ]
    tail = (1.0 - coverage) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def macro_f1(
    truth: Sequence[int] | npt.NDArray[np.integer],
    pred: Sequence[int] | npt.NDArray[np.integer],
    levels: int = LEVELS,
) -> float:
    """Unweighted mean of per-level F1 over the levels present in truth or prediction."""
    t = np.asarray(truth)
    p = np.asarray(pred)
    scores = []
    for level in range(levels):
        tp = float(np.sum((t == level) & (p == level)))
        fp = float(np.sum((t != level) & (p == level)))
        fn = float(np.sum((t == level) & (p != level)))
        if tp + fp + fn == 0:
            continue
        scores.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else float("nan")


def spearman(truth: Sequence[float] | FloatArray, score: Sequence[float] | FloatArray) -> float:
    """Spearman rank correlation (ties averaged); nan when either side is constant."""
    from scipy.stats import spearmanr

    t = np.asarray(truth, dtype=np.float64)
    s = np.asarray(score, dtype=np.float64)
    if t.size < 2 or np.all(t == t[0]) or np.all(s == s[0]):
        return float("nan")
    return float(spearmanr(t, s).statistic)


def expected_calibration_error(
    truth: Sequence[int] | npt.NDArray[np.integer], probs: FloatArray, bins: int = 10
) -> float:
    """ECE of the top-level confidence: mean |accuracy - confidence| over equal-width bins."""
    probs = np.asarray(probs, dtype=np.float64)
    t = np.asarray(truth)
    if t.size == 0:
        return float("nan")
    levels = shown_level(probs)
    confidence = probs[np.arange(len(levels)), levels]
    correct = (levels == t).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        chosen = which == b
        if chosen.any():
            error += chosen.mean() * abs(correct[chosen].mean() - confidence[chosen].mean())
    return float(error)


@dataclass(frozen=True, slots=True)
class DimensionScores:
    """The four headline figures for one dimension and one system."""

    n: int
    qwk: float
    macro_f1: float
    spearman: float
    ece: float

    def as_dict(self) -> dict[str, float]:
        """JSON-friendly form (rounded)."""
        return {
            "n": self.n,
            "qwk": round(self.qwk, 4),
            "macro_f1": round(self.macro_f1, 4),
            "spearman": round(self.spearman, 4),
            "ece": round(self.ece, 4),
        }


def score_dimension(truth: Sequence[int], probs: FloatArray) -> DimensionScores:
    """Metrics from level probabilities: level as shown (``shown_level``), score = expected
    level."""
    probs = np.asarray(probs, dtype=np.float64)
    levels = shown_level(probs)
    expected = probs @ np.arange(probs.shape[1], dtype=np.float64)
    return DimensionScores(
        n=len(truth),
        qwk=quadratic_weighted_kappa(truth, levels),
        macro_f1=macro_f1(truth, levels),
        spearman=spearman(truth, expected),
        ece=expected_calibration_error(truth, probs),
    )
