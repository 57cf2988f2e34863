"""Read a ``scrutiny batch`` output folder: the one loader of triage, tracker and trends.

The folder holds ``reports.parquet``, ``sections.parquet`` and ``recommendations.parquet``
(and ``highlights.parquet`` when the batch ran with explanations), with the columns of
``service.batch.tables.COLUMNS``. A folder that is not such an output is refused with a
``BatchOutputError`` naming what is missing (file and column names, never cell values).

A document scored more than once (a rerun with a newer model, or a retry after a failure)
has several ``reports`` rows; the loader keeps one per document: its last successful row,
or its last row if it never succeeded. Section, recommendation and highlight rows are kept
for the kept reports' sha256 and model version only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.analysis.errors import BatchOutputError
from service.batch.tables import COLUMNS, LIST_SEPARATOR

Row = dict[str, Any]
ReportKey = tuple[str, str]  # (document sha256, model version)

REQUIRED_TABLES = ("reports", "sections", "recommendations")
OPTIONAL_TABLES = ("highlights",)
ARCHIVE_EXTRA = "pip install -e '.[archive]'"


@dataclass(frozen=True)
class BatchOutput:
    """The tables of one batch output, one ``reports`` row per document."""

    folder: Path
    reports: list[Row]
    sections: dict[ReportKey, list[Row]]
    recommendations: dict[ReportKey, list[Row]]
    highlights: dict[ReportKey, list[Row]] | None  # None when the table was not written
    metadata_columns: tuple[str, ...]  # manifest columns of ``reports`` (area, year, ...)

    @property
    def ok(self) -> list[Row]:
        """The reports that were scored."""
        return [row for row in self.reports if row["status"] == "ok"]

    @property
    def failed(self) -> list[Row]:
        """The inputs that could not be scored, with their error code and message."""
        return [row for row in self.reports if row["status"] != "ok"]

    def sections_of(self, report: Row) -> list[Row]:
        """The report's section rows, in document order."""
        return self.sections.get(report_key(report), [])

    def recommendations_of(self, report: Row) -> list[Row]:
        """The report's recommendation rows, in document order."""
        return self.recommendations.get(report_key(report), [])

    def highlights_of(self, report: Row) -> list[Row]:
        """The report's highlight rows (empty when the batch ran without explanations)."""
        return (self.highlights or {}).get(report_key(report), [])


def report_key(row: Row) -> ReportKey:
    """The key that ties a row to its report: the document's sha256 and the model version."""
    return (row["sha256"], row["model_version"])


def split_list(cell: str | None) -> list[str]:
    """The items of a list cell (addressees, missing parts) joined by ``LIST_SEPARATOR``."""
    if not cell:
        return []
    return [item for item in (part.strip() for part in cell.split(LIST_SEPARATOR)) if item]


def _parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as error:  # the archive extra is not installed
        raise ImportError(f"reading batch outputs needs pyarrow: {ARCHIVE_EXTRA}") from error
    return pq


def _read_table(folder: Path, table: str) -> list[Row]:
    path = folder / f"{table}.parquet"
    pq = _parquet()
    try:
        data = pq.read_table(path)
    except (OSError, ValueError) as error:  # ArrowInvalid is a ValueError
        raise BatchOutputError(
            f"{path} is not a readable Parquet file ({type(error).__name__})"
        ) from error
    expected = [name for name, _ in COLUMNS[table]]
    missing = [name for name in expected if name not in data.column_names]
    if missing:
        raise BatchOutputError(
            f"{path} lacks the columns {', '.join(missing)}: it was not written by "
            "`scrutiny batch` (or by an incompatible version)"
        )
    rows: list[Row] = data.to_pylist()
    return rows


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise BatchOutputError(
            f"{folder} is not a folder: give the --out folder of `scrutiny batch`"
        )
    absent = [f"{t}.parquet" for t in REQUIRED_TABLES if not (folder / f"{t}.parquet").is_file()]
    if absent:
        raise BatchOutputError(
            f"{folder} is not a `scrutiny batch` output: it has no {', '.join(absent)}"
        )


def _latest_reports(rows: Iterable[Row]) -> list[Row]:
    """One row per document: the last ``ok`` row, else the last row (file order = run order)."""
    kept: dict[str, Row] = {}
    for row in rows:
        # A failed input without a sha256 (unreadable file) is known by its path only.
        identity = row["sha256"] or f"path:{row['path']}"
        previous = kept.get(identity)
        if previous is None or row["status"] == "ok" or previous["status"] != "ok":
            kept.pop(identity, None)  # re-insert so the order follows the kept row
            kept[identity] = row
    return list(kept.values())


def _by_report(rows: Iterable[Row], keep: set[ReportKey], order: str) -> dict[ReportKey, list[Row]]:
    grouped: dict[ReportKey, list[Row]] = defaultdict(list)
    for row in rows:
        key = report_key(row)
        if key in keep:
            grouped[key].append(row)
    for group in grouped.values():
        group.sort(key=lambda row: row[order] if row[order] is not None else -1)
    return dict(grouped)


def load_batch(folder: Path | str) -> BatchOutput:
    """Read the batch output in ``folder``; raise ``BatchOutputError`` if it is not one."""
    folder = Path(folder)
    _check_folder(folder)
    reports = _latest_reports(_read_table(folder, "reports"))
    keep = {report_key(row) for row in reports if row["status"] == "ok"}
    highlights_path = folder / "highlights.parquet"
    highlights = (
        _by_report(_read_table(folder, "highlights"), keep, "section")
        if highlights_path.is_file()
        else None
    )
    fixed = {name for name, _ in COLUMNS["reports"]}
    metadata = tuple(dict.fromkeys(name for row in reports for name in row if name not in fixed))
    return BatchOutput(
        folder=folder,
        reports=reports,
        sections=_by_report(_read_table(folder, "sections"), keep, "section"),
        recommendations=_by_report(_read_table(folder, "recommendations"), keep, "index"),
        highlights=highlights,
        metadata_columns=metadata,
    )
