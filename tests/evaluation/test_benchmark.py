"""The benchmark runs both paths on the same passages and reports ratio and agreement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
pytest.importorskip("torch")


def test_benchmark_runs_on_the_tiny_model(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from evaluation.benchmark import main

    out = tmp_path / "bench.json"
    argv = ["--run", str(tiny_model_dir.parent / "run"), "--model", str(tiny_model_dir),
            "--passages", "12", "--batch-size", "4", "--json", str(out)]  # fmt: skip
    assert main(argv) == 0
    figures = json.loads(out.read_text())
    assert figures["passages"] == 12
    assert figures["ratio"] > 0 and 0.0 <= figures["level_agreement"] <= 1.0
    assert "throughput ratio" in capsys.readouterr().out
