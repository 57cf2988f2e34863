"""Lay parsed blocks out as one text and derive pages, sections, paragraphs, sentences, glossary."""

from __future__ import annotations

from service.ingest.blocks import Parsed
from service.ingest.document import (
    Document,
    GlossaryEntry,
    Page,
    Paragraph,
    Section,
    SectionKind,
    Sentence,
)
from service.ingest.errors import IngestError
from service.ingest.glossary import glossary_rows, inline_definitions, merge_entries
from service.ingest.headings import section_kind
from service.ingest.sentences import split_sentences

SEPARATOR = "\n\n"  # between blocks: headings and paragraphs never share a line


class _Open:
    """A section being filled."""

    __slots__ = ("body_start", "end", "has_body", "heading", "kind", "level", "start")

    def __init__(self, heading: str | None, level: int, kind: SectionKind, start: int, end: int):
        self.heading, self.level, self.kind = heading, level, kind
        self.start, self.end, self.body_start = start, end, end
        self.has_body = False


def build_document(
    parsed: Parsed, *, media_type: str, sha256: str, max_characters: int
) -> Document:
    """The ``Document`` for ``parsed``: text laid out block by block, every offset exact."""
    blocks = [b for b in parsed.blocks if b.text.strip()]
    if not blocks:
        raise IngestError(
            "empty", "The document has no text to read. Check that the right file was chosen."
        )
    pieces: list[str] = []
    length = 0
    page_starts: dict[int, int] = {}
    sections: list[_Open] = []
    paragraph_spans: list[tuple[int, int, int]] = []
    for block in blocks:
        if pieces:
            pieces.append(SEPARATOR)
            length += len(SEPARATOR)
        start = length
        pieces.append(block.text)
        length += len(block.text)
        if length > max_characters:
            raise IngestError(
                "too_many_characters",
                f"The document has more than {max_characters:,} characters of text, more than "
                "one review can be. Split it into parts or submit the main report only.",
            )
        if block.page is not None:
            page_starts.setdefault(block.page, start)
        for offset, page in block.page_marks:
            page_starts.setdefault(page, start + offset)
        if block.role in ("heading", "title"):
            level = 0 if block.role == "title" else block.level
            kind = section_kind(block.text) if block.role == "heading" else "other"
            if kind == "other":
                kind = _inherited_kind(sections, level)
            sections.append(_Open(block.text, level, kind, start, length))
        else:
            if not sections:
                sections.append(_Open(None, 1, "other", start, start))
            current = sections[-1]
            if not current.has_body:
                current.body_start, current.has_body = start, True
            current.end = length
            paragraph_spans.append((start, length, len(sections) - 1))
    text = "".join(pieces)
    pages = _pages(page_starts, parsed.page_count, len(text))
    built_sections = tuple(_section(s, pages) for s in sections)
    paragraphs = tuple(Paragraph(s, e, i) for s, e, i in paragraph_spans)
    sentences = tuple(
        Sentence(s, e, index)
        for index, paragraph in enumerate(paragraphs)
        for s, e in split_sentences(text, paragraph.start, paragraph.end)
    )
    glossary = _glossary(text, built_sections, paragraphs)
    return Document(
        text=text,
        media_type=media_type,
        sha256=sha256,
        title=parsed.title,
        pages=pages,
        sections=built_sections,
        paragraphs=paragraphs,
        sentences=sentences,
        glossary=glossary,
    )


def _inherited_kind(sections: list[_Open], level: int) -> SectionKind:
    """A sub-heading with no telling words takes the kind of the section it sits in."""
    for section in reversed(sections):
        if section.level < level and section.heading is not None:
            return section.kind if section.level > 0 else "other"
    return "other"


def _pages(page_starts: dict[int, int], page_count: int | None, length: int) -> tuple[Page, ...]:
    if not page_starts and not page_count:
        return ()
    count = max([page_count or 0, *page_starts])
    starts: list[int] = []
    for number in range(1, count + 1):
        # A page with no text (blank, or all header/footer) starts where the next text does.
        later = [page_starts[n] for n in range(number, count + 1) if n in page_starts]
        starts.append(min(later) if later else length)
    starts[0] = 0
    for i in range(1, len(starts)):
        starts[i] = max(starts[i], starts[i - 1])
    ends = [*starts[1:], length]
    return tuple(Page(n + 1, s, e) for n, (s, e) in enumerate(zip(starts, ends, strict=True)))


def _page_of(pages: tuple[Page, ...], offset: int) -> int | None:
    if not pages:
        return None
    for page in pages:
        if page.start <= offset < page.end:
            return page.number
    return pages[-1].number


def _section(section: _Open, pages: tuple[Page, ...]) -> Section:
    return Section(
        heading=section.heading,
        level=section.level,
        kind=section.kind,
        start=section.start,
        end=section.end,
        body_start=section.body_start,
        page_start=_page_of(pages, section.start),
        page_end=_page_of(pages, max(section.start, section.end - 1)),
    )


def _glossary(
    text: str, sections: tuple[Section, ...], paragraphs: tuple[Paragraph, ...]
) -> tuple[GlossaryEntry, ...]:
    glossary_sections = {i for i, s in enumerate(sections) if s.kind == "glossary"}
    rows = glossary_rows(
        text, ((p.start, p.end) for p in paragraphs if p.section in glossary_sections)
    )
    return merge_entries([*rows, *inline_definitions(text)])
