"""The JSON ``POST /v1/compare`` returns, as pydantic models (schema version 2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.ingest.document import SectionKind
from service.schemas import (
    SCHEMA_VERSION,
    Dimension,
    DocumentInfo,
    MissablePart,
    ModelInfo,
    Rating,
    Timings,
)

Direction = Literal["improved", "worse", "unchanged", "now rated", "no longer rated"]
DraftName = Literal["before", "after"]
How = Literal["rewritten", "no longer there", "new text", "still there"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RatingChange(_Frozen):
    """One rating in both drafts (None where the dimension does not apply)."""

    before: Rating | None
    after: Rating | None
    change: float | None = Field(
        description="After's score minus before's, in levels; None unless rated in both."
    )
    direction: Direction | None = Field(
        description="improved / worse when the score moved by at least the threshold "
        "(0.05 of a level), else unchanged; None when rated in neither draft."
    )


class RatingChanges(_Frozen):
    """A change per dimension."""

    clarity: RatingChange
    root_cause: RatingChange
    child_focus: RatingChange
    recommendations: RatingChange


class SectionChange(_Frozen):
    """A section of either draft and how its ratings moved. Sections are matched by their
    heading words (numbering ignored), then by similar headings of the same kind."""

    heading: str | None = Field(default=None, max_length=1000)
    kind: SectionKind
    status: Literal["matched", "added", "removed"]
    before: int | None = Field(default=None, ge=0, description="Index in the before draft.")
    after: int | None = Field(default=None, ge=0, description="Index in the after draft.")
    ratings: RatingChanges


class WeaknessChange(_Frozen):
    """A weakness highlight of one draft; ``start``/``end`` index that draft's text."""

    draft: DraftName
    dimension: Dimension
    section: int = Field(ge=0, description="Index of the section in that draft.")
    heading: str | None = Field(default=None, max_length=1000)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    reason: str = Field(max_length=400)
    page: int | None = Field(default=None, ge=1)
    how: How = Field(
        description="resolved: `rewritten` (the passage is still recognisable and the model "
        "no longer rates it weak) or `no longer there` (its words are gone: removed or "
        "rewritten beyond recognition); new: `new text` (words the before draft did not "
        "have) or `rewritten`; persisting: `still there`."
    )


class RecommendationCounts(_Frozen):
    """The recommendations of one draft, as a tracker would count them."""

    items: int = Field(ge=0)
    complete: int = Field(
        ge=0, description="Items with an addressee, action, timescale and measure."
    )
    vague_addressee: int = Field(ge=0)
    missing: dict[MissablePart, int] = Field(description="Items lacking each part.")


class RecommendationChange(_Frozen):
    before: RecommendationCounts
    after: RecommendationCounts


class CompareResponse(_Frozen):
    """The response of ``POST /v1/compare``."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    model: ModelInfo
    before: DocumentInfo
    after: DocumentInfo
    ratings: RatingChanges
    sections: list[SectionChange]
    resolved: list[WeaknessChange] = Field(
        description="Weaknesses of the before draft no longer found in the after draft."
    )
    new: list[WeaknessChange] = Field(description="Weaknesses of the after draft that are new.")
    persisting: list[WeaknessChange] = Field(
        description="Weaknesses of the after draft already there in the before draft."
    )
    recommendations: RecommendationChange
    timings_ms: Timings
