"""The batch output folder: committed chunks while a run goes, consolidated tables after.

While a run goes, results are committed in chunks: each table's rows of the chunk go to
``DIR/.parts/<table>/<chunk>.parquet`` (written to a temporary name, flushed to disk, then
renamed), the ``reports`` part last. The ``reports`` part is the commit marker: a chunk
without it was interrupted mid-commit, and its other parts are deleted when the folder is
next opened. At the end of every run (and so also on the rerun of an interrupted one) the
committed parts are merged with the existing tables into ``DIR/<table>.parquet`` and
``DIR/<table>.csv``, each replaced atomically, and only then are the parts deleted.

Merging keeps one ``reports`` row per input: for ``ok`` rows the latest per (sha256, model
version, path), for failed rows the latest per path, dropped once a later row exists for the same
path (its retry). Section, recommendation and highlight rows are kept for the kept
``ok`` rows only, from the same commit, so a document is never counted twice.

One run at a time may write to a folder (an advisory lock on ``DIR/.lock``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from service.batch.inputs import BatchUsageError
from service.batch.tables import COLUMNS, TABLES

ARCHIVE_EXTRA = "pip install -e '.[archive]'"
PARTS = ".parts"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"
ORDER = "__order"  # which commit a row came from while merging (0: the existing tables)
_KEY_COLUMNS = ["sha256", "model_version", "path", "status"]

Row = dict[str, Any]


def require_pyarrow() -> Any:
    """The pyarrow module, or an ImportError naming the extra to install."""
    try:
        import pyarrow
        import pyarrow.csv
        import pyarrow.parquet
    except ImportError as error:
        raise ImportError(f"batch outputs need pyarrow: {ARCHIVE_EXTRA}") from error
    return pyarrow


def table_schema(table: str, extra: Sequence[str] = ()) -> Any:
    """The Arrow schema of ``table``: its fixed columns, then ``extra`` string columns."""
    pa = require_pyarrow()
    fields = [pa.field(name, pa.type_for_alias(kind)) for name, kind in COLUMNS[table]]
    fields += [pa.field(name, pa.string()) for name in extra]
    return pa.schema(fields)


def _extra_columns(table: str, rows: Sequence[Row]) -> list[str]:
    fixed = {name for name, _ in COLUMNS[table]}
    return list(dict.fromkeys(name for row in rows for name in row if name not in fixed))


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` through a temporary file in its folder, flushed, then renamed over it."""
    temporary = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        with temporary.open("wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _write_parquet(path: Path, data: Any) -> None:
    import pyarrow.parquet as pq

    write_atomically(path, lambda handle: pq.write_table(data, handle))


def _write_csv(path: Path, data: Any) -> None:
    import pyarrow.csv as pcsv

    write_atomically(path, lambda handle: pcsv.write_csv(data, handle))


class ChunkStore:
    """The output folder of one batch run; use as a context manager (it holds the lock)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.parts = self.folder / PARTS
        self._lock: IO[str] | None = None
        self._sequence = 0

    # -- opening -------------------------------------------------------------------------

    def __enter__(self) -> ChunkStore:
        require_pyarrow()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise BatchUsageError(
                f"{self.folder}: cannot create the output folder ({error.strerror or error})"
            ) from None
        if not self.folder.is_dir():
            raise BatchUsageError(f"{self.folder} is not a folder")
        self._acquire_lock()
        self.recover()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    def _acquire_lock(self) -> None:
        import fcntl

        handle = (self.folder / LOCK).open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise BatchUsageError(
                f"{self.folder}: another `scrutiny batch` run is writing to this folder"
            ) from None
        self._lock = handle

    def _part(self, table: str, chunk: str) -> Path:
        return self.parts / table / f"{chunk}.parquet"

    def chunks(self) -> list[str]:
        """Committed chunks, oldest first (those with a ``reports`` part)."""
        folder = self.parts / "reports"
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.parquet") if not p.name.startswith("."))

    def recover(self) -> None:
        """Delete what an interrupted run left half-written: temporary files, and the parts of
        chunks whose ``reports`` part (the commit marker) was never written."""
        committed = set(self.chunks())
        for folder in (self.folder, *(self.parts / table for table in TABLES)):
            if not folder.is_dir():
                continue
            for path in folder.glob(f"{TMP_PREFIX}*"):
                path.unlink(missing_ok=True)
            if folder.parent == self.parts:
                for path in folder.glob("*.parquet"):
                    if path.stem not in committed:
                        path.unlink(missing_ok=True)

    # -- reading -------------------------------------------------------------------------

    def _sources(self, table: str, chunks: Sequence[str]) -> Iterator[tuple[int, Path]]:
        base = self.folder / f"{table}.parquet"
        if base.is_file():
            yield 0, base
        for order, chunk in enumerate(chunks, start=1):
            part = self._part(table, chunk)
            if part.is_file():
                yield order, part

    def done(self, model_version: str) -> set[tuple[str, str]]:
        """(sha256, path) of every input with an ``ok`` report row from ``model_version``."""
        found: set[tuple[str, str]] = set()
        for _, path in self._sources("reports", self.chunks()):
            data = _read(path, ["sha256", "model_version", "status", "path"]).to_pydict()
            for sha256, version, status, where in zip(
                data["sha256"], data["model_version"], data["status"], data["path"], strict=True
            ):
                if status == "ok" and version == model_version and sha256:
                    found.add((sha256, where))
        return found

    def _merged(self, table: str, chunks: Sequence[str]) -> Any:
        """Every row of ``table`` from the existing file and the parts, with its ``ORDER``."""
        import pyarrow as pa

        tables = []
        for order, path in self._sources(table, chunks):
            data = _read(path)
            tables.append(data.append_column(ORDER, pa.array([order] * len(data), pa.int32())))
        if not tables:
            return table_schema(table).empty_table().append_column(ORDER, pa.array([], pa.int32()))
        return pa.concat_tables(tables, promote_options="default")

    def _written(self, highlights: bool) -> list[str]:
        """The tables the folder holds, or must hold (``highlights`` forces that table)."""
        return [
            table
            for table in TABLES
            if table != "highlights" or highlights or (self.folder / f"{table}.parquet").is_file()
        ]

    def _complete(self, highlights: bool) -> bool:
        return all(
            (self.folder / f"{table}.{kind}").is_file()
            for table in self._written(highlights)
            for kind in ("parquet", "csv")
        )

    def _counts(self) -> dict[str, int]:
        import pyarrow.parquet as pq

        return {
            table: pq.read_metadata(self.folder / f"{table}.parquet").num_rows
            for table in self._written(False)
        }

    # -- writing -------------------------------------------------------------------------

    def commit(self, rows: Mapping[str, Sequence[Row]]) -> str | None:
        """Write one chunk of rows (table name to rows); the ``reports`` part goes last, as the
        commit marker. Returns the chunk name (None when there are no report rows)."""
        import pyarrow as pa

        if not rows.get("reports"):
            return None
        self._sequence += 1
        chunk = f"{time.time_ns():020d}-{os.getpid()}-{self._sequence:06d}"
        for table in (*(t for t in TABLES if t != "reports"), "reports"):
            table_rows = rows.get(table) or []
            if not table_rows:
                continue
            schema = table_schema(table, _extra_columns(table, table_rows))
            part = self._part(table, chunk)
            part.parent.mkdir(parents=True, exist_ok=True)
            _write_parquet(part, pa.Table.from_pylist(list(table_rows), schema=schema))
        return chunk

    def consolidate(self, *, highlights: bool = False) -> dict[str, int]:
        """Merge the committed parts into the final tables (Parquet and CSV, each replaced
        atomically), then delete the parts. Returns each written table's row count.

        ``highlights`` writes the highlights table even when it has no rows yet."""
        chunks = self.chunks()
        if not chunks and self._complete(highlights):
            return self._counts()  # nothing new: the tables already say it all
        reports = self._merged("reports", chunks)
        keep, winners = _kept_reports(reports.select([*_KEY_COLUMNS, ORDER]).to_pydict())
        fixed = [name for name, _ in COLUMNS["reports"]]
        extra = [name for name in reports.column_names if name not in fixed and name != ORDER]
        final = {"reports": _finish(_take(reports, keep), "reports", extra)}
        for table in TABLES:
            if table == "reports":
                continue
            if table not in self._written(highlights) and not any(
                self._part(table, c).is_file() for c in chunks
            ):
                continue
            merged = self._merged(table, chunks)
            columns = merged.select(["sha256", "model_version", "path", ORDER]).to_pydict()
            rows = [
                index
                for index, key in enumerate(
                    zip(
                        columns["sha256"],
                        columns["model_version"],
                        columns["path"],
                        columns[ORDER],
                        strict=True,
                    )
                )
                if key in winners
            ]
            final[table] = _finish(_take(merged, rows), table, [])
        counts = {}
        for table, data in final.items():
            _write_parquet(self.folder / f"{table}.parquet", data)
            _write_csv(self.folder / f"{table}.csv", data)
            counts[table] = data.num_rows
        # Only now are the parts redundant; a crash before this point merges them again.
        for chunk in chunks:
            for table in (*(t for t in TABLES if t != "reports"), "reports"):
                self._part(table, chunk).unlink(missing_ok=True)
        for folder in (*(self.parts / table for table in TABLES), self.parts):
            with contextlib.suppress(OSError):  # not empty: leave it
                folder.rmdir()
        return counts


def _read(path: Path, columns: list[str] | None = None) -> Any:
    """A Parquet table of the folder; BatchUsageError if it is not one this command wrote."""
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path, columns=columns)
    except (OSError, ValueError, KeyError) as error:  # ArrowInvalid is a ValueError
        raise BatchUsageError(
            f"{path} is not a readable batch table ({type(error).__name__}); move it away to "
            "start that folder afresh"
        ) from None


def _take(data: Any, indexes: Sequence[int]) -> Any:
    import pyarrow as pa

    return data.take(pa.array(indexes, pa.int64()))


def _finish(data: Any, table: str, extra: Sequence[str]) -> Any:
    """The table's columns in their fixed order, then ``extra``; the merge column dropped."""
    return data.select([name for name, _ in COLUMNS[table]] + list(extra)).cast(
        table_schema(table, extra)
    )


def _kept_reports(
    columns: Mapping[str, list[Any]],
) -> tuple[list[int], set[tuple[str, str, str, int]]]:
    """Indexes of the ``reports`` rows to keep, in commit order, and the (sha256, model
    version, path, order) of each kept ``ok`` row (whose section, recommendation and highlight rows
    are kept)."""
    rows = list(zip(*(columns[name] for name in (*_KEY_COLUMNS, ORDER)), strict=True))
    latest_ok: dict[tuple[str, str, str], int] = {}
    last_for_path: dict[str, int] = {}
    for index, (sha256, version, path, status, _order) in enumerate(rows):
        last_for_path[path] = index
        if status == "ok":
            latest_ok[(sha256, version, path)] = index
    kept = set(latest_ok.values())
    # A failed row stands until the same path has a later row (its retry): failures are
    # known by path, since the same bytes can fail under one name and not another.
    kept.update(
        index for index, row in enumerate(rows) if row[3] != "ok" and last_for_path[row[2]] == index
    )
    winners = {(rows[i][0], rows[i][1], rows[i][2], rows[i][4]) for i in latest_ok.values()}
    return sorted(kept), winners
