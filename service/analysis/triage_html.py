"""The triage queue as HTML: the ranked page and one detail page per report beside it.

``triage.html`` links each report to ``triage_files/<sha256>.html``: its ratings per
dimension, its sections with their ratings, its recommendations with missing parts marked
and, when the batch ran with explanations, its highlights. Pages are self-contained (inline
CSS, no scripts) and every text is escaped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from service.analysis import concern as weights
from service.analysis.errors import BatchOutputError
from service.analysis.files import write_text
from service.analysis.load import BatchOutput, Row, split_list
from service.analysis.render import render_page
from service.analysis.triage import RankedReport, failed_inputs, rank_reports
from service.batch.tables import DIMENSIONS

FILES_SUFFIX = "_files"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DETAIL_PAGE = re.compile(r"^[0-9a-f]{64}\.html$")
# The parts a recommendation may lack, in the order the detail page shows them.
_PARTS = ("addressee", "action", "timescale", "measure")


def details_folder(out: Path) -> Path:
    """The folder of detail pages beside the triage page (``triage.html`` → ``triage_files``)."""
    return out.with_name(out.stem + FILES_SUFFIX)


def detail_name(report: Row) -> str:
    """A report's detail page name, from its sha256 (checked, as it becomes a file name)."""
    sha256 = report["sha256"] or ""
    if not _SHA256.match(sha256):
        raise BatchOutputError("a reports row has no valid sha256; the batch output is damaged")
    return f"{sha256}.html"


def rating_view(row: Row, prefix: str) -> dict[str, Any] | None:
    """One rating of a row (``<prefix>_level`` ...), or None where it does not apply."""
    if row.get(f"{prefix}_level") is None:
        return None
    return {
        "level": row[f"{prefix}_level"],
        "label": row[f"{prefix}_label"],
        "score": row[f"{prefix}_score"],
        "confidence": row[f"{prefix}_confidence"] or 0.0,
        "needs_review": bool(row[f"{prefix}_needs_review"]),
    }


def _ratings(row: Row) -> dict[str, dict[str, Any] | None]:
    return {dimension: rating_view(row, dimension) for dimension in DIMENSIONS}


def _metadata(row: Row, columns: tuple[str, ...]) -> list[tuple[str, Any]]:
    return [(name, row.get(name)) for name in columns if row.get(name) not in (None, "")]


def _recommendation_view(row: Row) -> dict[str, Any]:
    missing = set(split_list(row["missing"]))
    return {
        "number": row["index"] + 1,
        "text": row["text"],
        "addressees": split_list(row["addressees"]),
        "vague": bool(row["vague_addressee"]),
        "action": row["action"],
        "timescale": row["timescale"],
        "measure": row["measure"],
        "finding": row["finding"],
        "page": row["page"],
        "rating": rating_view(row, "rating"),
        "missing": [part for part in _PARTS if part in missing],
    }


def _highlights_by_section(rows: list[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row["section"]].append(row)
    return dict(grouped)


def detail_view(batch: BatchOutput, item: RankedReport) -> dict[str, Any]:
    """What a report's detail page shows."""
    report = item.report
    highlights = _highlights_by_section(batch.highlights_of(report))
    sections = [
        {**row, "ratings": _ratings(row), "highlights": highlights.get(row["section"], [])}
        for row in batch.sections_of(report)
    ]
    return {
        "item": item,
        "report": report,
        "metadata": _metadata(report, batch.metadata_columns),
        "ratings": _ratings(report),
        "sections": sections,
        "recommendations": [_recommendation_view(row) for row in batch.recommendations_of(report)],
        "has_highlights": batch.highlights is not None,
    }


def queue_view(batch: BatchOutput, ranked: list[RankedReport], out: Path) -> dict[str, Any]:
    """What the triage page shows: the queue, the failed inputs and how the order is made."""
    folder = details_folder(out).name
    return {
        "entries": [
            {
                "item": item,
                "link": f"{folder}/{detail_name(item.report)}",
                "ratings": _ratings(item.report),
                "metadata": _metadata(item.report, batch.metadata_columns),
            }
            for item in ranked
        ],
        "failed": failed_inputs(batch),
        "metadata_columns": batch.metadata_columns,
        "models": sorted({row["model_version"] for row in batch.ok if row["model_version"]}),
        "weights": weights,
    }


def _remove_stale_pages(folder: Path, keep: set[str]) -> None:
    """Detail pages of reports no longer in the batch (only files named ``<sha256>.html``)."""
    for path in folder.glob("*.html"):
        if _DETAIL_PAGE.match(path.name) and path.name not in keep:
            path.unlink()


def write_triage_html(batch: BatchOutput, out: Path) -> None:
    """Write the triage page and one detail page per ranked report."""
    ranked = rank_reports(batch)
    folder = details_folder(out)
    folder.mkdir(parents=True, exist_ok=True)
    names = set()
    for item in ranked:
        name = detail_name(item.report)
        names.add(name)
        page = render_page("report.html.j2", back=f"../{out.name}", **detail_view(batch, item))
        write_text(folder / name, page)
    _remove_stale_pages(folder, names)
    write_text(out, render_page("triage.html.j2", **queue_view(batch, ranked, out)))
