"""The author's page and its files: served by the API, self-contained, with the stable hooks
the browser tests (and people's own tests) rely on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import ApiSettings

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "scrutiny-minilm-v1"
WEB = REPO / "service" / "web"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    # The page needs no model: it is served while the model loads.
    app = create_app(ApiSettings(rate_limit_per_minute=0), MODEL, load_in_background=True)
    with TestClient(app) as test_client:
        yield test_client


def test_the_page_has_its_hooks_and_a_strict_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    page = response.text
    assert (
        'type="file"' in page and '<button type="submit" id="score-button">Score</button>' in page
    )
    assert 'data-testid="fix-first"' in page
    assert '<html lang="en">' in page and 'name="viewport"' in page
    script = client.get("/static/app.js").text
    for dimension in ("clarity", "root_cause", "child_focus", "recommendations"):
        assert dimension in script
    assert '"data-testid": `rating-${dimension}`' in script
    assert 'el("mark"' in script and '"data-dimension": h.dimension' in script


def test_static_files_are_served_and_nothing_else(client: TestClient) -> None:
    for name, media in (
        ("app.css", "text/css"),
        ("app.js", "text/javascript"),
        ("exemplars.js", "text/javascript"),
    ):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        assert response.headers["x-content-type-options"] == "nosniff"
    for name in ("index.html", "../settings.py", "exemplars.html.j2"):
        assert client.get(f"/static/{name}").status_code == 404


def test_the_page_works_air_gapped() -> None:
    """No CDN, no external font or script: every reference is to this service."""
    for path in WEB.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), path.name
        assert "@import" not in text and "@font-face" not in text, path.name
        assert not re.search(r"\b(?:src|href)=\"//", text), path.name
    page = (WEB / "index.html").read_text(encoding="utf-8")
    assert "<style" not in page and not re.search(r"<script>[^<]", page)
    assert "innerHTML" not in (WEB / "app.js").read_text(encoding="utf-8")


def test_the_stylesheet_has_print_and_narrow_layouts() -> None:
    css = (WEB / "app.css").read_text(encoding="utf-8")
    assert "@media print" in css and "@media (max-width: 40rem)" in css
    assert ":focus-visible" in css
