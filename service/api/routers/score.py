"""The scoring endpoints: ``POST /v1/score`` and ``POST /v1/score/file``."""

from __future__ import annotations

import logging
import time
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from service.api.admission import Admission
from service.api.deps import ClientDep, ModelDep, ScoringRoute, StateDep, scoring_slot
from service.api.metrics import DOCUMENT_CHARACTERS, SCORE_SECONDS
from service.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA, Problem
from service.api.schemas import ScoreRequest
from service.ingest.detect import DOCX, HTML, MARKDOWN, PDF, TEXT
from service.model.runtime import QualityModel
from service.schemas import ScoreResponse
from service.scoring import score_bytes

log = logging.getLogger("scrutiny.api")
router = APIRouter(prefix="/v1", tags=["scoring"], route_class=ScoringRoute)

ACCEPTED_SUFFIXES = {".pdf", ".docx", ".html", ".htm", ".txt", ".md", ".markdown"}
ACCEPTED_MEDIA_TYPES = (PDF, DOCX, HTML, TEXT, MARKDOWN)
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying (an estimate).",
        "schema": {"type": "integer", "minimum": 1},
    }
}
_PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": text,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        **({"headers": _RETRY_AFTER} if status in (429, 503) else {}),
    }
    for status, text in (
        (400, "Malformed request"),
        (401, "Missing or invalid API key"),
        (413, "Too large"),
        (415, "Unsupported type"),
        (422, "Unreadable or invalid document (encrypted, corrupt, no text layer, empty)"),
        (429, "Rate limited"),
        (503, "Not ready, or overloaded: the wait queue is full or no slot freed in time"),
    )
}
# The upload's part may declare its media type; with a file name that has no extension,
# that type and the content decide how the file is read.
_UPLOAD_ENCODING = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "encoding": {"file": {"contentType": ", ".join(ACCEPTED_MEDIA_TYPES)}}
            }
        }
    }
}
_ALTERNATES = {
    "content": {
        "text/html": {"schema": {"type": "string"}},
        "text/markdown": {"schema": {"type": "string"}},
    }
}


def _render(request: Request, result: ScoreResponse) -> Response:
    """JSON by default; the Markdown or HTML report when the client asks for it."""
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        from service.present.html import render_html

        return HTMLResponse(render_html([result]))
    if "text/markdown" in accept:
        from service.present.markdown import render_markdown

        return PlainTextResponse(render_markdown([result]), media_type="text/markdown")
    return Response(result.model_dump_json(), media_type="application/json")


def _score(
    model: QualityModel,
    data: bytes,
    *,
    filename: str | None,
    media_type: str | None,
    title: str | None,
    include_text: bool,
) -> ScoreResponse:
    started = time.perf_counter()
    result = score_bytes(
        data,
        model,
        filename=filename,
        media_type=media_type,
        title=title,
        include_text=include_text,
    )
    SCORE_SECONDS.labels("ingest").observe(result.timings_ms.ingest / 1000)
    SCORE_SECONDS.labels("model").observe(result.timings_ms.model / 1000)
    SCORE_SECONDS.labels("total").observe(time.perf_counter() - started)
    DOCUMENT_CHARACTERS.observe(result.document.characters)
    log.info(
        "scored document sha256=%s bytes=%d characters=%d sections=%d total_ms=%d",
        result.document.sha256[:16],
        len(data),
        result.document.characters,
        len(result.sections),
        result.timings_ms.total,
    )
    return result


async def _score_admitted(
    admission: Admission,
    model: QualityModel,
    data: bytes,
    *,
    filename: str | None,
    media_type: str | None,
    title: str | None,
    include_text: bool,
) -> ScoreResponse:
    """Score in a worker thread while holding a scoring slot (waiting in the queue for one).

    The slot is given back as soon as scoring ends, before the response is rendered and
    sent, so a client sending its next request at once finds it free.
    """
    async with scoring_slot(admission):
        return await run_in_threadpool(
            _score,
            model,
            data,
            filename=filename,
            media_type=media_type,
            title=title,
            include_text=include_text,
        )


@router.post(
    "/score",
    response_model=ScoreResponse,
    responses={**_PROBLEM_RESPONSES, 200: _ALTERNATES},
    summary="Score a report given as text or as sections",
)
async def score_text(
    body: ScoreRequest,
    request: Request,
    state: StateDep,
    _client: ClientDep,
    model: ModelDep,
) -> Response:
    """Score a report sent as JSON. Send ``Accept: text/html`` or ``text/markdown`` for a
    readable report instead of JSON."""
    text = body.as_markdown()
    if len(text) > state.settings.max_text_characters:
        raise Problem(
            413,
            f"The text has {len(text)} characters; the limit is {state.settings.max_text_characters}.",
            code="too-large",
        )
    media_type = "text/markdown" if body.sections is not None else "text/plain"
    result = await _score_admitted(
        state.admission,
        model,
        text.encode("utf-8"),
        filename="submitted.md" if body.sections is not None else "submitted.txt",
        media_type=media_type,
        title=body.title,
        include_text=body.include_text,
    )
    # Rendered off the event loop and after the slot is released: a long report's HTML
    # takes a while, and neither the queue nor other connections should wait for it.
    return await run_in_threadpool(_render, request, result)


@router.post(
    "/score/file",
    response_model=ScoreResponse,
    responses={**_PROBLEM_RESPONSES, 200: _ALTERNATES},
    summary="Score an uploaded report (PDF, DOCX, HTML, TXT or Markdown)",
    openapi_extra=_UPLOAD_ENCODING,
)
async def score_file(
    file: Annotated[
        UploadFile,
        File(
            description="The report: PDF, DOCX, HTML, TXT or Markdown, at most the request "
            "size limit (26 MB by default). A file name with another extension is refused "
            "(415); without an extension the part's media type and the content decide."
        ),
    ],
    request: Request,
    state: StateDep,
    _client: ClientDep,
    model: ModelDep,
    include_text: bool = True,
) -> Response:
    """Score an uploaded file. Type and size are checked before the file is parsed."""
    filename = PurePath(file.filename or "").name
    suffix = PurePath(filename).suffix.lower()
    if suffix and suffix not in ACCEPTED_SUFFIXES:
        raise Problem(
            415,
            f"Upload a PDF, DOCX, HTML, TXT or Markdown file (got {suffix[:20]!r}).",
            code="unsupported-type",
        )
    data = await file.read()
    if not data:
        raise Problem(422, "The uploaded file is empty.", code="empty")
    result = await _score_admitted(
        state.admission,
        model,
        data,
        filename=filename or None,
        media_type=file.content_type,
        title=None,
        include_text=include_text,
    )
    # Rendered off the event loop and after the slot is released: a long report's HTML
    # takes a while, and neither the queue nor other connections should wait for it.
    return await run_in_threadpool(_render, request, result)
