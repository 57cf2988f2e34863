"""The sentence splitter on the abbreviations, numbers and lists of these reports."""

from __future__ import annotations

import pytest

from service.ingest.sentences import split_sentences

CASES = [
    ("Dr. Smith saw Child Q on 3 Jan. 2014. She was well.", 2),
    ("A s.47 enquiry began, e.g. a visit. The police attended.", 2),
    ("Section 47 enquiries (s. 47) began. The police attended.", 2),
    ("4.2 The social worker visited. She found the home cold.", 2),
    ("The ICPC was held on 12.03.2019. It decided a plan.", 2),
    ("Mr. B left at 10 p.m. The next day he returned.", 2),
    ("See para. 4.3 for details. Then see No. 5.", 2),
    ('He said "I am fine." Then he left.', 2),
    ("Visits: (a) the first visit. (b) the second.", 2),
    ("She was seen by the G.P. The nurse also saw her.", 2),
    ("The U.K. government said so. Then it changed.", 2),
    ("1. The first recommendation. 2. The second recommendation.", 2),
    ("It was seen in Jan. The next visit was in Feb. 2015. Then nothing.", 3),
    ("The J. S. Smith report, i.e. the first. It was read.", 2),
    ("Why? Because nobody asked. Really!", 3),
]


@pytest.mark.parametrize(("text", "count"), CASES)
def test_sentence_counts(text: str, count: int) -> None:
    spans = split_sentences(text)
    assert len(spans) == count, [text[a:b] for a, b in spans]
    for a, b in spans:
        assert text[a:b] == text[a:b].strip()


def test_offsets_inside_a_window() -> None:
    text = "Before. The first one. The second one. After."
    start = text.index("The first")
    end = text.index(" After")
    spans = split_sentences(text, start, end)
    assert [text[a:b] for a, b in spans] == ["The first one.", "The second one."]
