"""Render ``child-t-review.md`` (a fictional review written by the project) to DOCX, and
its revised second draft ``child-t-review-revised.md`` (for comparing drafts) likewise.

Run ``python examples/build_example.py`` after editing the Markdown; the DOCX files are
committed so that ``make demo`` needs nothing but the serving stack.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HERE = Path(__file__).parent


def _page_number_field(paragraph) -> None:  # type: ignore[no-untyped-def]
    run = paragraph.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), tag)
        else:
            element = OxmlElement("w:instrText")
            element.text = text
        run._r.append(element)


def build(
    source: Path = HERE / "child-t-review.md",
    target: Path = HERE / "child-t-review.docx",
    header: str = "Child T SCR - Final",
) -> Path:
    """Write the DOCX: Title and Heading 1 styles, a glossary list, running header, page numbers."""
    document = Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = header
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(footer)
    for block in source.read_text(encoding="utf-8").split("\n\n"):
        block = block.strip()
        if block.startswith("# "):
            document.add_heading(block[2:], level=0)
        elif block.startswith("## "):
            document.add_heading(block[3:], level=1)
        elif block.startswith("- "):
            for line in block.splitlines():
                document.add_paragraph(line[2:], style="List Bullet")
        elif block:
            document.add_paragraph(block)
    document.core_properties.title = "Child T: Serious Case Review"
    document.save(str(target))
    return target


if __name__ == "__main__":
    print(build())
    print(
        build(
            HERE / "child-t-review-revised.md",
            HERE / "child-t-review-revised.docx",
            header="Child T SCR - Draft 2",
        )
    )
