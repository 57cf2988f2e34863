"""The HTML report: the same content as the Markdown report, with highlights marked in place."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from service.model.dimensions import DIMENSION_TITLES, DIMENSIONS
from service.present.marking import label_highlights, mark_runs
from service.schemas import ScoreResponse

_environment = Environment(
    loader=PackageLoader("service.present", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _view(result: dict[str, Any], source: str | None) -> dict[str, Any]:
    text = result["document"].get("text")
    sections = []
    for section in result["sections"]:
        labelled = label_highlights(section["highlights"])
        runs = (
            mark_runs(text, section["start"], section["end"], labelled)
            if text is not None
            else None
        )
        sections.append({**section, "labelled": labelled, "runs": runs})
    return {**result, "source": source, "sections": sections}


def render_html(results: list[ScoreResponse], sources: list[str] | None = None) -> str:
    """A self-contained HTML page (no scripts, no external assets) for one or more reports."""
    views = [
        _view(result.model_dump(mode="json"), sources[i] if sources else None)
        for i, result in enumerate(results)
    ]
    return _environment.get_template("report.html.j2").render(
        reports=views, dimensions=DIMENSIONS, names=DIMENSION_TITLES
    )
