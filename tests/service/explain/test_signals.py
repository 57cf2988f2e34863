"""Checkable signals: each fires on the text it describes, and not elsewhere."""

from __future__ import annotations

from service.explain.signals import (
    CHILD_FOCUS,
    CLARITY,
    RECOMMENDATIONS,
    ROOT_CAUSE,
    Finding,
    find_signals,
)
from service.passages.build import build_passages
from service.recommendations.extract import extract_recommendations
from tests.service.documents import example_document, make_document


def _signals(document) -> list[Finding]:
    return find_signals(document, build_passages(document), extract_recommendations(document))


def _about(findings, dimension, polarity, fragment, text):
    return [
        f
        for f in findings
        if f.dimension == dimension and f.polarity == polarity and fragment in text[f.start : f.end]
    ]


def test_signals_on_the_example() -> None:
    document = example_document()
    text = document.text
    findings = _signals(document)
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
    (acronyms,) = _about(findings, CLARITY, "weakness", "ICPC held", text)[:1]
    # ICPC and CIN are in the glossary; the others are never defined.
    assert acronyms.reason.startswith("6 acronyms, 4 never defined: MASH, NFA, LADO, SW")
    assert _about(findings, ROOT_CAUSE, "weakness", "failed to visit", text)
    assert _about(findings, ROOT_CAUSE, "weakness", "should have referred", text)
    # "not followed up because ..." is explained, so it is not blame without explanation.
    assert not _about(findings, ROOT_CAUSE, "weakness", "The referral was not followed up", text)
    assert _about(findings, ROOT_CAUSE, "strength", "supervision for three months", text)
    assert _about(findings, CHILD_FOCUS, "strength", "K told her teacher", text)
    assert _about(findings, CHILD_FOCUS, "weakness", "The referral was not followed up", text)
    (no_owner,) = _about(findings, RECOMMENDATIONS, "weakness", "Agencies should", text)
    assert "general terms" in no_owner.reason and "communicate better" in no_owner.reason
    (good,) = _about(findings, RECOMMENDATIONS, "strength", "Safeguarding Partnership", text)
    assert "within six months" in good.reason


def test_no_signals_in_a_glossary() -> None:
    document = make_document([("Glossary", "glossary", ("MASH LADO NFA CIN ICPC SW",))])
    assert _signals(document) == []


def test_methodology_is_not_checked_for_the_child() -> None:
    long_method = " ".join(["The reviewer read the records of every agency involved."] * 8)
    document = make_document([("Method", "methodology", (long_method,))])
    assert not [f for f in _signals(document) if f.dimension == CHILD_FOCUS]


def test_long_sentences_and_dates() -> None:
    long = "The family " + "moved house again and " * 15 + "settled."
    dates = "Visits on 3 May 2019, 14 May 2019 at 09:30 and on Friday 7 June were missed."
    document = make_document([("Chronology", "chronology", (long, dates))])
    findings = _signals(document)
    reasons = [f.reason for f in findings if f.dimension == CLARITY]
    assert any(r.startswith("sentence of 63 words") for r in reasons)
    assert any("dates and times in one sentence" in r for r in reasons)
