"""Writing outputs safely: atomic replacement, and CSV cells a spreadsheet will not run.

Every output is written to a temporary file beside the target and moved over it, so a
crash or a full disk never leaves a half-written tracker (or triage page) behind.

Text taken from reports goes into CSV and XLSX files that people open in spreadsheet
programs, which treat a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula; such
cells are written with a leading apostrophe (the usual CSV-injection guard) and read back
without it.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
# Excel recognises UTF-8 CSV by its byte-order mark; readers strip it again.
CSV_ENCODING = "utf-8-sig"


def _mode(path: Path) -> int:
    """The permissions the file gets: those it had, or the usual ones for a new file (the
    temporary file is created owner-only)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` on a temporary path beside ``path``, then move it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, _mode(path))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    atomic_write(path, lambda temporary: temporary.write_bytes(data))


def guard_formula(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return GUARD + value
    return value


def unguard_formula(value: str) -> str:
    """The text of a cell written by ``guard_formula``."""
    if value.startswith(GUARD) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_text(header: Sequence[str], rows: Iterable[Mapping[str, Any]], guarded: set[str]) -> str:
    """CSV with ``header``; the cells of the ``guarded`` columns pass through ``guard_formula``."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        cells = [row.get(name) for name in header]
        writer.writerow(
            "" if value is None else guard_formula(value) if name in guarded else value
            for name, value in zip(header, cells, strict=True)
        )
    return buffer.getvalue()


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Mapping[str, Any]], guarded: set[str]
) -> None:
    """Write a CSV file atomically (UTF-8 with a byte-order mark, for spreadsheet programs)."""
    text = csv_text(header, rows, guarded)
    atomic_write(path, lambda temporary: temporary.write_text(text, encoding=CSV_ENCODING))


def read_csv(path: Path, guarded: set[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """The header and rows of a CSV file; ``guarded`` columns lose their formula guard."""
    with path.open(encoding=CSV_ENCODING, newline="") as handle:
        lines = [cells for cells in csv.reader(handle) if any(cell.strip() for cell in cells)]
    header = lines[0] if lines else []
    # Cells typed beyond the last named column get a name rather than being dropped.
    width = max((len(cells) for cells in lines), default=0)
    header += [f"column_{n + 1}" for n in range(len(header), width)]
    rows = [
        {
            name: unguard_formula(cell) if name in guarded else cell
            for name, cell in zip(header, cells, strict=False)
        }
        for cells in lines[1:]
    ]
    return header, rows
