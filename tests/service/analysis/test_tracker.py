"""The recommendation tracker: rows, the board's cells kept across reruns, CSV and XLSX."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from service.analysis.errors import AnalysisError, TrackerError
from service.analysis.load import load_batch
from service.analysis.tracker import (
    BATCH_COLUMNS,
    BOARD_COLUMNS,
    STATUS_CHOICES,
    merge,
    update_tracker,
)
from service.analysis.tracker_files import SHEET, read_tracker
from tests.service.analysis.builder import Batch, Rows, variant


def _newer(rows: Rows) -> None:
    """The next batch: the weak review's first recommendation is gone (a revised report)."""
    weak = next(row["sha256"] for row in rows["reports"] if row["path"] == "weak.md")
    rows["recommendations"] = [
        row for row in rows["recommendations"] if not (row["sha256"] == weak and row["index"] == 0)
    ]


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def _weak(rows: list[dict[str, Any]], batch: Batch, index: int) -> dict[str, Any]:
    sha256 = batch.sha256["weak.md"]
    return next(r for r in rows if r["sha256"] == sha256 and str(r["index"]) == str(index))


def test_one_row_per_recommendation_of_every_scored_report(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "tracker.csv"
    result = update_tracker(load_batch(batch.folder), out)
    header, rows = _read_csv(out)
    assert header == [*BATCH_COLUMNS, *BOARD_COLUMNS]
    assert len(rows) == len(batch.rows["recommendations"]) == result.new
    first = _weak(rows, batch, 0)
    assert first["title"] == "Child W: Serious Case Review" and first["page"] == ""
    assert first["missing"] and first["in_latest_batch"] == "yes"
    assert {row["vague_addressee"] for row in rows} == {"yes", "no"}
    assert all(row["status"] == "" and row["evidence"] == "" for row in rows)
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, then moved


def test_csv_rerun_keeps_the_boards_cells(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "tracker.csv"
    update_tracker(load_batch(batch.folder), out)
    header, rows = _read_csv(out)
    _weak(rows, batch, 0).update(status="done", evidence="audit minutes, March")
    _weak(rows, batch, 1).update(status="in progress", owner_notes="chased twice")
    for row in rows:
        row["RAG"] = "amber"  # a column the board added
    _write_csv(out, [*header, "RAG"], rows)

    newer = load_batch(variant(batch, tmp_path / "newer", _newer))
    result = update_tracker(newer, out)
    header, rows = _read_csv(out)
    assert header[-1] == "RAG" and (result.not_in_batch, result.new) == (1, 0)
    kept = _weak(rows, batch, 1)
    assert (kept["status"], kept["owner_notes"], kept["in_latest_batch"]) == (
        "in progress",
        "chased twice",
        "yes",
    )
    gone = rows[-1]  # no longer in the batch: kept at the end, marked, nothing lost
    assert (gone["index"], gone["status"], gone["evidence"]) == (
        "0",
        "done",
        "audit minutes, March",
    )
    assert gone["in_latest_batch"] == "no" and gone["sha256"] == batch.sha256["weak.md"]
    assert all(row["RAG"] == "amber" for row in rows)

    update_tracker(newer, out)  # a third run changes nothing
    assert _read_csv(out)[1] == rows


def test_xlsx_is_formatted_and_rerun_keeps_the_boards_cells(batch: Batch, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "tracker.xlsx"
    update_tracker(load_batch(batch.folder), out)
    workbook = openpyxl.load_workbook(out)
    sheet = workbook[SHEET]
    header = [cell.value for cell in sheet[1]]
    assert header == [*BATCH_COLUMNS, *BOARD_COLUMNS]
    assert all(cell.font.b for cell in sheet[1]) and sheet.freeze_panes == "A2"
    status = openpyxl.utils.get_column_letter(header.index("status") + 1)
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and str(validation.sqref).startswith(f"{status}2:")
    assert all(choice in validation.formula1 for choice in STATUS_CHOICES)
    assert sheet.column_dimensions["F"].width > sheet.column_dimensions["D"].width  # text > index

    sha256, text_sha256 = header.index("sha256"), header.index("text_sha256")
    weak = [
        row for row in sheet.iter_rows(min_row=2) if row[sha256].value == batch.sha256["weak.md"]
    ]
    weak[0][header.index("status")].value = "done"
    weak[0][header.index("evidence")].value = '=HYPERLINK("minutes.docx")'  # a board's formula
    weak[1][header.index("status")].value = "not accepted"
    removed = weak[0][text_sha256].value
    workbook.create_sheet("Notes")["A1"] = "board notes"
    workbook.save(out)

    update_tracker(load_batch(variant(batch, tmp_path / "newer", _newer)), out)
    workbook = openpyxl.load_workbook(out)
    assert (
        workbook.sheetnames == [SHEET, "Notes"] and workbook["Notes"]["A1"].value == "board notes"
    )
    header, rows = read_tracker(out)
    by_text = {row["text_sha256"]: row for row in rows}
    assert by_text[removed]["in_latest_batch"] == "no" and by_text[removed]["status"] == "done"
    assert by_text[removed]["evidence"] == '=HYPERLINK("minutes.docx")'
    assert _weak(rows, batch, 1)["status"] == "not accepted"
    assert len(rows) == len(batch.rows["recommendations"])


def test_report_text_is_never_a_formula(batch: Batch, tmp_path: Path) -> None:
    import openpyxl

    def hostile(rows: Rows) -> None:
        rows["recommendations"][0]["text"] = '=HYPERLINK("http://example.invalid")'

    loaded = load_batch(variant(batch, tmp_path / "out", hostile))
    csv_out, xlsx_out = tmp_path / "tracker.csv", tmp_path / "tracker.xlsx"
    update_tracker(loaded, csv_out)
    update_tracker(loaded, xlsx_out)
    assert "'=HYPERLINK" in csv_out.read_text(encoding="utf-8-sig")
    assert any(row["text"].startswith("=HYPERLINK") for row in read_tracker(csv_out)[1])
    sheet = openpyxl.load_workbook(xlsx_out)[SHEET]
    cells = [cell for cell in sheet["F"] if str(cell.value).startswith("=HYPERLINK")]
    assert cells and all(cell.data_type == "s" for cell in cells)
    assert update_tracker(loaded, csv_out).new == 0  # the guarded cell still matches


def test_same_text_twice_in_a_report_is_two_rows() -> None:
    def row(index: int, status: str | None = None) -> dict[str, Any]:
        return {"sha256": "a", "text_sha256": "t", "index": index, "status": status}

    result = merge(
        [row(0), row(1)], [row(0, "done"), row(1, "in progress")], ["sha256", "text_sha256"]
    )
    assert [r["status"] for r in result.rows] == ["done", "in progress"]
    assert result.matched == 2 and result.not_in_batch == 0


def test_refuses_to_overwrite_a_file_that_is_not_a_tracker(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "budget.csv"
    out.write_text("item,cost\nchairs,40\n")
    with pytest.raises(TrackerError, match="not a Scrutiny recommendation tracker"):
        update_tracker(load_batch(batch.folder), out)
    assert out.read_text() == "item,cost\nchairs,40\n"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(TrackerError, match="not a readable XLSX"):
        update_tracker(load_batch(batch.folder), broken)
    with pytest.raises(AnalysisError, match=r"\.csv or \.xlsx"):
        update_tracker(load_batch(batch.folder), tmp_path / "tracker.ods")
