"""Every hazard of issue 2 gets its own clear error, in time, with memory bounded."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from service.ingest import read_document
from service.ingest.errors import HTTP_STATUS, IngestError
from service.settings import IngestLimits
from tests.fixtures.hazards import HAZARDS

LIMITS = IngestLimits(parse_timeout_s=20.0, parse_memory_mb=1024)


@pytest.mark.parametrize("name", sorted(HAZARDS))
def test_hazard_gets_its_own_error(hazard_dir: Path, name: str) -> None:
    expected = HAZARDS[name]
    started = time.perf_counter()
    if not expected:
        document = read_document(hazard_dir / name, limits=LIMITS)
        assert "\x00" not in document.text and document.sections
        return
    with pytest.raises(IngestError) as caught:
        read_document(hazard_dir / name, limits=LIMITS)
    elapsed = time.perf_counter() - started
    error = caught.value
    print(f"\n{name}: {error.code} ({error.http_status}) in {elapsed * 1000:.0f} ms: {error}")
    assert error.code == expected
    assert error.http_status == HTTP_STATUS[expected]
    assert elapsed < LIMITS.parse_timeout_s
    message = str(error)
    assert 20 < len(message) < 400
    # The message says what to do, and never quotes the file.
    for fragment in ("Child Z", "lol", "health visitor", "The child was seen"):
        assert fragment not in message


def test_hazards_by_bytes_with_declared_type(hazard_dir: Path) -> None:
    data = (hazard_dir / "docx-named.pdf").read_bytes()
    with pytest.raises(IngestError) as caught:
        read_document(data, filename="upload", media_type="application/pdf", limits=LIMITS)
    assert caught.value.code == "type_mismatch"
    # Without a claim the content decides.
    document = read_document(data, limits=LIMITS)
    assert document.media_type.endswith("wordprocessingml.document")
    with pytest.raises(IngestError) as caught:
        read_document(b"%PDF-1.4 ...", media_type="image/png", limits=LIMITS)
    assert caught.value.code == "unsupported_type" and caught.value.http_status == 415


def test_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2048)
    with pytest.raises(IngestError) as caught:
        read_document(big, limits=IngestLimits(max_bytes=1024))
    assert caught.value.code == "too_large" and caught.value.http_status == 413
    with pytest.raises(IngestError):
        read_document(b"a" * 2048, limits=IngestLimits(max_bytes=1024))


def test_zip_bomb_by_total_size(hazard_dir: Path) -> None:
    limits = IngestLimits(max_compression_ratio=1e9, max_unpacked_bytes=10 * 1024 * 1024)
    with pytest.raises(IngestError) as caught:
        read_document(hazard_dir / "bomb.docx", limits=limits)
    assert caught.value.code == "unsafe_archive"


def test_too_many_pages(hazard_dir: Path) -> None:
    with pytest.raises(IngestError) as caught:
        read_document(hazard_dir / "good.pdf", limits=IngestLimits(max_pages=3))
    assert caught.value.code == "too_many_pages" and caught.value.http_status == 413


def test_memory_limit_stops_the_parser_not_the_service(hazard_dir: Path) -> None:
    # Archive checks relaxed so the parser really meets a document that needs too much memory.
    limits = IngestLimits(max_compression_ratio=1e9, max_unpacked_bytes=10**10, parse_memory_mb=400)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(IngestError) as caught:
        read_document(hazard_dir / "memory-hog.docx", limits=limits)
    print(f"\nmemory-hog.docx: {caught.value.code} in {time.perf_counter() - started:.2f} s")
    assert caught.value.code == "memory" and caught.value.http_status == 422
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 100 * 1024  # KiB: the test process did not take the load
    read_document(hazard_dir / "good.docx", limits=LIMITS)  # and keeps working


def test_timeout_kills_the_parser(hazard_dir: Path) -> None:
    limits = IngestLimits(parse_timeout_s=0.02)
    started = time.perf_counter()
    with pytest.raises(IngestError) as caught:
        read_document(hazard_dir / "good.pdf", limits=limits)
    elapsed = time.perf_counter() - started
    assert caught.value.code == "timeout" and caught.value.http_status == 422
    assert elapsed < 2.0


def test_long_single_line_is_read_in_bounded_time() -> None:
    data = b"The child was seen at home and the visit was recorded " * 20_000  # ~1 MB, one line
    started = time.perf_counter()
    document = read_document(data, filename="line.txt", limits=LIMITS)
    elapsed = time.perf_counter() - started
    print(f"\n1 MB single line: {elapsed:.2f} s, {len(document.sentences)} sentences")
    assert len(document.text) == len(data) - 1  # trailing space trimmed
    assert elapsed < 10


def test_nul_bytes_are_stripped(hazard_dir: Path) -> None:
    document = read_document(hazard_dir / "nul-bytes.txt", limits=LIMITS)
    assert "\x00" not in document.text
    assert "Child Z was seen by the health visitor in May." in document.text
