"""Recommendation extraction on hand-written items."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.recommendations.extract import extract_recommendations, parse_item
from tests.fixtures.reports import Rendered, ReportSpec
from tests.service.documents import RECOMMENDATIONS, make_document

REPO = Path(__file__).resolve().parents[3]


def test_items_of_a_recommendations_section() -> None:
    document = make_document(
        [
            ("Analysis", "analysis", ("The plan drifted.",)),
            ("Recommendations", "recommendations", RECOMMENDATIONS),
        ]
    )
    items = extract_recommendations(document)
    assert len(items) == 3  # the introduction "...the following recommendations:" is not one
    for item in items:
        assert document.text[item.start : item.end] == item.text
        assert item.section == 1
    first, vague, joint = items
    assert first.text.startswith("The Safeguarding Partnership should")  # marker "1." dropped
    assert first.addressees == ("Safeguarding Partnership",)
    assert first.timescale == "within six months"
    assert first.measure is not None and "report the findings to the board" in first.measure
    assert first.finding == "Finding 2"
    assert first.action is not None and first.action.startswith("audit twenty cases")
    assert vague.addressees == ("Agencies",) and vague.vague_addressee
    assert vague.timescale is None and vague.measure is None
    assert vague.missing == ("timescale", "measure")
    assert joint.addressees == ("Children's Social Care", "ICB")
    assert joint.timescale == "by March 2025"
    assert joint.measure == "measured by a dip sample of health visiting records"


@pytest.mark.parametrize(
    ("text", "addressees", "vague", "timescale"),
    [
        (
            "That the ICB ensures designated safeguarding leads in all schools receive training "
            "within 12 months.",
            ("ICB",),
            False,
            "within 12 months",
        ),
        (
            "The review recommends that the Local Authority commissions training for managers "
            "before April 2026.",
            ("Local Authority",),
            False,
            "before April 2026",
        ),
        (
            "Health visitors and GPs should record weight on both systems.",
            ("Health visitors", "GPs"),
            False,
            None,
        ),
        (
            "Designated safeguarding leads must record every concern by the end of 2025.",
            ("Designated safeguarding leads",),
            False,
            "by the end of 2025",
        ),
        (
            "**Recommendation 1 (Finding 1).** Fenmoor Council should review its neglect strategy.",
            ("Fenmoor Council",),
            False,
            None,
        ),
        ("The LSCB to seek assurance that the protocol is used.", ("LSCB",), False, None),
        (
            "Police: PPN compliance to be reinforced through supervision by March 2027.",
            ("Police",),
            False,
            "by March 2027",
        ),
        (
            "A joint protocol should be agreed by the ICB and Fenmoor Council within six months.",
            ("ICB", "Fenmoor Council"),
            False,
            "within six months",
        ),
        (
            "Dunmore and Wrexley ICB should fund the post.",
            ("Dunmore and Wrexley ICB",),
            False,
            None,
        ),
        ("Lessons should be learned.", (), False, None),
        ("Agencies should communicate better.", ("Agencies",), True, None),
        (
            "All agencies to ensure that the child's voice is recorded.",
            ("All agencies",),
            True,
            None,
        ),
        ("Professionals should be curious.", ("Professionals",), True, None),
    ],
)
def test_addressees_and_timescales(
    text: str, addressees: tuple[str, ...], vague: bool, timescale: str | None
) -> None:
    fields = parse_item(text)
    assert fields.addressees == addressees
    assert fields.vague_addressee is vague
    assert fields.timescale == timescale
    assert fields.action


def test_finding_in_the_label_is_not_the_action() -> None:
    fields = parse_item("Recommendation 1 (Finding 1). Fenmoor Council should review its strategy.")
    assert fields.finding == "Finding 1"
    assert fields.action == "review its strategy"


def test_labelled_block_is_one_item() -> None:
    document = make_document(
        [
            (
                "Recommendations",
                "recommendations",
                (
                    "Recommendation 4",
                    "Kellingford Police should review how domestic abuse notifications reach schools.",
                    "Lead: Kellingford Police",
                    "Timescale: by the end of 2025",
                    "Measure: 90% of notifications shared within 24 hours",
                    "The partnership will publish a progress report.",
                ),
            )
        ]
    )
    items = extract_recommendations(document)
    assert len(items) == 2
    block = items[0]
    assert block.text.startswith("Kellingford Police should review")
    assert block.text.endswith("within 24 hours")
    assert block.addressees == ("Kellingford Police",)
    assert block.timescale == "by the end of 2025"
    assert block.measure == "90% of notifications shared within 24 hours"
    for item in items:
        assert document.text[item.start : item.end] == item.text


def test_recommendation_outside_the_recommendations_section() -> None:
    document = make_document(
        [
            (
                "Findings",
                "findings",
                (
                    "Finding 1: growth was not tracked across systems.",
                    "Recommendation 1: The ICB should set up a shared growth record within six months.",
                ),
            )
        ]
    )
    items = extract_recommendations(document)
    assert [i.addressees for i in items] == [("ICB",)]
    assert items[0].text.startswith("The ICB should")


def test_no_recommendations_no_items() -> None:
    document = make_document(
        [("Analysis", "analysis", ("The social worker should have visited.",))]
    )
    assert extract_recommendations(document) == []


def test_every_recommendation_of_the_example_and_fixtures_has_an_addressee(
    rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]],
) -> None:
    from service.ingest import read_document

    paths = [REPO / "examples" / "child-t-review.docx", REPO / "examples" / "child-t-review.md"]
    paths += [rendered.path for _, pdf, docx in rendered_reports for rendered in (pdf, docx)]
    counted = 0
    for path in paths:
        items = extract_recommendations(read_document(path))
        assert items, path.name
        for item in items:
            assert item.addressees, (path.name, item.start)
        counted += len(items)
    assert counted >= 20


@pytest.mark.parametrize(
    ("text", "addressees"),
    [
        ("Recommendations for Fenmoor Police", ("Fenmoor Police",)),
        ("Recommendations to the ICB", ("ICB",)),
        ("CAMBRIDGESHIRE COUNTY COUNCIL", ("CAMBRIDGESHIRE COUNTY COUNCIL",)),
    ],
)
def test_a_heading_addresses_the_items_under_it(text: str, addressees: tuple[str, ...]) -> None:
    document = make_document(
        [
            ("Recommendations", "recommendations", ("The review makes two recommendations.",)),
            (
                text,
                "recommendations" if "ecommend" in text else "other",
                ("1. Review the protocol.",),
            ),
        ]
    )
    items = extract_recommendations(document)
    assert [item.addressees for item in items] == [addressees]


def test_a_coroners_concern_is_addressed_to_the_organisations_it_names() -> None:
    document = make_document(
        [
            (
                "Matters of concern",
                "recommendations",
                (
                    "The MATTERS OF CONCERN are as follows:",
                    "The hazard was known by National Highways and the design was not changed.",
                    "The doctor did not ask about thoughts of suicide.",
                ),
            )
        ]
    )
    first, second = extract_recommendations(document)
    assert first.addressees == ("National Highways",)
    assert second.addressees == ()  # "the doctor" acts in the story; no one is addressed
