"""The JSON the service returns (``design.md``), as pydantic models with bounded fields.

Field order follows ``design.md``. Extensions beyond it are additive and nullable:
``Recommendation.finding`` (the review finding a recommendation links to, where stated),
``Recommendation.page``, ``Recommendation.section``, ``Recommendation.vague_addressee`` and
``Recommendation.missing``.

Schema version 2 adds, without changing the meaning of any version 1 field:
``ScoreResponse.fix_first`` (the changes that would raise the ratings most, each measured by
re-scoring its passage rewritten; ``service.improve``), and on every highlight a concrete
``suggestion`` and, for weaknesses, the nearest ``exemplar`` of the same dimension
(``service.exemplars``).
"""

from __future__ import annotations

from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from service.ingest.document import SectionKind
from service.model.dimensions import LEVEL_LABELS

SCHEMA_VERSION: Literal["2"] = "2"

Dimension = Literal["clarity", "root_cause", "child_focus", "recommendations"]
Polarity = Literal["weakness", "strength"]
MissablePart = Literal["addressee", "action", "timescale", "measure"]
LevelLabel = Literal["inadequate", "requires improvement", "good", "strong"]

_Offset = Field(ge=0)
_Page = Field(default=None, ge=1)
_Sha256 = Field(pattern=r"^[0-9a-f]{64}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rating(_Frozen):
    """One rating: level 0-3 with its label, expected level, calibrated confidence."""

    level: int = Field(ge=0, le=3)
    label: LevelLabel
    score: float = Field(ge=0.0, le=3.0, description="Expected level, for ranking.")
    confidence: float = Field(
        ge=0.0,
        le=1.0,
        description="Probability that the level shown is right, propagated from calibrated "
        "passage probabilities (docs/aggregation.md); at least 0.25, since the level shown is "
        "the most probable one.",
    )
    needs_review: bool = Field(
        default=False,
        description="True when the confidence is below the review threshold (0.6 by default): "
        "the evidence is mixed or thin, so a person should read the section before relying on "
        "the level.",
    )

    @classmethod
    def of(cls, level: int, score: float, confidence: float, *, needs_review: bool) -> Rating:
        """Build a rating, labelling the level and rounding for display."""
        return cls(
            level=level,
            label=cast(LevelLabel, LEVEL_LABELS[level]),
            score=round(min(max(score, 0.0), 3.0), 3),
            confidence=round(min(max(confidence, 0.0), 1.0), 3),
            needs_review=needs_review,
        )


class Ratings(_Frozen):
    """A rating per dimension; ``None`` where the dimension does not apply."""

    clarity: Rating | None = None
    root_cause: Rating | None = None
    child_focus: Rating | None = None
    recommendations: Rating | None = None


class ModelInfo(_Frozen):
    name: str = Field(max_length=200)
    version: str = Field(max_length=100)
    sha256: str = _Sha256


class DocumentInfo(_Frozen):
    sha256: str = _Sha256
    title: str | None = Field(default=None, max_length=1000)
    pages: int | None = Field(default=None, ge=0, description="None for sources without pages.")
    characters: int = Field(ge=0)
    text: str | None = Field(default=None, description="The extracted text; None if not asked for.")


class ExemplarRef(_Frozen):
    """A strong passage of the exemplar bank (``GET /exemplars``): what good looks like."""

    id: str = Field(max_length=120, description="Its id in the bank (`GET /exemplars/{id}`).")
    dimension: Dimension
    topic: str = Field(
        max_length=40, description="The kind of section it was written for (e.g. analysis)."
    )
    heading: str = Field(max_length=300, description="The heading it was written under.")
    text: str = Field(max_length=4000, description="The passage (fictional, by the project).")
    similarity: float = Field(
        ge=-1.0, le=1.0, description="Cosine similarity of the two passages' embeddings."
    )


class Highlight(_Frozen):
    """A passage or sentence behind a rating; ``document.text[start:end] == text``."""

    dimension: Dimension
    polarity: Polarity
    start: int = _Offset
    end: int = _Offset
    text: str
    reason: str = Field(max_length=400)
    page: int | None = _Page
    suggestion: str | None = Field(
        default=None,
        max_length=600,
        description="A concrete change for a weakness, or what to keep for a strength (schema 2).",
    )
    exemplar: ExemplarRef | None = Field(
        default=None,
        description="For a weakness: the strong passage of the same dimension nearest to it "
        "by the model's passage embedding (schema 2; None without an exemplar bank).",
    )


class SectionScore(_Frozen):
    index: int = Field(ge=0)
    heading: str | None = Field(default=None, max_length=1000)
    kind: SectionKind
    start: int = _Offset
    end: int = _Offset
    page_start: int | None = _Page
    page_end: int | None = _Page
    ratings: Ratings
    highlights: list[Highlight] = Field(default_factory=list, max_length=64)


class Recommendation(_Frozen):
    """One recommendation of the report, structured so its implementation can be tracked."""

    text: str
    start: int = _Offset
    end: int = _Offset
    addressees: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Who the recommendation is addressed to, as the text names them; vague "
        'ones ("all agencies") included and flagged by `vague_addressee`.',
    )
    vague_addressee: bool = Field(
        default=False,
        description="True when the recommendation names no particular organisation or role, "
        'only a general one such as "all agencies" or "partners".',
    )
    missing: list[MissablePart] = Field(
        default_factory=list,
        max_length=4,
        description="The parts a trackable recommendation needs that the text does not state.",
    )
    action: str | None = Field(default=None, max_length=2000)
    timescale: str | None = Field(default=None, max_length=200)
    measure: str | None = Field(default=None, max_length=1000)
    rating: Rating | None = None
    finding: str | None = Field(default=None, max_length=200)
    page: int | None = _Page
    section: int | None = Field(default=None, ge=0)


class FixFirst(_Frozen):
    """One change worth making first, its effect measured by the model (schema 2).

    The passage is re-scored with ``rewrite`` in its place (the author's words kept, the
    missing parts added, ``[brackets]`` where only the author knows the facts); the section
    and report ratings are recomputed with that score, and items are ranked by the report's
    gain on ``dimension`` net of any loss on another dimension.
    """

    dimension: Dimension
    section: int = Field(ge=0, description="Index of the section in `sections`.")
    heading: str | None = Field(default=None, max_length=1000)
    start: int = _Offset
    end: int = _Offset
    text: str = Field(description="The passage as written; `document.text[start:end]`.")
    page: int | None = _Page
    reason: str = Field(max_length=400, description="What holds the passage back.")
    suggestion: str = Field(max_length=600, description="The change, in words.")
    rewrite: str = Field(
        max_length=6000,
        description="The passage with the change made; [brackets] mark what only the "
        "author can fill in.",
    )
    passage_before: float = Field(ge=0.0, le=3.0, description="Passage score as written.")
    passage_after: float = Field(ge=0.0, le=3.0, description="Passage score rewritten.")
    section_before: Rating
    section_after: Rating
    report_before: Rating
    report_after: Rating
    gain: float = Field(description="Change in the report's score on the dimension, in levels.")
    exemplar: ExemplarRef | None = None


class Timings(_Frozen):
    ingest: int = Field(ge=0, description="Milliseconds reading the file.")
    model: int = Field(ge=0, description="Milliseconds in the model (ratings and highlights).")
    total: int = Field(ge=0, description="Milliseconds end to end.")


class ScoreResponse(_Frozen):
    """The response of ``/v1/score``, ``/v1/score/file`` and ``scrutiny score --format json``."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    model: ModelInfo
    document: DocumentInfo
    ratings: Ratings
    sections: list[SectionScore]
    recommendations: list[Recommendation]
    fix_first: list[FixFirst] = Field(
        default_factory=list,
        max_length=20,
        description="The few changes that would raise the ratings most, best first (schema "
        "2; empty when scored without explanations).",
    )
    timings_ms: Timings
