"""Fix first, measured: which rewrite of which weak passage would raise the ratings most.

1. Candidates: passages the model rates at or below ``weak_level`` on a dimension that
   applies to them, in a rated section, ranked by the most they could add to the report's
   score on that dimension (room to the top level times their share of the report's
   weight); the first ``candidates`` are tried.
2. Every rewrite of every candidate (``service.improve.rewrite``) is scored by the model in
   one batched call.
3. Each rewrite's passage probabilities (and its word count, which is its weight) replace
   the passage's in the section and report ratings, recomputed exactly as aggregation
   computes them (``service.aggregate.rate``) on every dimension.
4. A rewrite's value is the report's gain on its dimension, less any loss it causes on
   another dimension. Each candidate keeps its best rewrite; those that raise their
   passage by at least ``min_passage_gain`` and the report at all are ranked by value, one
   per passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.aggregate import rate
from service.aggregate.combine import passage_weights, text_weights
from service.aggregate.policy import kind_weight
from service.improve.rewrite import Rewrite
from service.improve.settings import ImproveSettings
from service.ingest.document import Document
from service.model.dimensions import DIMENSIONS, shown_level
from service.model.predictor import Predictor
from service.model.runtime import expected_scores
from service.passages.build import Passage
from service.schemas import Rating


@dataclass(frozen=True, slots=True)
class Measured:
    """A rewrite of one passage on one dimension, with its measured effect."""

    passage: int
    dimension: int
    rewrite: Rewrite
    passage_before: float
    passage_after: float
    section_before: Rating
    section_after: Rating
    report_before: Rating
    report_after: Rating
    gain: float  # report score change on ``dimension``
    value: float  # gain less any loss on the other dimensions (the ranking key)


@dataclass(frozen=True, slots=True)
class Basis:
    """The ratings' inputs that a rewrite changes: probabilities and weights."""

    document: Document
    passages: Sequence[Passage]
    probs: npt.NDArray[np.float64]  # (passages, dimensions, levels)
    applies: npt.NDArray[np.bool_]  # (passages, dimensions)
    spreads: Sequence[float]
    review_below: float

    def report_factors(self) -> npt.NDArray[np.float64]:
        """Each passage's section-kind report weight per dimension (0 where not applied)."""
        factors = np.zeros(self.applies.shape, dtype=np.float64)
        for i, passage in enumerate(self.passages):
            kind = self.document.sections[passage.section].kind
            for d in range(len(DIMENSIONS)):
                if self.applies[i, d]:
                    factors[i, d] = kind_weight(kind, d) or 0.0
        return factors


def _ratings(
    basis: Basis,
    probs: npt.NDArray[np.float64],
    words: npt.NDArray[np.float64],
    factors: npt.NDArray[np.float64],
    in_section: npt.NDArray[np.bool_],
    dimension: int,
) -> tuple[Rating | None, Rating | None]:
    """The section's (``in_section``: its passages) and the report's rating on
    ``dimension`` from these inputs."""
    d = dimension
    in_section = in_section & basis.applies[:, d]
    section_rating = (
        rate(probs[in_section, d], words[in_section], basis.spreads[d], basis.review_below)
        if in_section.any()
        else None
    )
    report_weights = words * factors[:, d]
    counted = basis.applies[:, d] & (report_weights > 0)
    report_rating = (
        rate(probs[counted, d], report_weights[counted], basis.spreads[d], basis.review_below)
        if counted.any()
        else None
    )
    return section_rating, report_rating


def candidates(
    basis: Basis, rated: npt.NDArray[np.bool_], settings: ImproveSettings
) -> list[tuple[int, int]]:
    """(passage, dimension) pairs worth rewriting, most room to raise the report first.

    ``rated``: (sections, dimensions), whether the section has that rating.
    """
    scores = expected_scores(basis.probs)
    levels = shown_level(basis.probs)
    weights = passage_weights(basis.passages)[:, None] * basis.report_factors()
    totals = weights.sum(axis=0)
    room: list[tuple[float, int, int]] = []
    for i, passage in enumerate(basis.passages):
        for d in range(len(DIMENSIONS)):
            if not (basis.applies[i, d] and rated[passage.section, d]) or totals[d] <= 0:
                continue
            if levels[i, d] > settings.weak_level:
                continue
            room.append(((3.0 - scores[i, d]) * weights[i, d] / totals[d], i, d))
    room.sort(key=lambda r: (-r[0], r[1], r[2]))
    return [(i, d) for _, i, d in room[: settings.candidates]]


def _report_scores(
    scores: npt.NDArray[np.float64], report_weights: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The report's score per dimension: the weighted mean of its passages' expected levels
    (what ``rate`` gives as ``score``), NaN where no passage counts."""
    totals = report_weights.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((scores * report_weights).sum(axis=0) / totals, dtype=np.float64)


def measure(
    basis: Basis,
    tried: Sequence[tuple[int, int, Sequence[Rewrite]]],
    model: Predictor,
) -> list[Measured]:
    """The best rewrite of each tried (passage, dimension, rewrites), with its effect.

    The section and report ratings on the rewrite's own dimension are recomputed in full
    (level, score, confidence); the other dimensions' report scores, which only weigh the
    side effects, by their weighted mean alone."""
    texts = [r.text for _, _, rewrites in tried for r in rewrites]
    if not texts:
        return []
    rescored = model.predict(texts)
    words = passage_weights(basis.passages)
    factors = basis.report_factors()
    section_of = np.array([p.section for p in basis.passages])
    before_scores = expected_scores(basis.probs)
    before_report = _report_scores(before_scores, words[:, None] * factors)
    results: list[Measured] = []
    cursor = 0
    for i, d, rewrites in tried:
        in_section = section_of == basis.passages[i].section
        section_before, report_before = _ratings(basis, basis.probs, words, factors, in_section, d)
        best: Measured | None = None
        for rewrite in rewrites:
            probs = basis.probs.copy()
            probs[i] = rescored[cursor]
            cursor += 1
            new_words = words.copy()
            new_words[i] = text_weights([rewrite.text])[0]
            section_after, report_after = _ratings(basis, probs, new_words, factors, in_section, d)
            if None in (section_before, report_before, section_after, report_after):
                continue
            assert section_before and report_before and section_after and report_after
            new_scores = before_scores.copy()
            new_scores[i] = expected_scores(probs[i])
            moved = _report_scores(new_scores, new_words[:, None] * factors) - before_report
            others = [k for k in range(len(DIMENSIONS)) if k != d and np.isfinite(moved[k])]
            gain = report_after.score - report_before.score
            candidate = Measured(
                passage=i,
                dimension=d,
                rewrite=rewrite,
                passage_before=float(before_scores[i, d]),
                passage_after=float(new_scores[i, d]),
                section_before=section_before,
                section_after=section_after,
                report_before=report_before,
                report_after=report_after,
                gain=gain,
                value=gain + float(sum(min(0.0, moved[k]) for k in others)),
            )
            if best is None or candidate.value > best.value:
                best = candidate
        if best is not None:
            results.append(best)
    return results


def rank(measured: Sequence[Measured], settings: ImproveSettings) -> list[Measured]:
    """The changes worth showing, most valuable first, at most one per passage."""
    worth = [
        m
        for m in measured
        if m.passage_after - m.passage_before >= settings.min_passage_gain and m.gain > 0
    ]
    worth.sort(key=lambda m: (-m.value, m.passage, m.dimension))
    chosen: list[Measured] = []
    seen: set[int] = set()
    for m in worth:
        if m.passage in seen:
            continue
        seen.add(m.passage)
        chosen.append(m)
    return chosen[: settings.fix_first_items]
