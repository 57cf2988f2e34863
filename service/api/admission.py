"""Admission to the bounded scoring slots: a short FIFO wait queue, then refusal.

A request that finds every slot busy waits (without holding a thread) up to
``wait_seconds`` for one, behind at most ``max_queued`` others; past either bound it is
refused with an estimate of when to retry. Slots are handed over first come, first served,
so a request arriving while others wait joins the back of the queue.

Before any of that, a scoring request must find room to *enter* (``entry``): at most
``slots + max_queued`` requests may be between arrival and their response, counting those
still sending their body. A flood is refused before its bodies are read, so it cannot hold
more than that many bodies in memory, whatever the clients send.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

from service.api.metrics import ADMISSION_REJECTED, IN_FLIGHT, QUEUE_LENGTH, QUEUE_WAIT_SECONDS

# Smoothing of the mean time a slot is held (for Retry-After): recent requests weigh most.
_SMOOTHING = 0.2
_RETRY_AFTER_MAX = 120


class Refused(Exception):
    """No slot: ``reason`` is "queue_full" or "wait_timeout"; retry in ``retry_after`` s."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(eq=False)
class _Waiter:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]
    granted: bool = False  # set under the lock when a slot is handed to this waiter


@dataclass
class Admission:
    """``slots`` scoring slots with a bounded wait queue in front of them."""

    slots: int
    max_queued: int
    wait_seconds: float
    mean_hold_seconds: float = 1.0
    _free: int = field(init=False)
    _entered: int = field(init=False, default=0)
    _waiters: deque[_Waiter] = field(init=False, default_factory=deque)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._free = self.slots

    @property
    def queued(self) -> int:
        """Requests waiting now."""
        return len(self._waiters)

    @property
    def busy(self) -> int:
        """Slots held now."""
        return self.slots - self._free

    @property
    def entered(self) -> int:
        """Scoring requests inside now: reading their body, queued or holding a slot."""
        return self._entered

    @contextmanager
    def entry(self) -> Iterator[None]:
        """Hold one of the ``slots + max_queued`` places for the body of the ``with``;
        ``Refused("queue_full")`` at once when none is left."""
        with self._lock:
            if self._entered >= self.slots + self.max_queued:
                ADMISSION_REJECTED.labels("queue_full").inc()
                raise Refused("queue_full", self.retry_after())
            self._entered += 1
        try:
            yield
        finally:
            with self._lock:
                self._entered -= 1

    def retry_after(self) -> int:
        """Seconds until the queue as it stands would have drained (at least 1)."""
        drain = self.mean_hold_seconds * (len(self._waiters) + 1) / self.slots
        return max(1, min(_RETRY_AFTER_MAX, math.ceil(drain)))

    def try_acquire(self) -> bool:
        """Take a free slot now if no one is waiting for it; never waits."""
        with self._lock:
            return self._take_free_locked()

    def _take_free_locked(self) -> bool:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            IN_FLIGHT.inc()
            return True
        return False

    async def acquire(self) -> float:
        """Take a slot, waiting in the queue if need be; returns the seconds waited.

        Raises ``Refused`` when the queue is full or no slot frees within ``wait_seconds``.
        """
        with self._lock:
            if self._take_free_locked():
                QUEUE_WAIT_SECONDS.observe(0.0)
                return 0.0
            if len(self._waiters) >= self.max_queued:
                ADMISSION_REJECTED.labels("queue_full").inc()
                raise Refused("queue_full", self.retry_after())
            loop = asyncio.get_running_loop()
            waiter = _Waiter(loop, loop.create_future())
            self._waiters.append(waiter)
            QUEUE_LENGTH.set(len(self._waiters))
        started = time.monotonic()
        try:
            # Not wait_for: on 3.11 it swallows a cancellation that meets a granted slot.
            async with asyncio.timeout(self.wait_seconds):
                await waiter.future
        except BaseException as error:  # timeout, or the request was cancelled
            with self._lock:
                granted = waiter.granted
                if not granted:
                    self._waiters.remove(waiter)
                    QUEUE_LENGTH.set(len(self._waiters))
            timed_out = isinstance(error, TimeoutError)
            if not (granted and timed_out):  # a slot that came as the wait ran out is used
                if granted:  # cancelled after the slot was handed over: pass it on
                    self.release()
                if timed_out:
                    ADMISSION_REJECTED.labels("wait_timeout").inc()
                    raise Refused("wait_timeout", self.retry_after()) from None
                raise
        waited = time.monotonic() - started
        QUEUE_WAIT_SECONDS.observe(waited)
        return waited

    def release(self, held_seconds: float | None = None) -> None:
        """Give a slot back: to the longest waiter if any, else to the pool."""
        with self._lock:
            if held_seconds is not None:
                self.mean_hold_seconds += _SMOOTHING * (held_seconds - self.mean_hold_seconds)
            if self._waiters:
                waiter = self._waiters.popleft()
                waiter.granted = True  # the slot moves to the waiter; in-flight count unchanged
                QUEUE_LENGTH.set(len(self._waiters))
                waiter.loop.call_soon_threadsafe(_wake, waiter.future)
                return
            self._free += 1
            IN_FLIGHT.dec()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        """Hold a slot for the body of the ``async with``; yields the seconds waited."""
        waited = await self.acquire()
        started = time.monotonic()
        try:
            yield waited
        finally:
            self.release(time.monotonic() - started)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():  # a waiter that timed out meanwhile finds ``granted`` instead
        future.set_result(None)
