"""The author's page (``GET /``) and its static files, served from ``service/web``.

The page works with no network but this service: no CDN, no external font. Its content
security policy allows scripts, styles and requests to this origin only.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from service.api.problems import Problem

router = APIRouter(include_in_schema=False)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_STATIC = {
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "exemplars.js": "text/javascript; charset=utf-8",
}


def web_file(name: str) -> str:
    """A file of ``service/web`` as text."""
    return (files("service") / "web" / name).read_text(encoding="utf-8")


@router.get("/", response_class=HTMLResponse)
def index() -> HTMLResponse:
    """The page where an author checks a draft or compares two."""
    return HTMLResponse(web_file("index.html"), headers=SECURITY_HEADERS)


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The page's stylesheet and scripts (only those; nothing else is served)."""
    if name not in _STATIC:
        raise Problem(404, "No such file.", code="not-found")
    return Response(
        web_file(name),
        media_type=_STATIC[name],
        headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"},
    )
