"""``POST /v1/compare``: two drafts of a report, and what changed between them."""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from service.api.deps import ClientDep, ModelDep, ScoringRoute, StateDep, scoring_slot
from service.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA, Problem
from service.api.routers.score import ACCEPTED_SUFFIXES
from service.api.schemas import ScoreRequest
from service.api.state import ApiState
from service.compare import Draft, compare_sources
from service.compare.schemas import CompareResponse
from service.model.runtime import QualityModel

log = logging.getLogger("scrutiny.api")
router = APIRouter(prefix="/v1", tags=["comparing"], route_class=ScoringRoute)


class CompareRequest(BaseModel):
    """Two drafts, each in the shape of the ``POST /v1/score`` body."""

    model_config = ConfigDict(extra="forbid")

    before: ScoreRequest = Field(description="The earlier draft.")
    after: ScoreRequest = Field(description="The revised draft.")


def _request_body() -> dict[str, Any]:
    """The two request bodies the route takes, for the OpenAPI document."""
    schema = CompareRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)  # ScoreRequest and SectionIn are components already (/v1/score)
    upload = {"type": "string", "format": "binary"}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["before", "after"],
                        "additionalProperties": False,
                        "properties": {
                            "before": {**upload, "description": "The earlier draft's file."},
                            "after": {**upload, "description": "The revised draft's file."},
                        },
                    }
                },
            },
        },
        "parameters": [
            {
                "name": "include_text",
                "in": "query",
                "required": False,
                "schema": {"type": "boolean", "default": True},
                "description": "Return both drafts' text. A JSON body can also say it per "
                "draft: the text comes back only when every flag given is true.",
            }
        ],
    }


_PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}
    for status, text in (
        (400, "Malformed request, or a part missing"),
        (401, "Missing or invalid API key"),
        (413, "Too large"),
        (415, "Unsupported request or document type"),
        (422, "A draft is unreadable or invalid (the detail says which)"),
        (429, "Rate limited"),
        (503, "Not ready, or overloaded"),
    )
}


def _json_draft(submitted: ScoreRequest, limit: int, name: str) -> Draft:
    text = submitted.as_markdown()
    if len(text) > limit:
        raise Problem(
            413,
            f"The {name} draft has {len(text)} characters; the limit is {limit}.",
            code="too-large",
        )
    structured = submitted.sections is not None
    return Draft(
        text.encode("utf-8"),
        filename="submitted.md" if structured else "submitted.txt",
        media_type="text/markdown" if structured else "text/plain",
        title=submitted.title,
    )


async def _file_draft(part: Any, name: str) -> Draft:
    if isinstance(part, str):  # sent as a plain field: its bytes, typed by their content
        data = part.encode("utf-8")
        if not data:
            raise Problem(422, f"The {name} draft is empty.", code="empty")
        return Draft(data, filename=None, media_type=None)
    if not isinstance(part, UploadFile):
        raise Problem(
            400,
            "Send both drafts in the multipart fields 'before' and 'after'.",
            code="malformed-request",
        )
    filename = PurePath(part.filename or "").name
    suffix = PurePath(filename).suffix.lower()
    if suffix and suffix not in ACCEPTED_SUFFIXES:
        raise Problem(
            415,
            f"The {name} draft: upload a PDF, DOCX, HTML, TXT or Markdown file "
            f"(got {suffix[:20]!r}).",
            code="unsupported-type",
        )
    data = await part.read()
    if not data:
        raise Problem(422, f"The {name} draft's file is empty.", code="empty")
    return Draft(data, filename=filename or None, media_type=part.content_type)


_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def _boolean(value: str, name: str) -> bool:
    """A query parameter documented as a boolean; anything else is a 400, as for any
    other malformed request."""
    lowered = value.strip().lower()
    if lowered in _TRUE or lowered in _FALSE:
        return lowered in _TRUE
    raise Problem(
        400, f"The query parameter {name} must be true or false.", code="malformed-request"
    )


async def _drafts(request: Request, state: ApiState) -> tuple[Draft, Draft, bool]:
    """The two drafts and whether to include their text, from either kind of body."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    # Checked for every body, so a malformed flag is refused whichever body comes with it.
    include = _boolean(request.query_params.get("include_text", "true"), "include_text")
    if content_type == "application/json":
        try:
            body = CompareRequest.model_validate_json(await request.body())
        except ValidationError as error:
            raise RequestValidationError(error.errors()) from None
        limit = state.settings.max_text_characters
        return (
            _json_draft(body.before, limit, "before"),
            _json_draft(body.after, limit, "after"),
            include and body.before.include_text and body.after.include_text,
        )
    if content_type == "multipart/form-data":
        try:
            form = await request.form(max_files=2, max_fields=2)
        except Exception:  # starlette raises for malformed or oversized forms
            raise Problem(
                400, "The multipart body could not be read.", code="malformed-request"
            ) from None
        extra = sorted(set(form) - {"before", "after"})
        if extra:
            raise Problem(
                400,
                f"Unexpected multipart field(s): {', '.join(extra)[:80]}; send only 'before' "
                "and 'after'.",
                code="malformed-request",
            )
        return (
            await _file_draft(form.get("before"), "before"),
            await _file_draft(form.get("after"), "after"),
            include,
        )
    raise Problem(
        415,
        "Send JSON ({'before': ..., 'after': ...} in the shape of /v1/score) or "
        "multipart/form-data with the files 'before' and 'after'.",
        code="unsupported-media-type",
    )


@router.post(
    "/compare",
    response_model=CompareResponse,
    responses=_PROBLEMS,
    summary="Compare two drafts of a report",
    openapi_extra=_request_body(),
)
async def compare(
    request: Request, state: StateDep, _client: ClientDep, model: ModelDep
) -> Response:
    """Score two drafts and say, per dimension and per section, what improved and what got
    worse, and which weaknesses were resolved, which are new and which persist. Offsets of
    `resolved` index the before draft's text; those of `new` and `persisting` the after's."""
    before, after, include_text = await _drafts(request, state)
    result = await _admitted(state, model, before, after, include_text)
    log.info(
        "compared drafts before=%s after=%s resolved=%d new=%d total_ms=%d",
        result.before.sha256[:16],
        result.after.sha256[:16],
        len(result.resolved),
        len(result.new),
        result.timings_ms.total,
    )
    return Response(result.model_dump_json(), media_type="application/json")


async def _admitted(
    state: ApiState, model: QualityModel, before: Draft, after: Draft, include_text: bool
) -> CompareResponse:
    """Compare in a worker thread while holding one scoring slot (both drafts in it)."""
    async with scoring_slot(state.admission):
        return await run_in_threadpool(
            compare_sources, before, after, model, include_text=include_text
        )
