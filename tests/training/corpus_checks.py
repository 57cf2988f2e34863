"""Corpus statistics shared by the corpus tests (near-duplicates, single-token giveaways)."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from training.corpus import Record

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return _WORD.findall(text.lower())


def shingles(text: str, k: int = 5) -> set[tuple[str, ...]]:
    """Word k-shingles of a text."""
    w = words(text)
    return {tuple(w[i : i + k]) for i in range(max(len(w) - k + 1, 1))}


def near_duplicate_pairs(
    records: list[Record], threshold: float = 0.5, k: int = 5
) -> list[tuple[str, str, float]]:
    """Pairs whose word 5-shingle Jaccard similarity is at least ``threshold``.

    Only pairs sharing a shingle can reach the threshold, so candidates come from an
    inverted index rather than all n² pairs.
    """
    sets = [shingles(r.text, k) for r in records]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for g in s:
            index[g].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for ids in index.values():
        for a, b in itertools.combinations(ids, 2):
            shared[(a, b)] += 1
    pairs = []
    for (a, b), n in shared.items():
        jaccard = n / len(sets[a] | sets[b])
        if jaccard >= threshold:
            pairs.append((records[a].id, records[b].id, jaccard))
    return pairs


@dataclass(frozen=True)
class Giveaway:
    """A token read as a one-word classifier for one level of one dimension."""

    dimension: str
    token: str
    level: int
    support: int  # labelled passages containing the token
    precision: float  # share of those at ``level``
    recall: float  # share of ``level`` passages containing the token


def token_giveaways(records: list[Record], dimension: str, min_support: int) -> list[Giveaway]:
    """Every token with ``min_support`` passages, as a classifier for its commonest level."""
    labelled = [
        (r.labels[dimension], set(words(r.text)))
        for r in records
        if r.labels[dimension] is not None
    ]
    per_level = Counter(level for level, _ in labelled)
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    for level, tokens in labelled:
        for token in tokens:
            counts[token][level] += 1
    out = []
    for token, by_level in counts.items():
        support = sum(by_level.values())
        if support < min_support:
            continue
        level, hits = by_level.most_common(1)[0]
        out.append(
            Giveaway(
                dimension, token, int(level or 0), support, hits / support, hits / per_level[level]
            )
        )
    return sorted(out, key=lambda g: (g.precision, g.recall), reverse=True)
