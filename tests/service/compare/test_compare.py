"""Comparing drafts: sections matched across renumbering, changes with a threshold, and the
bundled example against its committed revision."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.compare import Draft, compare_sources
from service.compare.changes import CHANGE_THRESHOLD, rating_change
from service.compare.schemas import CompareResponse
from service.compare.sections import heading_key, match_sections
from service.compare.weaknesses import contained, shingles
from service.ingest.document import Section
from service.model.runtime import QualityModel
from service.schemas import Rating

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "scrutiny-minilm-v1"
BEFORE = REPO / "examples" / "child-t-review.md"
AFTER = REPO / "examples" / "child-t-review-revised.md"


def _section(heading: str | None, kind: str = "analysis") -> Section:
    return Section(heading, 1, kind, 0, 0, 0)  # type: ignore[arg-type]


def test_sections_match_by_heading_words_across_renumbering() -> None:
    assert heading_key("5.2 Information sharing:") == "information sharing"
    before = [
        _section("1. Introduction", "background"),
        _section("5. Analysis of practice"),
        _section("6. Supervision"),
        _section("7. Findings", "findings"),
    ]
    after = [
        _section("1. Introduction", "background"),
        _section("4. Analysis of the practice"),  # reworded: similar heading, same kind
        _section("5. Information sharing"),  # new
        _section("6. Findings", "findings"),  # renumbered
    ]
    assert match_sections(before, after) == [(0, 0), (1, 1), (None, 2), (2, None), (3, 3)]
    assert match_sections([], after) == [(None, i) for i in range(4)]


def test_a_change_needs_the_threshold_to_count() -> None:
    def rating(score: float) -> Rating:
        return Rating.of(min(3, int(score + 0.5)), score, 0.9, needs_review=False)

    assert rating_change(rating(1.0), rating(1.0 + CHANGE_THRESHOLD)).direction == "improved"
    assert rating_change(rating(1.0), rating(1.0 - CHANGE_THRESHOLD)).direction == "worse"
    assert rating_change(rating(1.0), rating(1.03)).direction == "unchanged"
    assert rating_change(None, rating(2.0)).direction == "now rated"
    assert rating_change(rating(2.0), None).direction == "no longer rated"
    assert rating_change(None, None).direction is None


def test_word_pairs_measure_how_much_text_survived() -> None:
    old = shingles("The social worker failed to visit the family.")
    assert contained(old, shingles("The social worker failed to visit the family again.")) == 1.0
    assert contained(old, shingles("Nobody visited.")) == 0.0
    assert shingles("Word") == frozenset({("word",)})


@pytest.fixture(scope="module")
def compared() -> CompareResponse:
    model = QualityModel.load(MODEL, threads=2, batch_size=8)
    return compare_sources(
        Draft(BEFORE.read_bytes(), BEFORE.name), Draft(AFTER.read_bytes(), AFTER.name), model
    )


def test_the_revised_example_shows_its_improvements(compared: CompareResponse) -> None:
    assert compared.ratings.recommendations.direction == "improved"
    assert compared.ratings.clarity.direction == "improved"
    assert all(s.status == "matched" for s in compared.sections)
    by_heading = {s.heading: s for s in compared.sections}
    assert (
        by_heading["2. Methodology and terms of reference"].ratings.clarity.direction == "improved"
    )
    assert by_heading["8. Recommendations"].ratings.recommendations.direction == "improved"
    resolved = {(w.dimension, w.text[:20]) for w in compared.resolved}
    assert ("clarity", "2.3 IMRs received fr") in resolved  # the shorthand was written out
    assert ("recommendations", "8.1 Lessons should b") in resolved  # the vague exhortation
    assert any(
        w.dimension == "root_cause" and "failed to visit" in w.text for w in compared.resolved
    )
    # The revision added an undefined acronym: a new weakness, in new text.
    new_lado = [w for w in compared.new if "LADO" in w.reason]
    assert new_lado and new_lado[0].how == "new text" and new_lado[0].dimension == "clarity"
    before, after = compared.recommendations.before, compared.recommendations.after
    assert after.complete > before.complete and after.vague_addressee < before.vague_addressee


def test_offsets_index_their_own_draft(compared: CompareResponse) -> None:
    before, after = compared.before.text, compared.after.text
    assert before is not None and after is not None
    for change in compared.resolved:
        assert change.draft == "before" and before[change.start : change.end] == change.text
    for change in [*compared.new, *compared.persisting]:
        assert change.draft == "after" and after[change.start : change.end] == change.text
    # A weakness is never both resolved and still there.
    persisting = {(w.dimension, w.start) for w in compared.persisting}
    assert len(persisting) == len(compared.persisting)
