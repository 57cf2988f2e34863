"""PDF details: hyphenation, page furniture, paragraphs across pages, bold lead-ins."""

from __future__ import annotations

from pathlib import Path

from service.ingest import read_document
from service.settings import IngestLimits
from tests.fixtures.reports import Rendered, ReportSpec

LIMITS = IngestLimits(isolate=False)


def _write(path: Path, pages: list[list[tuple[str, str, float]]], watermark: str = "") -> Path:
    """A PDF of hand-placed lines: (text, font style, size) per line, header and footer."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", "", 9)
        pdf.set_xy(20, 10)
        pdf.cell(170, 5, "Child Y Serious Case Review - OFFICIAL", align="C")
        y = 30.0
        for text, style, size in lines:
            if not text:
                y += 4
                continue
            pdf.set_font("Helvetica", style, size)
            marker, tab, rest = text.partition("\t")
            if tab:  # a paragraph number hanging in the margin, the text indented
                pdf.set_xy(20, y)
                pdf.cell(12, 5, marker)
                pdf.set_xy(40, y)
                pdf.cell(150, 5, rest)
            else:
                pdf.set_xy(20, y)
                pdf.cell(170, 5, text)
            y += 5.5
        if watermark:
            pdf.set_font("Helvetica", "B", 60)
            with pdf.rotation(45, 105, 150):
                pdf.text(50, 160, watermark)
        pdf.set_font("Helvetica", "", 9)
        pdf.set_xy(20, 282)
        pdf.cell(170, 5, f"{number}", align="C")
    pdf.output(str(path))
    return path


def test_hyphenation_furniture_and_page_spanning_paragraphs(tmp_path: Path) -> None:
    body = 11.0
    first = [
        ("1 Introduction", "B", 14),
        ("", "", 0),
        ("1.1 The review found that the safe-", "", body),
        ("guarding arrangements between the multi-", "", body),
        ("agency partners were not understood by the staff who", "", body),
        ("worked with the family every week and who were", "", body),
    ]
    second = [
        ("expected to share what they knew with each other.", "", body),
        ("", "", 0),
        ("A short paragraph of its own, ending in a full stop.", "", body),
        ("", "", 0),
        ("2 Recommendations", "B", 14),
        ("", "", 0),
        ("2.1 The partnership should act within six months.", "", body),
    ]
    path = _write(tmp_path / "y.pdf", [first, second], watermark="DRAFT")
    document = read_document(path, limits=LIMITS)
    paragraphs = [document.text[p.start : p.end] for p in document.paragraphs]
    assert paragraphs[0] == (
        "1.1 The review found that the safeguarding arrangements between the multi-agency "
        "partners were not understood by the staff who worked with the family every week and "
        "who were expected to share what they knew with each other."
    )
    assert not any("OFFICIAL" in p or "DRAFT" in p for p in paragraphs)
    assert [s.heading for s in document.sections] == ["1 Introduction", "2 Recommendations"]
    assert [(s.page_start, s.page_end) for s in document.sections] == [(1, 2), (2, 2)]
    assert [p.number for p in document.pages] == [1, 2]
    # The page boundary falls inside the first paragraph, where page 2's text begins.
    assert document.text[document.pages[1].start :].startswith("expected to share")


def test_wrapped_table_cells_stay_in_their_row(
    rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]],
) -> None:
    _, pdf, _ = rendered_reports[1]
    document = read_document(pdf.path, limits=LIMITS)
    rows = [document.text[p.start : p.end] for p in document.paragraphs]
    assert "March | Police | Domestic abuse incident attended; notification sent" in rows


def test_paragraph_numbers_in_the_margin(tmp_path: Path) -> None:
    lines: list[tuple[str, str, float]] = [
        ("3 Analysis of practice", "B", 14),
        ("", "", 0),
        ("3.1\tThe referral from the nursery was not followed up because", "", 11),
        ("\tthe duty inbox was checked twice a week.", "", 11),
        ("", "", 0),
        ("3.2\tThe social worker visited once.", "", 11),
    ]
    ending: list[tuple[str, str, float]] = [
        ("4 Findings", "B", 14),
        ("", "", 0),
        ("4.1\tNo one asked the child.", "", 11),
    ]
    document = read_document(_write(tmp_path / "m.pdf", [lines, ending]), limits=LIMITS)
    paragraphs = [document.text[p.start : p.end] for p in document.paragraphs]
    assert paragraphs == [
        "3.1 The referral from the nursery was not followed up because the duty inbox was "
        "checked twice a week.",
        "3.2 The social worker visited once.",
        "4.1 No one asked the child.",
    ]
