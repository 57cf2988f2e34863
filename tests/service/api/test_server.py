"""`scrutiny serve` as a process: SIGTERM drains in-flight requests, then exits 0."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from evaluation.load import start_server

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "scrutiny-minilm-v1"
TEXT = (REPO / "examples" / "child-t-review.md").read_text()


def _in_flight(url: str) -> float:
    for line in httpx.get(url + "/metrics", timeout=10).text.splitlines():
        if line.startswith("scrutiny_scores_in_flight "):
            return float(line.split()[1])
    return 0.0


@pytest.mark.slow
def test_sigterm_finishes_the_request_in_flight_and_exits_0(tmp_path: Path) -> None:
    server = start_server(MODEL, tmp_path)
    try:
        answers: list[int] = []
        # Some 65,000 characters: a few seconds of scoring, long enough to signal mid-way.
        long_text = TEXT * 12
        request = threading.Thread(
            target=lambda: answers.append(
                httpx.post(
                    server.url + "/v1/score",
                    json={"text": long_text, "include_text": False},
                    timeout=120,
                ).status_code
            )
        )
        request.start()
        deadline = time.monotonic() + 60
        while _in_flight(server.url) < 1:
            assert time.monotonic() < deadline, "the request never started scoring"
            time.sleep(0.05)
        server.process.send_signal(signal.SIGTERM)
        # The listening socket closes at once: a new connection is refused while the
        # request in flight is still being scored.
        refused = False
        while not refused and time.monotonic() < deadline:
            try:
                httpx.get(server.url + "/healthz", timeout=2)
                time.sleep(0.05)
            except httpx.TransportError:
                refused = True
        assert refused
        request.join(120)
        assert answers == [200]
        assert server.process.wait(60) == 0
        assert "after draining" in server.log_tail()
    finally:
        server.stop()
