"""Highlight selection from model picks, sentence effects and signals (synthetic scores)."""

from __future__ import annotations

import numpy as np

from service.explain.highlights import PER_KIND, select_highlights
from service.explain.leave_one_out import Pick, SentenceEffect, model_picks
from service.explain.signals import ROOT_CAUSE, Finding
from service.passages.build import build_passages
from tests.service.documents import make_document

PARAGRAPH = (
    "On 3 May the health visitor visited the home. "
    "The visit was short because the clinic was over-booked and she had forty families. "
    "The mother said all was well."
)


def _setup(levels: list[float]):
    document = make_document([("Analysis", "analysis", [PARAGRAPH] * len(levels))])
    passages = build_passages(document)
    scores = np.tile(np.array(levels)[:, None], (1, 4))
    applies = np.ones((len(passages), 4), dtype=bool)
    applies[:, 3] = False
    rated = np.array([[True, True, True, False]])
    levels = np.clip(np.floor(scores + 0.5), 0, 3).astype(np.int64)
    return document, passages, scores, levels, applies, rated


def test_model_picks_weakest_and_strongest() -> None:
    _document, passages, scores, levels, applies, _rated = _setup([0.4, 2.7, 1.6])
    picks = model_picks(passages, scores, levels, applies)
    assert {(p.dimension, p.polarity, p.passage) for p in picks} == {
        (d, polarity, index)
        for d in range(3)
        for polarity, index in (("weakness", 0), ("strength", 1))
    }


def test_narrowed_to_the_decisive_sentence_with_offsets_intact() -> None:
    document, passages, scores, levels, applies, rated = _setup([2.7, 1.0])
    start = passages[0].start + PARAGRAPH.index("The visit")
    end = passages[0].start + PARAGRAPH.index(" The mother")
    full = np.full(4, 2.7)
    effects = {
        0: [
            SentenceEffect(passages[0].start, start - 1, full, full - 0.05, np.full(4, 0.05)),
            SentenceEffect(start, end, full, full - 1.2, np.full(4, 1.2)),
        ]
    }
    picks = [Pick(0, ROOT_CAUSE, "strength", 0, 2.7, 3)]
    (highlights,) = select_highlights(
        document, passages, scores, levels, applies, rated, picks, effects, []
    )
    (only,) = highlights
    assert (only.start, only.end) == (start, end)
    assert document.text[only.start : only.end] == only.text
    assert "would score 1.5 instead of 2.7" in only.reason
    assert only.page == document.page_at(start)


def test_signals_filtered_by_the_model_and_capped() -> None:
    document, passages, scores, levels, applies, rated = _setup([2.9, 1.0, 1.0, 1.0])
    findings = [
        Finding(
            p.start, p.end, ROOT_CAUSE, "weakness", "blames without exploring the conditions", 1.0
        )
        for p in passages
    ]
    (highlights,) = select_highlights(
        document, passages, scores, levels, applies, rated, [], {}, findings
    )
    weaknesses = [h for h in highlights if h.dimension == "root_cause"]
    assert len(weaknesses) == PER_KIND
    # The passage the model rates strong is never called weak by a signal.
    assert all(h.start != passages[0].start for h in weaknesses)


def test_no_words_both_praised_and_criticised_on_one_dimension() -> None:
    document, passages, scores, levels, applies, rated = _setup([1.0, 1.0])
    p = passages[0]
    findings = [
        Finding(p.start, p.end, ROOT_CAUSE, "weakness", "weak", 2.0),
        Finding(p.start, p.end, ROOT_CAUSE, "strength", "strong", 1.0),
    ]
    (highlights,) = select_highlights(
        document, passages, scores, levels, applies, rated, [], {}, findings
    )
    assert [(h.polarity, h.reason) for h in highlights] == [("weakness", "weak")]


def test_a_checkable_weakness_vetoes_a_model_strength() -> None:
    document, passages, scores, levels, applies, rated = _setup([2.9, 1.0])
    p = passages[0]
    findings = [Finding(p.start, p.end, ROOT_CAUSE, "weakness", "blames without explanation", 1.0)]
    picks = [Pick(0, ROOT_CAUSE, "strength", 0, 2.9, 3)]
    (highlights,) = select_highlights(
        document, passages, scores, levels, applies, rated, picks, {}, findings
    )
    assert all(h.polarity != "strength" for h in highlights)
