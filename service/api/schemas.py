"""Request bodies of the API; responses are `service.schemas.ScoreResponse`."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_TEXT = 2_000_000


class SectionIn(BaseModel):
    """One section of a report submitted as structured text."""

    model_config = ConfigDict(extra="forbid")

    heading: str | None = Field(None, max_length=300, description="The section's heading, if any.")
    text: str = Field(
        ..., min_length=1, max_length=MAX_TEXT, description="The section's body text."
    )


class ScoreRequest(BaseModel):
    """A report as plain text, or as a list of sections. Exactly one of the two."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Child T: serious case review",
                    "text": "1. Analysis\n\nThe referral was not followed up because ...",
                    "include_text": False,
                }
            ],
            # "Exactly one of the two", as the validator below enforces it.
            "oneOf": [
                {
                    "required": ["text"],
                    "properties": {"text": {"type": "string"}, "sections": {"type": "null"}},
                },
                {
                    "required": ["sections"],
                    "properties": {"sections": {"type": "array"}, "text": {"type": "null"}},
                },
            ],
        },
    )

    text: str | None = Field(
        None, min_length=1, max_length=MAX_TEXT, description="The whole report."
    )
    sections: list[SectionIn] | None = Field(
        None, min_length=1, max_length=1000, description="The report as headed sections."
    )
    title: str | None = Field(None, max_length=300)
    include_text: bool = Field(True, description="Return the normalised text in the response.")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.text is None) == (self.sections is None):
            raise ValueError("give exactly one of 'text' or 'sections'")
        return self

    def as_markdown(self) -> str:
        """The submission as one Markdown document (sections become level-1 headings)."""
        if self.text is not None:
            return self.text
        parts = []
        for section in self.sections or []:
            if section.heading:
                parts.append(f"# {' '.join(section.heading.split())}")
            parts.append(section.text.strip())
        return "\n\n".join(parts) + "\n"
