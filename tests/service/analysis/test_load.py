"""Reading a batch output folder: what it holds, and clear errors when it is not one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.analysis.errors import BatchOutputError
from service.analysis.load import load_batch, split_list
from service.batch.tables import LIST_SEPARATOR
from tests.service.analysis.builder import Batch, Rows, variant, write_batch


def test_reads_every_table(batch: Batch) -> None:
    loaded = load_batch(batch.folder)
    assert len(loaded.ok) == 5
    assert [row["error_code"] for row in loaded.failed] == ["corrupt"]
    assert loaded.metadata_columns == ("area", "year")
    assert loaded.highlights is not None
    weak = next(row for row in loaded.ok if row["path"] == "weak.md")
    assert [row["kind"] for row in loaded.sections_of(weak)][1:4] == [
        "background",
        "analysis",
        "findings",
    ]
    assert [row["index"] for row in loaded.recommendations_of(weak)] == [0, 1, 2, 3]
    assert loaded.highlights_of(weak)


def test_highlights_table_is_optional(batch: Batch, tmp_path: Path) -> None:
    loaded = load_batch(variant(batch, tmp_path / "out", lambda rows: None, highlights=False))
    assert loaded.highlights is None
    assert loaded.highlights_of(loaded.ok[0]) == []


def test_keeps_one_row_per_document(batch: Batch, tmp_path: Path) -> None:
    def rescored(rows: Rows) -> None:
        weak = next(row for row in rows["reports"] if row["path"] == "weak.md")
        # A later failed retry does not hide the successful row.
        rows["reports"].append({**weak, "status": "failed", "error_code": "timeout"})

    loaded = load_batch(variant(batch, tmp_path / "out", rescored))
    weak = [row for row in loaded.reports if row["path"] == "weak.md"]
    assert len(weak) == 1 and weak[0]["status"] == "ok"


def test_refuses_a_missing_folder_or_a_file(tmp_path: Path) -> None:
    with pytest.raises(BatchOutputError, match="is not a folder"):
        load_batch(tmp_path / "absent")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(BatchOutputError, match="is not a folder"):
        load_batch(tmp_path / "file.txt")


def test_refuses_a_folder_without_the_tables(tmp_path: Path) -> None:
    with pytest.raises(BatchOutputError, match=r"not a `scrutiny batch` output.*reports\.parquet"):
        load_batch(tmp_path)


def test_refuses_an_unreadable_table(batch: Batch, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    shutil.copytree(batch.folder, folder)
    (folder / "sections.parquet").write_bytes(b"not parquet")
    with pytest.raises(BatchOutputError, match=r"sections\.parquet is not a readable Parquet"):
        load_batch(folder)


def test_refuses_a_table_with_other_columns(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = write_batch(
        tmp_path / "out", {"reports": [], "sections": [], "recommendations": [], "highlights": []}
    )
    pq.write_table(pa.table({"sha256": ["a"], "score": [1.0]}), folder / "reports.parquet")
    with pytest.raises(BatchOutputError, match="lacks the columns model_version, path, status"):
        load_batch(folder)


def test_split_list_reads_joined_cells() -> None:
    assert split_list(LIST_SEPARATOR.join(["timescale", "measure"])) == ["timescale", "measure"]
    assert split_list("") == [] and split_list(None) == []
