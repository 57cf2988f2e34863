"""The "Done when" measures on the fixture reports, in PDF and DOCX form."""

from __future__ import annotations

import re

import pytest

from service.ingest import read_document
from service.settings import IngestLimits
from tests.fixtures.reports import Rendered, ReportSpec
from tests.fixtures.truth import check_invariants, score

Reports = list[tuple[ReportSpec, Rendered, Rendered]]
_FURNITURE = re.compile(r"Page \d+ of \d+|(?:^|\s)- \d+ -(?:\s|$)|SCR - Final")


@pytest.mark.parametrize("form", ["pdf", "docx"])
def test_fixture_reports_are_read_faithfully(rendered_reports: Reports, form: str) -> None:
    for report, pdf, docx in rendered_reports:
        rendered = pdf if form == "pdf" else docx
        document = read_document(rendered.path, limits=IngestLimits(isolate=False))
        scores = score(document, rendered)
        print(
            f"\n{report.name}.{form}: headings {scores.heading_recall:.1%} "
            f"body {scores.body_recovery:.2%} kinds {scores.kind_accuracy:.1%} "
            f"pages {scores.page_accuracy:.1%} ({len(rendered.sections)} sections, "
            f"{len(document.pages)} pages, {len(document.text):,} chars)"
        )
        assert scores.heading_recall >= 0.95, report.name
        assert scores.body_recovery >= 0.99, report.name
        assert scores.kind_accuracy >= 0.90, report.name
        assert scores.page_accuracy == 1.0, report.name
        assert len(document.pages) == rendered.pages
        for paragraph in document.paragraphs:
            body = document.text[paragraph.start : paragraph.end]
            assert not _FURNITURE.search(body), f"page furniture left in {report.name}.{form}"
        assert {e.acronym for e in document.glossary} >= {"MASH", "ICPC", "CSC", "GP", "CIN"}
        assert document.title == report.sections[0].heading
        check_invariants(document)
        for page in document.pages:  # pages tile the text
            assert page.start <= page.end
        assert document.pages[0].start == 0 and document.pages[-1].end == len(document.text)


def test_two_column_page_is_read_column_by_column(rendered_reports: Reports) -> None:
    report, pdf, _ = rendered_reports[0]
    section = next(s for s in report.sections if s.two_column)
    document = read_document(pdf.path, limits=IngestLimits(isolate=False))
    found = next(s for s in document.sections if s.heading == section.heading)
    texts = [
        document.text[p.start : p.end]
        for p in document.paragraphs
        if p.section == document.sections.index(found)
    ]
    assert texts == list(section.paragraphs)


def test_tables_are_readable_rows(rendered_reports: Reports) -> None:
    for _, pdf, docx in rendered_reports[1:]:
        for rendered in (pdf, docx):
            document = read_document(rendered.path, limits=IngestLimits(isolate=False))
            rows = [document.text[p.start : p.end] for p in document.paragraphs]
            assert "MASH | Multi-Agency Safeguarding Hub" in rows
            assert "Date | Agency | Event" in rows
