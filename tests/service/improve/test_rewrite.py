"""Concrete rewrites: the author's words kept, only the rubric's missing parts changed or
added, prompts in brackets for what only the author knows, in a learning tone."""

from __future__ import annotations

import re

from service.improve.context import WritingContext
from service.improve.rewrite import (
    GENERAL_ADVICE,
    STRENGTH_NOTES,
    plain_words,
    rewrites,
    split_long,
    split_number,
    suggestion_for,
)
from service.model.dimensions import DIMENSIONS
from service.recommendations.extract import RecommendationItem
from tests.service.documents import ANALYSIS, METHOD, RECOMMENDATIONS, make_document

CLARITY, ROOT_CAUSE, CHILD_FOCUS, RECS = range(4)
CONTEXT = WritingContext(
    child="Child K",
    expansions={"HV": "health visitor", "ICPC": "Initial Child Protection Conference"},
    partnership="the Ashford Safeguarding Children Partnership",
)
# Words that judge people; a suggestion may speak of blame only to say "without blame".
_JUDGING = re.compile(r"\b(?:failed|failure|fault|negligen\w*|incompeten\w*|poor practice)\b", re.I)


def test_context_reads_the_child_partnership_and_glossary() -> None:
    document = make_document(
        [
            ("Analysis", "analysis", ("Child K was seen by the HV. Child K was hungry.",)),
            ("Methodology", "methodology", ("The Ashford Safeguarding Children Partnership met.",)),
        ],
        glossary=[("HV", "Health Visitor")],
    )
    context = WritingContext.of(document)
    assert context.child == "Child K"
    assert context.partnership == "the Ashford Safeguarding Children Partnership"
    assert context.expansions["HV"] == "Health Visitor"  # the document's own words first
    assert context.expansions["MASH"] == "multi-agency safeguarding hub"
    assert (
        WritingContext.of(make_document([("A", "analysis", ("No names.",))])).child == "the child"
    )


def test_plain_words_writes_out_acronyms_and_fixes_articles() -> None:
    text, written, unknown = plain_words(
        "An HV saw her. ICPCs were held; the KGH was told.", CONTEXT
    )
    assert text == (
        "A health visitor saw her. Initial Child Protection Conferences were held; "
        "the [KGH in full] was told."
    )
    assert written == ["HV", "ICPC"] and unknown == ["KGH"]
    assert plain_words("The GP and the NHS.", CONTEXT)[0] == "The GP and the NHS."


def test_long_sentences_and_semicolon_lists_are_split() -> None:
    text, split = split_long("Panel met 02/05; chronology merged; report agreed.")
    assert text == "Panel met 02/05. Chronology merged. Report agreed." and split == 1
    long = (
        "The nurse saw the bruise "
        + "and the family " * 12
        + "that day, but nobody asked him "
        + "why " * 12
        + "today."
    )
    halved, split = split_long(long)
    assert split == 1 and halved.count(". ") >= 1 and "But nobody asked him" in halved
    assert split_long("A short sentence.") == ("A short sentence.", 0)


def test_rewrites_keep_the_number_and_the_authors_words() -> None:
    assert split_number("5.1 The social worker") == ("5.1 ", "The social worker")
    for dimension, text in (
        (ROOT_CAUSE, "5.1 " + ANALYSIS[2]),
        (CHILD_FOCUS, "4.4 The family moved and the GP practice was not told."),
        (CLARITY, "2.3 " + ANALYSIS[3]),
    ):
        found = rewrites(text, dimension, CONTEXT)
        assert found, DIMENSIONS[dimension]
        for rewrite in found:
            assert rewrite.text.startswith(text.split(" ", 1)[0] + " ")
            assert rewrite.text != text
            assert "[" in rewrite.text or dimension == CLARITY


def test_root_cause_replaces_blaming_verbs_and_asks_why() -> None:
    found = rewrites("The social worker failed to visit the family.", ROOT_CAUSE, CONTEXT)
    assert all("did not visit" in r.text and "failed" not in r.text for r in found)
    assert any("because [" in r.text for r in found)
    assert "the social worker" in found[0].suggestion
    assert "without blame" in found[0].suggestion


def test_child_focus_names_the_child_as_the_report_does() -> None:
    found = rewrites("The referral was closed.", CHILD_FOCUS, CONTEXT)
    assert all("Child K" in r.text for r in found)
    assert "Child K" in found[0].suggestion


def _item(
    text: str, addressees: tuple[str, ...], action: str | None, **parts: str
) -> RecommendationItem:
    return RecommendationItem(
        0,
        len(text),
        text,
        0,
        addressees,
        action,
        parts.get("timescale"),
        parts.get("measure"),
        None,
        vague_addressee=addressees == ("Agencies",),
    )


def test_recommendation_rewrites_add_only_the_missing_parts() -> None:
    complete = _item(
        "1. The Safeguarding Partnership should audit twenty cases within six months.",
        ("Safeguarding Partnership",),
        "audit twenty cases",
        timescale="within six months",
        measure="report the findings to the board",
    )
    assert rewrites(complete.text, RECS, CONTEXT, complete) == []
    vague = _item(
        "2. Agencies should consider how nurseries share information.",
        ("Agencies",),
        "consider how nurseries share information",
    )
    found = rewrites(vague.text, RECS, CONTEXT, vague)
    best = found[0].text
    assert best.startswith(
        "2. [The named organisation or role] should make [a specific change to] how nurseries share information by [month and year]."
    )
    assert "the Ashford Safeguarding Children Partnership" in best
    assert "replace “consider”" in found[0].suggestion
    owned = _item(
        "3. The Children's Social Care team should review every duty inbox daily.",
        ("Children's Social Care team",),
        "review every duty inbox daily",
    )
    found = rewrites(owned.text, RECS, CONTEXT, owned)
    assert all("the children's social care team" in r.text.lower() for r in found)  # "the" kept
    assert "name the organisation" not in found[0].suggestion.lower()
    assert found[0].suggestion == "Say by when; say how completion will be measured and who checks."
    lessons = _item(
        "4. Lessons should be learned by all agencies about communication.",
        ("all agencies",),
        "be learned by all agencies about communication",
    )
    assert (
        "[a specific action on communication]"
        in rewrites(lessons.text, RECS, CONTEXT, lessons)[0].text
    )


def test_suggestions_speak_of_learning_not_blame() -> None:
    texts = [*ANALYSIS, *METHOD, *RECOMMENDATIONS]
    for dimension in range(len(DIMENSIONS)):
        for text in texts:
            for polarity in ("weakness", "strength"):
                suggestion = suggestion_for(text, dimension, polarity, CONTEXT)
                # The author's own words may be quoted (“failed to” → “did not”).
                own_words_out = re.sub(r"“[^”]*”", "", suggestion)
                assert suggestion and not _JUDGING.search(own_words_out), suggestion
    assert set(STRENGTH_NOTES) == set(GENERAL_ADVICE) == set(DIMENSIONS)
