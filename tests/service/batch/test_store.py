"""The chunk store: commit markers, recovery of half-written chunks, one row per input."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from service.batch.inputs import BatchUsageError
from service.batch.store import PARTS, ChunkStore
from service.batch.tables import TABLES, failed_row
from tests.service.batch.conftest import read_rows


def _scored(local_out: Path, name: str) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows of one scored document of the reference run."""
    (report,) = [r for r in read_rows(local_out, "reports") if Path(r["path"]).name == name]
    rows = {"reports": [report]}
    for table in ("sections", "recommendations"):
        rows[table] = [r for r in read_rows(local_out, table) if r["sha256"] == report["sha256"]]
    return rows


def _failed(path: str, code: str = "corrupt") -> dict[str, list[dict[str, Any]]]:
    row = failed_row(path=path, sha256=None, model_version="1.5.0", code=code, message="m")
    return {"reports": [row]}


def test_half_written_chunks_are_removed_and_committed_ones_kept(
    tmp_path: Path, local_out: Path
) -> None:
    good = _scored(local_out, "child-v.html")
    with ChunkStore(tmp_path) as store:
        store.commit(good)
    # An interrupted commit: other tables' parts written, no reports part (the marker).
    parts = tmp_path / PARTS
    orphan = parts / "sections" / "99999999999999999999-1-000001.parquet"
    shutil.copy(next((parts / "sections").glob("*.parquet")), orphan)
    (parts / "reports" / ".tmp-1-x.parquet").write_bytes(b"half")
    (tmp_path / ".tmp-1-reports.parquet").write_bytes(b"half")
    with ChunkStore(tmp_path) as store:
        assert not orphan.exists()
        assert not list(tmp_path.rglob(".tmp-*"))
        report = good["reports"][0]
        assert store.done(report["model_version"]) == {(report["sha256"], report["path"])}
        assert store.done("0.9.0") == set()
        counts = store.consolidate()
    assert counts == {
        "reports": 1,
        "sections": len(good["sections"]),
        "recommendations": len(good["recommendations"]),
    }
    assert not parts.exists()


def test_a_retry_replaces_the_failed_row_and_rescoring_keeps_one_copy(
    tmp_path: Path, local_out: Path
) -> None:
    good = _scored(local_out, "child-t.docx")
    path = good["reports"][0]["path"]
    with ChunkStore(tmp_path) as store:
        store.commit(_failed(path))
        store.commit(_failed("/elsewhere/broken.pdf"))
        store.consolidate()
        assert [r["status"] for r in read_rows(tmp_path, "reports")] == ["failed", "failed"]
        store.commit(good)
        store.commit(good)  # the same document committed twice (say, two paths, same bytes)
        store.consolidate()
    reports = read_rows(tmp_path, "reports")
    assert sorted((r["path"], r["status"]) for r in reports) == sorted(
        [("/elsewhere/broken.pdf", "failed"), (path, "ok")]
    )
    assert len(read_rows(tmp_path, "sections")) == len(good["sections"])
    assert len(read_rows(tmp_path, "recommendations")) == len(good["recommendations"])


def test_a_crash_between_writing_the_tables_and_removing_the_parts_duplicates_nothing(
    tmp_path: Path, local_out: Path
) -> None:
    good = _scored(local_out, "child-w.txt")
    with ChunkStore(tmp_path) as store:
        store.commit(good)
        kept = tmp_path / "kept-parts"
        shutil.copytree(tmp_path / PARTS, kept)
        store.consolidate()
        shutil.copytree(kept, tmp_path / PARTS)  # as if the run died before deleting them
        store.consolidate()
    assert len(read_rows(tmp_path, "reports")) == 1
    assert len(read_rows(tmp_path, "sections")) == len(good["sections"])


def test_metadata_columns_of_different_runs_are_merged(tmp_path: Path) -> None:
    first = failed_row(
        path="/a.pdf", sha256=None, model_version="1", code="corrupt", message="m",
        metadata={"area": "North"},
    )  # fmt: skip
    second = failed_row(
        path="/b.pdf", sha256=None, model_version="1", code="corrupt", message="m",
        metadata={"year": "2020"},
    )  # fmt: skip
    with ChunkStore(tmp_path) as store:
        store.commit({"reports": [first]})
        store.consolidate()
        store.commit({"reports": [second]})
        store.consolidate(highlights=True)
    rows = {r["path"]: r for r in read_rows(tmp_path, "reports")}
    assert (rows["/a.pdf"]["area"], rows["/a.pdf"]["year"]) == ("North", None)
    assert (rows["/b.pdf"]["area"], rows["/b.pdf"]["year"]) == (None, "2020")
    assert all((tmp_path / f"{table}.parquet").is_file() for table in TABLES)


def test_one_run_at_a_time(tmp_path: Path) -> None:
    with ChunkStore(tmp_path), pytest.raises(BatchUsageError, match="another"):
        ChunkStore(tmp_path).__enter__()
    with ChunkStore(tmp_path):
        pass  # released when the first run ended


def test_a_table_it_did_not_write_is_refused_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "reports.parquet").write_bytes(b"not parquet")
    with ChunkStore(tmp_path) as store, pytest.raises(BatchUsageError, match="not a readable"):
        store.done("1.5.0")
    assert (tmp_path / "reports.parquet").read_bytes() == b"not parquet"
