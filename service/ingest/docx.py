"""Word (DOCX) via python-docx, after the archive and XML safety checks.

Headings come from paragraph styles (Title, Heading 1..9), outline levels set on a style or
paragraph, or short bold numbered lines; explicit page breaks give pages; tables become one
paragraph per row ("cell | cell").
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from service.ingest.archive import check_archive, check_xml_parts
from service.ingest.blocks import Block, Parsed, Role
from service.ingest.errors import IngestError
from service.ingest.headings import is_short_heading_text, text_heading_level
from service.ingest.normalize import normalize_inline, table_row
from service.settings import IngestLimits

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_TABS = re.compile(r"(?<=\S)\t+(?=\S)")


def parse_docx(data: bytes, limits: IngestLimits) -> Parsed:
    """Blocks of a Word document (pages only where the document has explicit breaks)."""
    archive = check_archive(data, limits)
    try:
        if "word/document.xml" not in archive.namelist():
            raise IngestError(
                "corrupt",
                "The file is a ZIP archive without a Word document body; resubmit the .docx.",
            )
        check_xml_parts(archive)
    finally:
        archive.close()
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError):
        raise IngestError(
            "corrupt",
            "The Word document is damaged and cannot be opened; save it again and resubmit.",
        ) from None
    reader = _Reader(document)
    blocks = reader.read()
    title = next((b.text for b in blocks if b.role == "title"), None)
    if title is None:
        core = (document.core_properties.title or "").strip()
        title = normalize_inline(core)[:300] or None
    if not reader.saw_break:
        for block in blocks:  # without explicit breaks, pagination is the renderer's: unknown
            block.page = None
    return Parsed(blocks, reader.page if reader.saw_break else None, title)


class _Reader:
    """Walks the body in order, tracking explicit page breaks."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.page = 1
        self.saw_break = False
        self._style_levels: dict[str, int | None] = {}

    def read(self) -> list[Block]:
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        blocks: list[Block] = []
        body = self.document.element.body
        for element in _body_items(body):
            if element.tag == f"{_W}p":
                blocks.extend(self._paragraph(Paragraph(element, self.document._body)))
            elif element.tag == f"{_W}tbl":
                blocks.extend(self._table(Table(element, self.document._body)))
        return blocks

    def _paragraph(self, paragraph: Any) -> list[Block]:
        p = paragraph._p
        if p.find(f"{_W}pPr/{_W}pageBreakBefore") is not None:
            self._break()
        breaks_before, breaks_after = _page_breaks(p)
        for _ in range(breaks_before):
            self._break()
        text = _paragraph_text(paragraph)
        blocks: list[Block] = []
        if text:
            role, level = self._role(paragraph, text)
            blocks.append(Block(text, role, level, self.page))
        for _ in range(breaks_after):
            self._break()
        sect = p.find(f"{_W}pPr/{_W}sectPr")
        if sect is not None:
            kind = sect.find(f"{_W}type")
            value = kind.get(f"{_W}val") if kind is not None else "nextPage"
            if value in ("nextPage", "oddPage", "evenPage"):
                self._break()
        return blocks

    def _break(self) -> None:
        self.page += 1
        self.saw_break = True

    def _table(self, table: Any) -> list[Block]:
        blocks: list[Block] = []
        for row in table.rows:
            seen: set[int] = set()
            cells: list[str] = []
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue  # a merged cell is returned once per grid column it spans
                seen.add(id(cell._tc))
                value = normalize_inline(" ".join(_paragraph_text(p) for p in cell.paragraphs))
                cells.append(value)
            row_text = table_row(cells)
            if row_text:
                blocks.append(Block(row_text, "body", 1, self.page))
        return blocks

    def _role(self, paragraph: Any, text: str) -> tuple[Role, int]:
        style = paragraph.style
        name = (style.name or "") if style is not None else ""
        if name.lower() in ("title",):
            return "title", 0
        match = _HEADING_STYLE.match(name)
        if match:
            return "heading", max(1, int(match.group(1)))
        level = _outline_level(paragraph._p.pPr) if paragraph._p.pPr is not None else None
        if level is None and style is not None:
            level = self._style_outline(style)
        if level is not None and is_short_heading_text(text, 24):
            return "heading", level
        runs = [r for r in paragraph.runs if r.text.strip()]
        if runs and all(_is_bold(r, style) for r in runs):
            numbered = text_heading_level(text)
            if numbered is not None:
                return "heading", numbered
        return "body", 1

    def _style_outline(self, style: Any) -> int | None:
        key = style.style_id or style.name or ""
        if key not in self._style_levels:
            level = None
            current, hops = style, 0
            while current is not None and hops < 10 and level is None:
                p_pr = current.element.pPr
                level = _outline_level(p_pr) if p_pr is not None else None
                current, hops = current.base_style, hops + 1
            self._style_levels[key] = level
        return self._style_levels[key]


def _body_items(body: Any) -> Iterator[Any]:
    """Paragraphs and tables of the body in order, looking inside content controls."""
    for child in body.iterchildren():
        if child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _body_items(content)
        elif child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child


def _outline_level(p_pr: Any) -> int | None:
    element = p_pr.find(f"{_W}outlineLvl")
    if element is None:
        return None
    try:
        value = int(element.get(f"{_W}val"))
    except (TypeError, ValueError):
        return None
    return value + 1 if 0 <= value < 9 else None  # 9 means body text


def _is_bold(run: Any, style: Any) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    current = style
    for _ in range(10):
        if current is None:
            return False
        if current.font.bold is not None:
            return bool(current.font.bold)
        current = current.base_style
    return False


def _page_breaks(p: Any) -> tuple[int, int]:
    """Explicit page breaks in a paragraph: (before its text, after its text)."""
    before = after = 0
    seen_text = False
    for element in p.iter(f"{_W}t", f"{_W}br"):
        if element.tag == f"{_W}t":
            if element.text and element.text.strip():
                seen_text = True
        elif element.get(f"{_W}type") == "page":
            if seen_text:
                after += 1
            else:
                before += 1
    if after and before == 0 and not seen_text:
        before, after = after, 0
    return before, after


def _paragraph_text(paragraph: Any) -> str:
    text = paragraph.text.strip("\t ")
    return normalize_inline(_TABS.sub(" | ", text)) if text else ""
