"""Which weaknesses of the before draft were resolved, which of the after draft are new, and
which persist.

A weakness is a weakness highlight. Two highlights of the same dimension are the same
weakness when either's word pairs are at least ``SAME`` contained in the other's, or, in
sections matched between the drafts, at least ``RELATED`` (a passage reworded but still weak).
A highlight left without a partner is checked against the other draft's passage that holds
most of its words, because a draft shows only a few highlights per section:

- the same words there (``UNCHANGED`` of them): the weakness persists, unshown;
- some of them (at least ``RELATED``): the model scores that passage on the dimension; still
  below ``WEAK_BELOW``, the weakness persists, else it was resolved by rewriting (before) or
  is a new weakness in rewritten text (after);
- hardly any: the words are no longer there (resolved) or are new text (new).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from service.compare.schemas import DraftName, How, WeaknessChange
from service.explain.leave_one_out import WEAK_BELOW
from service.ingest.document import Document
from service.model.dimensions import DIMENSIONS
from service.model.predictor import Predictor
from service.model.runtime import expected_scores
from service.passages.build import Passage
from service.schemas import Highlight, ScoreResponse

SAME = 0.5
RELATED = 0.2
UNCHANGED = 0.9
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Side:
    """One draft as the comparison sees it."""

    name: DraftName
    document: Document
    result: ScoreResponse
    passages: Sequence[Passage]

    def weaknesses(self) -> list[tuple[int, Highlight]]:
        """(section index, highlight) of every weakness highlight, in document order."""
        return [
            (section.index, h)
            for section in self.result.sections
            for h in section.highlights
            if h.polarity == "weakness"
        ]


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """The text's word pairs (its single word when it has one), lower case."""
    words = _WORD.findall(text.lower())
    if len(words) < 2:
        return frozenset((w,) for w in words)
    return frozenset(pairwise(words))


def contained(part: frozenset[tuple[str, ...]], whole: frozenset[tuple[str, ...]]) -> float:
    """Share of ``part``'s word pairs found in ``whole``."""
    return len(part & whole) / len(part) if part else 0.0


def _change(
    side: Side, section: int, highlight: Highlight, how: How, reason: str | None = None
) -> WeaknessChange:
    heading = side.document.sections[section].heading
    return WeaknessChange(
        draft=side.name,
        dimension=highlight.dimension,
        section=section,
        heading=heading[:999] + "…" if heading and len(heading) > 1000 else heading,
        start=highlight.start,
        end=highlight.end,
        text=highlight.text,
        reason=(reason or highlight.reason)[:400],
        page=highlight.page,
        how=how,
    )


def classify(
    before: Side,
    after: Side,
    section_pairs: Sequence[tuple[int | None, int | None]],
    model: Predictor,
) -> tuple[list[WeaknessChange], list[WeaknessChange], list[WeaknessChange]]:
    """(resolved, new, persisting) weaknesses; see the module docstring."""
    matched_sections = {(b, a) for b, a in section_pairs if b is not None and a is not None}
    old = before.weaknesses()
    new = after.weaknesses()
    old_sh = [shingles(h.text) for _, h in old]
    new_sh = [shingles(h.text) for _, h in new]
    partner: dict[int, int] = {}  # old index -> new index
    taken: set[int] = set()
    for threshold, same_section in ((SAME, False), (RELATED, True)):
        for i, (section_b, h_b) in enumerate(old):
            if i in partner:
                continue
            best, best_sim = None, threshold
            for j, (section_a, h_a) in enumerate(new):
                if j in taken or h_a.dimension != h_b.dimension:
                    continue
                if same_section and (section_b, section_a) not in matched_sections:
                    continue
                sim = max(contained(old_sh[i], new_sh[j]), contained(new_sh[j], old_sh[i]))
                if sim >= best_sim:
                    best, best_sim = j, sim
            if best is not None:
                partner[i] = best
                taken.add(best)

    before_passages = [shingles(p.text) for p in before.passages]
    after_passages = [shingles(p.text) for p in after.passages]

    def locate(
        words: frozenset[tuple[str, ...]], passages: list[frozenset[tuple[str, ...]]]
    ) -> tuple[int | None, float]:
        scores = [contained(words, p) for p in passages]
        if not scores:
            return None, 0.0
        index = int(np.argmax(scores))
        return index, scores[index]

    lonely_old = [
        (i, *locate(old_sh[i], after_passages)) for i in range(len(old)) if i not in partner
    ]
    lonely_new = [
        (j, *locate(new_sh[j], before_passages)) for j in range(len(new)) if j not in taken
    ]
    # Score the passages the lonely weaknesses were found in, in one batch.
    wanted = [("after", p) for _, p, s in lonely_old if p is not None and RELATED <= s < UNCHANGED]
    wanted += [
        ("before", p) for _, p, s in lonely_new if p is not None and RELATED <= s < UNCHANGED
    ]
    texts = [(after if side == "after" else before).passages[p].text for side, p in wanted]
    scores = expected_scores(model.predict(texts)) if texts else np.zeros((0, len(DIMENSIONS)))
    weak = {key: scores[k] for k, key in enumerate(wanted)}

    def persists(side: str, passage: int | None, share: float, dimension: str) -> bool:
        """The weakness is still in ``side``'s passage: same words, or related words the
        model still rates weak."""
        if passage is None or share < RELATED:
            return False
        return share >= UNCHANGED or bool(
            weak[(side, passage)][DIMENSIONS.index(dimension)] < WEAK_BELOW
        )

    resolved: list[WeaknessChange] = []
    added: list[WeaknessChange] = []
    persisting = [_change(after, *new[j], "still there") for j in sorted(taken)]
    for i, passage, share in lonely_old:
        section, highlight = old[i]
        if persists("after", passage, share, highlight.dimension):
            assert passage is not None
            persisting.append(_hidden(after, passage, highlight))
        else:
            how: How = "rewritten" if share >= RELATED else "no longer there"
            resolved.append(_change(before, section, highlight, how))
    for j, passage, share in lonely_new:
        section, highlight = new[j]
        if persists("before", passage, share, highlight.dimension):
            persisting.append(_change(after, section, highlight, "still there"))
        else:
            added.append(
                _change(after, section, highlight, "rewritten" if share >= RELATED else "new text")
            )
    order = {d: k for k, d in enumerate(DIMENSIONS)}
    for changes in (resolved, added, persisting):
        changes.sort(key=lambda c: (c.start, order[c.dimension]))
    return resolved, added, _unique(persisting)


def _hidden(side: Side, passage: int, highlight: Highlight) -> WeaknessChange:
    """A weakness the draft still has but does not show: the passage that holds it."""
    found = side.passages[passage]
    return _change(
        side,
        found.section,
        highlight.model_copy(
            update={
                "start": found.start,
                "end": found.end,
                "text": found.text,
                "page": side.document.page_at(found.start),
            }
        ),
        "still there",
    )


def _unique(changes: list[WeaknessChange]) -> list[WeaknessChange]:
    """Changes without repeats of the same dimension on the same span."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for change in changes:
        key = (change.dimension, change.start, change.end)
        if key not in seen:
            seen.add(key)
            out.append(change)
    return out
