"""The reading stage: a file (path or bytes) in, a ``Document`` out.

``read_document`` checks the size, finds the real type from the content, and parses in a
child process bounded in time and memory (``IngestLimits``). Every failure is an
``IngestError`` whose message a person can act on and which never quotes the file.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from service.ingest.detect import describe, detect_type
from service.ingest.document import Document
from service.ingest.errors import IngestError
from service.settings import IngestLimits, ingest_limits

__all__ = ["Document", "IngestError", "read_document"]

log = logging.getLogger("scrutiny.ingest")


def _too_large(size: int, limits: IngestLimits) -> IngestError:
    return IngestError(
        "too_large",
        f"The file is {size / 1048576:.1f} MB; the limit is {limits.max_bytes / 1048576:.1f} MB. "
        "Submit the main report without appendices or embedded images.",
    )


def _read_bytes(source: Path | str | bytes, limits: IngestLimits) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > limits.max_bytes:
            raise _too_large(len(data), limits)
        return data
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise _too_large(size, limits)
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)  # the file may grow between stat and read
    except IsADirectoryError:
        raise IngestError("unsupported_type", "The path is a folder, not a document.") from None
    except FileNotFoundError:
        raise IngestError("empty", "No file exists at that path.") from None
    except PermissionError:
        raise IngestError("corrupt", "The file cannot be opened (permission denied).") from None
    if len(data) > limits.max_bytes:
        raise _too_large(len(data), limits)
    return data


def read_document(
    source: Path | str | bytes,
    *,
    filename: str | None = None,
    media_type: str | None = None,
    limits: IngestLimits | None = None,
) -> Document:
    """Read a PDF, DOCX, HTML, plain-text or Markdown report into a ``Document``.

    ``source`` is a path or the file's bytes; ``filename`` and ``media_type`` (as uploaded)
    must agree with the content. Raises ``IngestError`` for anything that cannot be read.
    """
    limits = limits or ingest_limits()
    if filename is None and not isinstance(source, bytes | bytearray | memoryview):
        filename = Path(source).name
    started = time.perf_counter()
    data = _read_bytes(source, limits)
    if not data.strip(b"\x00 \t\r\n\xef\xbb\xbf"):
        raise IngestError(
            "empty", "The file is empty. Check that the right file was chosen and resubmit."
        )
    kind = detect_type(data, filename, media_type)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        if limits.isolate:
            from service.ingest.isolation import parse_isolated

            document = parse_isolated(data, kind, sha256, limits)
        else:
            from service.ingest.parse import parse_document

            document = parse_document(data, kind, sha256, limits)
    except IngestError as error:
        log.info(
            "ingest refused sha256=%s bytes=%d type=%s code=%s ms=%.0f",
            sha256[:16],
            len(data),
            describe(kind),
            error.code,
            (time.perf_counter() - started) * 1000,
        )
        raise
    log.info(
        "ingested sha256=%s bytes=%d type=%s chars=%d sections=%d pages=%d ms=%.0f",
        sha256[:16],
        len(data),
        describe(kind),
        len(document.text),
        len(document.sections),
        len(document.pages),
        (time.perf_counter() - started) * 1000,
    )
    return document
