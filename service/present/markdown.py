"""The Markdown report: ratings at a glance, each section with its highlights, recommendations."""

from __future__ import annotations

from typing import Any

from service.model.dimensions import DIMENSION_TITLES, DIMENSIONS
from service.present.marking import label_highlights, mark_runs
from service.schemas import ScoreResponse


def _rating(rating: dict[str, Any] | None) -> str:
    if rating is None:
        return "n/a"
    shown = f"{rating['level']} {rating['label']} (score {rating['score']:.2f}, confidence {rating['confidence']:.0%})"
    if rating.get("needs_review"):
        shown += " ⚑ needs a second look: another level is nearly as likely"
    return shown


def _cell(value: str | None) -> str:
    return (value or "–").replace("|", "\\|").replace("\n", " ")


def _one(result: dict[str, Any], source: str | None) -> list[str]:
    doc = result["document"]
    title = doc.get("title") or source or "Report"
    lines = [f"# Scrutiny report: {title}", ""]
    lines.append(
        f"{doc['characters']:,} characters"
        + (f", {doc['pages']} pages" if doc.get("pages") else "")
        + f"; model {result['model']['name']} {result['model']['version']};"
        f" scored in {result['timings_ms']['total'] / 1000:.1f} s."
    )
    lines += ["", "## Ratings at a glance", "", "| dimension | rating |", "|---|---|"]
    lines += [
        f"| {DIMENSION_TITLES[d]} | {_rating(result['ratings'].get(d))} |" for d in DIMENSIONS
    ]
    lines += [
        "",
        "Confidence is the probability that the level shown is right, from the calibrated "
        "passage probabilities. A rating marked ⚑ is below 60%: the passages disagree, or "
        "there are too few of them, so read the section before relying on the level.",
    ]
    text = doc.get("text")
    for section in result["sections"]:
        heading = section.get("heading") or f"Section {section['index'] + 1}"
        pages = (
            f", pages {section['page_start']}-{section['page_end']}"
            if section.get("page_start")
            else ""
        )
        lines += ["", f"## {heading}", "", f"_{section['kind']}{pages}_", ""]
        ratings = section["ratings"]
        rated = [
            f"**{DIMENSION_TITLES[d]}**: {_rating(ratings[d])}"
            for d in DIMENSIONS
            if ratings.get(d)
        ]
        lines.append("; ".join(rated) or "_Not rated: reference material such as a glossary._")
        labelled = label_highlights(section["highlights"])
        if text is not None and labelled:
            marked = []
            for run in mark_runs(text, section["start"], section["end"], labelled):
                if run.labels:
                    marked.append(f"**⟦{run.text.strip()}⟧** _({', '.join(run.labels)})_ ")
                else:
                    marked.append(run.text)
            lines += ["", "> " + "".join(marked).strip().replace("\n", "\n> ")]
        if labelled:
            lines.append("")
            for label, h in labelled:
                page = f", p. {h['page']}" if h.get("page") else ""
                quote = "" if text is not None else f": “{h['text'][:200]}”"
                lines.append(
                    f"- **{label}** {h['polarity']} · {DIMENSION_TITLES[h['dimension']]}{page}: {h['reason']}{quote}"
                )
    recs = result["recommendations"]
    lines += ["", "## Recommendations", ""]
    if not recs:
        lines.append("The report has no recommendations that Scrutiny could find.")
    else:
        lines += [
            "| # | recommendation | addressees | timescale | measure | rating |",
            "|---|---|---|---|---|---|",
        ]
        for i, rec in enumerate(recs, 1):
            lines.append(
                f"| {i} | {_cell(rec['text'][:300])} | {_cell(', '.join(rec['addressees']))} "
                f"| {_cell(rec.get('timescale'))} | {_cell(rec.get('measure'))} "
                f"| {_cell(_rating(rec.get('rating')))} |"
            )
    return lines


def render_markdown(results: list[ScoreResponse], sources: list[str] | None = None) -> str:
    """One Markdown document for one or more scored reports."""
    chunks = []
    for i, result in enumerate(results):
        source = sources[i] if sources else None
        chunks.append("\n".join(_one(result.model_dump(mode="json"), source)))
    return "\n\n---\n\n".join(chunks) + "\n"
