"""``POST /v1/compare``: the contract (schema, offsets, both kinds of body) and every refusal
(400, 413, 415, 422), none of which echoes the submitted text."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.compare.schemas import CompareResponse
from service.settings import ApiSettings

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "scrutiny-minilm-v1"
BEFORE = REPO / "examples" / "child-t-review.md"
AFTER = REPO / "examples" / "child-t-review-revised.md"
DOCX = REPO / "examples" / "child-t-review.docx"
SECRET = "Zebulon-Quartermain-7731"  # a phrase that must never come back in an error
MAX_TEXT = 20_000
MAX_BODY = 200_000


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = ApiSettings(
        rate_limit_per_minute=0, max_text_characters=MAX_TEXT, max_request_bytes=MAX_BODY
    )
    app = create_app(settings, MODEL, load_in_background=False)
    with TestClient(app) as test_client:
        yield test_client


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", SECRET)
    return buffer.getvalue()


def _check(body: dict[str, object]) -> CompareResponse:
    result = CompareResponse.model_validate(body)
    assert result.schema_version == "2"
    before, after = result.before.text, result.after.text
    if before is not None and after is not None:
        for change in result.resolved:
            assert before[change.start : change.end] == change.text
        for change in [*result.new, *result.persisting]:
            assert after[change.start : change.end] == change.text
    return result


@pytest.fixture(scope="module")
def from_json(client: TestClient) -> CompareResponse:
    response = client.post(
        "/v1/compare",
        json={
            "before": {"text": BEFORE.read_text(), "title": "First draft"},
            "after": {"text": AFTER.read_text()},
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return _check(response.json())


def test_json_drafts_compare_to_the_schema(from_json: CompareResponse) -> None:
    assert from_json.before.title == "First draft"
    assert from_json.ratings.recommendations.direction == "improved"
    assert from_json.resolved and from_json.new
    assert from_json.timings_ms.total >= from_json.timings_ms.model > 0


def test_files_compare_like_the_same_drafts_sent_as_json(
    client: TestClient, from_json: CompareResponse
) -> None:
    response = client.post(
        "/v1/compare",
        files={
            "before": (BEFORE.name, BEFORE.read_bytes(), "text/markdown"),
            "after": (AFTER.name, AFTER.read_bytes(), "text/markdown"),
        },
    )
    assert response.status_code == 200, response.text
    uploaded = _check(response.json())
    # Markdown sent as JSON text is read as Markdown: the same sections, the same changes.
    assert [s.heading for s in uploaded.sections] == [s.heading for s in from_json.sections]
    assert uploaded.ratings == from_json.ratings


def test_mixed_formats_and_no_text(client: TestClient) -> None:
    with DOCX.open("rb") as docx:
        response = client.post(
            "/v1/compare?include_text=false",
            files={"before": (DOCX.name, docx), "after": (AFTER.name, AFTER.read_bytes())},
        )
    assert response.status_code == 200, response.text
    result = _check(response.json())
    assert result.before.text is None and result.after.text is None
    assert result.before.title == "Child T: Serious Case Review"  # the DOCX's title
    assert result.before.sha256 == hashlib.sha256(DOCX.read_bytes()).hexdigest()


def _problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status and body["title"] and body["detail"]
    assert SECRET not in response.text  # type: ignore[attr-defined]
    return body


def test_malformed_requests_are_400(client: TestClient) -> None:
    _problem(client.post("/v1/compare", json={"before": {"text": SECRET}}), 400)
    _problem(
        client.post(
            "/v1/compare",
            json={"before": {"text": SECRET, "sections": [{"text": "x"}]}, "after": {"text": "y"}},
        ),
        400,
    )
    _problem(
        client.post(
            "/v1/compare",
            content=b'{"before": ' + SECRET.encode(),
            headers={"content-type": "application/json"},
        ),
        400,
    )
    body = _problem(
        client.post("/v1/compare", files={"before": ("a.md", f"# {SECRET}\n\nText.".encode())}),
        400,
    )
    assert "'after'" in str(body["detail"])
    # A malformed include_text is refused with a JSON body too, not only with files.
    drafts = {"before": {"text": "One."}, "after": {"text": "Two."}}
    _problem(client.post("/v1/compare?include_text=-1", json=drafts), 400)


def test_the_query_flag_and_the_drafts_flags_must_all_ask_for_text(client: TestClient) -> None:
    drafts = {"before": {"text": "One."}, "after": {"text": "Two."}}
    without = client.post("/v1/compare?include_text=false", json=drafts)
    assert without.status_code == 200, without.text
    assert without.json()["before"]["text"] is None
    with_text = client.post("/v1/compare?include_text=true", json=drafts)
    assert with_text.json()["before"]["text"] == "One."


def test_too_large_is_413(client: TestClient) -> None:
    long = (SECRET + " ") * (MAX_TEXT // len(SECRET) + 10)
    body = _problem(
        client.post("/v1/compare", json={"before": {"text": "Short."}, "after": {"text": long}}),
        413,
    )
    assert "after draft" in str(body["detail"])
    _problem(
        client.post(
            "/v1/compare",
            files={"before": ("a.txt", b"x" * MAX_BODY), "after": ("b.txt", b"short")},
        ),
        413,
    )


def test_unsupported_types_are_415(client: TestClient) -> None:
    _problem(
        client.post("/v1/compare", content=SECRET.encode(), headers={"content-type": "text/csv"}),
        415,
    )
    body = _problem(
        client.post(
            "/v1/compare",
            files={
                "before": ("a.exe", b"MZ" + SECRET.encode()),
                "after": ("b.md", b"# B\n\nText."),
            },
        ),
        415,
    )
    assert "before draft" in str(body["detail"])
    body = _problem(
        client.post(
            "/v1/compare",
            files={
                "before": ("a.md", b"# A\n\nText of the first draft."),
                "after": ("b.pdf", _zip()),  # a ZIP archive named .pdf
            },
        ),
        415,
    )
    assert str(body["detail"]).startswith("The after draft:")


def test_unreadable_drafts_are_422(client: TestClient) -> None:
    _problem(
        client.post("/v1/compare", files={"before": ("a.md", b""), "after": ("b.md", b"# B")}),
        422,
    )
    body = _problem(
        client.post(
            "/v1/compare",
            files={
                "before": ("a.pdf", b"%PDF-1.4\n" + SECRET.encode() * 20),
                "after": ("b.md", b"# B\n\nText of the second draft."),
            },
        ),
        422,
    )
    assert str(body["detail"]).startswith("The before draft:")


def test_openapi_documents_both_bodies_and_the_schema_2_additions(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/compare"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert set(content["multipart/form-data"]["schema"]["required"]) == {"before", "after"}
    assert content["application/json"]["schema"]["properties"]["before"]["$ref"].endswith(
        "/ScoreRequest"
    )
    for status in ("200", "400", "413", "415", "422", "503"):
        assert status in operation["responses"], status
    schemas = spec["components"]["schemas"]
    assert "CompareResponse" in schemas and "WeaknessChange" in schemas
    version = schemas["ScoreResponse"]["properties"]["schema_version"]
    assert version.get("const", (version.get("enum") or [None])[0]) == "2"
    assert "fix_first" in schemas["ScoreResponse"]["properties"]
    assert {"suggestion", "exemplar"} <= set(schemas["Highlight"]["properties"])
    assert "/exemplars" in spec["paths"] and "/exemplars/{exemplar_id}" in spec["paths"]
