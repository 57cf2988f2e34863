"""Builds ``scrutiny batch`` output folders for the analysis tests, without the batch engine.

Real documents are scored with the shipped model (the example report, a fixture report and
the reviews in ``reviews.py``), turned into rows by ``service.batch.tables`` and written as
Parquet with the column types of ``COLUMNS``; one input is a damaged file whose real read
error becomes a ``failed`` row.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.batch import tables
from tests.fixtures.reports import fixture_reports, render_docx
from tests.service.analysis import reviews

REPO = Path(__file__).resolve().parents[3]
MODEL_DIR = REPO / "models" / "scrutiny-minilm-v1"
EXAMPLE = REPO / "examples" / "child-t-review.docx"

Rows = dict[str, list[dict[str, Any]]]

# Each scored input and its manifest metadata; child-q has no area (the "unknown" group).
METADATA: dict[str, dict[str, str]] = {
    "weak.md": {"area": "Eastmere", "year": "2019"},
    "strong.md": {"area": "Westholme", "year": "2021"},
    "no-recommendations.md": {"area": "Northbrook", "year": "2019"},
    EXAMPLE.name: {"area": "Eastmere", "year": "2021"},
    "child-q.docx": {"area": "", "year": "2020"},
}
BROKEN = ("broken.pdf", {"area": "Eastmere", "year": "2020"})


@dataclass(frozen=True)
class Batch:
    """The folder, its rows per table, and each scored input's sha256 by file name."""

    folder: Path
    rows: Rows
    sha256: dict[str, str]


def write_batch(folder: Path, rows: Rows, *, highlights: bool = True) -> Path:
    """Write ``rows`` as a batch output folder (Parquet, typed as ``tables.COLUMNS``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for table in tables.TABLES:
        if table == "highlights" and not highlights:
            continue
        fields = [pa.field(name, pa.type_for_alias(kind)) for name, kind in tables.COLUMNS[table]]
        known = {name for name, _ in tables.COLUMNS[table]}
        extra = dict.fromkeys(k for row in rows[table] for k in row if k not in known)
        schema = pa.schema(fields + [pa.field(name, pa.string()) for name in extra])
        data = {field.name: [row.get(field.name) for row in rows[table]] for field in schema}
        pq.write_table(pa.table(data, schema=schema), folder / f"{table}.parquet")
    return folder


def variant(
    batch: Batch, folder: Path, change: Callable[[Rows], None], *, highlights: bool = True
) -> Path:
    """A copy of ``batch``'s output with ``change`` applied to its rows, written to ``folder``."""
    rows = copy.deepcopy(batch.rows)
    change(rows)
    return write_batch(folder, rows, highlights=highlights)


def merge_rows(parts: Sequence[Rows]) -> Rows:
    """The rows of several documents, table by table."""
    return {table: [row for part in parts for row in part[table]] for table in tables.TABLES}


def _score(path: Path, model: Any, metadata: Mapping[str, str]) -> Rows:
    from service.ingest import read_document
    from service.scoring import score_document

    document = read_document(path)
    result = score_document(document, model, include_text=False, explain=True)
    return tables.rows_of(
        result, path=path.name, words=len(document.text.split()), seconds=0.5, metadata=metadata
    )


def _failed(path: Path, model_version: str, metadata: Mapping[str, str]) -> dict[str, Any]:
    from service.ingest import read_document
    from service.ingest.errors import IngestError

    try:
        read_document(path)
    except IngestError as error:
        return tables.failed_row(
            path=path.name,
            sha256=None,
            model_version=model_version,
            code=error.code,
            message=str(error),
            metadata=metadata,
        )
    raise AssertionError(f"{path.name} was expected not to be readable")


def _write_inputs(inputs: Path) -> None:
    for name, text in (
        ("weak.md", reviews.WEAK),
        ("strong.md", reviews.STRONG),
        ("no-recommendations.md", reviews.NO_RECOMMENDATIONS),
    ):
        (inputs / name).write_text(text, encoding="utf-8")
    shutil.copy(EXAMPLE, inputs / EXAMPLE.name)
    render_docx(fixture_reports()[0], inputs / "child-q.docx")
    # A PDF cut short: the reader refuses it with a stable error code.
    (inputs / BROKEN[0]).write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%truncated")


def build_batch(inputs: Path, out: Path) -> Batch:
    """Score the inputs with the shipped model and write their batch output to ``out``."""
    from service.model.runtime import QualityModel

    model = QualityModel.load(MODEL_DIR, threads=1, batch_size=8)
    _write_inputs(inputs)
    parts = [_score(inputs / name, model, meta) for name, meta in METADATA.items()]
    rows = merge_rows(parts)
    rows["reports"].append(_failed(inputs / BROKEN[0], model.version, BROKEN[1]))
    sha256 = {part["reports"][0]["path"]: part["reports"][0]["sha256"] for part in parts}
    return Batch(folder=write_batch(out, rows), rows=rows, sha256=sha256)
