"""FastAPI dependencies, as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request

from service.api.limits import api_key_matches, hash_api_key
from service.api.metrics import IN_FLIGHT, REJECTED
from service.api.problems import Problem
from service.api.state import ApiState
from service.model.runtime import QualityModel


def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.scrutiny
    return state


StateDep = Annotated[ApiState, Depends(get_state)]


def client_identity(
    request: Request,
    state: StateDep,
    x_api_key: Annotated[
        str | None, Header(description="API key, when keys are configured.")
    ] = None,
) -> str:
    """Authenticate (when keys are configured) and rate-limit; returns the client's identity."""
    if state.settings.api_key_hashes:
        if not x_api_key or not api_key_matches(x_api_key, state.settings.api_key_hashes):
            REJECTED.labels("unauthorized").inc()
            raise Problem(
                401,
                "Send a valid API key in the X-API-Key header.",
                code="unauthorized",
                headers={"WWW-Authenticate": "ApiKey"},
            )
        identity = "key:" + hash_api_key(x_api_key)[:16]
    else:
        identity = "ip:" + (request.client.host if request.client else "unknown")
    wait = state.rate_limiter.allow(identity)
    if wait > 0:
        REJECTED.labels("rate-limited").inc()
        raise Problem(
            429,
            f"Rate limit of {state.settings.rate_limit_per_minute} requests a minute reached; "
            f"retry in {wait:.0f} s.",
            code="rate-limited",
            headers={"Retry-After": str(max(1, round(wait)))},
        )
    return identity


ClientDep = Annotated[str, Depends(client_identity)]


def ready_model(state: StateDep) -> QualityModel:
    """The loaded, verified model, or 503."""
    if state.model is None:
        REJECTED.labels("not-ready").inc()
        reason = "the model failed verification" if state.load_error else "the model is loading"
        raise Problem(503, f"Not ready: {reason}.", code="not-ready", headers={"Retry-After": "5"})
    return state.model


ModelDep = Annotated[QualityModel, Depends(ready_model)]


def scoring_slot(state: StateDep) -> Iterator[None]:
    """Hold one of the bounded scoring slots for the request, or 503 when all are busy."""
    if not state.scoring_slots.acquire(blocking=False):
        REJECTED.labels("overloaded").inc()
        raise Problem(
            503,
            "All scoring slots are busy; retry shortly.",
            code="overloaded",
            headers={"Retry-After": "2"},
        )
    IN_FLIGHT.inc()
    try:
        yield
    finally:
        IN_FLIGHT.dec()
        state.scoring_slots.release()


SlotDep = Annotated[None, Depends(scoring_slot)]
