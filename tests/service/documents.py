"""Build ``Document`` objects by hand for engine tests, independent of the file readers.

Each section is a heading, a kind and a list of paragraphs; the text is laid out as
"heading\\n\\nparagraph\\n\\nparagraph..." with optional page breaks every ``page_chars``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from service.ingest.document import (
    Document,
    GlossaryEntry,
    Page,
    Paragraph,
    Section,
    SectionKind,
    Sentence,
)
from service.ingest.sentences import split_sentences

SectionSpec = tuple[str | None, SectionKind, Sequence[str]]


def make_document(
    sections: Sequence[SectionSpec],
    *,
    glossary: Sequence[tuple[str, str]] = (),
    page_chars: int | None = 800,
    title: str | None = None,
) -> Document:
    """A Document with sections, paragraphs, sentences, pages and glossary filled in."""
    text = ""
    built_sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    sentences: list[Sentence] = []
    for index, (heading, kind, bodies) in enumerate(sections):
        if text:
            text += "\n\n"
        start = len(text)
        if heading:
            text += heading + "\n\n"
        body_start = len(text)
        for number, body in enumerate(bodies):
            if number:
                text += "\n\n"
            p_start = len(text)
            text += body
            paragraphs.append(Paragraph(p_start, len(text), index))
            for s_start, s_end in split_sentences(text, p_start, len(text)):
                sentences.append(Sentence(s_start, s_end, len(paragraphs) - 1))
        built_sections.append(Section(heading, 1, kind, start, len(text), body_start))
    pages: tuple[Page, ...] = ()
    if page_chars:
        pages = tuple(
            Page(n + 1, begin, min(begin + page_chars, len(text)))
            for n, begin in enumerate(range(0, max(len(text), 1), page_chars))
        )
        built_sections = [
            Section(
                s.heading,
                s.level,
                s.kind,
                s.start,
                s.end,
                s.body_start,
                page_of(pages, s.start),
                page_of(pages, max(s.start, s.end - 1)),
            )
            for s in built_sections
        ]
    entries = []
    for acronym, expansion in glossary:
        at = text.find(acronym)
        entries.append(
            GlossaryEntry(acronym, expansion, max(at, 0), max(at, 0) + len(acronym), "glossary")
        )
    return Document(
        text=text,
        media_type="text/plain",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        title=title,
        pages=pages,
        sections=tuple(built_sections),
        paragraphs=tuple(paragraphs),
        sentences=tuple(sentences),
        glossary=tuple(entries),
    )


def page_of(pages: Sequence[Page], offset: int) -> int | None:
    for page in pages:
        if page.start <= offset < page.end:
            return page.number
    return pages[-1].number if pages else None


ANALYSIS = (
    "The referral was not followed up because it was sent to a team that had been disbanded. "
    "The social worker was managing forty cases and had not had supervision for three months, "
    "so the drift in the plan was not noticed.",
    "K told her teacher that she was hungry and that she was frightened when her mother shouted. "
    "Her words were recorded but not shared with the health visitor.",
    "The social worker failed to visit. The GP should have referred the family.",
    "ICPC held 3/5/19 09:30; CIN plan ended; MASH NFA; LADO informed 14:00; SW allocated 7/5/19.",
)
METHOD = (
    "The review was commissioned by the Safeguarding Partnership. The reviewer read agency "
    "records, held two practitioner events and met the chairs of the panel.",
)
RECOMMENDATIONS = (
    "The review makes the following recommendations:",
    "1. The Safeguarding Partnership should audit twenty cases closed by the early help hubs "
    "within six months and report the findings to the board (Finding 2).",
    "2. Agencies should communicate better.",
    "3. Children's Social Care and the ICB must agree a shared growth-monitoring protocol by "
    "March 2025, measured by a dip sample of health visiting records.",
)


def example_document() -> Document:
    """A short fictional review with methodology, analysis, recommendations and glossary."""
    return make_document(
        [
            ("1. How the review was conducted", "methodology", METHOD),
            ("2. Analysis", "analysis", ANALYSIS),
            ("3. Recommendations", "recommendations", RECOMMENDATIONS),
            (
                "Glossary",
                "glossary",
                ("CIN: Child in Need", "ICPC: Initial Child Protection Conference"),
            ),
        ],
        glossary=[("CIN", "Child in Need"), ("ICPC", "Initial Child Protection Conference")],
        title="Child K",
    )
