"""The progress line: in place on a terminal, a line per interval otherwise, silent if quiet."""

from __future__ import annotations

import io

from service.batch.progress import Progress, format_duration


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_redraws_in_place() -> None:
    stream = _Terminal()
    progress = Progress(4, stream)
    progress.interval = 0.0
    progress.skip(1)
    progress.advance(pages=10)
    progress.close()
    text = stream.getvalue()
    assert text.startswith("\rbatch: 1/4 documents") and text.endswith("\n")
    assert "\rbatch: 2/4 documents, 10 pages" in text
    assert text.count("\n") == 1
    assert "ETA" in text


def test_log_output_is_one_line_per_interval() -> None:
    stream = io.StringIO()
    progress = Progress(3, stream)
    for _ in range(3):
        progress.advance(pages=2)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("batch: 1/3 documents")  # the first at once, then per interval
    assert lines[-1].startswith("batch: 3/3 documents, 6 pages") and "ETA 0:00:00" in lines[-1]
    assert len(lines) == 2
    assert "\r" not in stream.getvalue()


def test_quiet_writes_nothing() -> None:
    stream = _Terminal()
    progress = Progress(2, stream, enabled=False)
    progress.advance(pages=1)
    progress.close()
    assert stream.getvalue() == ""


def test_durations() -> None:
    assert format_duration(0) == "0:00:00"
    assert format_duration(3725.4) == "1:02:05"
