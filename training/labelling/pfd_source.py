"""Reading the coroners' Prevention of Future Deaths (PFD) reports and cutting their passages.

The report text stays in ``../shared/data/pfd``; the project keeps only references to it
(file, record id, field, character offsets) and labels. Every tool here cuts passages with
the shared :func:`service.passages.build.passage_spans`, so the spans match what the service
would score.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from service.ingest.sentences import trim_span
from service.passages.build import passage_spans
from service.settings import REPO_ROOT
from training.config import shared_data_dir

DATA_DIR = shared_data_dir() / "pfd"
FILES = ("road_traffic.csv", "suicide_sig_reports.csv")
FIELDS = ("investigation", "circumstances", "concerns")
LABELS_PATH = REPO_ROOT / "training" / "data" / "pfd" / "labels.jsonl"
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True, slots=True)
class Span:
    """One passage of one field of one report."""

    file: str
    record_id: str
    field: str
    n: int  # passage index within the field, in order
    start: int
    end: int


def load_reports(file: str, data_dir: Path = DATA_DIR) -> dict[str, dict[str, str]]:
    """Rows of one CSV keyed by ``id``; ids that occur twice in the same file are left out.

    A repeated id inside one file names different deaths with different text (one inquest
    per person after a shared collision), so a bare id would not say which row a label means.
    """
    if file not in FILES:
        raise ValueError(f"unknown PFD file {file!r}; expected one of {FILES}")
    csv.field_size_limit(sys.maxsize)
    with (data_dir / file).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    counts = Counter(row["id"] for row in rows)
    return {row["id"]: row for row in rows if counts[row["id"]] == 1}


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: the non-empty lines of a field (blank lines and newlines split)."""
    spans = []
    for match in _PARAGRAPH.finditer(text):
        span = trim_span(text, match.start(), match.end())
        if span is not None:
            spans.append(span)
    return spans


def field_spans(file: str, record_id: str, field: str, text: str) -> list[Span]:
    """Every passage of one field, numbered in order, cut by the shared passage function."""
    if field not in FIELDS:
        raise ValueError(f"unknown PFD field {field!r}; expected one of {FIELDS}")
    out: list[Span] = []
    for p_start, p_end in paragraphs(text):
        for start, end in passage_spans(text, p_start, p_end):
            out.append(Span(file, record_id, field, len(out), start, end))
    return out


def report_id(record_id: str) -> str:
    """The report identifier used for splits.

    The same id in both CSVs is the same inquest with the same text (checked by
    ``check_pfd``), so it maps to one report and can never land in two splits.
    """
    return f"pfd:{record_id}"


def passage_id(span: Span) -> str:
    """Stable passage identifier: ``pfd-<record id>-<field>-<n>``."""
    return f"pfd-{span.record_id}-{span.field}-{span.n}"
