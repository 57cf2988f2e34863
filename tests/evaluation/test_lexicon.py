"""The lexicon's test of whether a passage itself shows a child."""

from __future__ import annotations

import pytest

from evaluation.lexicon import names_a_child


@pytest.mark.parametrize(
    "text",
    [
        "The 15-year-old was cycling home when the van turned.",
        "She was aged 9 and lived with her grandmother.",
        "His daughter had been referred to CAMHS in March.",
        "The baby was 6 weeks old.",
        "Teachers at the school had raised concerns.",
        "The young person told the nurse she felt unsafe.",
    ],
)
def test_passages_that_show_a_child(text: str) -> None:
    assert names_a_child(text)


@pytest.mark.parametrize(
    "text",
    [
        "Sam died at the scene; the paramedics arrived at 10:11.",  # a child only the report shows
        "He was 45 years old and worked nights at the depot.",
        "aged 18 and living independently",
        "The trust's incident report was incomplete.",
    ],
)
def test_passages_that_do_not(text: str) -> None:
    assert not names_a_child(text)
