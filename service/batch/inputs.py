"""What a batch run scores: files, folders (recursive) and manifest CSVs, as ``BatchInput``.

A manifest is a CSV with a ``path`` column (relative paths are resolved against the CSV's
folder); every other column is metadata, carried as strings into the ``reports`` rows. A
metadata column whose name clashes with a fixed ``reports`` column is refused before any
work starts. Every input is identified by its absolute path; an input named twice is
scored once.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from service.batch.tables import COLUMNS

DOCUMENT_SUFFIXES = frozenset({".pdf", ".docx", ".html", ".htm", ".txt", ".md"})
MANIFEST_SUFFIX = ".csv"
PATH_COLUMN = "path"
# Column names the store adds while consolidating; a manifest may not use them either.
RESERVED_COLUMNS = frozenset({"__order"})


class BatchUsageError(ValueError):
    """The command cannot run as asked (bad manifest, no inputs, busy output folder ...)."""


@dataclass(frozen=True)
class BatchInput:
    """One document to score: its absolute path and the manifest metadata that goes with it."""

    path: str
    metadata: dict[str, str] = field(default_factory=dict)


def _absolute(path: Path) -> str:
    # Absolute but not resolved: a symlinked archive keeps the paths its owner knows.
    return os.path.abspath(path)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def folder_documents(folder: Path) -> list[Path]:
    """Every document under ``folder`` (recursive, by suffix), hidden files and folders skipped."""
    found = [
        path
        for path in folder.rglob("*")
        if path.suffix.lower() in DOCUMENT_SUFFIXES and not _hidden(path, folder) and path.is_file()
    ]
    return sorted(found)


def _expand(path: Path, metadata: dict[str, str]) -> Iterator[BatchInput]:
    if path.is_dir():
        for document in folder_documents(path):
            yield BatchInput(_absolute(document), metadata)
    else:
        # A missing or unreadable file still becomes an input: it gets a ``failed`` row.
        yield BatchInput(_absolute(path), metadata)


def check_metadata_columns(names: Iterable[str], where: str) -> list[str]:
    """The manifest's metadata column names; raise BatchUsageError on an empty or clashing name."""
    fixed = {name for name, _ in COLUMNS["reports"]} | RESERVED_COLUMNS
    columns = []
    for raw in names:
        name = raw.strip()
        if name == PATH_COLUMN:
            continue
        if not name:
            raise BatchUsageError(f"{where}: a column has no name; name every column")
        if name in fixed:
            raise BatchUsageError(
                f"{where}: the metadata column {name!r} clashes with a column of the reports "
                "table; rename it (for example to 'source_" + name + "')"
            )
        columns.append(name)
    return columns


def read_manifest(manifest: Path) -> list[BatchInput]:
    """The inputs a manifest CSV lists, with their metadata; raise BatchUsageError if unusable."""
    try:
        with manifest.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            if PATH_COLUMN not in header:
                raise BatchUsageError(f"{manifest}: a manifest needs a '{PATH_COLUMN}' column")
            if len(set(header)) != len(header):
                raise BatchUsageError(f"{manifest}: a column name appears twice")
            reader.fieldnames = header
            columns = check_metadata_columns(header, str(manifest))
            inputs: list[BatchInput] = []
            for number, row in enumerate(reader, start=2):
                if None in row:  # more cells than the header names
                    raise BatchUsageError(f"{manifest}:{number}: more cells than columns")
                cell = (row.get(PATH_COLUMN) or "").strip()
                if not cell:
                    raise BatchUsageError(f"{manifest}:{number}: the path cell is empty")
                metadata = {name: row.get(name) or "" for name in columns}
                path = Path(cell).expanduser()
                if not path.is_absolute():
                    path = manifest.parent / path
                inputs.extend(_expand(path, metadata))
    except OSError as error:
        raise BatchUsageError(
            f"{manifest}: the manifest cannot be read ({error.strerror or error})"
        ) from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise BatchUsageError(
            f"{manifest}: not a UTF-8 CSV manifest ({type(error).__name__})"
        ) from None
    return inputs


def collect_inputs(arguments: Sequence[str | Path]) -> list[BatchInput]:
    """Expand the command's INPUT arguments into documents, each once (first mention wins,
    metadata from later mentions filling in what it lacks)."""
    collected: dict[str, BatchInput] = {}
    for argument in arguments:
        path = Path(argument).expanduser()
        if path.suffix.lower() == MANIFEST_SUFFIX and not path.is_dir():
            found = read_manifest(path)
        else:
            found = list(_expand(path, {}))
        for item in found:
            previous = collected.get(item.path)
            if previous is None:
                collected[item.path] = item
            elif item.metadata:
                collected[item.path] = BatchInput(item.path, item.metadata | previous.metadata)
    if not collected:
        raise BatchUsageError(
            "no documents found in the inputs (looked for "
            + ", ".join(sorted(DOCUMENT_SUFFIXES))
            + " files, hidden ones skipped)"
        )
    return list(collected.values())
