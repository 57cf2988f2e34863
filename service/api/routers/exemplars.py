"""``GET /exemplars`` (the bank of strong passages: HTML, or JSON when asked for) and
``GET /exemplars/{id}``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.api.deps import ModelDep
from service.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA, Problem
from service.api.routers.web import SECURITY_HEADERS
from service.exemplars.page import render_exemplars_page
from service.exemplars.schemas import ExemplarOut, ExemplarsResponse
from service.schemas import ModelInfo

router = APIRouter(tags=["exemplars"])
_PROBLEMS: dict[int | str, dict[str, object]] = {
    status: {"description": text, "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}
    for status, text in (
        (404, "No such exemplar, or the model has no exemplar bank"),
        (503, "Not ready: the model is loading"),
    )
}


def _no_bank() -> Problem:
    return Problem(
        404,
        "This model has no exemplar bank; build one with `scrutiny exemplars`.",
        code="not-found",
    )


@router.get(
    "/exemplars",
    response_model=ExemplarsResponse,
    responses={**_PROBLEMS, 200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
    summary="The bank of strong passages, by dimension and topic",
)
def exemplars(request: Request, model: ModelDep) -> Response:
    """What good looks like: the strong passages the check page offers beside weaknesses.
    HTML for a browser; JSON with ``Accept: application/json``."""
    info = ModelInfo(name=model.name, version=model.version, sha256=model.sha256)
    bank = ExemplarsResponse.of(model.exemplars, info) if model.exemplars else None
    if "application/json" in request.headers.get("accept", ""):
        if bank is None:
            raise _no_bank()
        return Response(bank.model_dump_json(), media_type="application/json")
    return HTMLResponse(
        render_exemplars_page(bank),
        status_code=200 if bank else 404,
        headers=SECURITY_HEADERS,
    )


@router.get(
    "/exemplars/{exemplar_id}",
    response_model=ExemplarOut,
    responses=_PROBLEMS,
    summary="One strong passage",
)
def exemplar(exemplar_id: str, model: ModelDep) -> Response:
    """One exemplar by its id (as given in a highlight's or fix's ``exemplar.id``)."""
    found = model.exemplars.get(exemplar_id) if model.exemplars else None
    if found is None:
        raise (
            _no_bank()
            if model.exemplars is None
            else Problem(404, "No exemplar has that id.", code="not-found")
        )
    return Response(ExemplarOut.of(found).model_dump_json(), media_type="application/json")
