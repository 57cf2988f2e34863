"""Which section of the after draft is which section of the before draft.

First by heading words with the outline number dropped ("5.2 Information sharing" and
"6.1 Information sharing" are the same section, renumbered), in order; then the rest by
similar headings (difflib ratio at least ``SIMILAR_HEADING``) of the same kind. Unmatched
sections were added or removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from service.ingest.document import Section
from service.ingest.headings import heading_words

SIMILAR_HEADING = 0.75
_WORD = re.compile(r"[a-z0-9]+")


def heading_key(heading: str | None) -> str:
    """A heading's words, lower case, without its outline number or punctuation."""
    return " ".join(_WORD.findall(heading_words(heading or "").lower()))


def match_sections(
    before: Sequence[Section], after: Sequence[Section]
) -> list[tuple[int | None, int | None]]:
    """(before index, after index) pairs, None for a side without the section, in the after
    draft's order with each removed section placed after its before-draft predecessor."""
    pairs: dict[int, int] = {}  # after -> before
    used: set[int] = set()
    keys_before = [heading_key(s.heading) for s in before]
    keys_after = [heading_key(s.heading) for s in after]
    for a, key in enumerate(keys_after):
        for b, other in enumerate(keys_before):
            if b not in used and other == key:
                pairs[a] = b
                used.add(b)
                break
    for a, key in enumerate(keys_after):
        if a in pairs or not key:
            continue
        scored = [
            (SequenceMatcher(None, key, keys_before[b]).ratio(), b)
            for b in range(len(before))
            if b not in used and before[b].kind == after[a].kind and keys_before[b]
        ]
        if scored:
            ratio, b = max(scored)
            if ratio >= SIMILAR_HEADING:
                pairs[a] = b
                used.add(b)
    order: list[tuple[int | None, int | None]] = []
    emitted: set[int] = set()

    def removed_up_to(limit: int) -> None:
        for b in range(limit):
            if b not in used and b not in emitted:
                order.append((b, None))
                emitted.add(b)

    for a in range(len(after)):
        if a in pairs:
            removed_up_to(pairs[a])
            order.append((pairs[a], a))
        else:
            order.append((None, a))
    removed_up_to(len(before))
    return order
