"""Fix first on the bundled example: measured with the model, placed in the text, and true
to its word: applying a suggestion's rewrite raises the section score it promised to."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.improve.settings import improve_settings
from service.ingest import Document, read_document
from service.model.runtime import QualityModel
from service.schemas import ScoreResponse
from service.scoring import score_document

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "scrutiny-minilm-v1"
EXAMPLE = REPO / "examples" / "child-t-review.md"


@pytest.fixture(scope="module")
def model() -> QualityModel:
    return QualityModel.load(MODEL, threads=2, batch_size=8)


@pytest.fixture(scope="module")
def scored(model: QualityModel) -> tuple[Document, ScoreResponse]:
    document = read_document(EXAMPLE)
    return document, score_document(document, model)


def test_fix_first_items_are_measured_and_placed(scored: tuple[Document, ScoreResponse]) -> None:
    document, result = scored
    settings = improve_settings()
    fixes = result.fix_first
    assert 1 <= len(fixes) <= settings.fix_first_items
    assert len({(f.start, f.end) for f in fixes}) == len(fixes)  # one change per passage
    for fix in fixes:
        assert document.text[fix.start : fix.end] == fix.text
        section = result.sections[fix.section]
        assert section.start <= fix.start < fix.end <= section.end
        assert fix.heading == section.heading
        assert fix.rewrite != fix.text and fix.suggestion and fix.reason
        assert fix.passage_after - fix.passage_before >= settings.min_passage_gain
        # "Before" is what the response already says; "after" is better.
        assert getattr(section.ratings, fix.dimension) == fix.section_before
        assert getattr(result.ratings, fix.dimension) == fix.report_before
        assert fix.gain > 0
        assert fix.report_after.score == pytest.approx(fix.report_before.score + fix.gain, abs=2e-3)
        assert fix.section_after.score > fix.section_before.score
        assert fix.exemplar is not None and fix.exemplar.dimension == fix.dimension


def test_every_highlight_has_a_suggestion_and_every_weakness_an_exemplar(
    scored: tuple[Document, ScoreResponse],
) -> None:
    _, result = scored
    highlights = [h for s in result.sections for h in s.highlights]
    assert highlights
    for highlight in highlights:
        assert highlight.suggestion
        if highlight.polarity == "weakness":
            assert highlight.exemplar is not None
            assert highlight.exemplar.dimension == highlight.dimension
            assert -1.0 <= highlight.exemplar.similarity <= 1.0
        else:
            assert highlight.exemplar is None


def test_applying_the_first_suggestion_raises_its_section_score(
    model: QualityModel, scored: tuple[Document, ScoreResponse]
) -> None:
    _, result = scored
    source = EXAMPLE.read_text(encoding="utf-8")
    for rank, fix in enumerate(result.fix_first):
        assert source.count(fix.text) == 1, "the passage reads the same in the Markdown"
        revised = read_document(
            source.replace(fix.text, fix.rewrite).encode("utf-8"), filename="revised.md"
        )
        after = score_document(revised, model, explain=False)
        section = next(s for s in after.sections if s.heading == fix.heading)
        section_score = getattr(section.ratings, fix.dimension).score
        report_score = getattr(after.ratings, fix.dimension).score
        # What fix first promised is what re-scoring the whole revised report gives (up to
        # the int8 batch jitter), and the first suggestion raises its section's score.
        assert section_score == pytest.approx(fix.section_after.score, abs=0.1)
        assert report_score == pytest.approx(fix.report_after.score, abs=0.1)
        assert section_score > fix.section_before.score, rank
        assert report_score > fix.report_before.score, rank


def test_scoring_without_explanations_skips_fix_first(model: QualityModel) -> None:
    result = score_document(read_document(EXAMPLE), model, explain=False)
    assert result.fix_first == []
    assert all(not s.highlights for s in result.sections)
