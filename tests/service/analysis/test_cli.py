"""`scrutiny triage`, `scrutiny recommendations` and `scrutiny trends` through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli import main
from tests.service.analysis import reviews
from tests.service.analysis.builder import Batch

# Sentences of the fixture reviews that must never reach standard output or error.
REPORT_TEXT = ("Lessons should be learned", "All agencies should", "Child S told her nursery")


def _no_report_text(output: str) -> None:
    assert not any(text in output for text in REPORT_TEXT)
    assert all(text in reviews.WEAK + reviews.STRONG for text in REPORT_TEXT)


def test_the_three_commands(
    batch: Batch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(batch.folder)
    assert main(["triage", folder, "--out", str(tmp_path / "triage.html")]) == 0
    assert main(["triage", folder, "--out", str(tmp_path / "triage.csv")]) == 0
    assert main(["recommendations", folder, "--out", str(tmp_path / "tracker.xlsx")]) == 0
    assert main(["recommendations", folder, "--out", str(tmp_path / "tracker.xlsx")]) == 0
    assert main(["trends", folder, "--by", "year", "--out", str(tmp_path / "trends")]) == 0
    captured = capsys.readouterr()
    assert "scrutiny triage: 5 reports ranked, 1 failed inputs listed" in captured.out
    assert "kept with the board's columns, 0 new, 0 no longer in the batch" in captured.out
    assert "scrutiny trends: 6 charts and index.html written" in captured.out
    assert (tmp_path / "triage_files").is_dir() and (tmp_path / "trends" / "index.html").is_file()
    _no_report_text(captured.out + captured.err)


def test_clear_errors(batch: Batch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", str(tmp_path), "--out", str(tmp_path / "t.html")]) == 2
    assert "is not a `scrutiny batch` output: it has no reports.parquet" in capsys.readouterr().err
    assert main(["trends", str(batch.folder), "--by", "region", "--out", str(tmp_path / "x")]) == 2
    assert "no column 'region' to group by" in capsys.readouterr().err
    assert main(["recommendations", str(batch.folder), "--out", str(tmp_path / "t.txt")]) == 2
    assert "--out must end in .csv or .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "t.html").exists() and not (tmp_path / "t.txt").exists()
