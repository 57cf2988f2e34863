"""The HTML pages of triage and trends: one Jinja environment, text always escaped."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from service.batch.tables import DIMENSIONS
from service.model.dimensions import DIMENSION_TITLES

_environment = Environment(
    loader=PackageLoader("service.analysis", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_page(template: str, **context: Any) -> str:
    """Render one of this package's templates (self-contained HTML: no scripts, no CDN)."""
    return _environment.get_template(template).render(
        dimensions=DIMENSIONS, names=DIMENSION_TITLES, **context
    )
