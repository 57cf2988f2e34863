"""What the model attends to: the change in a passage's score when one sentence is left out.

Only a few passages are probed (the weakest and strongest of each section and dimension,
at most ``max_passages`` per document, most decisive first), and every variant of every
probed passage goes through the model in one batched call, so highlights stay cheap next
to scoring the whole report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.ingest.document import Document
from service.model.predictor import Predictor
from service.model.runtime import expected_scores
from service.passages.build import Passage

# A pick is decisive when the passage's expected level is far from the middle of the scale.
_MIDDLE = 1.5
WEAK_BELOW = 1.5  # a passage is a weakness candidate when its expected level is below this
STRONG_FROM = 1.5  # and a strength candidate from this up


@dataclass(frozen=True, slots=True)
class Pick:
    """The model's weakest or strongest passage of one section for one dimension."""

    section: int
    dimension: int
    polarity: str  # "weakness" | "strength"
    passage: int  # index into the passage list
    score: float  # the passage's expected level for the dimension
    level: int  # the passage's shown level (``shown_level``) for the dimension


@dataclass(frozen=True, slots=True)
class SentenceEffect:
    """Effect of one sentence on its passage: ``delta = score with it - score without it``."""

    start: int
    end: int
    full: npt.NDArray[np.float64]  # expected levels (per dimension) of the whole passage
    without: npt.NDArray[np.float64]  # and without the sentence
    delta: npt.NDArray[np.float64]


def model_picks(
    passages: Sequence[Passage],
    scores: npt.NDArray[np.float64],
    levels: npt.NDArray[np.int64],
    applies: npt.NDArray[np.bool_],
) -> list[Pick]:
    """Per section and dimension: the lowest-scoring passage if weak, the highest if strong.

    ``scores`` (expected levels) rank passages; ``levels`` are the levels users see."""
    picks: list[Pick] = []
    by_section: dict[int, list[int]] = {}
    for index, passage in enumerate(passages):
        by_section.setdefault(passage.section, []).append(index)
    for section, members in sorted(by_section.items()):
        for dimension in range(scores.shape[1]):
            rated = [i for i in members if applies[i, dimension]]
            if not rated:
                continue
            weakest = min(rated, key=lambda i: scores[i, dimension])
            strongest = max(rated, key=lambda i: scores[i, dimension])
            if scores[weakest, dimension] < WEAK_BELOW:
                picks.append(
                    Pick(
                        section,
                        dimension,
                        "weakness",
                        weakest,
                        float(scores[weakest, dimension]),
                        int(levels[weakest, dimension]),
                    )
                )
            if strongest != weakest and scores[strongest, dimension] >= STRONG_FROM:
                picks.append(
                    Pick(
                        section,
                        dimension,
                        "strength",
                        strongest,
                        float(scores[strongest, dimension]),
                        int(levels[strongest, dimension]),
                    )
                )
    return picks


def leave_one_out(
    model: Predictor,
    document: Document,
    passages: Sequence[Passage],
    picks: Sequence[Pick],
    max_passages: int,
) -> dict[int, list[SentenceEffect]]:
    """Sentence effects for the most decisive picked passages (at most ``max_passages``)."""
    ranked = sorted(picks, key=lambda p: -abs(p.score - _MIDDLE))
    chosen: list[int] = []
    for pick in ranked:
        if len(chosen) >= max_passages:
            break
        if pick.passage not in chosen:
            chosen.append(pick.passage)
    text = document.text
    variants: list[str] = []
    owners: list[tuple[int, int, int]] = []  # (passage, sentence start, sentence end)
    # Sentences are sorted, so a passage's sentences are a contiguous run: find it by bisection.
    starts = np.array([s.start for s in document.sentences], dtype=np.int64)
    for index in chosen:
        passage = passages[index]
        lo = int(np.searchsorted(starts, passage.start, side="left"))
        spans = []
        for sentence in document.sentences[lo:]:
            if sentence.start >= passage.end:
                break
            if sentence.end <= passage.end:
                spans.append((sentence.start, sentence.end))
        if len(spans) < 2:
            continue  # a one-sentence passage: the passage itself is the sentence
        # The whole passage is scored again in the same call, next to its variants (similar
        # length, so likely the same batch): deltas then compare like with like.
        variants.append(passage.text)
        owners.append((index, -1, -1))
        for start, end in spans:
            variants.append(text[passage.start : start] + " " + text[end : passage.end])
            owners.append((index, start, end))
    effects: dict[int, list[SentenceEffect]] = {}
    if not variants:
        return effects
    rescored = expected_scores(model.predict(variants))
    full: dict[int, npt.NDArray[np.float64]] = {}
    for (index, start, end), row in zip(owners, rescored, strict=True):
        if start == -1:
            full[index] = row
            continue
        effects.setdefault(index, []).append(
            SentenceEffect(start, end, full[index], row, full[index] - row)
        )
    return effects
