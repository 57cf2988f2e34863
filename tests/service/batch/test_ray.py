"""`scrutiny batch --engine ray`: the same rows and levels as the local engine."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from service.cli import main
from tests.service.batch.conftest import GOOD_NAMES, MODEL, levels, read_rows

pytestmark = pytest.mark.slow
ray = pytest.importorskip("ray", reason="needs the ray extra: pip install -e '.[ray]'")


def test_ray_engine_gives_the_local_levels(
    good_folder: Path, local_out: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ray-out"
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR)
    try:
        argv = ["batch", str(good_folder), "--out", str(out), "--engine", "ray", "--workers", "2",
                "--model", str(MODEL), "--quiet"]  # fmt: skip
        assert main(argv) == 0
        assert ray.is_initialized()  # a Ray it joined is left running
    finally:
        ray.shutdown()
    rows, reference = read_rows(out, "reports"), read_rows(local_out, "reports")
    assert len(rows) == len(reference) == len(GOOD_NAMES)
    assert levels(rows) == levels(reference)
    for table in ("sections", "recommendations"):
        ours = sorted(
            (r["sha256"], r.get("section"), r.get("index")) for r in read_rows(out, table)
        )
        theirs = sorted(
            (r["sha256"], r.get("section"), r.get("index")) for r in read_rows(local_out, table)
        )
        assert ours == theirs, table


def test_ray_engine_starts_and_stops_its_own_local_ray(good_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    one = str(good_folder / "child-v.html")
    argv = ["batch", one, "--out", str(out), "--engine", "ray", "--model", str(MODEL), "--quiet"]
    assert main(argv) == 0
    assert not ray.is_initialized()
    assert [r["status"] for r in read_rows(out, "reports")] == ["ok"]
    # The rerun finds nothing to do and does not start Ray at all.
    assert main(argv) == 0
    assert not ray.is_initialized()
