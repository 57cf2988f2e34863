"""Reading and writing the recommendation tracker as CSV or XLSX (by the file's suffix).

XLSX: the tracker is the ``Recommendations`` sheet, header row bold and frozen, filters on,
sensible column widths, and a drop-down list on ``status``; other sheets of an existing
workbook are kept. Cells of the batch's columns are always written as text, so report text
is never run as a formula; the board's cells are written back as they were read (a formula
a board typed stays a formula).
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.analysis.errors import AnalysisError, TrackerError
from service.analysis.files import atomic_write, read_csv, write_csv
from service.analysis.load import ARCHIVE_EXTRA, Row
from service.analysis.tracker import BATCH_COLUMNS, STATUS_CHOICES

SHEET = "Recommendations"
SUFFIXES = (".csv", ".xlsx")
# Column widths in characters; the rest get DEFAULT_WIDTH. Long texts wrap.
WIDTHS: dict[str, int] = {
    "path": 28,
    "title": 30,
    "sha256": 16,
    "index": 7,
    "text_sha256": 16,
    "text": 70,
    "addressees": 30,
    "vague_addressee": 10,
    "action": 45,
    "timescale": 20,
    "measure": 35,
    "rating_label": 16,
    "missing": 22,
    "page": 7,
    "in_latest_batch": 10,
    "status": 15,
    "evidence": 45,
    "owner_notes": 35,
}
DEFAULT_WIDTH = 18
WRAPPED = {"title", "text", "addressees", "action", "measure", "evidence", "owner_notes"}
LAST_ROW = 1_048_576  # the drop-down covers rows a board adds later too


def check_suffix(path: Path) -> str:
    """The tracker format named by ``path`` ('.csv' or '.xlsx')."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise AnalysisError(f"--out must end in .csv or .xlsx, not {path.suffix or 'nothing'}")
    return suffix


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as error:  # the archive extra is not installed
        raise ImportError(f"writing XLSX trackers needs openpyxl: {ARCHIVE_EXTRA}") from error
    return openpyxl


def _load_workbook(path: Path) -> Any:
    """An existing workbook, formulas kept as formulas; a clear error if it is not one."""
    openpyxl = _openpyxl()
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as error:
        raise TrackerError(
            f"{path} exists but is not a readable XLSX workbook ({type(error).__name__}); "
            "give a new --out file"
        ) from error


def _sheet(workbook: Any) -> Any:
    return workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]


def read_xlsx(path: Path) -> tuple[list[str], list[Row]]:
    """The header and rows of the tracker sheet (formulas read as formulas, not values)."""
    workbook = _load_workbook(path)
    lines = [
        list(values)
        for values in _sheet(workbook).iter_rows(values_only=True)
        if any(value not in (None, "") for value in values)
    ]
    width = max((len(values) for values in lines), default=0)
    first = lines[0] if lines else []
    header = [
        str(first[n]) if n < len(first) and first[n] not in (None, "") else f"column_{n + 1}"
        for n in range(width)
    ]
    rows = [dict(zip(header, values, strict=False)) for values in lines[1:]]
    return header, rows


def read_tracker(path: Path) -> tuple[list[str], list[Row]]:
    """An existing tracker's header and rows."""
    if check_suffix(path) == ".xlsx":
        return read_xlsx(path)
    try:
        return read_csv(path, guarded=set(BATCH_COLUMNS))
    except (UnicodeDecodeError, csv.Error) as error:
        raise TrackerError(
            f"{path} exists but is not a readable UTF-8 CSV file ({type(error).__name__}); "
            "give a new --out file"
        ) from error


def _new_sheet(path: Path) -> tuple[Any, Any]:
    """A workbook to write: the existing one without its tracker sheet, or a new one."""
    openpyxl = _openpyxl()
    if not path.exists():
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = SHEET
        return workbook, sheet
    workbook = _load_workbook(path)
    old = _sheet(workbook)
    position = workbook.worksheets.index(old)
    workbook.remove(old)
    return workbook, workbook.create_sheet(SHEET, position)


def _fill(sheet: Any, columns: Sequence[str], rows: Sequence[Row]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, row in enumerate(rows, start=2):
        for position, name in enumerate(columns, start=1):
            value = row.get(name)
            cell = sheet.cell(row=number, column=position, value=None if value == "" else value)
            if name in BATCH_COLUMNS and isinstance(value, str):
                cell.data_type = "s"  # report text is text, even if it starts with "="
            if name in WRAPPED:
                cell.alignment = wrap


def _format(sheet: Any, columns: Sequence[str], rows: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"
    for position, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = WIDTHS.get(name, DEFAULT_WIDTH)
    status = get_column_letter(columns.index("status") + 1)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",  # warn, so a board's own wording can still be kept
        errorTitle="Status",
        error="Choose one of: " + ", ".join(STATUS_CHOICES),
    )
    validation.add(f"{status}2:{status}{LAST_ROW}")
    sheet.add_data_validation(validation)


def write_xlsx(path: Path, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Write the tracker sheet atomically, keeping the workbook's other sheets."""
    workbook, sheet = _new_sheet(path)
    _fill(sheet, columns, rows)
    _format(sheet, columns, len(rows))
    atomic_write(path, lambda temporary: workbook.save(temporary))


def write_tracker(path: Path, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Write the tracker in the format named by ``path``'s suffix, atomically."""
    if check_suffix(path) == ".csv":
        write_csv(path, columns, rows, guarded=set(BATCH_COLUMNS))
    else:
        write_xlsx(path, columns, rows)
