"""The HTTP contract of design.md: schema, invariants, every error status, no leaks."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.limits import hash_api_key
from service.settings import ApiSettings
from tests.service.invariants import check_score_response

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "child-t-review.docx"
CANARY = "CANARY-3c1f9e-do-not-log"
REPORT_TEXT = f"""1. Introduction

Child Q was three when she was admitted to hospital with a broken arm. {CANARY} lived nearby.

2. Analysis

The referral was not followed up because it was sent to a team that had been disbanded.
The social worker failed to visit. ICPC held; CIN plan ended; MASH NFA.

3. Recommendations

3.1 The Safeguarding Partnership should audit referral pathways within six months.
"""


def _client(model_dir: Path, **overrides: object) -> TestClient:
    settings = ApiSettings(**overrides)  # type: ignore[arg-type]
    return TestClient(create_app(settings, model_dir, load_in_background=False))


@pytest.fixture(scope="module")
def client(tiny_model_dir: Path) -> Iterator[TestClient]:
    with _client(tiny_model_dir, rate_limit_per_minute=0) as test_client:
        yield test_client


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert "scrutiny_requests_total" in client.get("/metrics").text


def test_score_text_returns_the_schema(client: TestClient) -> None:
    response = client.post("/v1/score", json={"text": REPORT_TEXT, "title": "Child Q"})
    assert response.status_code == 200, response.text
    body = response.json()
    check_score_response(body)
    assert body["document"]["title"] == "Child Q"
    assert body["ratings"]["recommendations"] is not None
    assert body["recommendations"]


def test_score_sections_and_without_text(client: TestClient) -> None:
    payload = {
        "sections": [
            {"heading": "Analysis", "text": "The referral was not followed up."},
            {"heading": "Recommendations", "text": "1. Agencies should communicate better."},
        ],
        "include_text": False,
    }
    response = client.post("/v1/score", json=payload)
    assert response.status_code == 200, response.text
    assert response.json()["document"]["text"] is None


def test_score_file_returns_the_schema(client: TestClient) -> None:
    with EXAMPLE.open("rb") as handle:
        response = client.post("/v1/score/file", files={"file": (EXAMPLE.name, handle)})
    assert response.status_code == 200, response.text
    check_score_response(response.json())


def test_html_and_markdown_on_request(client: TestClient) -> None:
    html = client.post("/v1/score", json={"text": REPORT_TEXT}, headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.text.startswith("<!doctype html>")
    md = client.post("/v1/score", json={"text": REPORT_TEXT}, headers={"Accept": "text/markdown"})
    assert md.status_code == 200 and "Ratings at a glance" in md.text


def _assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def test_400_malformed(client: TestClient) -> None:
    _assert_problem(
        client.post(
            "/v1/score", content=b"{not json", headers={"Content-Type": "application/json"}
        ),
        400,
    )
    _assert_problem(client.post("/v1/score", json={"text": "a", "sections": [{"text": "b"}]}), 400)
    body = _assert_problem(client.post("/v1/score", json={"text": 12, "title": CANARY}), 400)
    assert CANARY not in json.dumps(body)


def test_401_when_keys_configured(tiny_model_dir: Path) -> None:
    with _client(tiny_model_dir, api_key_hashes=[hash_api_key("s3cret")]) as keyed:
        _assert_problem(keyed.post("/v1/score", json={"text": REPORT_TEXT}), 401)
        _assert_problem(
            keyed.post("/v1/score", json={"text": REPORT_TEXT}, headers={"X-API-Key": "wrong"}), 401
        )
        ok = keyed.post("/v1/score", json={"text": REPORT_TEXT}, headers={"X-API-Key": "s3cret"})
        assert ok.status_code == 200, ok.text


def test_413_too_large(tiny_model_dir: Path) -> None:
    with _client(tiny_model_dir, max_request_bytes=2000, max_text_characters=500) as small:
        _assert_problem(small.post("/v1/score/file", files={"file": ("big.txt", b"x" * 5000)}), 413)
        _assert_problem(small.post("/v1/score", json={"text": "word " * 150}), 413)


def test_415_unsupported_type(client: TestClient) -> None:
    _assert_problem(
        client.post("/v1/score/file", files={"file": ("report.exe", b"MZ\x90\x00")}), 415
    )
    # Content that does not match its extension: plain text named .pdf.
    _assert_problem(
        client.post("/v1/score/file", files={"file": ("report.pdf", REPORT_TEXT.encode())}), 415
    )


def test_422_unreadable(client: TestClient) -> None:
    _assert_problem(client.post("/v1/score/file", files={"file": ("empty.txt", b"")}), 422)
    _assert_problem(
        client.post("/v1/score/file", files={"file": ("broken.pdf", b"%PDF-1.7\n1 0 obj\n<<")}), 422
    )
    _assert_problem(client.post("/v1/score/file", files={"file": ("blank.txt", b"   \n\n  ")}), 422)


def test_429_rate_limited(tiny_model_dir: Path) -> None:
    with _client(tiny_model_dir, rate_limit_per_minute=2) as limited:
        for _ in range(2):
            assert limited.post("/v1/score", json={"text": REPORT_TEXT}).status_code == 200
        response = limited.post("/v1/score", json={"text": REPORT_TEXT})
        _assert_problem(response, 429)
        assert int(response.headers["Retry-After"]) >= 1


def test_503_not_ready_and_overloaded(tiny_model_dir: Path, tmp_path: Path) -> None:
    with _client(tmp_path / "missing-model") as not_ready:
        _assert_problem(not_ready.get("/readyz"), 503)
        _assert_problem(not_ready.post("/v1/score", json={"text": REPORT_TEXT}), 503)
    app = create_app(
        ApiSettings(max_concurrent_scores=1, max_queued=0), tiny_model_dir, load_in_background=False
    )
    with TestClient(app) as busy:
        state = app.state.scrutiny
        assert state.admission.try_acquire()
        try:
            response = busy.post("/v1/score", json={"text": REPORT_TEXT})
            _assert_problem(response, 503)
            assert int(response.headers["Retry-After"]) >= 1
        finally:
            state.admission.release()


def test_canary_never_logged_or_echoed(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bodies = [
        client.post("/v1/score", json={"text": REPORT_TEXT}).text,
        client.post("/v1/score/file", files={"file": ("r.pdf", REPORT_TEXT.encode())}).text,
        client.post("/v1/score/file", files={"file": ("r.docx", REPORT_TEXT.encode())}).text,
        client.post("/v1/score", json={"text": REPORT_TEXT, "sections": [{"text": CANARY}]}).text,
        client.post("/v1/score", json={"sections": [{"heading": CANARY * 20, "text": "x"}]}).text,
    ]
    assert CANARY not in caplog.text
    for body in bodies[1:]:
        assert CANARY not in body
