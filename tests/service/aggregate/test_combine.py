"""Aggregation rules: the method's arithmetic and its section-aware choices."""

from __future__ import annotations

import numpy as np
import pytest

from service.aggregate import aggregate, rate
from service.aggregate.weights import kind_weight
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


def test_rate_is_expected_level_median_and_shrunk_mass() -> None:
    probs = np.array([[0.1, 0.2, 0.6, 0.1], [0.0, 0.0, 0.2, 0.8]])
    rating = rate(probs, np.array([3.0, 1.0]))
    assert rating is not None
    mixture = (probs * np.array([[3.0], [1.0]])).sum(0) / 4
    assert rating.score == pytest.approx(float(mixture @ np.arange(4)), abs=1e-3)
    assert rating.level == 2 and rating.label == "good"
    n_eff = 16 / 10
    expected = 0.25 + (mixture[2] - 0.25) * n_eff / (n_eff + 0.5)
    assert rating.confidence == pytest.approx(expected, abs=1e-3)


def test_rate_confidence_grows_with_evidence() -> None:
    one = rate(_onehot(1, 3)[:, 0], np.array([50.0]))
    many = rate(_onehot(20, 3)[:, 0], np.full(20, 50.0))
    assert one is not None and many is not None
    assert one.level == many.level == 3
    assert one.confidence < many.confidence <= 1.0


def test_rate_of_nothing_is_null() -> None:
    assert rate(np.zeros((0, LEVELS)), np.zeros(0)) is None


def test_bimodal_section_is_rated_in_the_middle_with_low_confidence() -> None:
    probs = np.concatenate([_onehot(5, 0), _onehot(5, 3)])[:, 0]
    rating = rate(probs, np.full(10, 40.0))
    assert rating is not None
    assert rating.score == pytest.approx(1.5)
    assert rating.level in (1, 2) and rating.confidence < 0.3


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
