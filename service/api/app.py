"""The FastAPI application: ``create_app()`` wires settings, state, guards and routers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response

from service import __version__
from service.api.limits import BodySizeLimit
from service.api.metrics import REQUESTS
from service.api.problems import install_problem_handlers
from service.api.routers import compare, exemplars, health, score, web
from service.api.state import ApiState
from service.settings import ApiSettings, api_settings, service_settings

log = logging.getLogger("scrutiny.api")


def create_app(
    settings: ApiSettings | None = None,
    model_dir: Path | None = None,
    *,
    load_in_background: bool = True,
) -> FastAPI:
    """Build the API. The model loads (and is verified) after start-up; /readyz says when."""
    state = ApiState(
        settings=settings or api_settings(),
        model_dir=Path(model_dir) if model_dir else service_settings().model_dir,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if load_in_background:
            threading.Thread(target=state.load_model, name="model-loader", daemon=True).start()
        else:
            state.load_model()
        yield

    app = FastAPI(
        title="Scrutiny",
        version=__version__,
        description=(
            "Scores serious case reviews for clarity, root-cause depth, child focus and "
            "recommendation quality, per section and for the whole report, with the passages "
            "behind every rating. Errors are application/problem+json (RFC 9457). "
            "No submitted text is ever logged or echoed in an error."
        ),
        lifespan=lifespan,
    )
    app.state.scrutiny = state
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(score.router)
    app.include_router(compare.router)
    app.include_router(exemplars.router)
    app.include_router(web.router)

    @app.middleware("http")
    async def count_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        REQUESTS.labels(route, str(response.status_code)).inc()
        log.info(
            "%s %s %d %.0fms",
            request.method,
            route,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    # Outermost, so an oversized body is refused before multipart parsing starts.
    app.add_middleware(BodySizeLimit, max_bytes=state.settings.max_request_bytes)
    return app
