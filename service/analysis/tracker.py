"""The recommendation tracker: every recommendation of every scored report, one row each,
with ``status``, ``evidence`` and ``owner_notes`` columns for boards to fill.

Re-running on a newer batch output into the same file merges: a recommendation is matched
by its report's sha256 and its ``text_sha256`` (and, for the same text twice in a report,
by occurrence), the batch's columns are refreshed, and the board's columns (``status``,
``evidence``, ``owner_notes`` and any column a board added) are kept. A row no longer in the
batch stays, with ``in_latest_batch`` = ``no``: filled work is never dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.analysis.errors import TrackerError
from service.analysis.load import BatchOutput, Row

# Columns the batch output fills (refreshed on every run), in order.
BATCH_COLUMNS = (
    "path",
    "title",
    "sha256",
    "index",
    "text_sha256",
    "text",
    "addressees",
    "vague_addressee",
    "action",
    "timescale",
    "measure",
    "rating_label",
    "missing",
    "page",
    "in_latest_batch",
)
# Columns boards fill; never overwritten.
BOARD_COLUMNS = ("status", "evidence", "owner_notes")
STATUS_CHOICES = ("not started", "in progress", "done", "not accepted")
KEY_COLUMNS = ("sha256", "text_sha256")
YES, NO = "yes", "no"

TrackerKey = tuple[str, str, int]  # (report sha256, text sha256, occurrence of that text)


@dataclass(frozen=True)
class Merge:
    """The merged tracker and what the merge did (counts only)."""

    columns: list[str]
    rows: list[Row]
    new: int
    matched: int
    not_in_batch: int


def batch_rows(batch: BatchOutput) -> list[Row]:
    """One tracker row per recommendation of every scored report (by path, then index)."""
    rows = []
    for report in sorted(batch.ok, key=lambda row: (row["path"] or "", row["sha256"])):
        for rec in batch.recommendations_of(report):
            rows.append(
                {
                    "path": report["path"],
                    "title": report["title"],
                    "sha256": report["sha256"],
                    "index": rec["index"],
                    "text_sha256": rec["text_sha256"],
                    "text": rec["text"],
                    "addressees": rec["addressees"],
                    "vague_addressee": YES if rec["vague_addressee"] else NO,
                    "action": rec["action"],
                    "timescale": rec["timescale"],
                    "measure": rec["measure"],
                    "rating_label": rec["rating_label"],
                    "missing": rec["missing"],
                    "page": rec["page"],
                    "in_latest_batch": YES,
                }
            )
    return rows


def keys_of(rows: Sequence[Row]) -> list[TrackerKey]:
    """Each row's key; a text repeated within a report is told apart by its occurrence."""
    seen: Counter[tuple[str, str]] = Counter()
    keys = []
    for row in rows:
        pair = (str(row.get("sha256") or ""), str(row.get("text_sha256") or ""))
        keys.append((*pair, seen[pair]))
        seen[pair] += 1
    return keys


def tracker_columns(previous_header: Sequence[str]) -> list[str]:
    """The batch's columns, the board's columns, then any column a board added."""
    known = set(BATCH_COLUMNS) | set(BOARD_COLUMNS)
    added = [name for name in previous_header if name and name not in known]
    return [*BATCH_COLUMNS, *BOARD_COLUMNS, *dict.fromkeys(added)]


def check_tracker_header(header: Sequence[str], path: Path) -> None:
    """Refuse to merge into (and so overwrite) a file that is not a tracker."""
    if not all(name in header for name in KEY_COLUMNS):
        raise TrackerError(
            f"{path} exists but is not a Scrutiny recommendation tracker (it has no "
            f"{' and '.join(KEY_COLUMNS)} columns); give a new --out file"
        )


def _board_cells(previous: Row | None) -> dict[str, Any]:
    if previous is None:
        return dict.fromkeys(BOARD_COLUMNS)
    return {name: value for name, value in previous.items() if name not in BATCH_COLUMNS}


def merge(fresh: Sequence[Row], previous: Sequence[Row], previous_header: Sequence[str]) -> Merge:
    """The tracker after a run: fresh rows with the board's cells of their earlier row, then
    the earlier rows no longer in the batch (kept as they were, marked ``no``)."""
    earlier = dict(zip(keys_of(previous), previous, strict=True))
    rows, matched = [], 0
    for key, row in zip(keys_of(fresh), fresh, strict=True):
        old = earlier.pop(key, None)
        matched += old is not None
        rows.append({**row, **_board_cells(old)})
    gone = [{**row, "in_latest_batch": NO} for row in earlier.values()]
    return Merge(
        columns=tracker_columns(previous_header),
        rows=rows + gone,
        new=len(fresh) - matched,
        matched=matched,
        not_in_batch=len(gone),
    )


def update_tracker(batch: BatchOutput, out: Path) -> Merge:
    """Write (or merge into) the tracker at ``out`` (.csv or .xlsx), atomically."""
    from service.analysis.tracker_files import check_suffix, read_tracker, write_tracker

    check_suffix(out)
    header: list[str] = []
    previous: list[Row] = []
    if out.exists():
        header, previous = read_tracker(out)
        check_tracker_header(header, out)
    result = merge(batch_rows(batch), previous, header)
    write_tracker(out, result.columns, result.rows)
    return result
