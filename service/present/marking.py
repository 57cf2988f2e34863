"""Cut a section's text into plain runs and highlighted runs, for the human-readable reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Run:
    text: str
    labels: list[str] = field(default_factory=list)  # e.g. ["H1", "H3"]; empty for plain text
    polarity: str | None = None  # "weakness" wins over "strength" where both apply


def label_highlights(highlights: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Give each highlight of a section a short label (H1, H2, ...) in document order."""
    ordered = sorted(highlights, key=lambda h: (h["start"], h["end"]))
    return [(f"H{i}", h) for i, h in enumerate(ordered, 1)]


def mark_runs(
    text: str, start: int, end: int, labelled: list[tuple[str, dict[str, Any]]]
) -> list[Run]:
    """Runs covering ``text[start:end]``; overlapping highlights merge into one marked run."""
    clusters: list[tuple[int, int, list[str], str]] = []
    for label, h in sorted(labelled, key=lambda item: (item[1]["start"], item[1]["end"])):
        h_start, h_end = max(h["start"], start), min(h["end"], end)
        if h_start >= h_end:
            continue
        if clusters and h_start < clusters[-1][1]:
            c_start, c_end, labels, polarity = clusters[-1]
            polarity = "weakness" if "weakness" in (polarity, h["polarity"]) else polarity
            clusters[-1] = (c_start, max(c_end, h_end), [*labels, label], polarity)
        else:
            clusters.append((h_start, h_end, [label], h["polarity"]))
    runs: list[Run] = []
    cursor = start
    for c_start, c_end, labels, polarity in clusters:
        if c_start > cursor:
            runs.append(Run(text[cursor:c_start]))
        runs.append(Run(text[c_start:c_end], labels, polarity))
        cursor = c_end
    if cursor < end:
        runs.append(Run(text[cursor:end]))
    return runs
