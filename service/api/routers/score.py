"""The scoring endpoints: ``POST /v1/score`` and ``POST /v1/score/file``."""

from __future__ import annotations

import logging
import time
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from service.api.deps import ClientDep, ModelDep, SlotDep, StateDep
from service.api.metrics import DOCUMENT_CHARACTERS, SCORE_SECONDS
from service.api.problems import Problem
from service.api.schemas import ScoreRequest
from service.model.runtime import QualityModel
from service.schemas import ScoreResponse
from service.scoring import score_bytes

log = logging.getLogger("scrutiny.api")
router = APIRouter(prefix="/v1", tags=["scoring"])

ACCEPTED_SUFFIXES = {".pdf", ".docx", ".html", ".htm", ".txt", ".md", ".markdown"}
_PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"description": text, "content": {"application/problem+json": {}}}
    for status, text in (
        (400, "Malformed request"),
        (401, "Missing or invalid API key"),
        (413, "Too large"),
        (415, "Unsupported type"),
        (422, "Unreadable or invalid document (encrypted, corrupt, no text layer, empty)"),
        (429, "Rate limited"),
        (503, "Not ready or overloaded"),
    )
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
    filename: str,
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
    _slot: SlotDep,
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
    result = await run_in_threadpool(
        _score,
        model,
        text.encode("utf-8"),
        filename="submitted.md" if body.sections is not None else "submitted.txt",
        media_type=media_type,
        title=body.title,
        include_text=body.include_text,
    )
    return _render(request, result)


@router.post(
    "/score/file",
    response_model=ScoreResponse,
    responses={**_PROBLEM_RESPONSES, 200: _ALTERNATES},
    summary="Score an uploaded report (PDF, DOCX, HTML, TXT or Markdown)",
)
async def score_file(
    file: Annotated[UploadFile, File(description="PDF, DOCX, HTML, TXT or Markdown file.")],
    request: Request,
    _client: ClientDep,
    model: ModelDep,
    _slot: SlotDep,
    include_text: bool = True,
) -> Response:
    """Score an uploaded file. Type and size are checked before the file is parsed."""
    filename = PurePath(file.filename or "").name
    suffix = PurePath(filename).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise Problem(
            415,
            "Upload a PDF, DOCX, HTML, TXT or Markdown file "
            f"(got {'a file without an extension' if not suffix else repr(suffix)}).",
            code="unsupported-type",
        )
    data = await file.read()
    if not data:
        raise Problem(422, "The uploaded file is empty.", code="empty")
    result = await run_in_threadpool(
        _score,
        model,
        data,
        filename=filename,
        media_type=file.content_type,
        title=None,
        include_text=include_text,
    )
    return _render(request, result)
