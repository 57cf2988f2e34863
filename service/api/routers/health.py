"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.deps import MetricsAccessDep, StateDep
from service.api.metrics import REGISTRY
from service.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA, problem_response

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: 200 while the process runs")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: 200 once the model is loaded and its sha256 verified, 503 before",
    responses={
        503: {
            "description": "Not ready",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
            "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
        }
    },
)
def readyz(state: StateDep) -> Response:
    if state.model is None:
        detail = (
            "The model failed verification; see the service log."
            if state.load_error
            else "The model is loading."
        )
        return problem_response(503, detail, "not-ready", {"Retry-After": "5"})
    return JSONResponse(
        {"status": "ready", "model": {"name": state.model.name, "version": state.model.version}}
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics; needs the API key when keys are configured, unless the "
    "metrics_public setting is on",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        401: {
            "description": "Missing or invalid API key",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        },
    },
)
def metrics(_access: MetricsAccessDep) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
