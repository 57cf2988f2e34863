"""Plain text and Markdown: blank-line paragraphs, ``#`` headings, numbered and capitalised headings."""

from __future__ import annotations

import re

from service.ingest.blocks import Block, Parsed
from service.ingest.errors import IngestError
from service.ingest.headings import apply_numbering, promote_title, text_heading_level
from service.ingest.lines import join_wrapped
from service.ingest.normalize import normalize_inline, normalize_text, table_row

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_BULLET = re.compile(r"^(?:[-*+•▪◦]\s+)")
_NUMBERED_ITEM = re.compile(r"^(?:\(?[0-9a-z]{1,3}[.)]\s+)")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


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
    for chunk in re.split(r"\n\s*\n", text):
        blocks.extend(_chunk_blocks(chunk.split("\n"), markdown))
    title = None
    if markdown:
        title = promote_title(blocks)
    else:
        apply_numbering(blocks)
    return Parsed(blocks, None, title)


def _chunk_blocks(lines: list[str], markdown: bool) -> list[Block]:
    """Blocks of one blank-line-separated chunk."""
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
        level = text_heading_level(line) if index == 0 or not pending else None
        if level is not None and (
            index + 1 == len(lines) or not _continues(line, lines[index + 1])
        ):
            flush()
            blocks.append(Block(line, "heading", level))
            continue
        pending.append(line)
    flush()
    return [b for b in blocks if b.text]


def _continues(line: str, following: str) -> bool:
    """A short first line followed by a lower-case line is a wrapped sentence, not a heading."""
    return following[:1].islower()


def _clean(text: str, markdown: bool) -> str:
    if markdown:
        text = _EMPHASIS.sub(r"\2", text)
    return normalize_inline(text)
