"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.deps import StateDep
from service.api.metrics import REGISTRY
from service.api.problems import problem_response

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: 200 while the process runs")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: 200 once the model is loaded and its sha256 verified, 503 before",
    responses={503: {"description": "Not ready", "content": {"application/problem+json": {}}}},
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


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
