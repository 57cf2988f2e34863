"""The ``Document``: what the reading stage hands to every later stage.

Every ``start``/``end`` is a Python string index into ``Document.text`` (end exclusive).
Pages are numbered from 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

SectionKind = Literal[
    "background",
    "methodology",
    "chronology",
    "analysis",
    "findings",
    "recommendations",
    "child_voice",
    "glossary",
    "appendix",
    "other",
]
SECTION_KINDS: tuple[str, ...] = get_args(SectionKind)


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Section:
    heading: str | None
    level: int
    kind: SectionKind
    start: int  # first character of the section (its heading line, where it has one)
    end: int
    body_start: int  # first character after the heading
    page_start: int | None = None
    page_end: int | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int
    end: int
    section: int  # index into Document.sections


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    paragraph: int  # index into Document.paragraphs


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    acronym: str
    expansion: str
    start: int  # where the definition is stated in Document.text
    end: int
    source: Literal["glossary", "inline"]


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    media_type: str  # "application/pdf", "...wordprocessingml.document", "text/html", "text/plain", "text/markdown"
    sha256: str  # of the submitted bytes
    title: str | None = None
    pages: tuple[Page, ...] = ()
    sections: tuple[Section, ...] = ()
    paragraphs: tuple[Paragraph, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = field(default=())

    def page_at(self, offset: int) -> int | None:
        """Page number holding character ``offset``, or None for sources without pages."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return self.pages[-1].number if self.pages and offset >= self.pages[-1].end else None
