"""The concern score: its parts follow the documented formula and weights."""

from __future__ import annotations

from typing import Any

import pytest

from service.analysis import concern
from service.batch.tables import COLUMNS, DIMENSIONS, LIST_SEPARATOR


def _row(table: str, **values: Any) -> dict[str, Any]:
    return dict.fromkeys((name for name, _ in COLUMNS[table]), None) | values


def _report(**levels: tuple[int, float, bool]) -> dict[str, Any]:
    row = _row("reports", status="ok")
    labels = ("inadequate", "requires improvement", "good", "strong")
    for dimension in DIMENSIONS:
        level, confidence, review = levels.get(dimension, (3, 0.9, False))
        row |= {
            f"{dimension}_level": level,
            f"{dimension}_label": labels[level],
            f"{dimension}_confidence": confidence,
            f"{dimension}_needs_review": review,
        }
    return row


def _recommendation(missing: tuple[str, ...] = (), vague: bool = False) -> dict[str, Any]:
    return _row("recommendations", missing=LIST_SEPARATOR.join(missing), vague_addressee=vague)


def _section(kind: str, child_level: int, confidence: float) -> dict[str, Any]:
    return _row(
        "sections", kind=kind, child_focus_level=child_level, child_focus_confidence=confidence
    )


ANALYSIS = [_section("analysis", 2, 0.9)]
COMPLETE = [_recommendation()]


def test_a_confident_low_rating_counts_more_than_an_unsure_one() -> None:
    sure = concern.report_concern(_report(root_cause=(0, 0.9, False)), ANALYSIS, COMPLETE)
    unsure = concern.report_concern(_report(root_cause=(0, 0.4, True)), ANALYSIS, COMPLETE)
    assert sure.score == pytest.approx(concern.LEVEL_CONCERN[0] * 0.9, abs=1e-3)
    assert unsure.score == pytest.approx(concern.LEVEL_CONCERN[0] * 0.4, abs=1e-3)
    assert sure.reasons == "root-cause depth inadequate (confident)"
    assert unsure.reasons == "root-cause depth inadequate (unsure: needs a second look)"


def test_good_ratings_and_complete_recommendations_are_no_concern() -> None:
    result = concern.report_concern(_report(clarity=(2, 0.7, False)), ANALYSIS, COMPLETE)
    assert result.score == 0.0 and result.reasons == "no concerns found"


def test_recommendation_gaps_count_by_share() -> None:
    recommendations = [
        _recommendation(("addressee", "timescale")),
        _recommendation(("timescale", "measure"), vague=True),
        _recommendation(),
        _recommendation(("action",)),
    ]
    result = concern.report_concern(_report(), ANALYSIS, recommendations)
    expected = (
        concern.NO_ADDRESSEE * 1 / 4
        + concern.VAGUE_ADDRESSEE * 1 / 4
        + concern.MISSING_PART["timescale"] * 2 / 4
        + concern.MISSING_PART["measure"] * 1 / 4
        + concern.MISSING_PART["action"] * 1 / 4
    )
    assert result.score == pytest.approx(expected, abs=1e-3)
    reasons = [part.reason for part in result.parts]
    assert "1 of 4 recommendations names no one" in reasons
    assert "2 of 4 recommendations give no timescale" in reasons
    assert any("general group" in reason for reason in reasons)


def test_no_recommendations_is_never_better_than_poor_ones() -> None:
    none = concern.report_concern(_report(), ANALYSIS, [])
    poor = concern.report_concern(
        _report(), ANALYSIS, [_recommendation(("addressee", "action", "timescale", "measure"))]
    )
    assert none.reasons == "no recommendations found"
    assert none.score >= poor.score


def test_child_absent_from_the_analysis() -> None:
    sections = [
        _section("analysis", 0, 0.8),
        _section("findings", 0, 0.6),
        _section("analysis", 2, 0.9),
        _section("chronology", 0, 1.0),  # not an analysis section: ignored
    ]
    result = concern.report_concern(_report(), sections, COMPLETE)
    assert result.score == pytest.approx(concern.CHILD_ABSENT * (0.8 + 0.6) / 3, abs=1e-3)
    assert result.reasons == "child absent from 2 of 3 analysis/findings sections"
    missing = concern.report_concern(_report(), [_section("chronology", 1, 0.9)], COMPLETE)
    assert missing.score == concern.NO_ANALYSIS_SECTION


def test_parts_are_ordered_largest_first() -> None:
    result = concern.report_concern(
        _report(clarity=(1, 0.9, False), child_focus=(0, 1.0, False)), ANALYSIS, []
    )
    points = [part.points for part in result.parts]
    assert points == sorted(points, reverse=True)
    assert result.reasons.startswith("no recommendations found; child focus inadequate")
