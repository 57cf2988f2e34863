"""The progress line of a batch run on stderr: documents done/total, pages/s and ETA.

On a terminal the line is redrawn in place; otherwise (a log file, CI) a line is written
every few seconds. Nothing here knows a document's text or even its path.
"""

from __future__ import annotations

import time
from typing import TextIO

from service.batch.settings import batch_settings


def format_duration(seconds: float) -> str:
    """``h:mm:ss`` for a number of seconds."""
    whole = max(0, round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class Progress:
    """Counts documents and pages as outcomes arrive and shows the rate on ``stream``."""

    def __init__(self, total: int, stream: TextIO, *, enabled: bool = True) -> None:
        settings = batch_settings()
        self.total = total
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and stream.isatty()
        self.interval = settings.progress_refresh_s if self.tty else settings.progress_interval_s
        self.started = time.perf_counter()
        self.done = 0  # every input accounted for, skipped ones included
        self.scored = 0  # inputs this run read and scored (or failed on)
        self.pages = 0
        self._shown_at = 0.0
        self._width = 0

    def skip(self, count: int) -> None:
        """Count inputs that need no work (already scored)."""
        self.done += count
        self.show()

    def advance(self, pages: int = 0, *, scored: bool = True) -> None:
        """Count one more input finished, with its pages."""
        self.done += 1
        self.scored += scored
        self.pages += pages
        self.show()

    def line(self) -> str:
        """The progress text as it stands."""
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = self.pages / elapsed
        remaining = self.total - self.done
        eta = (
            format_duration(remaining * elapsed / self.scored)
            if self.scored and remaining
            else ("0:00:00" if not remaining else "?")
        )
        return (
            f"batch: {self.done}/{self.total} documents, {self.pages} pages, "
            f"{rate:.1f} pages/s, ETA {eta}"
        )

    def show(self, *, force: bool = False) -> None:
        """Redraw (terminal) or print (otherwise) the line, at most once per interval."""
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._shown_at < self.interval:
            return
        self._shown_at = now
        text = self.line()
        if self.tty:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Show the final figures and end the in-place line."""
        if not self.enabled:
            return
        self.show(force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
