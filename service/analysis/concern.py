"""How concerning a scored report is: one score and its reasons in plain words.

Every weight of the triage ranking is a named constant here, and ``docs/triage.md`` gives
the formula. The score is a sum of points, higher is more concerning:

- each dimension rated inadequate or requires improvement:
  ``DIMENSION_WEIGHT * LEVEL_CONCERN[level] * confidence`` (a confident low rating counts
  more than an unsure one);
- no recommendations found: ``NO_RECOMMENDATIONS``; otherwise, for the share of
  recommendations naming no one, naming only a general group, or lacking an action, a
  timescale or a measure: ``NO_ADDRESSEE``, ``VAGUE_ADDRESSEE`` and ``MISSING_PART`` times
  that share;
- the child absent from the analysis: ``CHILD_ABSENT`` times the confidence-weighted share
  of ``analysis``/``findings`` sections whose child focus is level 0; no such section at
  all: ``NO_ANALYSIS_SECTION``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.analysis.load import Row, split_list
from service.batch.tables import DIMENSIONS
from service.model.dimensions import DIMENSION_TITLES

# Points per unit of confidence for a report rating at each level 0-3.
LEVEL_CONCERN: tuple[float, float, float, float] = (1.0, 0.5, 0.0, 0.0)
DIMENSION_WEIGHT: dict[str, float] = dict.fromkeys(DIMENSIONS, 1.0)
# As much as recommendations that all name no one and lack action, timescale and measure
# (1.0 + 3 * 0.5), so finding none is never better than finding poor ones.
NO_RECOMMENDATIONS = 2.5
NO_ADDRESSEE = 1.0
VAGUE_ADDRESSEE = 0.5
MISSING_PART: dict[str, float] = {"action": 0.5, "timescale": 0.5, "measure": 0.5}
CHILD_ABSENT = 1.0
NO_ANALYSIS_SECTION = 0.5
CHILD_SECTION_KINDS = ("analysis", "findings")
# Wording only: a rating at least this confident is called "confident".
CONFIDENT_FROM = 0.8

# (singular, plural) phrases for a count of recommendations with a gap.
_GAP_WORDS: dict[str, tuple[str, str]] = {
    "addressee": ("names no one", "name no one"),
    "vague": (
        'is addressed only to a general group such as "all agencies"',
        'are addressed only to a general group such as "all agencies"',
    ),
    "action": ("states no clear action", "state no clear action"),
    "timescale": ("gives no timescale", "give no timescale"),
    "measure": ("gives no measure of completion", "give no measure of completion"),
}


@dataclass(frozen=True)
class ConcernPart:
    """One reason a report is concerning and the points it adds."""

    points: float
    reason: str


@dataclass(frozen=True)
class Concern:
    """A report's concern score and the parts it is made of, largest first."""

    score: float
    parts: tuple[ConcernPart, ...]

    @property
    def reasons(self) -> str:
        """The reasons in one line, for practitioners."""
        return "; ".join(part.reason for part in self.parts) or "no concerns found"


def confidence_words(confidence: float, needs_review: bool) -> str:
    """How sure a rating is, in words."""
    if needs_review:
        return "unsure: needs a second look"
    return "confident" if confidence >= CONFIDENT_FROM else "fairly confident"


def rating_parts(report: Row) -> list[ConcernPart]:
    """Low report ratings, weighted by their confidence."""
    parts = []
    for dimension in DIMENSIONS:
        level = report[f"{dimension}_level"]
        if level is None or LEVEL_CONCERN[level] == 0.0:
            continue
        confidence = report[f"{dimension}_confidence"] or 0.0
        points = DIMENSION_WEIGHT[dimension] * LEVEL_CONCERN[level] * confidence
        words = confidence_words(confidence, bool(report[f"{dimension}_needs_review"]))
        label = report[f"{dimension}_label"]
        parts.append(
            ConcernPart(points, f"{DIMENSION_TITLES[dimension].lower()} {label} ({words})")
        )
    return parts


def _gap(kind: str, count: int, total: int, weight: float) -> ConcernPart | None:
    if count == 0:
        return None
    singular, plural = _GAP_WORDS[kind]
    verb = singular if count == 1 else plural
    return ConcernPart(weight * count / total, f"{count} of {total} recommendations {verb}")


def recommendation_parts(recommendations: Sequence[Row]) -> list[ConcernPart]:
    """No recommendations, or recommendations without an addressee or other parts."""
    total = len(recommendations)
    if total == 0:
        return [ConcernPart(NO_RECOMMENDATIONS, "no recommendations found")]
    missing = [split_list(row["missing"]) for row in recommendations]
    gaps = [
        _gap("addressee", sum("addressee" in parts for parts in missing), total, NO_ADDRESSEE),
        _gap(
            "vague",
            sum(bool(row["vague_addressee"]) for row in recommendations),
            total,
            VAGUE_ADDRESSEE,
        ),
        *(
            _gap(part, sum(part in parts for parts in missing), total, weight)
            for part, weight in MISSING_PART.items()
        ),
    ]
    return [gap for gap in gaps if gap is not None]


def child_parts(sections: Sequence[Row]) -> list[ConcernPart]:
    """The child absent (child focus level 0) from the analysis and findings sections."""
    rated = [
        row
        for row in sections
        if row["kind"] in CHILD_SECTION_KINDS and row["child_focus_level"] is not None
    ]
    if not rated:
        return [ConcernPart(NO_ANALYSIS_SECTION, "no rated analysis or findings section found")]
    absent = [row for row in rated if row["child_focus_level"] == 0]
    if not absent:
        return []
    share = sum(row["child_focus_confidence"] or 0.0 for row in absent) / len(rated)
    reason = f"child absent from {len(absent)} of {len(rated)} analysis/findings sections"
    return [ConcernPart(CHILD_ABSENT * share, reason)]


def report_concern(report: Row, sections: Sequence[Row], recommendations: Sequence[Row]) -> Concern:
    """The concern score of one scored report and its reasons, largest first."""
    parts = [
        *rating_parts(report),
        *recommendation_parts(recommendations),
        *child_parts(sections),
    ]
    parts.sort(key=lambda part: -part.points)
    return Concern(score=round(sum(part.points for part in parts), 3), parts=tuple(parts))
