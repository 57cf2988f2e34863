"""Checks every scoring response must pass, shared by the API and CLI tests."""

from __future__ import annotations

from typing import Any

from service.schemas import ScoreResponse


def check_score_response(body: dict[str, Any] | str) -> ScoreResponse:
    """Validate against the schema and the offset invariants of design.md."""
    response = (
        ScoreResponse.model_validate_json(body)
        if isinstance(body, str)
        else ScoreResponse.model_validate(body)
    )
    text = response.document.text
    assert text is not None
    assert response.document.characters == len(text)
    for before, after in zip(response.sections, response.sections[1:], strict=False):
        assert before.start <= before.end <= after.start <= after.end
    for section in response.sections:
        for highlight in section.highlights:
            assert text[highlight.start : highlight.end] == highlight.text
            assert section.start <= highlight.start <= highlight.end <= section.end
    for rec in response.recommendations:
        assert text[rec.start : rec.end] == rec.text
    for dimension in ("clarity", "root_cause", "child_focus"):
        assert getattr(response.ratings, dimension) is not None, dimension
    has_recommendations = any(s.kind == "recommendations" for s in response.sections)
    if has_recommendations:
        assert response.ratings.recommendations is not None
    return response
