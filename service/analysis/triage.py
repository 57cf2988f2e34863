"""The triage queue: scored reports ranked by concern, most concerning first, as CSV or HTML.

The ranking is ``service.analysis.concern`` (documented in ``docs/triage.md``); ties are
broken by path so the order is stable. Inputs that could not be scored are listed after the
ranked reports with their error code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.analysis.concern import Concern, report_concern
from service.analysis.errors import AnalysisError
from service.analysis.files import write_csv
from service.analysis.load import BatchOutput, Row
from service.batch.tables import DIMENSIONS

HTML_SUFFIXES = (".html", ".htm")
CSV_SUFFIXES = (".csv",)
# Columns of the CSV queue whose text comes from the reports (guarded against formulas).
_TEXT_COLUMNS = {"path", "title", "reasons", "error_message"}


@dataclass(frozen=True)
class RankedReport:
    """A scored report, its place in the queue and its concern."""

    rank: int
    report: Row
    concern: Concern


def rank_reports(batch: BatchOutput) -> list[RankedReport]:
    """The scored reports, most concerning first (ties by path, then sha256)."""
    scored = [
        (report_concern(row, batch.sections_of(row), batch.recommendations_of(row)), row)
        for row in batch.ok
    ]
    scored.sort(key=lambda item: (-item[0].score, item[1]["path"] or "", item[1]["sha256"]))
    return [
        RankedReport(rank=index + 1, report=row, concern=concern)
        for index, (concern, row) in enumerate(scored)
    ]


def failed_inputs(batch: BatchOutput) -> list[Row]:
    """The inputs that could not be scored, by path."""
    return sorted(batch.failed, key=lambda row: row["path"] or "")


def csv_header(metadata: Sequence[str]) -> list[str]:
    """The triage CSV's columns: place and reasons, the report, its ratings, any failure."""
    ratings = [
        f"{d}_{part}" for d in DIMENSIONS for part in ("label", "confidence", "needs_review")
    ]
    return [
        "rank",
        "concern",
        "reasons",
        "status",
        "path",
        "title",
        "sha256",
        "model_version",
        *metadata,
        "recommendations",
        *ratings,
        "error_code",
        "error_message",
    ]


def csv_rows(ranked: Sequence[RankedReport], failed: Sequence[Row]) -> list[dict[str, Any]]:
    """One row per ranked report, then one per failed input (no rank, no concern)."""
    rows: list[dict[str, Any]] = [
        {
            **item.report,
            "rank": item.rank,
            "concern": item.concern.score,
            "reasons": item.concern.reasons,
        }
        for item in ranked
    ]
    return rows + [{**row, "rank": None, "concern": None, "reasons": None} for row in failed]


def write_triage_csv(batch: BatchOutput, out: Path) -> None:
    """Write the queue as CSV: ranked reports first, failed inputs at the end."""
    header = csv_header(batch.metadata_columns)
    rows = csv_rows(rank_reports(batch), failed_inputs(batch))
    write_csv(out, header, rows, guarded=_TEXT_COLUMNS | set(batch.metadata_columns))


def check_suffix(out: Path) -> str:
    """The queue's format named by ``out``'s suffix: 'csv' or 'html'."""
    suffix = out.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in HTML_SUFFIXES:
        return "html"
    raise AnalysisError(f"--out must end in .html or .csv, not {out.suffix or 'nothing'}")


def write_triage(batch: BatchOutput, out: Path) -> None:
    """Write the queue in the format named by ``out``'s suffix (.html or .csv)."""
    if check_suffix(out) == "csv":
        write_triage_csv(batch, out)
    else:
        from service.analysis.triage_html import write_triage_html

        write_triage_html(batch, out)
