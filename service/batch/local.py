"""The local engine: worker processes on this machine, each with one ONNX session.

Workers are ``concurrent.futures`` processes started with ``spawn`` (not daemonic, so the
reading stage can still fork its isolated parser children; a fresh interpreter, so no lock
or thread of the parent is inherited). Each ignores Ctrl-C (the parent stops them) and exits
by itself if the parent dies (``kill -9``), so no worker outlives its run.

A worker that dies (killed for memory, a crash in a native library) breaks the pool: the
inputs it held are tried once more in a new pool, then given a ``failed`` row.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from service.batch.settings import batch_settings
from service.batch.worker import (
    CRASH_ATTEMPTS,
    Outcome,
    Scorer,
    Task,
    WorkerConfig,
    crashed_outcome,
)

_PARENT_POLL_S = 1.0
_scorer: Scorer | None = None


class WorkersFailed(RuntimeError):
    """Worker processes keep dying before finishing any input (they cannot start)."""


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(_PARENT_POLL_S)
        if os.getppid() != parent:  # the parent died: nobody will read our results
            os._exit(1)


def _start_worker(config: WorkerConfig, parent: int) -> None:
    global _scorer
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    _scorer = Scorer.load(config)


def _score(task: Task) -> Outcome:
    assert _scorer is not None, "worker started without its model"
    return _scorer.score(task)


def _stop(pool: ProcessPoolExecutor, *, busy: bool) -> None:
    """Shut the pool down; if its workers are ``busy`` (the run was cut short), kill them
    mid-document (their inputs are scored by the next run)."""
    if not busy:
        pool.shutdown(wait=True)
        return
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(5)


class LocalEngine:
    """Score tasks in ``workers`` local processes."""

    name = "local"

    def __init__(self, config: WorkerConfig, workers: int, model_version: str) -> None:
        self.config = config
        self.workers = workers
        self.model_version = model_version

    def start(self) -> None:
        """Nothing to start ahead of the run: workers start with the first input."""

    def stop(self) -> None:
        """Nothing outlives ``run``."""

    def _pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.config, os.getpid()),
        )

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        """Outcomes of ``tasks``, in the order they finish."""
        window = self.workers * batch_settings().in_flight_per_worker
        # Each task with the number of pools that broke while it was in flight.
        queue: deque[tuple[Task, int]] = deque((task, 0) for task in tasks)
        barren_pools = 0  # consecutive pools that broke before finishing anything
        while queue:
            pool = self._pool()
            in_flight: dict[Future[Outcome], tuple[Task, int]] = {}
            held: list[tuple[Task, int]] = []
            finished_any = broken = False
            try:
                while (queue or in_flight) and not broken:
                    while queue and len(in_flight) < window:
                        try:
                            future = pool.submit(_score, queue[0][0])
                        except BrokenProcessPool:  # it broke since the last outcome
                            broken = True
                            break
                        in_flight[future] = queue.popleft()
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        task, crashes = in_flight.pop(future)
                        try:
                            outcome = future.result()
                        except BrokenProcessPool:
                            broken = True
                            held.append((task, crashes + 1))
                            continue
                        finished_any = True
                        yield outcome
            finally:
                _stop(pool, busy=bool(in_flight) and not broken)
            if not broken:
                return
            held += [(task, crashes + 1) for task, crashes in in_flight.values()]
            barren_pools = 0 if finished_any else barren_pools + 1
            # No input is in more than CRASH_ATTEMPTS broken pools, so one more barren pool in a
            # row means fresh inputs die too: the workers themselves cannot run.
            if barren_pools > CRASH_ATTEMPTS:
                raise WorkersFailed(
                    "worker processes stopped before scoring any document; check that the "
                    "model loads (`scrutiny score` on one file) and that memory is available"
                )
            for task, crashes in held:
                if crashes < CRASH_ATTEMPTS:
                    queue.appendleft((task, crashes))
                else:
                    yield crashed_outcome(task, self.model_version)
