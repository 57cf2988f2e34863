"""Scoring one batch input into table rows: the one code path of every engine's workers.

A ``Scorer`` holds one verified ONNX session. ``Scorer.score`` never raises for a bad input:
an unreadable file is a ``failed`` row with the reader's error code, and an unexpected
exception while scoring is a ``failed`` row with code ``internal`` whose message names the
exception type only (an exception's message may quote report text).
"""

from __future__ import annotations

import json
import logging
import os
import resource
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.batch.tables import failed_row, rows_of

if TYPE_CHECKING:
    from service.ingest.document import Document

log = logging.getLogger("scrutiny.batch")

Row = dict[str, Any]
INTERNAL = "internal"


@dataclass(frozen=True)
class Task:
    """One input to score: its absolute path, the sha256 of its bytes, its metadata."""

    path: str
    sha256: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkerConfig:
    """What every worker needs to build its ``Scorer`` (plain values: it crosses processes)."""

    model_dir: str
    threads: int
    batch_size: int
    explain: bool = False


@dataclass
class Outcome:
    """One input's rows for every table, and what the progress bar and benchmark count."""

    rows: dict[str, list[Row]]
    ok: bool
    pages: int = 0
    peak_rss_mb: float = 0.0  # the worker's resident-memory high-water mark so far

    def to_json(self) -> str:
        """The outcome as JSON text (how Ray actors hand it back)."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Outcome:
        """The outcome ``to_json`` wrote."""
        return cls(**json.loads(text))


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def threads_per_worker(workers: int, threads: int | None = None) -> int:
    """onnxruntime threads per worker: ``threads`` if given, else the CPUs shared out evenly."""
    if threads is not None:
        return max(1, threads)
    return max(1, usable_cpus() // max(1, workers))


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Read from ``VmHWM`` (this process's own high-water mark) where /proc exists: the
    ``ru_maxrss`` of a spawned process can carry its parent's figure across ``exec``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def os_error_code(error: OSError) -> tuple[str, str]:
    """A failed row's code and message for a file the operating system would not give us."""
    if isinstance(error, FileNotFoundError):
        return "not_found", "No file exists at that path; check the path or the manifest."
    if isinstance(error, IsADirectoryError):
        return "unreadable", "The path is a folder, not a document."
    if isinstance(error, PermissionError):
        return "unreadable", "The file cannot be opened (permission denied)."
    reason = error.strerror or type(error).__name__
    return "unreadable", f"The file cannot be read ({reason})."


# Tries per input when the process scoring it dies under it (killed for memory, a crash in
# a native library), in either engine; then the input gets a failed row.
CRASH_ATTEMPTS = 2
WORKER_DIED = (
    "A worker process stopped while scoring this file (it may have run out of memory); "
    "rerun to retry."
)


def crashed_outcome(task: Task, model_version: str) -> Outcome:
    """The failed outcome of an input whose worker died under it ``CRASH_ATTEMPTS`` times."""
    return failed_outcome(
        task.path, task.sha256, model_version, INTERNAL, WORKER_DIED, metadata=task.metadata
    )


def failed_outcome(
    task_path: str,
    sha256: str | None,
    model_version: str,
    code: str,
    message: str,
    *,
    metadata: dict[str, str] | None = None,
    seconds: float = 0.0,
) -> Outcome:
    """The outcome of an input that could not be scored."""
    row = failed_row(
        path=task_path,
        sha256=sha256,
        model_version=model_version,
        code=code,
        message=message,
        seconds=seconds,
        metadata=metadata,
    )
    return Outcome(rows={"reports": [row]}, ok=False, peak_rss_mb=peak_rss_mb())


@dataclass(frozen=True)
class ReadTask:
    """A task with its document read, or the error code and message of reading it."""

    task: Task
    document: Document | None
    failure: tuple[str, str] | None = None
    seconds: float = 0.0  # spent reading


def read_task(task: Task) -> ReadTask:
    """Read ``task``'s file; never raises for a file that cannot be read.

    The reading stage of every engine. It needs no model, so the local engine runs it ahead
    in the parent while workers score (the parser itself runs in an isolated child).
    """
    from service.ingest import IngestError, read_document

    started = time.perf_counter()

    def failed(code: str, message: str) -> ReadTask:
        return ReadTask(task, None, (code, message), time.perf_counter() - started)

    try:
        document = read_document(Path(task.path))
    except IngestError as error:
        return failed(error.code, str(error))
    except OSError as error:
        return failed(*os_error_code(error))
    except Exception as error:  # a reader bug must cost one row, not the run
        log.warning("reading failed sha256=%s error=%s", task.sha256[:16], type(error).__name__)
        return failed(
            INTERNAL,
            f"Reading failed with an internal error ({type(error).__name__}); rerun to retry "
            "or report the file's sha256.",
        )
    return ReadTask(task, document, None, time.perf_counter() - started)


class Scorer:
    """One worker's model session, scoring inputs one at a time."""

    def __init__(self, model: Any, *, explain: bool = False) -> None:
        self.model = model
        self.explain = explain

    @classmethod
    def load(cls, config: WorkerConfig) -> Scorer:
        """Load (and verify) the model as ``config`` says."""
        from service.model.runtime import QualityModel

        model = QualityModel.load(
            Path(config.model_dir), threads=config.threads, batch_size=config.batch_size
        )
        return cls(model, explain=config.explain)

    def score(self, task: Task) -> Outcome:
        """Read and score ``task``; a file that cannot be scored gives a ``failed`` outcome."""
        return self.score_read(read_task(task))

    def score_read(self, read: ReadTask) -> Outcome:
        """Score a task ``read_task`` has read (or give the failed outcome of its reading)."""
        from service.scoring import score_document

        task = read.task
        started = time.perf_counter() - read.seconds

        def failed(code: str, message: str) -> Outcome:
            return failed_outcome(
                task.path,
                task.sha256,
                self.model.version,
                code,
                message,
                metadata=task.metadata,
                seconds=time.perf_counter() - started,
            )

        if read.document is None:
            assert read.failure is not None
            return failed(*read.failure)
        document = read.document
        try:
            result = score_document(document, self.model, include_text=False, explain=self.explain)
            words = len(document.text.split())
            rows = rows_of(
                result,
                path=task.path,
                words=words,
                seconds=time.perf_counter() - started,
                metadata=task.metadata,
            )
        except Exception as error:
            log.warning("scoring failed sha256=%s error=%s", task.sha256[:16], type(error).__name__)
            return failed(
                INTERNAL,
                f"Scoring failed with an internal error ({type(error).__name__}); rerun to retry "
                "or report the file's sha256.",
            )
        if not self.explain:
            rows.pop("highlights", None)
        return Outcome(rows=rows, ok=True, pages=len(document.pages), peak_rss_mb=peak_rss_mb())
