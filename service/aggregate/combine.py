"""Passage probabilities → section ratings → report ratings.

Method (also in ``docs/aggregation.md``):

1. Each passage has calibrated level probabilities ``P[p, d, :]`` from the model and a
   weight ``w_p`` = its number of words, so a one-line passage counts less than a full
   paragraph.
2. A passage *applies* to dimension ``d`` when its section kind is rated on ``d``
   (``service.aggregate.policy``) and, for recommendation quality, when the passage is
   recommendation text (``recommendation_mask``).
3. Section rating: the section's quality is the word-weighted mean of its applicable
   passages' levels; ``score`` is its expected value, and the distribution of its level band
   is propagated from the passage probabilities (``service.aggregate.confidence``). ``level``
   is the most probable level of that distribution and ``confidence`` its probability (never
   below 1/4); ``needs_review`` flags a confidence under ``review_below``.
   No applicable passage → ``null``.
4. Report rating: the same over every applicable passage of the report, each weighted by
   ``w_p`` times its section kind's report weight for the dimension (so analysis counts more
   than chronology for root-cause depth, and methodology does not count for child focus).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.aggregate.confidence import (
    DEFAULT_SPREAD,
    REVIEW_BELOW,
    level_and_confidence,
    level_distribution,
)
from service.aggregate.policy import RECOMMENDATIONS, kind_weight
from service.ingest.document import Document
from service.model.dimensions import DIMENSIONS, LEVELS
from service.passages.build import Passage
from service.schemas import Rating, Ratings

_LEVEL_VALUES = np.arange(LEVELS, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Aggregation:
    """Ratings of every section (by index) and of the report, and what they rest on."""

    sections: list[Ratings]
    report: Ratings
    applies: npt.NDArray[np.bool_]  # (passages, dimensions): passage counts for dimension
    section_scores: npt.NDArray[np.float64]  # (sections, dimensions); NaN where null


def rate(
    probs: npt.NDArray[np.floating],
    weights: npt.NDArray[np.floating],
    spread: float = DEFAULT_SPREAD,
    review_below: float = REVIEW_BELOW,
) -> Rating | None:
    """Rating from passage probability vectors ``(n, LEVELS)`` and their weights ``(n,)``."""
    weights = np.asarray(weights, dtype=np.float64)
    if len(weights) == 0 or float(weights.sum()) <= 0:
        return None
    probs = np.asarray(probs, dtype=np.float64)
    score = float((probs @ _LEVEL_VALUES) @ weights / weights.sum())
    level, confidence = level_and_confidence(level_distribution(probs, weights, spread))
    return Rating.of(level, score, confidence, needs_review=confidence < review_below)


def _ratings(values: Sequence[Rating | None]) -> Ratings:
    return Ratings(**dict(zip(DIMENSIONS, values, strict=True)))


def text_weights(texts: Sequence[str]) -> npt.NDArray[np.float64]:
    """Weight of each passage text: its number of words (at least one)."""
    return np.array([max(1, len(t.split())) for t in texts], dtype=np.float64)


def passage_weights(passages: Sequence[Passage]) -> npt.NDArray[np.float64]:
    """Weight of each passage: its number of words (at least one)."""
    return text_weights([p.text for p in passages])


def aggregate(
    document: Document,
    passages: Sequence[Passage],
    probs: npt.NDArray[np.floating],
    recommendation_mask: npt.NDArray[np.bool_],
    spreads: Sequence[float] | None = None,
    review_below: float = REVIEW_BELOW,
) -> Aggregation:
    """Section and report ratings from passage probabilities ``(n, dimensions, LEVELS)``.

    ``spreads``: the model's section spread per dimension (``Manifest.section_spread``)."""
    n_sections, n_dims = len(document.sections), len(DIMENSIONS)
    spreads = [DEFAULT_SPREAD] * n_dims if spreads is None else list(spreads)
    weights = passage_weights(passages)
    kinds = [document.sections[p.section].kind for p in passages]
    applies = np.zeros((len(passages), n_dims), dtype=bool)
    report_weights = np.zeros((len(passages), n_dims), dtype=np.float64)
    for i, kind in enumerate(kinds):
        for d in range(n_dims):
            factor = kind_weight(kind, d)
            if factor is None or (d == RECOMMENDATIONS and not recommendation_mask[i]):
                continue
            applies[i, d] = True
            report_weights[i, d] = weights[i] * factor

    section_of = np.array([p.section for p in passages], dtype=np.int64)
    sections: list[Ratings] = []
    section_scores = np.full((n_sections, n_dims), np.nan)
    for s in range(n_sections):
        in_section = section_of == s
        values: list[Rating | None] = []
        for d in range(n_dims):
            chosen = in_section & applies[:, d]
            rating = (
                rate(probs[chosen, d], weights[chosen], spreads[d], review_below)
                if chosen.any()
                else None
            )
            if rating is not None:
                section_scores[s, d] = rating.score
            values.append(rating)
        sections.append(_ratings(values))

    report: list[Rating | None] = []
    for d in range(n_dims):
        chosen = applies[:, d] & (report_weights[:, d] > 0)
        report.append(
            rate(probs[chosen, d], report_weights[chosen, d], spreads[d], review_below)
            if chosen.any()
            else None
        )
    return Aggregation(sections, _ratings(report), applies, section_scores)
