"""The archive benchmark runs end to end on a tiny archive and reports every figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
pytest.importorskip("fpdf", reason="the benchmark renders PDFs: pip install -e '.[dev]'")


def test_archive_benchmark_on_a_tiny_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from evaluation.benchmark_archive import FORMATS, RUNS, TARGETS, main

    kept, figures_path = tmp_path / "archive", tmp_path / "figures.json"
    argv = ["--reports", "3", "--pages", "1", "--seed", "7", "--keep", str(kept),
            "--json", str(figures_path)]  # fmt: skip
    assert main(argv) == 0
    assert sorted(p.suffix[1:] for p in kept.iterdir()) == sorted(FORMATS)
    figures = json.loads(figures_path.read_text())
    assert figures["archive"]["reports"] == 3 and figures["archive"]["passages"] > 0
    assert figures["cpu"]["model"] and figures["cpu"]["cpus"] >= 1
    assert figures["raw"]["passages_per_s"] > 0
    for name, _engine, workers, threads in RUNS:
        run = figures["runs"][name]
        if "skipped" in run:
            continue
        assert (run["workers"], run["threads"], run["ok"], run["failed"]) == (
            workers,
            threads,
            3,
            0,
        )
        assert run["passages_per_s"] > 0 and run["reports_per_hour"] > 0
        assert 0 < run["peak_worker_mb"] < 2000
    assert set(figures["targets"]) == {name for name, _, _ in TARGETS}
    text = capsys.readouterr().out
    assert "CPU:" in text and "batch_vs_raw" in text
    assert "PASS" in text or "FAIL" in text

    # The same seed builds the same archive (Markdown compared: PDF and DOCX carry dates).
    from evaluation.benchmark_archive import build_archive

    again = build_archive(tmp_path / "again", 3, 1, 7)
    (markdown,) = [d.path for d in again if d.path.suffix == ".md"]
    assert markdown.read_text() == (kept / markdown.name).read_text()
