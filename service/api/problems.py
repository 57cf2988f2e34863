"""RFC 9457 problem details: every error the API returns, and nothing of the submitted text."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.ingest.errors import IngestError

log = logging.getLogger("scrutiny.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
# The body of every error, as documented in the OpenAPI.
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A stable URI per kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What to do; never quotes the input."},
    },
}
_TITLES = {
    400: "Malformed request",
    401: "Missing or invalid API key",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    415: "Unsupported document type",
    422: "Unreadable or invalid document",
    429: "Too many requests",
    500: "Internal error",
    503: "Service not ready or overloaded",
}


class Problem(Exception):
    """An error to return as problem+json. ``detail`` must never contain submitted text."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code or _TITLES.get(status, "error").lower().replace(" ", "-")
        self.headers = headers or {}


def problem_response(
    status: int, detail: str, code: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A problem+json response with a stable ``type`` URI per error code."""
    slug = code or _TITLES.get(status, "error").lower().replace(" ", "-")
    body = {
        "type": f"https://scrutiny.invalid/problems/{slug}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_detail(error: RequestValidationError) -> str:
    # Only field locations and messages: pydantic's "input" would echo the submitted text.
    parts = []
    for item in error.errors()[:5]:
        location = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
        parts.append(f"{location or 'body'}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request body is not valid"


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error path of ``app`` through problem+json."""

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, exc.code, exc.headers)

    @app.exception_handler(IngestError)
    async def _ingest(_: Request, exc: IngestError) -> JSONResponse:
        return problem_response(exc.http_status, str(exc), exc.code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(400, _validation_detail(exc), "malformed-request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        return problem_response(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # The exception message may quote input; log only its type.
        log.error("unhandled error: %s", type(exc).__name__)
        return problem_response(500, "An internal error occurred; it has been logged.")
