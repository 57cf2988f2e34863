"""Highlights: for each section and dimension, what most lowers and most raises the rating.

Two sources, combined:

1. The model: the section's weakest passage for a dimension (expected level below 1.5) and
   its strongest (from 1.5 up). Where the passage was probed sentence by sentence
   (``leave_one_out``), the highlight narrows to the sentence whose removal moves the
   passage's score most in the highlight's direction, when that move is at least
   ``MIN_EFFECT`` of a level.
2. Checkable signals (``signals``): undefined acronyms, blame without explanation, the
   child not mentioned, a recommendation with no addressee, and their strengths. A signal
   is shown only where the model does not contradict it: a weakness only in a passage the
   model rates below "strong" on that dimension, a strength only above "inadequate".

A model highlight takes its reason from the strongest agreeing signal inside it, or else
from the rubric's anchor for the passage's level. At most ``PER_KIND`` highlights per
section, dimension and polarity; overlapping ones of the same kind are merged (the first
ranked wins), and so are overlapping ones of the same dimension with opposite polarity:
no words are both praised and criticised on one dimension. Every highlight satisfies ``document.text[start:end] == text``.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from service.explain.leave_one_out import Pick, SentenceEffect
from service.explain.signals import Finding
from service.ingest.document import Document
from service.model.dimensions import DIMENSIONS
from service.passages.build import Passage
from service.schemas import Dimension, Highlight, Polarity

PER_KIND = 2
MIN_EFFECT = 0.1
SIGNAL_WEAKNESS_BELOW = 3  # a weakness signal shows where the passage's level is below 3
SIGNAL_STRENGTH_FROM = 1  # a strength signal shows where the passage's level is above 0

# The rubric's anchors, as advice: (dimension, level) -> reason.
_ANCHORS: dict[tuple[int, int], str] = {
    (0, 0): "hard to follow: dense shorthand, long sentences or detail that buries the point",
    (0, 1): "understandable with effort: shorten the sentences and expand jargon and acronyms",
    (0, 2): "plain English: acronyms expanded and detail mostly relevant",
    (0, 3): "plain, concise and purposeful: a lay reader follows it first time",
    (1, 0): "describes events but does not say why",
    (1, 1): "names a failing or missed opportunity but not why it happened",
    (1, 2): "gives a reason for what happened",
    (1, 3): "explains the human and system conditions behind the decisions",
    (2, 0): "the child is absent: the passage is about adults and agencies only",
    (2, 1): "the child appears only as an object of process: say what it meant for the child",
    (2, 2): "considers the child's needs, development or daily life",
    (2, 3): "the child's lived experience and voice are at the centre",
    (3, 0): "vague exhortation with no owner: name who must do what",
    (3, 1): "lacks a named addressee or a concrete action",
    (3, 2): "addressed to a named organisation or role, with a concrete action",
    (3, 3): "addressed, specific and measurable, with a timescale",
}


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    dimension: int
    polarity: str
    reason: str
    rank: float


def _narrow(
    pick: Pick, effects: Sequence[SentenceEffect] | None, findings: Sequence[Finding]
) -> tuple[int, int, str] | None:
    """The sentence that drives ``pick`` and a note on its effect, if one stands out.

    A sentence a checkable signal contradicts (a blame sentence as a root-cause strength)
    is never chosen.
    """
    opposite = "strength" if pick.polarity == "weakness" else "weakness"
    effects = [
        e
        for e in effects or ()
        if _best_signal(findings, e.start, e.end, pick.dimension, opposite) is None
    ]
    if not effects:
        return None
    sign = -1.0 if pick.polarity == "weakness" else 1.0
    best = max(effects, key=lambda e: sign * float(e.delta[pick.dimension]))
    effect = sign * float(best.delta[pick.dimension])
    if effect < MIN_EFFECT:
        return None
    note = (
        f"without this sentence the passage would score {best.without[pick.dimension]:.1f} "
        f"instead of {best.full[pick.dimension]:.1f}"
    )
    return best.start, best.end, note


def _vetoed(pick: Pick, passage: Passage, findings: Sequence[Finding]) -> bool:
    """True when a checkable signal of the opposite polarity covers most of the passage:
    a recommendation with no addressee is not shown as a model strength."""
    opposite = "strength" if pick.polarity == "weakness" else "weakness"
    length = max(1, passage.end - passage.start)
    for f in findings:
        if f.dimension != pick.dimension or f.polarity != opposite:
            continue
        overlap = min(f.end, passage.end) - max(f.start, passage.start)
        if overlap * 2 >= length:
            return True
    return False


def _passage_at(passages: Sequence[Passage], starts: Sequence[int], offset: int) -> int | None:
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0 and passages[i].start <= offset < passages[i].end:
        return i
    return None


def _best_signal(
    findings: Sequence[Finding], start: int, end: int, dimension: int, polarity: str
) -> Finding | None:
    inside = [
        f
        for f in findings
        if f.dimension == dimension and f.polarity == polarity and f.start < end and f.end > start
    ]
    return max(inside, key=lambda f: f.weight) if inside else None


def select_highlights(
    document: Document,
    passages: Sequence[Passage],
    scores: npt.NDArray[np.float64],
    levels: npt.NDArray[np.int64],
    applies: npt.NDArray[np.bool_],
    rated: npt.NDArray[np.bool_],
    picks: Sequence[Pick],
    effects: dict[int, list[SentenceEffect]],
    findings: Sequence[Finding],
) -> list[list[Highlight]]:
    """Highlights of every section (by index), in document order.

    ``scores``: expected level per passage and dimension (for ranking); ``levels``: the
    shown level (``shown_level``), which gates signals; ``applies``: passage counts for
    the dimension; ``rated``: (sections, dimensions), the section has that rating.
    """
    n_sections = len(document.sections)
    starts = [p.start for p in passages]
    by_section: list[list[Finding]] = [[] for _ in range(n_sections)]
    for finding in findings:
        index = _passage_at(passages, starts, finding.start)
        section = passages[index].section if index is not None else None
        if section is None:
            continue
        by_section[section].append(finding)

    candidates: list[list[_Candidate]] = [[] for _ in range(n_sections)]
    for pick in picks:
        if not rated[pick.section, pick.dimension]:
            continue
        passage = passages[pick.passage]
        start, end, note = passage.start, passage.end, ""
        if _vetoed(pick, passage, by_section[pick.section]):
            continue
        narrowed = _narrow(pick, effects.get(pick.passage), by_section[pick.section])
        if narrowed is not None:
            start, end, note = narrowed
        signal = _best_signal(by_section[pick.section], start, end, pick.dimension, pick.polarity)
        reason = signal.reason if signal else _ANCHORS[(pick.dimension, pick.level)]
        if note:
            reason = f"{reason} ({note})"
        distance = abs(pick.score - 1.5)
        candidates[pick.section].append(
            _Candidate(start, end, pick.dimension, pick.polarity, reason, 2.0 + distance)
        )

    for section, section_findings in enumerate(by_section):
        for finding in section_findings:
            if not rated[section, finding.dimension]:
                continue
            index = _passage_at(passages, starts, finding.start)
            if index is None or not applies[index, finding.dimension]:
                continue
            score = float(scores[index, finding.dimension])
            level = int(levels[index, finding.dimension])
            if finding.polarity == "weakness" and level >= SIGNAL_WEAKNESS_BELOW:
                continue
            if finding.polarity == "strength" and level < SIGNAL_STRENGTH_FROM:
                continue
            # Rank a signal higher where the model agrees more strongly.
            agreement = (3.0 - score) if finding.polarity == "weakness" else score
            candidates[section].append(
                _Candidate(
                    finding.start,
                    finding.end,
                    finding.dimension,
                    finding.polarity,
                    finding.reason,
                    finding.weight * (0.5 + agreement / 3.0),
                )
            )

    text = document.text
    result: list[list[Highlight]] = []
    for section_candidates in candidates:
        kept: list[_Candidate] = []
        for candidate in sorted(section_candidates, key=lambda c: -c.rank):
            same = [
                k
                for k in kept
                if k.dimension == candidate.dimension and k.polarity == candidate.polarity
            ]
            if len(same) >= PER_KIND:
                continue
            # Never both praise and criticise the same words on the same dimension.
            clashing = [k for k in kept if k.dimension == candidate.dimension]
            if any(k.start < candidate.end and candidate.start < k.end for k in clashing):
                continue
            kept.append(candidate)
        kept.sort(key=lambda c: (c.start, c.dimension, c.polarity))
        result.append(
            [
                Highlight(
                    dimension=cast(Dimension, DIMENSIONS[c.dimension]),
                    polarity=cast(Polarity, c.polarity),
                    start=c.start,
                    end=c.end,
                    text=text[c.start : c.end],
                    reason=c.reason[:400],
                    page=document.page_at(c.start),
                )
                for c in kept
            ]
        )
    return result
