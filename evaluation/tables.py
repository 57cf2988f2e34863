"""The one Markdown table of model against baselines, for the evaluation report and the
model card alike (both read the figures in ``DimensionScores.as_dict`` form)."""

from __future__ import annotations

from typing import Any

from service.model.dimensions import DIMENSIONS

SYSTEMS = ("model", "tfidf_lr", "lexicon", "majority")
BASELINE_TITLES = {"tfidf_lr": "TF-IDF + LR", "lexicon": "lexicon", "majority": "majority"}
# A ceiling from fewer doubly-labelled passages than this is not used to relax a target.
MIN_CEILING_PASSAGES = 30


def fmt(value: float | None) -> str:
    """Three decimals, or n/a for a missing or undefined figure."""
    return "n/a" if value is None or value != value else f"{value:.3f}"


def effective_target(target: float, ceiling: dict[str, Any]) -> float:
    """The target, or 90% of the inter-annotator ceiling where that is lower and rests on
    enough passages (issue 11's rule)."""
    ceiling_qwk = ceiling.get("qwk", float("nan"))
    if ceiling.get("n", 0) >= MIN_CEILING_PASSAGES and ceiling_qwk == ceiling_qwk:
        return min(target, 0.9 * ceiling_qwk)
    return target


def comparison_table(
    by_system: dict[str, dict[str, dict[str, float]]],
    *,
    ceiling: dict[str, Any] | None = None,
    intervals: dict[str, Any] | None = None,
    targets: dict[str, float] | None = None,
    ece: bool = False,
) -> list[str]:
    """Rows per dimension: n, the model's QWK (with its interval), every baseline's QWK,
    and optionally the model's ECE, the inter-annotator ceiling, and the target met or not."""
    head = ["dimension", "n", "**model**"]
    if intervals:
        head.append("95% interval (by report)")
    head += [BASELINE_TITLES[s] for s in SYSTEMS[1:]]
    if ece:
        head.append("model ECE")
    if ceiling is not None:
        head.append("inter-annotator (n)")
    if targets:
        head += ["target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for dimension in DIMENSIONS:
        m = by_system.get("model", {}).get(dimension)
        if not m:
            continue
        cells = [dimension, str(m["n"]), f"**{fmt(m['qwk'])}**"]
        if intervals:
            low, high = intervals.get(dimension) or (None, None)
            cells.append(f"{fmt(low)} to {fmt(high)}")
        cells += [fmt(by_system.get(s, {}).get(dimension, {}).get("qwk")) for s in SYSTEMS[1:]]
        if ece:
            cells.append(fmt(m.get("ece")))
        agree = (ceiling or {}).get(dimension, {})
        if ceiling is not None:
            cells.append(f"{fmt(agree.get('qwk'))} ({agree.get('n', 0)})")
        if targets:
            target = targets[dimension]
            effective = effective_target(target, agree)
            relaxed = f" (90% of ceiling {effective:.3f})" if effective < target else ""
            cells += [f"{target:.2f}{relaxed}", "yes" if m["qwk"] >= effective else "no"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
