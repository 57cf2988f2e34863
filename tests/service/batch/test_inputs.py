"""Batch inputs: folder scans, manifests and their metadata, and clashes refused up front."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service.batch.inputs import BatchUsageError, collect_inputs, read_manifest
from service.cli import main
from tests.service.batch.conftest import (
    GOOD_NAMES,
    MODEL,
    read_rows,
    write_ignored_files,
)


def test_folders_are_scanned_recursively_skipping_hidden_and_other_files(
    good_folder: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    for path in good_folder.rglob("*"):
        target = folder / path.relative_to(good_folder)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.write_bytes(path.read_bytes())
    write_ignored_files(folder)
    (folder / "UPPER.PDF").write_bytes(b"%PDF-1.7\n")
    inputs = collect_inputs([folder, folder / "child-v.html"])  # named twice: once
    names = sorted(Path(item.path).name for item in inputs)
    assert names == sorted(GOOD_NAMES | {"UPPER.PDF"})
    assert all(os.path.isabs(item.path) and not item.metadata for item in inputs)


def test_a_missing_file_is_an_input_but_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    (missing,) = collect_inputs([tmp_path / "gone.pdf"])
    assert missing.path == str(tmp_path / "gone.pdf")
    with pytest.raises(BatchUsageError, match="no documents found"):
        collect_inputs([tmp_path])


def test_manifest_paths_resolve_against_its_folder_with_metadata(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "a.txt").write_text("Child A.\n")
    manifest = tmp_path / "lists" / "archive.csv"
    manifest.parent.mkdir()
    manifest.write_text(
        "path,area,year,published\n"
        "../reports/a.txt,North,2019,2020-03-01\n"
        f"{tmp_path / 'reports' / 'b.txt'},South,,\n",
        encoding="utf-8",
    )
    a, b = read_manifest(manifest)
    assert a.path == os.path.abspath(tmp_path / "lists" / ".." / "reports" / "a.txt")
    assert a.metadata == {"area": "North", "year": "2019", "published": "2020-03-01"}
    assert b.metadata == {"area": "South", "year": "", "published": ""}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("file,area", "needs a 'path' column"),
        ("path,title", "clashes with a column of the reports table"),
        ("path,sha256", "clashes"),
        ("path,area,area", "appears twice"),
    ],
)
def test_bad_manifests_are_refused(tmp_path: Path, header: str, message: str) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(header + "\na.txt" + ",x" * header.count(",") + "\n", encoding="utf-8")
    with pytest.raises(BatchUsageError, match=message):
        read_manifest(manifest)


def test_manifest_metadata_reaches_the_reports_table(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "manifest.csv"
    relative = os.path.relpath(good_folder / "child-v.html", tmp_path)
    manifest.write_text(
        f"path,area,year\n{relative},Ashby Marsh,2021\nmissing.txt,Kellingford,2018\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["batch", str(manifest), "--out", str(out), "--model", str(MODEL)]) == 1
    rows = {Path(row["path"]).name: row for row in read_rows(out, "reports")}
    assert (rows["child-v.html"]["area"], rows["child-v.html"]["year"]) == ("Ashby Marsh", "2021")
    assert rows["child-v.html"]["status"] == "ok"
    missing = rows["missing.txt"]
    assert (missing["status"], missing["error_code"], missing["area"]) == (
        "failed",
        "not_found",
        "Kellingford",
    )
    csv_header = (out / "reports.csv").read_text(encoding="utf-8").splitlines()[0]
    assert csv_header.endswith('"seconds","area","year"')
    err = capsys.readouterr().err
    assert "batch: 1 ok, 1 failed, 0 skipped" in err


def test_a_clashing_manifest_stops_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,status\nmissing.txt,draft\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(manifest), "--out", str(out), "--model", str(MODEL)]) == 2
    assert "'status' clashes" in capsys.readouterr().err
    assert not out.exists()
