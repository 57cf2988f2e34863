"""PDF via pdfium (pypdfium2): glyph positions and fonts → lines → headings and paragraphs.

Reading order comes from geometry, not the content stream: glyphs are grouped into
segments and lines by baseline, two-column pages are read column by column, table cells on
one baseline become one row ("a | b | c"), running headers/footers and page numbers are
dropped, and wrapped lines are joined into paragraphs (also across page breaks).
"""

from __future__ import annotations

import ctypes
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from service.ingest.blocks import Block, Parsed
from service.ingest.errors import IngestError
from service.ingest.headings import is_short_heading_text, numbering_depth
from service.ingest.lines import join_wrapped
from service.ingest.normalize import normalize_inline
from service.settings import IngestLimits

_PAGE_NUMBER = re.compile(
    r"^(?:page\s*\d+(?:\s*(?:of|/)\s*\d+)?|[-–—]?\s*\d{1,4}\s*[-–—]?|\d{1,4}\s*(?:of|/)\s*\d{1,4}|[ivxlc]{1,6})$",
    re.IGNORECASE,
)
_PARAGRAPH_START = re.compile(r"^(?:\d{1,2}(?:\.\d{1,3})+\.?\s|\(?[a-z0-9]{1,3}\)\s|[•▪◦●\-*]\s)")
# A numbered list item or a "Recommendation N" label; a paragraph start only after a line
# that ends a sentence, since "12. The" may also be a wrapped sentence's last number.
_LIST_ITEM_START = re.compile(r"^(?:\d{1,2}[.)]\s+[A-Z]|(?:Recommendation|Finding)\s+\d+\b)")
_FULL_TURN = 6.283185307179586
_MARGIN_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|\(?[a-z]{1,3}\)|[•▪◦●\-*])$")
_SENTENCE_END = re.compile(r"[.!?:;][\"'’”)]*$")
# pdfium marks a hyphen that breaks a word at a line end as U+FFFE and runs the two halves
# together; cutting after the mark keeps each half on its own line.
_WORD = re.compile(r"[^\s\x00\ufffe]+\ufffe?|\ufffe")
_BOLD_NAMES = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


@dataclass(slots=True)
class _Segment:
    """Words on one baseline without a wide gap, in writing order."""

    chars: list[str]  # words, each with its leading space where it had one
    x0: float
    x1: float
    y: float  # baseline (PDF units, origin bottom-left)
    top: float
    size: float
    bold: bool
    first: int  # char index of the first glyph

    @property
    def text(self) -> str:
        return "".join(self.chars)


@dataclass(slots=True)
class _Line:
    text: str
    x0: float
    x1: float
    y: float
    top: float
    size: float
    bold: bool
    page: int
    column_right: float = 0.0
    is_row: bool = False
    cells: list[tuple[float, str]] = field(default_factory=list)  # (left edge, text) per cell


@dataclass(slots=True)
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line] = field(default_factory=list)


def _open(data: bytes, limits: IngestLimits) -> Any:
    import pypdfium2 as pdfium

    if b"%%EOF" not in data[-4096:]:
        raise IngestError(
            "corrupt",
            "The PDF is truncated (it has no end-of-file marker); it may not have finished "
            "uploading or saving. Save or download it again and resubmit.",
        )
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        message = str(error).lower()
        if "password" in message:
            raise IngestError(
                "encrypted_pdf",
                "The PDF is password-protected. Remove the password (or save an unprotected "
                "copy) and resubmit.",
            ) from None
        if "security" in message:
            raise IngestError(
                "encrypted_pdf",
                "The PDF uses an encryption scheme that cannot be opened. Save an unprotected "
                "copy and resubmit.",
            ) from None
        raise IngestError(
            "corrupt",
            "The PDF is damaged and cannot be opened. Save or export it again and resubmit.",
        ) from None
    pages = len(document)
    if pages == 0:
        raise IngestError("empty", "The PDF has no pages. Check that the right file was chosen.")
    if pages > limits.max_pages:
        document.close()
        raise IngestError(
            "too_many_pages",
            f"The PDF has {pages} pages; the limit is {limits.max_pages}. Submit the main "
            "report without appendices, or split it.",
        )
    return document


def parse_pdf(data: bytes, limits: IngestLimits) -> Parsed:
    """Blocks of a PDF, with the page each starts on."""
    import pypdfium2.raw as raw

    document = _open(data, limits)
    pages: list[_Page] = []
    glyphs = 0
    images = 0
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                width, height = page.get_size()
                if glyphs == 0:
                    images += _image_count(raw, page)
                textpage = page.get_textpage()
                try:
                    segments = _segments(raw, textpage)
                finally:
                    textpage.close()
            finally:
                page.close()
            glyphs += sum(len(s.chars) for s in segments)
            pages.append(_Page(index + 1, width, height, _lines(segments, index + 1, width)))
    finally:
        document.close()
    if glyphs == 0 and images == 0:
        raise IngestError("empty", "The PDF's pages are blank: there is no text to read.")
    if glyphs == 0:
        raise IngestError(
            "no_text_layer",
            "The PDF has no text layer: it looks like a scan or a set of images. Optical "
            "character recognition (OCR) is not supported yet; submit a PDF exported from the "
            "word processor, or the DOCX.",
        )
    _drop_running_lines(pages)
    return _blocks(pages)


def _image_count(raw: Any, page: Any) -> int:
    """Image objects on a page (only asked while no page has had text)."""
    count = raw.FPDFPage_CountObjects(page.raw)
    return sum(
        1
        for i in range(count)
        if raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, i)) == raw.FPDF_PAGEOBJ_IMAGE
    )


def _segments(raw: Any, textpage: Any) -> list[_Segment]:
    """Glyphs of one page grouped into segments (same baseline, no wide gap)."""
    count = raw.FPDFText_CountChars(textpage)
    if count <= 0:
        return []
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = raw.FPDFText_GetText(
        textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
    )
    text = buffer.raw[: max(written - 1, 0) * 2].decode("utf-16-le", errors="replace")
    if len(text) != count:  # surrogate pairs shift indices: read glyph by glyph instead
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i) or 32) for i in range(count))
    handle = textpage.raw  # the bare handle: pypdfium2's wrapper costs a lookup per call
    rect = raw.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    flags_ref = ctypes.byref(flags)
    loose_box, font_size, font_info, char_angle = (
        raw.FPDFText_GetLooseCharBox,
        raw.FPDFText_GetFontSize,
        raw.FPDFText_GetFontInfo,
        raw.FPDFText_GetCharAngle,
    )
    segments: list[_Segment] = []
    current: _Segment | None = None
    bold_fonts: dict[bytes, bool] = {}
    # Word by word: pdfium puts spaces between words and line breaks between lines, so the
    # first and last glyph of a word carry all the geometry needed (a few calls per word,
    # not per glyph).
    for match in _WORD.finditer(text):
        first, last = match.start(), match.end() - 1
        if not loose_box(handle, first, rect_ref):
            continue
        angle = char_angle(handle, first)
        if 0.02 < angle < _FULL_TURN - 0.02:
            continue  # rotated text: diagonal watermarks ("DRAFT"), margin labels
        x0, y, top = rect.left, rect.bottom, rect.top
        x1 = rect.right
        if last != first and loose_box(handle, last, rect_ref):
            x1, top = max(x1, rect.right), max(top, rect.top)
        size = font_size(handle, first)
        font_info(handle, first, name, 128, flags_ref)
        font = name.value
        bold = bold_fonts.get(font)
        if bold is None:
            bold = bool(_BOLD_NAMES.search(font.decode("latin-1"))) or (
                raw.FPDFText_GetFontWeight(handle, first) >= 600
            )
            bold_fonts[font] = bold
        word = match.group().replace("\ufffe", "-")  # the joiner decides whether it stays
        tolerance = max(size, 4.0)
        if (
            current is not None
            and abs(y - current.y) <= tolerance * 0.35
            and -tolerance * 0.5 <= x0 - current.x1 <= tolerance * 1.2
        ):
            spaced = first > 0 and text[first - 1] in " \t\r\n"
            current.chars.append(
                word if not spaced and x0 - current.x1 <= size * 0.45 else " " + word
            )
            current.x1 = max(current.x1, x1)
            current.top = max(current.top, top)
            current.bold = current.bold and bold
            continue
        current = _Segment([word], x0, x1, y, top, size, bold, first)
        segments.append(current)
    return segments


def _reading_order(segments: list[_Segment], width: float) -> list[list[_Segment]]:
    """Segments grouped into regions read in order: full width above, left column, right
    column, full width below (a page with no columns is one region)."""
    mid = width / 2
    long_width = width * 0.28
    left = [s for s in segments if s.x1 <= mid + 2 and s.x1 - s.x0 >= long_width]
    right = [s for s in segments if s.x0 >= mid - 2 and s.x1 - s.x0 >= long_width]
    if len(left) < 6 or len(right) < 6:
        return [segments]
    band_top = max(s.y for s in left + right) + 1
    band_bottom = min(s.y for s in left + right) - 1
    above, lcol, rcol, below = [], [], [], []
    for s in segments:
        if s.y > band_top:
            above.append(s)
        elif s.y < band_bottom:
            below.append(s)
        elif s.x1 <= mid + 2:
            lcol.append(s)
        elif s.x0 >= mid - 2:
            rcol.append(s)
        else:
            above.append(s) if s.y > (band_top + band_bottom) / 2 else below.append(s)
    return [r for r in (above, lcol, rcol, below) if r]


def _lines(segments: list[_Segment], page: int, width: float) -> list[_Line]:
    """Lines of a page in reading order; segments on one baseline join (cells with " | ")."""
    lines: list[_Line] = []
    for region in _reading_order(segments, width):
        region.sort(key=lambda s: (-round(s.y / 2.0), s.x0))
        rows: list[list[_Segment]] = []
        for segment in region:
            if rows and abs(rows[-1][0].y - segment.y) <= max(segment.size, 4.0) * 0.35:
                rows[-1].append(segment)
            else:
                rows.append([segment])
        column_right = max((s.x1 for s in region), default=width)
        for row in rows:
            row.sort(key=lambda s: s.x0)
            cells = [(row[0].x0, [row[0].text])]
            for before, after in itertools.pairwise(row):
                if after.x0 - before.x1 > max(after.size, 4.0) * 1.2:
                    cells.append((after.x0, [after.text]))
                else:
                    cells[-1][1].append(after.text)
            cell_texts = [(x, normalize_inline(" ".join(parts))) for x, parts in cells]
            cell_texts = [(x, t) for x, t in cell_texts if t]
            if len(cell_texts) == 2 and _MARGIN_NUMBER.match(cell_texts[0][1]):
                # A paragraph number hanging in the margin ("4.1      The social worker..."),
                # not a table row.
                cell_texts = [(cell_texts[0][0], f"{cell_texts[0][1]} {cell_texts[1][1]}")]
            is_row = len(cell_texts) > 1
            text = " | ".join(t for _, t in cell_texts)
            if not text:
                continue
            sizes: Counter[float] = Counter()
            for s in row:
                sizes[round(s.size, 1)] += len(s.text)
            lines.append(
                _Line(
                    text,
                    row[0].x0,
                    max(s.x1 for s in row),
                    row[0].y,
                    max(s.top for s in row),
                    sizes.most_common(1)[0][0],
                    all(s.bold for s in row),
                    page,
                    column_right,
                    is_row,
                    cell_texts,
                )
            )
    return lines


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _drop_running_lines(pages: list[_Page]) -> None:
    """Remove page numbers and lines repeated at the top or bottom of many pages."""
    edge: Counter[str] = Counter()
    for page in pages:
        for line in _edge_lines(page):
            edge[_shape(line.text)] += 1
    repeated = {shape for shape, n in edge.items() if n >= 2 and n >= 0.4 * len(pages)}
    for page in pages:
        drop = {
            id(line)
            for line in _edge_lines(page)
            if _shape(line.text) in repeated or _PAGE_NUMBER.match(line.text)
        }
        page.lines = [line for line in page.lines if id(line) not in drop]


def _edge_lines(page: _Page) -> list[_Line]:
    """The first and last two lines of a page, when they sit in its top or bottom band."""
    if not page.lines:
        return []
    ordered = sorted(page.lines, key=lambda line: -line.y)
    top = [line for line in ordered[:2] if line.y >= page.height * 0.85]
    bottom = [line for line in ordered[-2:] if line.y <= page.height * 0.12]
    return top + [line for line in bottom if line not in top]


def _blocks(pages: list[_Page]) -> Parsed:
    """Headings and paragraphs from the lines of every page."""
    all_lines = [line for page in pages for line in page.lines]
    if not all_lines:
        raise IngestError(
            "empty",
            "The PDF has only page furniture (headers, footers, page numbers) and no text to read.",
        )
    weights: Counter[float] = Counter()
    for line in all_lines:
        weights[line.size] += len(line.text)
    body_size = weights.most_common(1)[0][0]
    spacing = _line_spacing(all_lines, body_size)
    headings = [_is_heading(line, body_size) for line in all_lines]
    blocks: list[Block] = []
    pending: list[_Line] = []
    styles: dict[int, tuple[float, bool]] = {}  # heading block id -> (size, bold)

    def flush() -> None:
        if pending:
            texts = [line.text for line in pending]
            text = join_wrapped(texts)
            marks = _page_marks(pending, texts, text)
            blocks.append(Block(text, "body", 1, pending[0].page, marks))
            pending.clear()

    previous: _Line | None = None
    table: _TableRow | None = None  # the table row being read (cells may wrap over lines)
    for line, heading in zip(all_lines, headings, strict=True):
        if table is not None and (heading or not table.continues(line, spacing)):
            blocks.append(table.block())
            table = None
        if heading:
            flush()
            last = blocks[-1] if blocks else None
            if (
                last is not None
                and last.role == "heading"
                and previous is not None
                and previous.page == line.page
                and abs(previous.size - line.size) < 0.5
                and 0 < previous.y - line.y <= line.size * 1.8
            ):
                last.text = f"{last.text} {line.text}"  # a heading wrapped over two lines
            else:
                blocks.append(Block(line.text, "heading", 1, line.page))
                styles[id(blocks[-1])] = (line.size, line.bold)
        elif table is not None and table.continues(line, spacing):
            table.extend(line)
        elif line.is_row:
            flush()
            if table is not None:
                blocks.append(table.block())
            table = _TableRow(line)
        else:
            if table is not None:
                blocks.append(table.block())
                table = None
            if pending and _breaks(pending[-1], line, spacing):
                flush()
            pending.append(line)
        previous = line
    flush()
    if table is not None:
        blocks.append(table.block())
    title = _assign_levels(blocks, styles)
    page_count = pages[-1].number if pages else None
    return Parsed(blocks, page_count, title)


class _TableRow:
    """One table row; lines just below it whose text starts at the left edge of a later
    cell (its first cell empty) are the wrapped rest of those cells."""

    def __init__(self, line: _Line) -> None:
        self.page = line.page
        self.anchors = [x for x, _ in line.cells]
        self.cells = [[text] for _, text in line.cells]
        self.last_y = line.y
        self.size = line.size

    def _column(self, x: float) -> int | None:
        for index, anchor in enumerate(self.anchors):
            if abs(anchor - x) <= max(self.size * 0.4, 3.0):
                return index
        return None

    def continues(self, line: _Line, spacing: float) -> bool:
        if line.page != self.page or not 0 < self.last_y - line.y <= spacing * 1.6:
            return False
        columns = [self._column(x) for x, _ in line.cells]
        return bool(columns) and all(c is not None and c > 0 for c in columns)

    def extend(self, line: _Line) -> None:
        for x, text in line.cells:
            column = self._column(x)
            if column is not None:
                self.cells[column].append(text)
        self.last_y = line.y

    def block(self) -> Block:
        text = " | ".join(join_wrapped(parts) for parts in self.cells)
        return Block(text, "body", 1, self.page)


def _line_spacing(lines: list[_Line], body_size: float) -> float:
    gaps: Counter[float] = Counter()
    for a, b in itertools.pairwise(lines):
        if a.page == b.page and a.size == body_size == b.size and 0 < a.y - b.y < body_size * 3:
            gaps[round(a.y - b.y, 1)] += 1
    return gaps.most_common(1)[0][0] if gaps else body_size * 1.2


def _is_heading(line: _Line, body_size: float) -> bool:
    larger = line.size >= body_size * 1.12
    if not (larger or line.bold) or line.is_row:
        return False
    return is_short_heading_text(line.text, max_words=18) and any(c.isalpha() for c in line.text)


def _breaks(before: _Line, after: _Line, spacing: float) -> bool:
    """Does ``after`` start a new paragraph rather than continue ``before``?"""
    if _PARAGRAPH_START.match(after.text):
        return True
    if _LIST_ITEM_START.match(after.text) and _SENTENCE_END.search(before.text):
        return True  # "2. The ICB should ...", "Recommendation 3: ..." after a finished line
    if abs(before.size - after.size) >= 0.8:
        return True
    short = before.x1 < before.column_right - max(before.column_right * 0.12, 30)
    ends = bool(_SENTENCE_END.search(before.text))
    if before.page != after.page:
        # Across a page break, a paragraph continues unless the last line stopped short.
        return short and ends
    gap = before.y - after.y
    if gap > spacing * 1.35 or gap < 0:
        return True
    return short and ends and after.text[:1].isupper()


def _page_marks(lines: list[_Line], texts: list[str], joined: str) -> list[tuple[int, int]]:
    """Offsets in the joined paragraph where a later page begins."""
    marks: list[tuple[int, int]] = []
    cursor = 0
    for line, text in zip(lines, texts, strict=True):
        probe = text[: min(len(text), 12)]
        found = joined.find(probe, cursor)
        if found < 0:
            continue
        if line.page != lines[0].page and (not marks or marks[-1][1] != line.page):
            marks.append((found, line.page))
        cursor = found
    return marks


def _assign_levels(blocks: list[Block], styles: dict[int, tuple[float, bool]]) -> str | None:
    """Heading levels: outline numbering where present, else the rank of the heading style;
    a lone largest heading on page 1 is the title."""
    headings = [b for b in blocks if b.role == "heading"]
    if not headings:
        return None
    by_style: dict[tuple[float, bool], list[int]] = {}
    for block in headings:
        depth = numbering_depth(block.text)
        if depth is not None:
            by_style.setdefault(styles[id(block)], []).append(depth)
    style_level = {style: Counter(d).most_common(1)[0][0] for style, d in by_style.items()}
    distinct = sorted({styles[id(b)] for b in headings}, key=lambda s: (-s[0], not s[1]))
    title = None
    first = headings[0]
    first_style = styles[id(first)]
    if (
        first.page == 1
        and first_style not in style_level
        and sum(1 for b in headings if styles[id(b)] == first_style) == 1
        and first_style == distinct[0]
        and len(distinct) > 1
    ):
        first.role, first.level, title = "title", 0, first.text
    for block in headings:
        if block.role == "title":
            continue
        depth = numbering_depth(block.text)
        style = styles[id(block)]
        if depth is not None:
            block.level = depth
        elif style in style_level:
            block.level = style_level[style]
        else:
            # Unnumbered: the level of the nearest numbered style at least as large, else rank.
            candidates = [lvl for s, lvl in style_level.items() if s[0] <= style[0] + 0.01]
            block.level = min(candidates) if candidates else max(1, distinct.index(style))
    return title
