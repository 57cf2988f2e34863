"""`scrutiny batch --engine ray`: the same rows and levels as the local engine."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from service.cli import main
from tests.service.batch.conftest import GOOD_NAMES, MODEL, levels, read_rows, tasks_of

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


def test_an_input_that_kills_its_actor_gets_a_failed_row_and_the_job_goes_on(
    good_folder: Path, tmp_path: Path
) -> None:
    from service.batch.ray_engine import RayEngine, _ScoringActor
    from service.batch.worker import CRASH_ATTEMPTS, INTERNAL, WORKER_DIED, WorkerConfig

    poison = tmp_path / "poison.txt"
    poison.write_text("Child X: a review that kills the worker scoring it.\n", encoding="utf-8")
    good = good_folder / "child-v.html"
    tries = tmp_path / "tries"
    tries.mkdir()
    tries_dir = str(tries)

    # Defined here, so Ray ships the class by value to its worker processes.
    def dies_on_poison(self: Any, batch: dict[str, Any]) -> dict[str, Any]:
        import os
        import uuid
        from pathlib import Path

        if "poison" in str(batch["path"][0]):
            (Path(tries_dir) / uuid.uuid4().hex).touch()
            os._exit(1)  # as a native crash or the kernel's OOM killer would end it
        return _ScoringActor.__call__(self, batch)

    actor = type("DiesOnPoison", (_ScoringActor,), {"__call__": dies_on_poison})
    engine = RayEngine(WorkerConfig(str(MODEL), 1, 8), 1, "test-version", actor=actor)
    tasks = tasks_of(poison, good)
    engine.start()
    try:
        outcomes = list(engine.run(tasks))
    finally:
        engine.stop()
    rows = {o.rows["reports"][0]["path"]: o.rows["reports"][0] for o in outcomes}
    assert len(outcomes) == 2
    assert rows[str(good)]["status"] == "ok"
    failed = rows[str(poison)]
    assert (failed["status"], failed["error_code"]) == ("failed", INTERNAL)
    assert failed["error_message"] == WORKER_DIED
    assert len(list(tries.iterdir())) == CRASH_ATTEMPTS  # tried again once, then given up
