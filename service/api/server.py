"""Run the API under uvicorn with a graceful, clean shutdown on SIGTERM."""

from __future__ import annotations

import logging
import math
import signal
from types import FrameType

from fastapi import FastAPI

log = logging.getLogger("scrutiny.api")


def _drained(signum: int, _frame: FrameType | None) -> None:
    log.info("shut down on signal %d after draining in-flight requests", signum)


def serve(app: FastAPI, *, host: str, port: int, grace_seconds: float) -> int:
    """Serve ``app`` until SIGTERM or Ctrl-C; returns the exit status (0 after a drain).

    On SIGTERM uvicorn closes the listening socket at once, lets in-flight (and queued)
    requests finish for up to ``grace_seconds`` and then cuts the rest.
    """
    import uvicorn

    # uvicorn's access log prints query strings; ours logs route templates only.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="info",
        timeout_graceful_shutdown=math.ceil(grace_seconds),
    )
    server = uvicorn.Server(config)
    # After draining, uvicorn raises the signal again against the handler that was in place
    # before it started; the default one would kill the process (exit -15) although every
    # request was answered. A handler that only logs lets ``serve`` return 0 instead.
    previous = signal.signal(signal.SIGTERM, _drained)
    try:
        server.run()
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
