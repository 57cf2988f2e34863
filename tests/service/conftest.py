"""Fixtures shared by every service test."""

from __future__ import annotations

import pytest

from tests.fixtures.reports import Rendered, ReportSpec, fixture_reports, render_docx, render_pdf


@pytest.fixture(scope="session")
def rendered_reports(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[tuple[ReportSpec, Rendered, Rendered]]:
    """(report, its PDF, its DOCX) for every fixture report."""
    folder = tmp_path_factory.mktemp("reports")
    out = []
    for report in fixture_reports():
        pdf = render_pdf(report, folder / f"{report.name}.pdf")
        docx = render_docx(report, folder / f"{report.name}.docx")
        out.append((report, pdf, docx))
    return out
