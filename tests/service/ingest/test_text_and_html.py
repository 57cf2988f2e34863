"""Plain text, Markdown and HTML: headings, kinds, normalisation, documents without headings."""

from __future__ import annotations

import pytest

from service.ingest import read_document
from service.ingest.detect import DOCX, HTML, MARKDOWN, PDF, TEXT, detect_type
from service.ingest.errors import IngestError
from service.ingest.headings import section_kind, text_heading_level
from service.ingest.lines import join_wrapped
from service.ingest.normalize import normalize_text
from service.ingest.outline import document_outline
from service.settings import IngestLimits

LIMITS = IngestLimits(isolate=False)

PLAIN = """SERIOUS CASE REVIEW: CHILD V

1 Introduction
1.1 Child V was two when she was taken to hospital. Her mother's partner was later
charged.

2 Terms of reference

2.1 The review looked at multi-
agency working and safe-
guarding practice.

Summary of key events

In May the health visitor saw Child V.

4.2 Analysis of practice

The referral was not followed up.

The child's lived experience

She was often hungry.

Recommendations

1. The partnership should act within six months.
"""


def test_plain_text_headings_and_kinds() -> None:
    document = read_document(PLAIN.encode(), filename="v.txt", limits=LIMITS)
    outline = [(s.heading, s.level, s.kind) for s in document.sections]
    assert outline == [
        ("SERIOUS CASE REVIEW: CHILD V", 1, "other"),
        ("1 Introduction", 1, "background"),
        ("2 Terms of reference", 1, "methodology"),
        ("Summary of key events", 1, "chronology"),
        ("4.2 Analysis of practice", 2, "analysis"),
        ("The child's lived experience", 1, "child_voice"),
        ("Recommendations", 1, "recommendations"),
    ]
    text = document.text
    assert "Her mother's partner was later charged." in text  # wrapped lines joined
    assert "multi-agency working and safeguarding practice" in text  # hyphenation


def test_markdown_title_and_levels() -> None:
    source = "# Child W: Review\n\nIntro.\n\n## 1. Background\n\nText.\n\n### 1.1 Family\n\nMore.\n\n## Glossary\n\n- MASH – Multi-Agency Safeguarding Hub\n"
    document = read_document(source.encode(), filename="w.md", limits=LIMITS)
    assert document.title == "Child W: Review"
    assert [(s.heading, s.level, s.kind) for s in document.sections] == [
        ("Child W: Review", 0, "other"),
        ("1. Background", 1, "background"),
        ("1.1 Family", 2, "background"),
        ("Glossary", 1, "glossary"),
    ]
    assert document.glossary[0].acronym == "MASH"


def test_document_without_headings_gets_one_section() -> None:
    source = (
        "The child was seen at home. Nobody asked her how she was.\n\nA second paragraph follows."
    )
    document = read_document(source.encode(), filename="n.txt", limits=LIMITS)
    assert len(document.sections) == 1
    section = document.sections[0]
    assert section.heading is None and section.kind == "other"
    assert len(document.paragraphs) == 2 and len(document.sentences) == 3


def test_html_drops_furniture_and_reads_tables() -> None:
    html = b"""<!DOCTYPE html><html><head><title>Child X</title><script>alert('x')</script>
    <style>p {color: red}</style></head><body><nav>Home | Reports</nav>
    <h1>Child X review</h1><h2>1 Introduction</h2><p>The Multi-Agency Safeguarding Hub
    (MASH) received a referral &amp; closed it.</p><h2>Glossary</h2>
    <table><tr><th>Term</th><th>Meaning</th></tr><tr><td>CIN</td><td>Child in Need</td></tr></table>
    <footer>Copyright</footer></body></html>"""
    document = read_document(html, filename="x.html", limits=LIMITS)
    assert "alert" not in document.text and "color" not in document.text
    assert "Home" not in document.text and "Copyright" not in document.text
    assert "CIN | Child in Need" in document.text
    assert document.title == "Child X review"
    assert {e.acronym for e in document.glossary} == {"CIN", "MASH"}
    assert [s.kind for s in document.sections] == ["other", "background", "glossary"]


def test_normalisation() -> None:
    assert (
        normalize_text("ﬁnding  \u00a0safe\u00adguarding\x00\r\nnext\u2028line ")
        == "finding safeguarding\nnext\nline"
    )
    assert (
        join_wrapped(["the multi-", "agency team", "safe-", "guarding"])
        == "the multi-agency team safeguarding"
    )


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Summary of key events", "chronology"),
        ("5.1 Analysis of practice", "analysis"),
        ("Findings and recommendations", "recommendations"),
        ("The child's lived experience", "child_voice"),
        ("Voice of the child", "child_voice"),
        ("Glossary of terms", "glossary"),
        ("Abbreviations", "glossary"),
        ("Methodology", "methodology"),
        ("Terms of reference", "methodology"),
        ("Process of the review", "methodology"),
        ("Chronology", "chronology"),
        ("Background", "background"),
        ("Family composition", "background"),
        ("Introduction", "background"),
        ("Appendix 2: Panel members", "appendix"),
        ("Key learning", "findings"),
        ("Acknowledgements", "other"),
    ],
)
def test_section_kinds(heading: str, kind: str) -> None:
    assert section_kind(heading) == kind


def test_text_heading_shapes() -> None:
    assert text_heading_level("4.2 Analysis of practice") == 2
    assert text_heading_level("4.2 The social worker visited the family.") is None
    assert text_heading_level("RECOMMENDATIONS") == 1
    assert text_heading_level("Findings") == 1
    assert text_heading_level("The family moved house") is None


def test_detect_type() -> None:
    assert detect_type(b"%PDF-1.7\n", "a.pdf") == PDF
    assert detect_type(b"<html><body>x</body></html>", None, "text/html; charset=utf-8") == HTML
    assert detect_type(b"# Title\n", "a.md") == MARKDOWN
    assert detect_type(b"Title\n", "a.txt", "application/octet-stream") == TEXT
    assert detect_type(b"Title\n", "notes.md", "text/plain") == MARKDOWN
    for data, name, code in [
        (b"%PDF-1.7\n", "a.docx", "type_mismatch"),
        (b"hello", "a.pdf", "type_mismatch"),
        (b"\xd0\xcf\x11\xe0old word", "a.doc", "unsupported_type"),
        (b"hello", "a.xlsx", "unsupported_type"),
    ]:
        with pytest.raises(IngestError) as caught:
            detect_type(data, name)
        assert caught.value.code == code
    assert DOCX.endswith("document")


def test_outline_shape() -> None:
    document = read_document(PLAIN.encode(), filename="v.txt", limits=LIMITS)
    outline = document_outline(document)
    assert outline["characters"] == len(document.text) and outline["pages"] is None
    first = outline["sections"][1]
    assert set(first) == {
        "index",
        "heading",
        "kind",
        "level",
        "start",
        "end",
        "page_start",
        "page_end",
        "words",
    }
    assert first["words"] == len(
        document.text[document.sections[1].body_start : document.sections[1].end].split()
    )
