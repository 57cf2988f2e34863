"""The four rubric dimensions and the ordinal level scheme, shared by training and serving."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

DIMENSIONS: tuple[str, ...] = ("clarity", "root_cause", "child_focus", "recommendations")
LEVELS: int = 4
LEVEL_LABELS: tuple[str, ...] = ("inadequate", "requires improvement", "good", "strong")
# A rating whose confidence (the probability its level is right) is below this is flagged
# ``needs_review`` (docs/aggregation.md); the service's default of
# ``ServiceSettings.needs_review_below``.
REVIEW_BELOW: float = 0.6
# How each dimension is named to people (reports, web page).
DIMENSION_TITLES: dict[str, str] = {
    "clarity": "Clarity",
    "root_cause": "Root-cause depth",
    "child_focus": "Child focus",
    "recommendations": "Recommendations",
}


def cumulative_logits_to_probs(
    logits: npt.NDArray[np.floating], temperatures: npt.NDArray[np.floating] | None = None
) -> npt.NDArray[np.float64]:
    """Turn ordinal (CORAL-style) cumulative logits into level probabilities.

    ``logits`` has shape ``(batch, len(DIMENSIONS), LEVELS - 1)``; ``logits[..., k]`` is the
    logit of ``P(level > k)``. ``temperatures`` (one per dimension) divides the logits first,
    which is how calibration is applied. Returns shape ``(batch, len(DIMENSIONS), LEVELS)``.
    """
    z = np.asarray(logits, dtype=np.float64)
    if temperatures is not None:
        z = z / np.asarray(temperatures, dtype=np.float64)[None, :, None]
    greater = 1.0 / (1.0 + np.exp(-z))
    # Enforce monotone P(>k) so every level probability is non-negative.
    greater = np.minimum.accumulate(greater, axis=-1)
    ones = np.ones((*greater.shape[:-1], 1))
    zeros = np.zeros_like(ones)
    upper = np.concatenate([ones, greater], axis=-1)
    lower = np.concatenate([greater, zeros], axis=-1)
    probs = np.clip(upper - lower, 0.0, 1.0)
    return probs / probs.sum(axis=-1, keepdims=True)


def shown_level(probs: npt.NDArray[np.floating]) -> npt.NDArray[np.int64]:
    """The level users see for each probability vector on the last axis: the most probable.

    The one definition of "level" for passages, sections and the report alike (service,
    evaluation, parity and highlights all call this): with calibrated probabilities the
    shown level's probability is its chance of being right, never below 1/LEVELS.
    """
    return np.asarray(np.argmax(np.asarray(probs), axis=-1), dtype=np.int64)
