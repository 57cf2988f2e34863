"""`scrutiny batch` with the local engine: every input one row, reruns, workers, explain."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from service.batch.local import LocalEngine, WorkersFailed, score_in_worker
from service.batch.tables import COLUMNS
from service.batch.worker import (
    CRASH_ATTEMPTS,
    INTERNAL,
    WORKER_DIED,
    Outcome,
    ReadTask,
    WorkerConfig,
)
from service.cli import main
from service.settings import ingest_limits
from tests.fixtures.reports import Rendered, ReportSpec
from tests.service.batch.conftest import (
    BROKEN,
    GOOD_NAMES,
    MAX_BYTES,
    MODEL,
    csv_rows,
    levels,
    read_rows,
    tasks_of,
    write_broken_documents,
    write_good_documents,
    write_ignored_files,
)


def _batch(*args: str) -> int:
    return main(["batch", *args, "--model", str(MODEL), "--quiet"])


def test_mixed_folder_gives_one_row_per_input_and_a_rerun_skips_what_is_done(
    tmp_path: Path,
    rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.setenv("SCRUTINY_INGEST_MAX_BYTES", str(MAX_BYTES))
    ingest_limits.cache_clear()  # read once per process: this one reads the inputs
    request.addfinalizer(ingest_limits.cache_clear)
    archive = tmp_path / "archive"
    write_good_documents(archive, rendered_reports)
    write_broken_documents(archive / "broken")
    write_ignored_files(archive)
    missing = tmp_path / "gone.pdf"
    out = tmp_path / "out"

    assert _batch(str(archive), str(missing), "--out", str(out)) == 1
    reports = read_rows(out, "reports")
    by_name = {Path(row["path"]).name: row for row in reports}
    assert len(reports) == len(by_name) == len(GOOD_NAMES) + len(BROKEN) + 1
    assert set(by_name) == GOOD_NAMES | set(BROKEN) | {"gone.pdf"}
    for name in GOOD_NAMES:
        row = by_name[name]
        assert row["status"] == "ok" and row["error_code"] is None, name
        assert row["clarity_level"] in (0, 1, 2, 3) and row["words"] > 0, name
        assert row["model_version"] and len(row["sha256"]) == 64
    assert by_name["fixture.pdf"]["pages"] and by_name["fixture.pdf"]["pages"] > 1
    for name, code in BROKEN.items():
        assert (by_name[name]["status"], by_name[name]["error_code"]) == ("failed", code), name
        assert by_name[name]["error_message"]
    gone = by_name["gone.pdf"]
    assert (gone["status"], gone["error_code"], gone["sha256"]) == ("failed", "not_found", None)
    assert list(reports[0])[: len(COLUMNS["reports"])] == [n for n, _ in COLUMNS["reports"]]

    # Child tables belong to scored reports only; recommendations were extracted.
    ok_keys = {(r["sha256"], r["model_version"]) for r in reports if r["status"] == "ok"}
    sections = read_rows(out, "sections")
    assert {(r["sha256"], r["model_version"]) for r in sections} == ok_keys
    recommendations = read_rows(out, "recommendations")
    assert any(Path(r["path"]).name == "child-t.docx" for r in recommendations)
    assert not (out / "highlights.parquet").exists()
    for table in ("reports", "sections", "recommendations"):
        assert csv_rows(out, table) == len(read_rows(out, table))
    assert not (out / ".parts").exists()
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"{len(GOOD_NAMES)} ok, {len(BROKEN) + 1} failed, 0 skipped" in summary

    # A rerun skips every scored document, retries the failures and keeps one row each.
    (tmp_path / "gone.pdf").write_bytes(rendered_reports[2][1].path.read_bytes())
    assert _batch(str(archive), str(missing), "--out", str(out)) == 1
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"1 ok, {len(BROKEN)} failed, {len(GOOD_NAMES)} skipped" in summary
    again = read_rows(out, "reports")
    assert len(again) == len(reports)
    assert {Path(r["path"]).name: r["status"] for r in again}["gone.pdf"] == "ok"
    assert {(r["sha256"], r["section"]) for r in read_rows(out, "sections")} >= {
        (r["sha256"], r["section"]) for r in sections
    }
    assert len(read_rows(out, "sections")) == len(
        {(r["sha256"], r["section"]) for r in read_rows(out, "sections")}
    )


def test_two_workers_give_the_same_rows_as_one(
    good_folder: Path, local_out: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert _batch(str(good_folder), "--out", str(out), "--workers", "2") == 0
    reference, rows = read_rows(local_out, "reports"), read_rows(out, "reports")
    assert len(rows) == len(reference) == len(GOOD_NAMES)
    assert levels(rows) == levels(reference)
    assert len(read_rows(out, "sections")) == len(read_rows(local_out, "sections"))
    assert len(read_rows(out, "recommendations")) == len(read_rows(local_out, "recommendations"))


def test_explain_writes_highlights(tmp_path: Path, good_folder: Path) -> None:
    out = tmp_path / "out"
    assert _batch(str(good_folder / "child-v.html"), "--out", str(out), "--explain") == 0
    highlights = read_rows(out, "highlights")
    assert highlights and csv_rows(out, "highlights") == len(highlights)
    (report,) = read_rows(out, "reports")
    assert {row["sha256"] for row in highlights} == {report["sha256"]}


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _batch(str(empty), "--out", str(tmp_path / "out")) == 2
    assert "no documents found" in capsys.readouterr().err
    doc = tmp_path / "a.txt"
    doc.write_text("Child A was seen.\n")
    assert main(["batch", str(doc), "--out", str(tmp_path / "o"), "--model", str(tmp_path)]) == 2
    assert "cannot load the model" in capsys.readouterr().err
    assert _batch(str(doc), "--out", str(tmp_path / "o"), "--workers", "0") == 2
    assert _batch(str(doc), "--out", str(tmp_path / "o"), "--ray-address", "auto") == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(doc)])  # --out is required
    assert exit_info.value.code == 2
    assert not (tmp_path / "o" / "reports.parquet").exists()


def test_the_same_bytes_at_two_paths_get_a_row_each(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[3] / "examples" / "child-t-review.md"
    archive = tmp_path / "archive"
    (archive / "copy").mkdir(parents=True)
    (archive / "child-t.md").write_bytes(example.read_bytes())
    (archive / "copy" / "child-t.md").write_bytes(example.read_bytes())
    out = tmp_path / "out"
    assert _batch(str(archive), "--out", str(out)) == 0
    reports = read_rows(out, "reports")
    assert sorted(Path(r["path"]).parent.name for r in reports) == ["archive", "copy"]
    assert len({r["sha256"] for r in reports}) == 1
    dims = ("clarity", "root_cause", "child_focus", "recommendations")
    assert len({tuple(r[f"{d}_level"] for d in dims) for r in reports}) == 1  # same levels
    sections = read_rows(out, "sections")
    assert {r["path"] for r in sections} == {r["path"] for r in reports}
    # A rerun skips both; a new copy elsewhere is scored under its own path.
    (archive / "third").mkdir()
    (archive / "third" / "child-t.md").write_bytes(example.read_bytes())
    assert _batch(str(archive), "--out", str(out)) == 0
    assert len(read_rows(out, "reports")) == 3


def dies_on_poison(read: ReadTask) -> Outcome:
    """A worker's scoring function that dies, as a native crash would, on a file named
    ``poison*``, leaving a mark in the ``tries`` folder beside it for each try."""
    path = Path(read.task.path)
    if path.name.startswith("poison"):
        (path.parent / "tries" / uuid.uuid4().hex).touch()
        os._exit(1)
    return score_in_worker(read)


def always_dies(read: ReadTask) -> Outcome:
    """A worker's scoring function that never finishes an input (workers that cannot run)."""
    os._exit(1)


def test_an_input_that_kills_its_worker_fails_alone_and_the_run_goes_on(
    good_folder: Path, tmp_path: Path
) -> None:
    poison = tmp_path / "poison.txt"
    poison.write_text("Child X: a review that kills the worker scoring it.\n", encoding="utf-8")
    (tmp_path / "tries").mkdir()
    goods = [good_folder / "child-v.html", good_folder / "child-t.docx"]
    engine = LocalEngine(WorkerConfig(str(MODEL), 1, 8), 1, "test-version", score_fn=dies_on_poison)
    # The poison file goes in flight with a good one queued behind it in the same worker.
    outcomes = list(engine.run(tasks_of(poison, *goods)))
    rows = {o.rows["reports"][0]["path"]: o.rows["reports"][0] for o in outcomes}
    assert len(outcomes) == 3
    assert all(rows[str(good)]["status"] == "ok" for good in goods)
    failed = rows[str(poison)]
    assert (failed["status"], failed["error_code"]) == ("failed", INTERNAL)
    assert failed["error_message"] == WORKER_DIED
    assert len(list((tmp_path / "tries").iterdir())) == CRASH_ATTEMPTS


def test_workers_that_cannot_score_anything_stop_the_run(tmp_path: Path) -> None:
    engine = LocalEngine(WorkerConfig(str(MODEL), 1, 8), 1, "test-version", score_fn=always_dies)
    inputs = [tmp_path / f"review-{n}.txt" for n in range(8)]
    for n, path in enumerate(inputs):
        path.write_text(f"Child {n}: the review found that no agency asked why.\n")
    outcomes: list[Outcome] = []
    with pytest.raises(WorkersFailed):
        outcomes.extend(engine.run(tasks_of(*inputs)))
    # Each input that ran alone and died was failed; the run stopped before the rest.
    assert 0 < len(outcomes) < len(inputs)
    assert all(o.rows["reports"][0]["error_message"] == WORKER_DIED for o in outcomes)
