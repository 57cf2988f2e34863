"""Dispatch: bytes of a known type to blocks to a ``Document`` (runs inside the parser process)."""

from __future__ import annotations

from service.ingest import detect
from service.ingest.blocks import Parsed
from service.ingest.document import Document
from service.ingest.structure import build_document
from service.settings import IngestLimits


def parse_blocks(data: bytes, media_type: str, limits: IngestLimits) -> Parsed:
    """Run the parser for ``media_type`` (already checked by ``detect_type``)."""
    if media_type == detect.PDF:
        from service.ingest.pdf import parse_pdf

        return parse_pdf(data, limits)
    if media_type == detect.DOCX:
        from service.ingest.docx import parse_docx

        return parse_docx(data, limits)
    if media_type == detect.HTML:
        from service.ingest.html import parse_html

        return parse_html(data, limits)
    from service.ingest.plaintext import parse_text

    return parse_text(
        data, markdown=media_type == detect.MARKDOWN, max_characters=limits.max_characters
    )


def parse_document(data: bytes, media_type: str, sha256: str, limits: IngestLimits) -> Document:
    """The whole reading stage for bytes whose type is known."""
    parsed = parse_blocks(data, media_type, limits)
    return build_document(
        parsed, media_type=media_type, sha256=sha256, max_characters=limits.max_characters
    )
