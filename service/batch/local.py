"""The local engine: worker processes on this machine, each with one ONNX session.

This process reads the inputs ahead of the workers (``_Feed``: the parsing itself runs in an
isolated child per document) and hands each worker a read document, so reading overlaps
scoring even with one worker. Workers are ``concurrent.futures`` processes started with
``spawn`` (a fresh interpreter, so no lock or thread of the parent is inherited). Each
ignores Ctrl-C (the parent stops them) and exits by itself if the parent dies (``kill -9``),
so no worker outlives its run.

A worker that dies (killed for memory, a crash in a native library) breaks the pool: the
inputs it held are tried again in a new pool, each alone, so the next break is blamed on
the input that caused it; an input in ``CRASH_ATTEMPTS`` broken pools gets a ``failed`` row.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from service.batch.settings import batch_settings
from service.batch.worker import (
    CRASH_ATTEMPTS,
    Outcome,
    ReadTask,
    Scorer,
    Task,
    WorkerConfig,
    crashed_outcome,
    read_task,
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


def score_in_worker(read: ReadTask) -> Outcome:
    """Score a read document with this worker's ``Scorer`` (runs in the worker process)."""
    assert _scorer is not None, "worker started without its model"
    return _scorer.score_read(read)


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

    def __init__(
        self,
        config: WorkerConfig,
        workers: int,
        model_version: str,
        score_fn: Callable[[ReadTask], Outcome] = score_in_worker,
    ) -> None:
        self.config = config
        self.workers = workers
        self.model_version = model_version
        self.score_fn = score_fn  # tests pass one that kills its worker on purpose

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
        feed = _Feed(tasks, readers=self.workers, ahead=window)
        fresh_barren = 0  # consecutive pools that lost fresh inputs and finished nothing
        try:
            while feed:
                pool = self._pool()
                in_flight: dict[Future[Outcome], tuple[ReadTask, int]] = {}
                held: list[tuple[ReadTask, int]] = []
                finished_any = broken = False
                try:
                    while (feed or in_flight) and not broken:
                        # A suspect (in flight when a pool broke) runs alone, so the next break
                        # is blamed on it and not on an innocent input queued beside it.
                        suspect_running = any(crashes for _, crashes in in_flight.values())
                        while len(in_flight) < window and not suspect_running:
                            item = feed.next(alone=not in_flight)
                            if item is None:
                                break
                            try:
                                future = pool.submit(self.score_fn, item[0])
                            except BrokenProcessPool:  # it broke since the last outcome
                                feed.give_back(item)
                                broken = True
                                break
                            in_flight[future] = item
                            suspect_running = item[1] > 0
                        feed.read_ahead()
                        waiting: list[Future[Any]] = list(in_flight)
                        if len(in_flight) < window and not suspect_running:
                            waiting += feed.next_read()
                        done, _ = wait(waiting, return_when=FIRST_COMPLETED)
                        for future in done:
                            if future not in in_flight:
                                continue  # a document is read: the loop submits it
                            read, crashes = in_flight.pop(future)
                            try:
                                outcome = future.result()
                            except BrokenProcessPool:
                                broken = True
                                held.append((read, crashes))
                                continue
                            finished_any = True
                            yield outcome
                finally:
                    _stop(pool, busy=bool(in_flight) and not broken)
                if not broken:
                    return
                held += list(in_flight.values())
                lost_fresh = any(crashes == 0 for _, crashes in held)
                if finished_any:
                    fresh_barren = 0
                elif lost_fresh:
                    fresh_barren += 1
                # A fresh input is in a broken pool at most once before it runs alone, so
                # pools that keep breaking on fresh inputs mean the workers cannot run.
                if fresh_barren > CRASH_ATTEMPTS:
                    raise WorkersFailed(
                        "worker processes stopped before scoring any document; check that the "
                        "model loads (`scrutiny score` on one file) and that memory is available"
                    )
                for read, crashes in reversed(held):
                    if crashes + 1 < CRASH_ATTEMPTS:
                        feed.give_back((read, crashes + 1))
                    else:
                        yield crashed_outcome(read.task, self.model_version)
        finally:
            feed.close()


class _Feed:
    """Inputs on their way to the workers: read ahead in this process, in input order.

    Reading runs ``ahead`` documents in front of scoring, in ``readers`` threads that each
    wait on an isolated parser child, so a worker never waits for its next document to be
    parsed. Inputs a broken pool gave back come first, with their crash counts.
    """

    def __init__(self, tasks: Sequence[Task], *, readers: int, ahead: int) -> None:
        self._pending: deque[Task] = deque(tasks)
        self._reading: deque[Future[ReadTask]] = deque()
        self._returned: deque[tuple[ReadTask, int]] = deque()
        self._ahead = ahead
        self._reader = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="batch-read")
        self.read_ahead()

    def __bool__(self) -> bool:
        return bool(self._pending or self._reading or self._returned)

    def read_ahead(self) -> None:
        """Start reading inputs until ``ahead`` are being read or read."""
        while self._pending and len(self._reading) < self._ahead:
            self._reading.append(self._reader.submit(read_task, self._pending.popleft()))

    def next(self, *, alone: bool) -> tuple[ReadTask, int] | None:
        """The next read input and its crash count, if one is ready; a suspect (crashed
        before) only when it would run ``alone``."""
        if self._returned:
            if self._returned[0][1] and not alone:
                return None
            return self._returned.popleft()
        if self._reading and self._reading[0].done():
            return self._reading.popleft().result(), 0
        return None

    def next_read(self) -> list[Future[ReadTask]]:
        """The read to wait for when workers have room (none if an input is ready)."""
        return [self._reading[0]] if self._reading and not self._returned else []

    def give_back(self, item: tuple[ReadTask, int]) -> None:
        """Put an input back at the front (a broken pool's, or one it refused)."""
        self._returned.appendleft(item)

    def close(self) -> None:
        """Stop reading; reads not started are dropped."""
        self._reader.shutdown(wait=False, cancel_futures=True)
