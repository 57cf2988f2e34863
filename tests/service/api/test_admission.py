"""Admission and backpressure: the wait queue, its bounds, the rate limit and /metrics."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.admission import Admission, Refused
from service.api.app import create_app
from service.api.limits import RateLimiter, hash_api_key
from service.settings import ApiSettings

MODEL = Path(__file__).resolve().parents[3] / "models" / "scrutiny-minilm-v1"
TEXT = (Path(__file__).resolve().parents[3] / "examples" / "child-t-review.md").read_text()


# --- the queue on its own ------------------------------------------------------------------


def test_waiters_get_slots_first_come_first_served() -> None:
    async def scenario() -> list[int]:
        admission = Admission(slots=1, max_queued=4, wait_seconds=5)
        assert admission.try_acquire()
        order: list[int] = []

        async def waiter(n: int) -> None:
            async with admission.slot() as waited:
                assert waited > 0
                order.append(n)
                await asyncio.sleep(0.01)

        tasks = [asyncio.create_task(waiter(n)) for n in range(3)]
        await asyncio.sleep(0.05)
        assert admission.queued == 3
        assert not admission.try_acquire()  # a newcomer may not jump the queue
        admission.release(0.5)
        await asyncio.gather(*tasks)
        assert admission.busy == 0 and admission.queued == 0
        return order

    assert asyncio.run(scenario()) == [0, 1, 2]


def test_full_queue_and_wait_timeout_are_refused_with_an_estimate() -> None:
    async def scenario() -> None:
        admission = Admission(slots=1, max_queued=1, wait_seconds=0.2, mean_hold_seconds=3.0)
        assert admission.try_acquire()
        queued = asyncio.create_task(admission.acquire())
        await asyncio.sleep(0.02)
        with pytest.raises(Refused) as full:
            await admission.acquire()
        assert full.value.reason == "queue_full"
        assert full.value.retry_after == 6  # two in line ahead of a free slot, 3 s each
        with pytest.raises(Refused) as late:
            await queued
        assert late.value.reason == "wait_timeout" and late.value.retry_after >= 1
        assert admission.queued == 0 and admission.busy == 1
        admission.release()
        assert admission.busy == 0

    asyncio.run(scenario())


def test_entry_is_bounded_by_slots_plus_queue_and_given_back() -> None:
    admission = Admission(slots=1, max_queued=1, wait_seconds=1.0)
    with admission.entry(), admission.entry():
        assert admission.entered == 2
        with pytest.raises(Refused) as full, admission.entry():
            pass
        assert full.value.reason == "queue_full" and full.value.retry_after >= 1
    assert admission.entered == 0
    with pytest.raises(RuntimeError), admission.entry():
        raise RuntimeError("the request failed")  # its place is given back all the same
    assert admission.entered == 0


def test_a_cancelled_waiter_leaves_the_queue_and_never_keeps_a_slot() -> None:
    async def scenario() -> None:
        admission = Admission(slots=1, max_queued=4, wait_seconds=5)
        assert admission.try_acquire()
        first = asyncio.create_task(admission.acquire())
        second = asyncio.create_task(admission.acquire())
        await asyncio.sleep(0.02)
        first.cancel()  # the client went away while waiting
        await asyncio.gather(first, return_exceptions=True)
        assert admission.queued == 1
        admission.release()  # handed to the second waiter
        second.cancel()  # cancelled in the same tick: the handed-over slot is passed on
        await asyncio.gather(second, return_exceptions=True)
        assert admission.busy == 0 and admission.queued == 0
        assert admission.try_acquire()

    asyncio.run(scenario())


def test_rate_limiter_bucket_and_burst() -> None:
    limiter = RateLimiter(per_minute=60, burst=2)
    assert limiter.allow("a") == 0 and limiter.allow("a") == 0
    wait = limiter.allow("a")
    assert 0 < wait <= 1.0  # one token a second
    assert limiter.allow("b") == 0  # buckets are per client
    assert RateLimiter(per_minute=0).allow("a") == 0  # off


# --- through the API -------------------------------------------------------------------------


def _app(**overrides: object) -> TestClient:
    settings = ApiSettings(**{"rate_limit_per_minute": 0, **overrides})  # type: ignore[arg-type]
    return TestClient(create_app(settings, MODEL, load_in_background=False))


@pytest.fixture(scope="module")
def one_slot() -> Iterator[TestClient]:
    with _app(max_concurrent_scores=1, max_queued=2, queue_wait_seconds=30) as client:
        yield client


def _metric(client: TestClient, name: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def _post_in_thread(client: TestClient, results: list[int]) -> threading.Thread:
    def post() -> None:
        results.append(client.post("/v1/score", json={"text": TEXT}).status_code)

    thread = threading.Thread(target=post)
    thread.start()
    return thread


def test_a_busy_slot_is_waited_for_not_refused(one_slot: TestClient) -> None:
    admission = one_slot.app.state.scrutiny.admission  # type: ignore[attr-defined]
    assert admission.try_acquire()
    results: list[int] = []
    threads = [_post_in_thread(one_slot, results) for _ in range(2)]
    deadline = time.monotonic() + 10
    while admission.queued < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _metric(one_slot, "scrutiny_queue_length") == 2
    # A third finds the queue full: 503 at once, with an estimate of when to retry.
    refused = one_slot.post("/v1/score", json={"text": TEXT})
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["Retry-After"]) >= 1
    assert "queue is full" in refused.json()["detail"]
    admission.release()
    for thread in threads:
        thread.join(60)
    assert results == [200, 200]
    assert admission.busy == 0 and admission.queued == 0
    assert _metric(one_slot, 'scrutiny_admission_rejected_total{reason="queue_full"}') >= 1
    assert _metric(one_slot, "scrutiny_queue_wait_seconds_count") >= 2


def test_waiting_past_the_limit_is_refused() -> None:
    with _app(max_concurrent_scores=1, queue_wait_seconds=0.3) as client:
        admission = client.app.state.scrutiny.admission  # type: ignore[attr-defined]
        assert admission.try_acquire()
        try:
            response = client.post("/v1/score", json={"text": TEXT})
        finally:
            admission.release()
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) >= 1
        assert "within 0.3 s" in response.json()["detail"]
        rejected = 'scrutiny_admission_rejected_total{reason="wait_timeout"}'
        assert _metric(client, rejected) >= 1


def test_a_flood_is_refused_before_its_bodies_are_read() -> None:
    """With every place taken, a scoring request gets 503 before FastAPI parses its body:
    a malformed one is refused as overloaded, not as malformed."""
    with _app(max_concurrent_scores=1, max_queued=0) as client:
        admission = client.app.state.scrutiny.admission  # type: ignore[attr-defined]
        malformed = {"content": b"{not json", "headers": {"content-type": "application/json"}}
        with admission.entry():
            for route in ("/v1/score", "/v1/compare"):
                refused = client.post(route, **malformed)  # type: ignore[arg-type]
                assert refused.status_code == 503, (route, refused.text)
                assert int(refused.headers["Retry-After"]) >= 1
                assert "queue is full" in refused.json()["detail"]
        assert client.post("/v1/score", **malformed).status_code == 400  # type: ignore[arg-type]
        assert client.post("/v1/score", json={"text": TEXT}).status_code == 200
        assert admission.entered == 0


def test_two_clients_back_to_back_are_never_refused(one_slot: TestClient) -> None:
    """With as many clients as slots, each finds its slot free (the slot is released before
    the response is sent), so no request waits long or is refused."""
    with _app(max_concurrent_scores=2, max_queued=0) as client:
        statuses: list[int] = []

        def run() -> None:
            for _ in range(6):
                statuses.append(client.post("/v1/score", json={"text": TEXT}).status_code)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert statuses == [200] * 12


def test_429_per_client_with_retry_after_and_metric() -> None:
    keys = [hash_api_key("alpha"), hash_api_key("beta")]
    with _app(api_key_hashes=keys, rate_limit_per_minute=30, rate_limit_burst=1) as client:
        alpha, beta = {"X-API-Key": "alpha"}, {"X-API-Key": "beta"}
        assert client.post("/v1/score", json={"text": TEXT}, headers=alpha).status_code == 200
        limited = client.post("/v1/score", json={"text": TEXT}, headers=alpha)
        assert limited.status_code == 429
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(limited.headers["Retry-After"]) <= 2  # one token per 2 s
        # Another key has a bucket of its own.
        assert client.post("/v1/score", json={"text": TEXT}, headers=beta).status_code == 200
        rejected = 'scrutiny_admission_rejected_total{reason="rate_limited"}'
        assert client.get("/metrics", headers=alpha).status_code == 200
        assert _metric_with_key(client, rejected, alpha) >= 1


def _metric_with_key(client: TestClient, name: str, headers: dict[str, str]) -> float:
    for line in client.get("/metrics", headers=headers).text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def test_metrics_need_the_key_unless_made_public() -> None:
    keys = [hash_api_key("s3cret")]
    with _app(api_key_hashes=keys) as client:
        refused = client.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert client.get("/metrics", headers={"X-API-Key": "wrong"}).status_code == 401
        assert client.get("/metrics", headers={"X-API-Key": "s3cret"}).status_code == 200
        assert client.get("/healthz").status_code == 200  # probes stay open
    with _app(api_key_hashes=keys, metrics_public=True) as client:
        assert client.get("/metrics").status_code == 200
    with _app() as client:  # no keys configured: nothing to protect it with
        assert client.get("/metrics").status_code == 200


def test_an_upload_without_extension_is_read_by_its_type_and_content() -> None:
    with _app() as client:
        ok = client.post(
            "/v1/score/file", files={"file": ("draft", TEXT.encode(), "text/markdown")}
        )
        assert ok.status_code == 200, ok.text
        wrong = client.post(
            "/v1/score/file", files={"file": ("draft", TEXT.encode(), "application/pdf")}
        )
        assert wrong.status_code == 415  # declared a PDF, but the content is text
        named = client.post("/v1/score/file", files={"file": ("draft.exe", TEXT.encode())})
        assert named.status_code == 415
