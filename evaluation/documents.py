"""Test documents made from the project's own fictional report (examples/child-t-review.md).

The load and fuzz tools need realistic files of known size without shipping binaries: the
example report is rendered to PDF (any number of pages, by repeating it) and to HTML, and
the bundled DOCX is read as it is.
"""

from __future__ import annotations

import html
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_MARKDOWN = REPO / "examples" / "child-t-review.md"
EXAMPLE_DOCX = REPO / "examples" / "child-t-review.docx"


def _blocks(markdown: str) -> list[tuple[int, str]]:
    """(heading level, text) per block of the Markdown; level 0 for a paragraph."""
    blocks = []
    for block in markdown.split("\n\n"):
        block = block.strip()
        if not block:
            continue
        level = len(block) - len(block.lstrip("#"))
        if level and block[level : level + 1] == " ":
            blocks.append((level, block[level + 1 :].strip()))
        else:
            blocks.append((0, " ".join(block.split())))
    return blocks


def example_markdown() -> str:
    """The example report's Markdown text."""
    return EXAMPLE_MARKDOWN.read_text(encoding="utf-8")


def example_docx() -> bytes:
    """The bundled example report as DOCX bytes."""
    return EXAMPLE_DOCX.read_bytes()


def render_pdf(markdown: str, pages: int = 1) -> bytes:
    """The Markdown as a PDF of at least ``pages`` pages (the text repeated as parts 1, 2,
    ... until it fills them), with a running header and page numbers. Needs fpdf2."""
    try:
        from fpdf import FPDF
    except ImportError as error:  # pragma: no cover - dev extra
        raise SystemExit("needs the dev extra: pip install -e '.[dev]'") from error

    class Report(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, "Child T SCR - Final", align="C")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, f"Page {self.page_no()}", align="C")

    def latin1(text: str) -> str:  # the core fonts are Latin-1 only
        return text.encode("latin-1", "replace").decode("latin-1")

    pdf = Report(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    blocks = _blocks(markdown)
    part = 0
    while part == 0 or pdf.page_no() < pages:
        part += 1
        for level, text in blocks:
            if level:
                pdf.set_font("Helvetica", style="B", size=16 if level == 1 else 13)
                label = f"Part {part}: {text}" if level == 1 and part > 1 else text
                pdf.multi_cell(0, 8, latin1(label), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            else:
                pdf.set_font("Helvetica", size=11)
                pdf.multi_cell(0, 5.5, latin1(text), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
    return bytes(pdf.output())


def render_html(markdown: str) -> bytes:
    """The Markdown as a plain HTML page (headings and paragraphs)."""
    body = []
    for level, text in _blocks(markdown):
        tag = f"h{min(level, 6)}" if level else "p"
        body.append(f"<{tag}>{html.escape(text)}</{tag}>")
    title = html.escape(_blocks(markdown)[0][1]) if markdown.strip() else "Report"
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "</head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    return page.encode("utf-8")
