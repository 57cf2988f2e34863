"""A run killed with SIGKILL after its first commit resumes: each input once, nothing lost."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from service.batch.store import PARTS
from service.cli import main
from tests.fixtures.reports import Rendered, ReportSpec
from tests.service.batch.conftest import MODEL, REPO, read_rows, write_good_documents

pytestmark = pytest.mark.slow


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for_first_commit(run: subprocess.Popen[bytes], out: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not list((out / PARTS / "reports").glob("*.parquet")):
        if run.poll() is not None or time.monotonic() > deadline:
            run.kill()
            raise AssertionError(f"no chunk was committed (exit status {run.returncode})")
        time.sleep(0.05)


def test_a_killed_run_resumes_without_losing_or_repeating_anything(
    tmp_path: Path,
    rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = tmp_path / "archive"
    write_good_documents(archive, rendered_reports)
    # More documents, none with the same bytes as another.
    for index in (1, 2):
        shutil.copy(rendered_reports[index][1].path, archive / f"more-{index}.pdf")
    for index in (0, 2):
        shutil.copy(rendered_reports[index][2].path, archive / f"more-{index}.docx")
    inputs = sorted(p.name for p in archive.rglob("*") if p.is_file())
    out = tmp_path / "out"
    command = [sys.executable, "-m", "service.cli", "batch", str(archive), "--out", str(out),
               "--model", str(MODEL), "--chunk", "1", "--quiet"]  # fmt: skip
    run = subprocess.Popen(command, cwd=REPO, stderr=subprocess.DEVNULL)
    try:
        _wait_for_first_commit(run, out, timeout=120)
        workers = _children(run.pid)
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    assert workers
    # Killed mid-run: parts committed, nothing consolidated yet.
    assert not (out / "reports.parquet").exists()
    committed = len(list((out / PARTS / "reports").glob("*.parquet")))
    assert 1 <= committed < len(inputs)

    assert main(["batch", str(archive), "--out", str(out), "--model", str(MODEL), "--quiet"]) == 0
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    skipped = int(summary.split(" skipped")[0].rsplit(" ", 1)[-1])
    assert skipped >= committed  # the killed run's work was kept, not redone
    reports = read_rows(out, "reports")
    assert Counter(Path(r["path"]).name for r in reports) == Counter(inputs)
    assert all(r["status"] == "ok" for r in reports)
    sections = read_rows(out, "sections")
    assert len(sections) == len({(r["sha256"], r["section"]) for r in sections})
    assert {r["sha256"] for r in sections} == {r["sha256"] for r in reports}
    assert not (out / PARTS).exists()

    # The worker processes of the killed run did not outlive it.
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in workers if _alive(pid)]
    assert not survivors, [Path(f"/proc/{pid}/cmdline").read_bytes()[:120] for pid in survivors]


def test_a_worker_killed_mid_run_is_replaced_and_its_input_retried(
    tmp_path: Path, rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]]
) -> None:
    archive = tmp_path / "archive"
    write_good_documents(archive, rendered_reports)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "service.cli", "batch", str(archive), "--out", str(out),
               "--model", str(MODEL), "--chunk", "1", "--quiet"]  # fmt: skip
    run = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_first_commit(run, out, timeout=120)
        (worker,) = [
            pid
            for pid in _children(run.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        os.kill(worker, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        _, err = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err[-3000:]
    reports = read_rows(out, "reports")
    assert sorted(Path(r["path"]).name for r in reports) == sorted(
        p.name for p in archive.rglob("*") if p.is_file()
    )
    assert all(r["status"] == "ok" for r in reports)
