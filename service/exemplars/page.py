"""The ``GET /exemplars`` page: the bank grouped by quality and part of the report."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from service.exemplars.bank import TOPIC_TITLES
from service.exemplars.schemas import ExemplarsResponse
from service.model.dimensions import DIMENSION_TITLES

QUESTIONS = {
    "clarity": "Can a lay reader see the key events and the point being made?",
    "root_cause": "Does the review ask why, down to the human and system conditions?",
    "child_focus": "Is the child, and the child's experience, at the centre?",
    "recommendations": "Is each recommendation addressed, specific, measurable and timed?",
}

_environment = Environment(
    loader=PackageLoader("service", "web"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def level_summary(labels: dict[str, int | None]) -> str:
    """ "Clarity 3, Root-cause depth 2" for the dimensions an exemplar was labelled on."""
    return ", ".join(
        f"{DIMENSION_TITLES[d]} {level}" for d, level in labels.items() if level is not None
    )


def render_exemplars_page(bank: ExemplarsResponse | None) -> str:
    """The page (no inline script or style; ``/static/app.css`` and ``exemplars.js``)."""
    return _environment.get_template("exemplars.html.j2").render(
        bank=bank,
        topics=TOPIC_TITLES,
        names=DIMENSION_TITLES,
        questions=QUESTIONS,
        level_summary=level_summary,
    )
