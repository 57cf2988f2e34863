"""FastAPI dependencies, as ``Annotated`` aliases."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute

from service.api.admission import Admission, Refused
from service.api.limits import api_key_matches, hash_api_key
from service.api.metrics import ADMISSION_REJECTED, REJECTED
from service.api.problems import Problem
from service.api.state import ApiState
from service.model.runtime import QualityModel


def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.scrutiny
    return state


StateDep = Annotated[ApiState, Depends(get_state)]
ApiKeyHeader = Annotated[str | None, Header(description="API key, when keys are configured.")]


def _authenticate(request: Request, state: ApiState, x_api_key: str | None) -> str:
    """The caller's identity: its key's hash when keys are configured (401 without a valid
    one), else its remote address."""
    if state.settings.api_key_hashes:
        if not x_api_key or not api_key_matches(x_api_key, state.settings.api_key_hashes):
            REJECTED.labels("unauthorized").inc()
            raise Problem(
                401,
                "Send a valid API key in the X-API-Key header.",
                code="unauthorized",
                headers={"WWW-Authenticate": "ApiKey"},
            )
        return "key:" + hash_api_key(x_api_key)[:16]
    return "ip:" + (request.client.host if request.client else "unknown")


def client_identity(request: Request, state: StateDep, x_api_key: ApiKeyHeader = None) -> str:
    """Authenticate (when keys are configured) and rate-limit; returns the client's identity."""
    identity = _authenticate(request, state, x_api_key)
    wait = state.rate_limiter.allow(identity)
    if wait > 0:
        REJECTED.labels("rate-limited").inc()
        ADMISSION_REJECTED.labels("rate_limited").inc()
        retry_after = max(1, math.ceil(wait))
        raise Problem(
            429,
            f"Rate limit of {state.settings.rate_limit_per_minute} requests a minute reached; "
            f"retry in {retry_after} s.",
            code="rate-limited",
            headers={"Retry-After": str(retry_after)},
        )
    return identity


ClientDep = Annotated[str, Depends(client_identity)]


def metrics_access(request: Request, state: StateDep, x_api_key: ApiKeyHeader = None) -> None:
    """/metrics takes the same key as scoring unless ``metrics_public`` is set."""
    if not state.settings.metrics_public:
        _authenticate(request, state, x_api_key)


MetricsAccessDep = Annotated[None, Depends(metrics_access)]


def ready_model(state: StateDep) -> QualityModel:
    """The loaded, verified model, or 503."""
    if state.model is None:
        REJECTED.labels("not-ready").inc()
        reason = "the model failed verification" if state.load_error else "the model is loading"
        raise Problem(503, f"Not ready: {reason}.", code="not-ready", headers={"Retry-After": "5"})
    return state.model


ModelDep = Annotated[QualityModel, Depends(ready_model)]


def _overloaded(refused: Refused, admission: Admission) -> Problem:
    """The 503 problem for a refusal, with Retry-After."""
    REJECTED.labels("overloaded").inc()
    detail = (
        "The scoring queue is full"
        if refused.reason == "queue_full"
        else f"No scoring slot freed within {admission.wait_seconds:g} s"
    )
    return Problem(
        503,
        f"{detail}; retry in {refused.retry_after} s.",
        code="overloaded",
        headers={"Retry-After": str(refused.retry_after)},
    )


@asynccontextmanager
async def scoring_slot(admission: Admission) -> AsyncIterator[None]:
    """Hold one scoring slot for the ``async with`` body, waiting in the queue for it, or
    503 with Retry-After when the queue is full or the wait runs out. Give the slot back
    (leave the body) as soon as scoring ends, before rendering the response."""
    try:
        async with admission.slot():
            yield
    except Refused as refused:  # raised only while waiting for the slot
        raise _overloaded(refused, admission) from None


class ScoringRoute(APIRoute):
    """The route class of every route that scores: the request must find room to enter
    (``Admission.entry``) before FastAPI reads and parses its body, so a flood of uploads
    is refused with 503 and Retry-After without holding their bodies in memory."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def entered(request: Request) -> Response:
            admission = get_state(request).admission
            try:
                with admission.entry():
                    return await handler(request)
            except Refused as refused:  # from ``entry`` only: the slot's are Problems
                raise _overloaded(refused, admission) from None

        return entered
