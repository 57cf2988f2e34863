"""Parsing in a child process: results equal in-process parsing, and the overhead is small."""

from __future__ import annotations

import time

import pytest

from service.ingest import read_document
from service.settings import IngestLimits
from tests.fixtures.reports import Rendered, ReportSpec, long_report, render_pdf

Reports = list[tuple[ReportSpec, Rendered, Rendered]]


def test_isolated_equals_in_process(rendered_reports: Reports) -> None:
    _, pdf, docx = rendered_reports[0]
    for rendered in (pdf, docx):
        inside = read_document(rendered.path, limits=IngestLimits(isolate=False))
        outside = read_document(rendered.path, limits=IngestLimits(isolate=True))
        assert inside == outside


def test_small_document_overhead() -> None:
    data = b"1 Introduction\n\nChild Z was seen by the health visitor in May.\n"
    read_document(data, filename="a.txt")  # starts the fork server
    started = time.perf_counter()
    for _ in range(5):
        read_document(data, filename="a.txt")
    per_call = (time.perf_counter() - started) / 5
    print(f"\nisolated parse of a small text: {per_call * 1000:.0f} ms per call")
    assert per_call < 0.5


@pytest.mark.slow
def test_hundred_page_pdf_is_quick(tmp_path_factory: pytest.TempPathFactory) -> None:
    report = long_report(chapters=14)
    rendered = render_pdf(report, tmp_path_factory.mktemp("long") / "long.pdf")
    read_document(rendered.path)  # warm the fork server
    started = time.perf_counter()
    document = read_document(rendered.path)
    elapsed = time.perf_counter() - started
    print(
        f"\n{rendered.pages}-page PDF: {elapsed:.2f} s isolated "
        f"({len(document.text):,} chars, {len(document.sections)} sections)"
    )
    assert rendered.pages >= 100
    assert len(document.pages) == rendered.pages
    assert elapsed < 3.0
