"""Passage probabilities → section ratings → report ratings.

Method (also in ``docs/aggregation.md``):

1. Each passage has calibrated level probabilities ``P[p, d, :]`` from the model and a
   weight ``w_p`` = its number of words, so a one-line passage counts less than a full
   paragraph.
2. A passage *applies* to dimension ``d`` when its section kind has a weight for ``d``
   (``service.aggregate.weights``) and, for recommendation quality, when the passage is
   recommendation text (``recommendation_mask``).
3. Section rating: the word-weighted mean of the applicable passages' probability vectors,
   a distribution over levels for "a word of this section". ``score`` is its mean level,
   ``level`` the level nearest the score (so the two never disagree; for the unimodal
   distributions a calibrated ordinal model gives this is also the most probable level),
   ``confidence`` the probability of that level
   shrunk towards chance (1/4) when the evidence is thin: with ``n`` the effective number
   of passages ``(Σw)² / Σw²``, ``confidence = 1/4 + (mass - 1/4) · n / (n + 1/2)``.
   No applicable passage → ``null``.
4. Report rating: the same over every applicable passage of the report, each weighted by
   ``w_p`` times its section kind's weight for the dimension (so analysis counts more than
   chronology for root-cause depth, and methodology does not count for child focus).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.aggregate.weights import RECOMMENDATIONS, kind_weight
from service.ingest.document import Document
from service.model.dimensions import DIMENSIONS, LEVELS
from service.passages.build import Passage
from service.schemas import Rating, Ratings

_PRIOR_PASSAGES = 0.5  # strength of the shrinkage towards chance, in passages
_LEVEL_VALUES = np.arange(LEVELS, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Aggregation:
    """Ratings of every section (by index) and of the report, and what they rest on."""

    sections: list[Ratings]
    report: Ratings
    applies: npt.NDArray[np.bool_]  # (passages, dimensions): passage counts for dimension
    section_scores: npt.NDArray[np.float64]  # (sections, dimensions); NaN where null


def rate(probs: npt.NDArray[np.floating], weights: npt.NDArray[np.floating]) -> Rating | None:
    """Rating from passage probability vectors ``(n, LEVELS)`` and their weights ``(n,)``."""
    weights = np.asarray(weights, dtype=np.float64)
    total = float(weights.sum())
    if len(weights) == 0 or total <= 0:
        return None
    mixture = (np.asarray(probs, dtype=np.float64) * weights[:, None]).sum(axis=0) / total
    mixture = mixture / mixture.sum()
    score = float(mixture @ _LEVEL_VALUES)
    level = min(int(np.floor(score + 0.5)), LEVELS - 1)
    effective = total**2 / float((weights**2).sum())
    chance = 1.0 / LEVELS
    shrink = effective / (effective + _PRIOR_PASSAGES)
    confidence = chance + (float(mixture[level]) - chance) * shrink
    return Rating.of(level, score, confidence)


def _ratings(values: Sequence[Rating | None]) -> Ratings:
    return Ratings(**dict(zip(DIMENSIONS, values, strict=True)))


def passage_weights(passages: Sequence[Passage]) -> npt.NDArray[np.float64]:
    """Weight of each passage: its number of words (at least one)."""
    return np.array([max(1, len(p.text.split())) for p in passages], dtype=np.float64)


def aggregate(
    document: Document,
    passages: Sequence[Passage],
    probs: npt.NDArray[np.floating],
    recommendation_mask: npt.NDArray[np.bool_],
) -> Aggregation:
    """Section and report ratings from passage probabilities ``(n, dimensions, LEVELS)``."""
    n_sections, n_dims = len(document.sections), len(DIMENSIONS)
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
            rating = rate(probs[chosen, d], weights[chosen]) if chosen.any() else None
            if rating is not None:
                section_scores[s, d] = rating.score
            values.append(rating)
        sections.append(_ratings(values))

    report: list[Rating | None] = []
    for d in range(n_dims):
        chosen = applies[:, d] & (report_weights[:, d] > 0)
        report.append(rate(probs[chosen, d], report_weights[chosen, d]) if chosen.any() else None)
    return Aggregation(sections, _ratings(report), applies, section_scores)
