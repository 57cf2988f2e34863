"""Plain text and Markdown: blank-line paragraphs, ``#`` headings, numbered and capitalised headings.

Text pasted from a word processor often has one paragraph per line and no blank lines; when
most lines are longer than any hard-wrapped line would be (``_unwrapped``), every line is
read as its own paragraph. A numbered heading or numbered paragraph ("4.2 ...") after a
line that ends a sentence starts a new block, as it does in the PDF reader.
"""

from __future__ import annotations

import re

from service.ingest.blocks import Block, Parsed
from service.ingest.errors import IngestError
from service.ingest.headings import (
    apply_numbering,
    is_short_heading_text,
    numbering,
    promote_title,
    text_heading_level,
)
from service.ingest.lines import join_wrapped
from service.ingest.normalize import normalize_inline, normalize_text, table_row

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_BULLET = re.compile(r"^(?:[-*+•▪◦]\s+)")
_NUMBERED_ITEM = re.compile(r"^(?:\(?[0-9a-z]{1,3}[.)]\s+)")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
# A line this long was not wrapped by hand or by a fixed-width writer; when at least
# UNWRAPPED_SHARE of the lines are, each line is a paragraph.
UNWRAPPED_CHARS = 160
UNWRAPPED_SHARE = 0.3
TITLE_CHARS = 120


def decode_text(data: bytes) -> str:
    """Bytes to str: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_text(data: bytes, *, markdown: bool, max_characters: int) -> Parsed:
    """Blocks of a plain-text or Markdown document."""
    raw = decode_text(data)
    if len(raw) > max_characters * 2:  # before normalising: never copy a huge string around
        raise IngestError(
            "too_many_characters",
            f"The document has more than {max_characters:,} characters of text, more than one "
            "review can be. Split it into parts or submit the main report only.",
        )
    text = normalize_text(raw)
    blocks: list[Block] = []
    unwrapped = _unwrapped(text)
    for chunk in re.split(r"\n\s*\n", text):
        blocks.extend(_chunk_blocks(chunk.split("\n"), markdown, unwrapped))
    title = None
    if markdown:
        title = promote_title(blocks)
    else:
        first_line = next((line.strip() for line in text.split("\n") if line.strip()), "")
        title = _plain_title(blocks, first_line)
        apply_numbering(blocks)
    return Parsed(blocks, None, title)


def _plain_title(blocks: list[Block], first_line: str) -> str | None:
    """A short, unnumbered first line standing alone above a document with headings is its
    title ("Child Q: Serious Case Review"), as a Word title or Markdown "# Title" is."""
    if not blocks or blocks[0].role != "body" or not any(b.role == "heading" for b in blocks):
        return None
    first = blocks[0]
    if first.text != _clean(first_line, False) or numbering(first.text) is not None:
        return None
    if not is_short_heading_text(first.text) or len(first.text) > TITLE_CHARS:
        return None
    first.role, first.level = "title", 0
    return first.text


def _unwrapped(text: str) -> bool:
    """Whether the text keeps one paragraph per line (no hard wrapping)."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return False
    long = sum(1 for line in lines if len(line.strip()) > UNWRAPPED_CHARS)
    return long >= UNWRAPPED_SHARE * len(lines)


def _chunk_blocks(lines: list[str], markdown: bool, unwrapped: bool = False) -> list[Block]:
    """Blocks of one blank-line-separated chunk; with ``unwrapped`` each line is a paragraph."""
    blocks: list[Block] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            blocks.append(Block(_clean(join_wrapped(pending), markdown), "body"))
            pending.clear()

    for index, line in enumerate(lines):
        line = line.strip()
        if not line:
            continue
        atx = _ATX.match(line) if markdown else None
        if atx:
            flush()
            blocks.append(Block(_clean(atx.group(2), markdown), "heading", len(atx.group(1))))
            continue
        if markdown and _SETEXT.match(line) and pending and len(pending) == 1:
            heading = pending.pop()
            blocks.append(Block(_clean(heading, markdown), "heading", 1 if line[0] == "=" else 2))
            continue
        if ("|" in line and line.count("|") >= 2) or _TABLE_RULE.match(line):
            flush()  # a table row: readable on its own line, rule lines dropped
            if not _TABLE_RULE.match(line):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                row_text = table_row(cells)
                if row_text:
                    blocks.append(Block(row_text, "body"))
            continue
        if _BULLET.match(line) or (pending and _NUMBERED_ITEM.match(line)):
            flush()  # every list item is its own paragraph
            pending.append(_BULLET.sub("", line))
            continue
        finished = not pending or bool(_SENTENCE_END.search(pending[-1]))
        level = text_heading_level(line) if index == 0 or finished else None
        if level is not None and (
            index + 1 == len(lines) or not _continues(line, lines[index + 1])
        ):
            flush()
            blocks.append(Block(line, "heading", level))
            continue
        if pending and finished and numbering(line) is not None:
            flush()  # a numbered paragraph after a finished sentence starts a new one
        pending.append(line)
        if unwrapped:
            flush()
    flush()
    return [b for b in blocks if b.text]


def _continues(line: str, following: str) -> bool:
    """A short first line followed by a lower-case line is a wrapped sentence, not a heading."""
    return following[:1].islower()


def _clean(text: str, markdown: bool) -> str:
    if markdown:
        text = _EMPHASIS.sub(r"\2", text)
    return normalize_inline(text)
