"""Aggregation rules: the method's arithmetic and its section-aware choices."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.aggregate import aggregate, rate
from service.aggregate.confidence import GRID_UNITS, REVIEW_BELOW, band, level_distribution
from service.aggregate.policy import SECTION_POLICY, applies, child_expected, kind_weight
from service.ingest.document import SectionKind
from service.model.dimensions import DIMENSIONS, LEVELS
from service.passages.build import build_passages
from tests.service.documents import ANALYSIS, METHOD, make_document

CHILD = DIMENSIONS.index("child_focus")
REC = DIMENSIONS.index("recommendations")
CLARITY = DIMENSIONS.index("clarity")


def _onehot(n: int, level: int) -> np.ndarray:
    probs = np.full((n, len(DIMENSIONS), LEVELS), 0.0)
    probs[..., level] = 1.0
    return probs


def test_rate_score_is_weighted_expected_level_and_level_the_most_probable() -> None:
    probs = np.array([[0.1, 0.2, 0.6, 0.1], [0.0, 0.0, 0.2, 0.8]])
    weights = np.array([3.0, 1.0])
    rating = rate(probs, weights, spread=0.0)
    assert rating is not None
    expected = float((probs @ np.arange(4)) @ weights / weights.sum())
    assert rating.score == pytest.approx(expected, abs=1e-3)
    distribution = level_distribution(probs, weights, 0.0)
    assert rating.level == int(np.argmax(distribution)) and rating.label == "good"
    assert rating.confidence == pytest.approx(distribution.max(), abs=1e-3)


def test_single_passage_confidence_is_its_own_probability() -> None:
    # The example: [0.55, 0.20, 0.15, 0.10] showed level 1 at 22%.
    rating = rate(np.array([[0.55, 0.20, 0.15, 0.10]]), np.array([40.0]), spread=0.0)
    assert rating is not None
    assert rating.level == 0 and rating.confidence == pytest.approx(0.55, abs=1e-3)
    assert rating.needs_review


def test_rate_confidence_grows_with_evidence() -> None:
    probs = np.array([[0.05, 0.15, 0.7, 0.1]])
    one = rate(probs, np.array([50.0]), spread=0.0)
    many = rate(np.repeat(probs, 20, axis=0), np.full(20, 50.0), spread=0.0)
    assert one is not None and many is not None
    assert one.level == many.level == 2
    assert one.confidence < many.confidence <= 1.0


def test_spread_lowers_confidence_of_long_sections() -> None:
    probs = np.repeat(np.array([[0.05, 0.15, 0.7, 0.1]]), 20, axis=0)
    tight = rate(probs, np.full(20, 50.0), spread=0.0)
    wide = rate(probs, np.full(20, 50.0), spread=0.5)
    assert tight is not None and wide is not None and wide.confidence < tight.confidence


def test_rate_of_nothing_is_null() -> None:
    assert rate(np.zeros((0, LEVELS)), np.zeros(0)) is None


def test_bimodal_section_is_rated_in_the_middle_with_honest_confidence() -> None:
    # Half level 0 and half level 3, certain: the mean is exactly 1.5, a tie between 1 and 2,
    # and the confidence is about a half (it was shown as "2 good" at about 1%).
    probs = np.concatenate([_onehot(5, 0), _onehot(5, 3)])[:, 0]
    rating = rate(probs, np.full(10, 40.0))
    assert rating is not None
    assert rating.score == pytest.approx(1.5)
    assert rating.level in (1, 2) and 0.25 <= rating.confidence <= 0.55 and rating.needs_review


def test_level_distribution_with_certain_passages_is_the_band_of_their_mean() -> None:
    probs = _onehot(3, 0)[:, 0]
    probs[0] = [0, 0, 0, 1.0]
    distribution = level_distribution(probs, np.array([10.0, 10.0, 10.0]), 0.0)
    assert distribution[int(band(1.0))] == pytest.approx(1.0)


_PROBS = st.lists(
    st.lists(st.floats(0.0, 1.0), min_size=LEVELS, max_size=LEVELS).filter(
        lambda row: sum(row) > 1e-3
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(
    rows=_PROBS,
    weights=st.lists(st.floats(1.0, 300.0), min_size=12, max_size=12),
    spread=st.floats(0.0, 1.0),
)
def test_shown_level_and_confidence_follow_the_propagated_distribution(
    rows: list[list[float]], weights: list[float], spread: float
) -> None:
    probs = np.array(rows) / np.array(rows).sum(axis=1, keepdims=True)
    w = np.array(weights[: len(rows)])
    distribution = level_distribution(probs, w, spread)
    assert distribution.sum() == pytest.approx(1.0) and (distribution >= 0).all()
    rating = rate(probs, w, spread)
    assert rating is not None
    # The level shown is the most probable one, so its confidence is at least 1/4, and the
    # confidence is exactly that level's propagated probability.
    assert distribution[rating.level] == pytest.approx(distribution.max(), abs=1e-9)
    assert rating.confidence == pytest.approx(distribution[rating.level], abs=1e-3)
    assert rating.confidence >= 0.25 - 1e-3
    assert rating.needs_review == (distribution[rating.level] < REVIEW_BELOW)


@settings(max_examples=100, deadline=None)
@given(rows=_PROBS, seed=st.integers(0, 2**16))
def test_propagated_distribution_matches_sampling(rows: list[list[float]], seed: int) -> None:
    # Monte Carlo check of the closed form (no spread): draw passage levels, band the mean.
    probs = np.array(rows) / np.array(rows).sum(axis=1, keepdims=True)
    w = np.linspace(10.0, 40.0, len(rows))
    rng = np.random.default_rng(seed)
    draws = np.array([rng.choice(LEVELS, size=4000, p=p) for p in probs])  # (n, samples)
    means = (w @ draws) / w.sum()
    sampled = np.bincount(band(means), minlength=LEVELS) / 4000
    # Weights are quantised to a grid of GRID_UNITS, so a mean on or near a band edge can
    # fall either side (one-hot passages can put every draw exactly on an edge): allow the
    # share of draws that close to an edge, and the sampling error.
    edges = np.arange(LEVELS - 1) + 0.5
    near_edge = (np.abs(means[:, None] - edges[None, :]) <= 3.0 / GRID_UNITS).any(axis=1).mean()
    assert np.abs(level_distribution(probs, w, 0.0) - sampled).max() < 0.06 + near_edge


def _two_sections(method_kind: SectionKind = "methodology"):
    document = make_document(
        [("Method", method_kind, METHOD * 3), ("Analysis", "analysis", ANALYSIS[:2])]
    )
    return document, build_passages(document)


def test_methodology_is_not_marked_down_for_child_focus() -> None:
    document, passages = _two_sections()
    probs = _onehot(len(passages), 3)
    in_method = np.array([p.section == 0 for p in passages])
    probs[in_method, CHILD] = [1.0, 0.0, 0.0, 0.0]  # method passages: child absent
    result = aggregate(document, passages, probs, np.zeros(len(passages), bool))
    assert result.sections[0].child_focus is None
    assert result.report.child_focus is not None and result.report.child_focus.level == 3
    # The same text in an analysis section would pull the report down.
    document, passages = _two_sections("analysis")
    result = aggregate(document, passages, probs, np.zeros(len(passages), bool))
    assert result.report.child_focus is not None and result.report.child_focus.score < 2.5


def test_recommendations_null_without_recommendation_text() -> None:
    document, passages = _two_sections()
    result = aggregate(document, passages, _onehot(len(passages), 2), np.zeros(len(passages), bool))
    assert result.report.recommendations is None
    assert all(s.recommendations is None for s in result.sections)
    assert result.report.clarity is not None and result.report.root_cause is not None


def test_recommendations_rated_on_recommendation_passages_only() -> None:
    document, passages = _two_sections()
    mask = np.array([p.section == 1 for p in passages])
    probs = _onehot(len(passages), 0)
    probs[mask, REC] = [0, 0, 0, 1.0]
    result = aggregate(document, passages, probs, mask)
    assert result.sections[0].recommendations is None
    assert result.sections[1].recommendations is not None
    assert result.report.recommendations is not None and result.report.recommendations.level == 3


def test_glossary_excluded_from_clarity() -> None:
    document = make_document(
        [
            ("Analysis", "analysis", ANALYSIS[:2]),
            ("Glossary", "glossary", ("CIN: Child in Need",) * 4),
        ]
    )
    passages = build_passages(document)
    probs = _onehot(len(passages), 3)
    probs[[p.section == 1 for p in passages], CLARITY] = [1.0, 0, 0, 0]
    result = aggregate(document, passages, probs, np.zeros(len(passages), bool))
    assert result.sections[1].clarity is None
    assert result.report.clarity is not None and result.report.clarity.level == 3


def test_kind_weights_favour_analysis_for_root_cause() -> None:
    root = DIMENSIONS.index("root_cause")
    analysis, chronology = kind_weight("analysis", root), kind_weight("chronology", root)
    assert analysis is not None and chronology is not None and analysis > chronology
    assert kind_weight("glossary", CLARITY) is None
    assert kind_weight("unknown-kind", CLARITY) == 1.0


def test_one_policy_table_covers_every_section_kind() -> None:
    from service.ingest.document import SECTION_KINDS

    assert set(SECTION_POLICY) == set(SECTION_KINDS)
    assert not applies("methodology", CHILD) and applies("analysis", CHILD)
    assert child_expected("analysis") and not child_expected("methodology")
