"""Guards that run before any parsing: body size, rate and concurrency."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from service.api.problems import problem_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` from Content-Length, or while streaming if unannounced."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit_mb = self.max_bytes / (1024 * 1024)
        response = problem_response(
            413, f"The request body is larger than the {limit_mb:.0f} MB limit.", "too-large"
        )
        await response(scope, receive, send)


class RateLimiter:
    """A token bucket per client: refilled at ``per_minute`` requests a minute, holding at
    most ``burst`` (default: ``per_minute``) for requests sent at once."""

    def __init__(self, per_minute: int, burst: int = 0) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(burst or per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0.0 when the request may go ahead, else the seconds until it would."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.rate


def hash_api_key(key: str) -> str:
    """The form in which API keys are configured and compared: sha256 hex of the key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_key_matches(presented: str, configured_hashes: list[str]) -> bool:
    """Constant-time comparison of a presented key against every configured hash."""
    digest = hash_api_key(presented)
    matched = False
    for expected in configured_hashes:
        matched |= hmac.compare_digest(digest, expected.strip().lower())
    return matched
