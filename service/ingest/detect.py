"""Which kind of file the bytes really are, and whether that matches its name and media type."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from service.ingest.errors import IngestError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
TEXT = "text/plain"
MARKDOWN = "text/markdown"

_EXTENSIONS = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".txt": TEXT,
    ".text": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
}
_MEDIA_ALIASES = {
    "application/pdf": PDF,
    "application/x-pdf": PDF,
    DOCX: DOCX,
    "text/html": HTML,
    "application/xhtml+xml": HTML,
    "text/plain": TEXT,
    "text/markdown": MARKDOWN,
    "text/x-markdown": MARKDOWN,
}
# Media types that say nothing about the content (browsers send them for unknown files).
_GENERIC = {"application/octet-stream", "binary/octet-stream", "application/x-www-form-urlencoded"}
_NAMES = {PDF: "PDF", DOCX: "Word (DOCX)", HTML: "HTML", TEXT: "plain text", MARKDOWN: "Markdown"}
_SUPPORTED = "PDF, DOCX, HTML, plain text or Markdown"
# Markdown's marks, as a report pasted or sent as text carries them.
_MD_SAMPLE = 256 * 1024
_MD_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.MULTILINE)
_MD_SETEXT = re.compile(r"^ {0,3}[^\s#|>*+-][^\n]*\n {0,3}(?:={3,}|-{3,})[ \t]*$", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)[^\n]*?(?<=\S)\1")
_MD_TABLE_RULE = re.compile(r"^ {0,3}\|?[ \t]*:?-{3,}:?[ \t]*\|", re.MULTILINE)
_MD_LIST = re.compile(r"^ {0,3}[-*+][ \t]+\S", re.MULTILINE)


def describe(media_type: str) -> str:
    """A reader-facing name for a media type."""
    return _NAMES.get(media_type, media_type)


def _sniff(data: bytes) -> str | None:
    """The family the bytes belong to from their first bytes, or None when unrecognised."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf\r\n\t ")
    if data[:1024].find(b"%PDF-") != -1:
        return PDF
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith((b"\xd0\xcf\x11\xe0", b"{\\rtf")):
        return "legacy"
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered:
        if lowered.startswith(b"<?xml") and b"<html" not in data[: 256 * 1024].lower():
            return "xml"  # XHTML declares <html> after its prolog; other XML is not a report
        return HTML
    if lowered.startswith((b"<head", b"<body", b"<!--", b"<meta", b"<div", b"<p>", b"<h1")):
        return HTML
    return TEXT


def looks_like_markdown(data: bytes) -> bool:
    """Whether text bytes carry Markdown's marks: two ``#`` headings, or one heading with
    another mark (bold, a list, a table rule, an underlined heading), or two underlined
    headings, or bold three times. A report pasted from a Markdown editor or sent as JSON
    text is then read as Markdown, exactly as the same file uploaded as ``.md``.
    """
    from service.ingest.plaintext import decode_text

    text = decode_text(data[:_MD_SAMPLE]).replace("\r\n", "\n")
    atx = len(_MD_ATX.findall(text))
    setext = len(_MD_SETEXT.findall(text))
    emphasis = len(_MD_EMPHASIS.findall(text))
    others = (
        setext + bool(emphasis) + bool(_MD_TABLE_RULE.search(text)) + bool(_MD_LIST.search(text))
    )
    return atx >= 2 or (atx == 1 and others >= 1) or setext >= 2 or emphasis >= 3


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise IngestError(
            "corrupt",
            "The file looks like a Word document but its archive is damaged or "
            "truncated; save it again from Word and resubmit.",
        ) from None
    if "word/document.xml" in names:
        return DOCX
    return "zip"


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text with a byte-order mark
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


def detect_type(data: bytes, filename: str | None = None, media_type: str | None = None) -> str:
    """The media type the reading stage will parse ``data`` as.

    Plain text that reads as Markdown (``looks_like_markdown``) is parsed as Markdown,
    whatever its name, so paste, JSON text and a ``.md`` upload give the same sections.

    Raises ``IngestError`` ("unsupported_type" or "type_mismatch") when the content is not a
    supported document or contradicts the file name / declared media type.
    """
    claimed = _claimed(filename, media_type)
    sniffed = _sniff(data)
    if sniffed == "zip":
        sniffed = _zip_kind(data)
    if sniffed == TEXT and _looks_binary(data):
        sniffed = "binary"
    if sniffed in ("zip", "legacy", "binary", "xml"):
        detail = {
            "zip": "a ZIP archive that is not a Word document",
            "legacy": "an old binary Word or RTF file",
            "binary": "binary data",
            "xml": "an XML file that is not HTML",
        }[sniffed]
        raise IngestError(
            "unsupported_type",
            f"The file's content is {detail}. Submit a {_SUPPORTED} file "
            "(save old .doc files as .docx first).",
        )
    assert sniffed is not None
    if sniffed == TEXT and claimed in (None, TEXT) and looks_like_markdown(data):
        return MARKDOWN  # text written in Markdown: read its headings as headings
    if claimed is None:
        return sniffed
    if sniffed == claimed or {sniffed, claimed} <= {TEXT, MARKDOWN}:
        return claimed if sniffed in (TEXT, MARKDOWN) else sniffed
    if claimed == MARKDOWN and sniffed == HTML:
        return MARKDOWN  # Markdown may open with inline HTML
    raise IngestError(
        "type_mismatch",
        f"The file is named or declared as {describe(claimed)} but its content is "
        f"{describe(sniffed)}. Check that the right file was chosen, or correct its extension.",
    )


def _claimed(filename: str | None, media_type: str | None) -> str | None:
    claims: list[str] = []
    if media_type:
        base = media_type.split(";")[0].strip().lower()
        if base and base not in _GENERIC:
            if base not in _MEDIA_ALIASES:
                raise IngestError(
                    "unsupported_type",
                    f"Documents of type {base[:80]} are not supported; submit a {_SUPPORTED} file.",
                )
            claims.append(_MEDIA_ALIASES[base])
    if filename:
        suffix = PurePath(filename).suffix.lower()
        if suffix in _EXTENSIONS:
            claims.append(_EXTENSIONS[suffix])
        elif suffix in (".doc", ".rtf", ".odt", ".pages", ".xls", ".xlsx", ".ppt", ".pptx"):
            raise IngestError(
                "unsupported_type",
                f"{suffix} files are not supported; save the report as PDF or DOCX and resubmit.",
            )
    if not claims:
        return None
    # A file name is the more specific claim (browsers guess media types from it anyway).
    return claims[-1]
