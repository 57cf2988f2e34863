"""One batch run: inputs → plan → engine → committed chunks → consolidated tables.

The engines only turn tasks into ``Outcome``s; everything written goes through the one
``ChunkStore``, from this process, in chunks of ``chunk_documents`` outcomes (or every
``commit_seconds``). An interruption (Ctrl-C) commits what has arrived, stops the workers
and consolidates; a ``kill -9`` loses at most the chunk in progress, which the next run
redoes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from service.batch.inputs import BatchUsageError, collect_inputs
from service.batch.plan import plan_tasks
from service.batch.progress import Progress, format_duration
from service.batch.settings import batch_settings
from service.batch.store import ChunkStore
from service.batch.worker import Outcome, Task, WorkerConfig, threads_per_worker

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class BatchOptions:
    """What ``scrutiny batch`` was asked to do."""

    inputs: tuple[str, ...]
    out: Path
    model_dir: Path | None = None  # default: the service setting
    workers: int | None = None  # default: the batch setting
    threads: int | None = None  # default: the CPUs shared out among the workers
    engine: str = "local"
    explain: bool = False
    ray_address: str | None = None
    chunk_documents: int | None = None  # default: the batch setting
    quiet: bool = False


@dataclass
class Summary:
    """What a run did, for the summary line, the exit status and the benchmark."""

    total: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    seconds: float = 0.0  # the whole run, from reading the inputs to the last file written
    startup_seconds: float = 0.0  # starting the engine (a local Ray instance, say)
    run_seconds: float = 0.0  # from the engine's start to its last outcome
    peak_worker_mb: float = 0.0  # highest resident-memory peak any worker reported
    workers: int = 1
    threads: int = 1
    engine: str = "local"
    interrupted: bool = False
    counts: dict[str, int] = field(default_factory=dict)  # rows per table written

    def line(self, out: Path) -> str:
        """The one-line summary printed at the end of a run."""
        rate = f", {self.pages / self.run_seconds:.1f} pages/s" if self.run_seconds > 0 else ""
        stopped = "interrupted; " if self.interrupted else ""
        return (
            f"batch: {stopped}{self.ok} ok, {self.failed} failed, {self.skipped} skipped in "
            f"{self.seconds:.1f} s ({format_duration(self.seconds)}; {self.pages} pages{rate}); "
            f"tables in {out}"
        )


class Engine(Protocol):
    """What the job needs of an engine: start, outcomes of tasks as they finish, stop."""

    name: str

    def start(self) -> None: ...

    def run(self, tasks: list[Task]) -> Iterator[Outcome]: ...

    def stop(self) -> None: ...


def make_engine(
    name: str, config: WorkerConfig, workers: int, model_version: str, ray_address: str | None
) -> Engine:
    """The engine called ``name`` (``local`` or ``ray``)."""
    if name == "local":
        from service.batch.local import LocalEngine

        return LocalEngine(config, workers, model_version)
    if name == "ray":
        from service.batch.ray_engine import RayEngine

        return RayEngine(config, workers, model_version, ray_address)
    raise BatchUsageError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


def model_version_of(model_dir: Path) -> str:
    """The version of the verified model in ``model_dir``; BatchUsageError if it is unfit."""
    from service.model.manifest import ModelIntegrityError, read_verified

    try:
        manifest, _ = read_verified(model_dir)
    except (ModelIntegrityError, OSError) as error:
        raise BatchUsageError(f"cannot load the model from {model_dir}: {error}") from None
    return manifest.version


class _Committer:
    """Gathers outcomes and commits them as chunks, by count or by age."""

    def __init__(self, store: ChunkStore, chunk_documents: int, commit_seconds: float) -> None:
        self.store = store
        self.chunk_documents = chunk_documents
        self.commit_seconds = commit_seconds
        self.pending: list[Outcome] = []
        self.since = time.monotonic()

    def add(self, outcome: Outcome) -> None:
        self.pending.append(outcome)
        if (
            len(self.pending) >= self.chunk_documents
            or time.monotonic() - self.since >= self.commit_seconds
        ):
            self.flush()

    def flush(self) -> None:
        if self.pending:
            rows: dict[str, list[dict[str, Any]]] = {}
            for outcome in self.pending:
                for table, table_rows in outcome.rows.items():
                    rows.setdefault(table, []).extend(table_rows)
            self.store.commit(rows)
            self.pending = []
        self.since = time.monotonic()


def _count(summary: Summary, progress: Progress, outcome: Outcome, *, scored: bool) -> None:
    if outcome.ok:
        summary.ok += 1
        summary.pages += outcome.pages
    else:
        summary.failed += 1
    summary.peak_worker_mb = max(summary.peak_worker_mb, outcome.peak_rss_mb)
    progress.advance(outcome.pages if outcome.ok else 0, scored=scored)


def run_batch(options: BatchOptions, stream: TextIO | None = None) -> Summary:
    """Score ``options.inputs`` into the tables in ``options.out``; see the module docstring.

    Raises BatchUsageError (nothing scored) for unusable inputs, model or output folder, and
    ImportError naming the extra when pyarrow (or Ray) is missing.
    """
    from service.settings import service_settings

    stream = sys.stderr if stream is None else stream
    started = time.perf_counter()
    settings, batch = service_settings(), batch_settings()
    workers = batch.workers if options.workers is None else options.workers
    if workers < 1 or (options.threads is not None and options.threads < 1):
        raise BatchUsageError("--workers and --threads must be at least 1")
    if options.engine not in ENGINES:
        raise BatchUsageError(f"unknown engine {options.engine!r}")
    model_dir = Path(options.model_dir or settings.model_dir)
    inputs = collect_inputs(options.inputs)
    model_version = model_version_of(model_dir)
    config = WorkerConfig(
        model_dir=str(model_dir.absolute()),
        threads=threads_per_worker(workers, options.threads),
        batch_size=settings.batch_size,
        explain=options.explain,
    )
    summary = Summary(
        total=len(inputs), workers=workers, threads=config.threads, engine=options.engine
    )
    engine = make_engine(options.engine, config, workers, model_version, options.ray_address)
    with ChunkStore(options.out) as store:
        plan = plan_tasks(inputs, store.done(model_version), model_version)
        summary.skipped = plan.skipped
        progress = Progress(len(inputs), stream, enabled=not options.quiet)
        committer = _Committer(
            store, options.chunk_documents or batch.chunk_documents, batch.commit_seconds
        )
        try:
            progress.skip(plan.skipped)
            for outcome in plan.failed:
                committer.add(outcome)
                _count(summary, progress, outcome, scored=False)
            if plan.tasks:
                engine_started = time.perf_counter()
                engine.start()
                summary.startup_seconds = time.perf_counter() - engine_started
                run_started = time.perf_counter()
                outcomes = engine.run(plan.tasks)
                try:
                    for outcome in outcomes:
                        committer.add(outcome)
                        _count(summary, progress, outcome, scored=True)
                finally:
                    summary.run_seconds = time.perf_counter() - run_started
                    close = getattr(outcomes, "close", None)
                    if close is not None:
                        close()  # stops the workers if the loop ended early
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            committer.flush()
            engine.stop()
            progress.close()
            summary.counts = store.consolidate(highlights=options.explain)
    summary.seconds = time.perf_counter() - started
    return summary
