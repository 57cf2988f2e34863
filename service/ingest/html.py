"""HTML via lxml's HTML parser: no network, no entity expansion, no huge trees.

Scripts, styles, navigation and page furniture are dropped; h1-h6 are headings; p, li,
blockquote and similar are paragraphs; each table row is one paragraph ("cell | cell").
"""

from __future__ import annotations

import re
from typing import Any

from service.ingest.blocks import Block, Parsed
from service.ingest.errors import IngestError
from service.ingest.headings import promote_title
from service.ingest.normalize import normalize_inline, table_row
from service.ingest.plaintext import decode_text
from service.settings import IngestLimits

_DROP = frozenset(
    [
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "aside",
        "noscript",
        "template",
        "form",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "button",
        "select",
        "textarea",
        "head",
        "canvas",
        "video",
        "audio",
    ]
)
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "section",
        "article",
        "main",
        "body",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "figure",
        "figcaption",
        "address",
        "fieldset",
        "center",
        "hr",
        "br",
    ]
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_ENTITY = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)


def parse_html(data: bytes, limits: IngestLimits) -> Parsed:
    """Blocks of an HTML page."""
    if _ENTITY.search(data[: 256 * 1024]):
        raise IngestError(
            "unsafe_xml",
            "The HTML declares XML entities (a pattern used for entity-expansion attacks), so "
            "it was not parsed. Save the page again as plain HTML and resubmit.",
        )
    from lxml import etree

    parser = etree.HTMLParser(
        no_network=True, huge_tree=False, remove_comments=True, remove_pis=True, recover=True
    )
    text = _decode(data)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        raise IngestError("empty", "The HTML page has no content to read.")
    walker = _Walker()
    title_element = root.find(".//title")
    body = root.find(".//body")
    walker.walk(body if body is not None else root)
    walker.flush()
    blocks = walker.blocks
    title = promote_title(blocks)
    if title is None and title_element is not None and title_element.text:
        title = normalize_inline(title_element.text)[:300] or None
    return Parsed(blocks, None, title)


def _decode(data: bytes) -> str:
    match = _CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return decode_text(data)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = normalize_inline("".join(self.buffer))
        self.buffer.clear()
        if text:
            self.blocks.append(Block(text, "body"))

    def walk(self, element: Any) -> None:
        if element.text:
            self.buffer.append(element.text)
        for child in element:
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if tag in _DROP or not tag:
                pass
            elif tag in _HEADINGS:
                self.flush()
                text = normalize_inline("".join(child.itertext()))
                if text:
                    self.blocks.append(Block(text, "heading", _HEADINGS[tag]))
            elif tag == "tr":
                self.flush()
                cells = [
                    normalize_inline("".join(cell.itertext()))
                    for cell in child
                    if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")
                ]
                row = table_row(cells)
                if row:
                    self.blocks.append(Block(row, "body"))
            elif tag in _BLOCKS:
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)  # inline: its text joins the current paragraph
            if child.tail:
                self.buffer.append(child.tail)
