"""Errors of the reading stage: each says what went wrong and what to do, never the file's text."""

from __future__ import annotations

# HTTP status per error code: 413 too big, 415 wrong type, 422 unreadable or invalid content.
HTTP_STATUS: dict[str, int] = {
    "too_large": 413,
    "too_many_pages": 413,
    "too_many_characters": 413,
    "unsupported_type": 415,
    "type_mismatch": 415,
    "encrypted_pdf": 422,
    "no_text_layer": 422,
    "corrupt": 422,
    "empty": 422,
    "timeout": 422,
    "memory": 422,
    "unsafe_archive": 422,
    "unsafe_xml": 422,
}


class IngestError(Exception):
    """A document that cannot be read.

    ``code`` is a short stable slug (e.g. ``"encrypted_pdf"``), ``http_status`` the status the
    API answers with. The message is safe to show to the person who submitted the file.
    """

    def __init__(self, code: str, message: str) -> None:
        if code not in HTTP_STATUS:
            raise ValueError(f"unknown ingest error code {code!r}")
        super().__init__(message)
        self.code = code
        self.http_status = HTTP_STATUS[code]

    def __reduce__(self) -> tuple[type[IngestError], tuple[str, str]]:
        # Keeps code and message when the error crosses the parser process boundary.
        return (type(self), (self.code, str(self)))
