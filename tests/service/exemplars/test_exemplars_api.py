"""``GET /exemplars`` (HTML and JSON) and ``GET /exemplars/{id}``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.exemplars.schemas import ExemplarOut, ExemplarsResponse
from service.settings import ApiSettings

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "scrutiny-minilm-v1"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(ApiSettings(rate_limit_per_minute=0), MODEL, load_in_background=False)
    with TestClient(app) as test_client:
        yield test_client


def test_the_bank_as_json(client: TestClient) -> None:
    response = client.get("/exemplars", headers={"Accept": "application/json"})
    assert response.status_code == 200
    bank = ExemplarsResponse.model_validate(response.json())
    assert [g.dimension for g in bank.dimensions] == [
        "clarity",
        "root_cause",
        "child_focus",
        "recommendations",
    ]
    assert bank.count == sum(len(t.exemplars) for g in bank.dimensions for t in g.topics)
    first = bank.dimensions[0].topics[0].exemplars[0]
    one = client.get(f"/exemplars/{first.id}")
    assert one.status_code == 200 and ExemplarOut.model_validate(one.json()) == first
    missing = client.get("/exemplars/no-such-id")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_the_bank_as_a_page(client: TestClient) -> None:
    response = client.get("/exemplars")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert "<h1>What good looks like</h1>" in page
    assert page.count('class="exemplar"') > 100
    assert 'id="filter-dimension"' in page and 'id="filter-topic"' in page
    assert "http://" not in page and "https://" not in page  # nothing from elsewhere
    assert "<script>" not in page and "<style>" not in page  # no inline code (CSP)
