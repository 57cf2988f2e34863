"""Which passage, and which recommendation, a span of the document belongs to."""

from __future__ import annotations

from collections.abc import Sequence

from service.passages.build import Passage
from service.recommendations.extract import RecommendationItem


def passage_of(passages: Sequence[Passage], start: int, end: int) -> int | None:
    """Index of the passage overlapping ``[start, end)`` most (None when none does)."""
    best, overlap = None, 0
    for index, passage in enumerate(passages):
        if passage.start >= end:
            break
        shared = min(end, passage.end) - max(start, passage.start)
        if shared > overlap:
            best, overlap = index, shared
    return best


def item_of(items: Sequence[RecommendationItem], start: int, end: int) -> RecommendationItem | None:
    """The recommendation overlapping ``[start, end)`` most (None when none does)."""
    best, overlap = None, 0
    for item in items:
        shared = min(end, item.end) - max(start, item.start)
        if shared > overlap:
            best, overlap = item, shared
    return best
