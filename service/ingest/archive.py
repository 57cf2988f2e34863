"""Checks on a DOCX archive before any XML in it is parsed: zip bombs and entity bombs."""

from __future__ import annotations

import io
import re
import zipfile

from service.ingest.errors import IngestError
from service.settings import IngestLimits

MAX_MEMBERS = 5000
_SMALL_MEMBER = 1024 * 1024  # below this a high compression ratio is harmless
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def check_archive(data: bytes, limits: IngestLimits) -> zipfile.ZipFile:
    """Open the archive and refuse it when its central directory describes a bomb.

    Sizes come from the central directory; Python's ``zipfile`` never reads more than a
    member's declared size, so the check also bounds what parsing can unpack.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise IngestError(
            "corrupt",
            "The Word document is damaged or truncated (its archive cannot be read). Save it "
            "again from Word and resubmit.",
        ) from None
    if len(members) > MAX_MEMBERS:
        raise _bomb(f"it holds {len(members)} parts")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _SMALL_MEMBER and ratio > limits.max_compression_ratio:
            raise _bomb(f"one part expands {ratio:,.0f} times")
        if member.flag_bits & 0x1:
            raise IngestError(
                "corrupt",
                "The Word document is encrypted. Remove the password and resubmit.",
            )
    if total > limits.max_unpacked_bytes:
        raise _bomb(f"it unpacks to {total / 1048576:,.0f} MB")
    return archive


def _bomb(why: str) -> IngestError:
    return IngestError(
        "unsafe_archive",
        f"The Word document was refused because {why}, which is how decompression bombs are "
        "built. Save it again from Word (without embedded files) and resubmit.",
    )


def check_xml_parts(archive: zipfile.ZipFile) -> None:
    """Refuse any XML part with a document type declaration: DOCX never needs one, and
    entity definitions are how "billion laughs" entity bombs are built."""
    for member in archive.infolist():
        if not member.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(member) as handle:
            head = handle.read(64 * 1024)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head.decode("utf-16", errors="ignore").encode("utf-8")
        if _DTD.search(head):
            raise IngestError(
                "unsafe_xml",
                "The Word document contains an XML document type declaration with entity "
                "definitions (a pattern used for entity-expansion attacks), so it was not "
                "parsed. Save it again from Word and resubmit.",
            )
