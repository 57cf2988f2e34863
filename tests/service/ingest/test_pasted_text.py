"""Pasted text is read the way it was written: the same report pasted as Markdown, sent as
JSON text (Markdown, or plain text with one paragraph per line as a word processor copies
it), and uploaded as ``.md``, ``.docx`` and ``.pdf`` gives the same section headings and the
same report levels."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.ingest import read_document
from service.ingest.detect import MARKDOWN, TEXT, detect_type, looks_like_markdown
from service.model.runtime import QualityModel
from service.scoring import score_document
from service.settings import ApiSettings
from tests.fixtures.reports import Rendered, ReportSpec

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "scrutiny-minilm-v1"


def markdown_of(report: ReportSpec) -> str:
    """The report as an author writes it in Markdown: ``#`` title, ``##`` headings, tables."""
    parts = []
    for section in report.sections:
        parts.append("#" * (section.level + 1) + " " + section.heading)
        parts.extend(section.paragraphs)
        if section.table:
            header, *rows = section.table
            lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(row) + " |" for row in rows]
            parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def pasted_from_a_word_processor(report: ReportSpec) -> str:
    """The report copied out of a document: one line per paragraph, no blank lines, plain
    numbered headings, table rows as tab-separated cells."""
    lines = []
    for section in report.sections:
        lines.append(section.heading)
        lines.extend(section.paragraphs)
        lines.extend("\t".join(row) for row in section.table)
    return "\n".join(lines) + "\n"


def test_markdown_is_told_from_plain_text() -> None:
    assert looks_like_markdown(b"# Title\n\n## 1. Introduction\n\nText.")
    assert looks_like_markdown(b"## 8. Recommendations\n\n- **Named** owner")
    assert looks_like_markdown(b"Title\n=====\n\nText\n\nMethod\n------\n")
    assert not looks_like_markdown(b"1. Introduction\n\nThe child was seen. #1 priority.")
    assert not looks_like_markdown(b"Child Q had a C# teacher.\n\nNothing else here.")
    # Text that reads as Markdown is parsed as Markdown, whatever its name or declared type.
    markdown = b"# Review\n\n## 1. Introduction\n\nText."
    assert detect_type(markdown, "submitted.txt", "text/plain") == MARKDOWN
    assert detect_type(markdown, None, None) == MARKDOWN
    assert detect_type(b"1. Introduction\n\nText.", "submitted.txt", "text/plain") == TEXT


def test_a_plain_title_line_and_one_line_paragraphs(
    rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]],
) -> None:
    report, _pdf, _docx = rendered_reports[0]
    document = read_document(
        pasted_from_a_word_processor(report).encode(), filename="submitted.txt"
    )
    assert document.title == report.sections[0].heading
    bodies = [p for s in report.sections for p in s.paragraphs]
    texts = {document.text[p.start : p.end] for p in document.paragraphs}
    assert sum(body in texts for body in bodies) == len(bodies)  # every line its own paragraph


@pytest.fixture(scope="module")
def model() -> QualityModel:
    return QualityModel.load(MODEL, threads=2, batch_size=8)


def test_paste_json_and_uploads_give_the_same_sections_and_levels(
    model: QualityModel, rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]]
) -> None:
    for report, pdf, docx in rendered_reports:
        markdown = markdown_of(report).encode()
        # Each read as the API reads it: JSON text as "submitted.txt", uploads by their name.
        documents = {
            "Markdown pasted (JSON text)": read_document(
                markdown, filename="submitted.txt", media_type="text/plain"
            ),
            "plain text pasted (JSON text)": read_document(
                pasted_from_a_word_processor(report).encode(),
                filename="submitted.txt",
                media_type="text/plain",
            ),
            ".md upload": read_document(markdown, filename=f"{report.name}.md"),
            ".docx upload": read_document(docx.path),
            ".pdf upload": read_document(pdf.path),
        }
        expected = [s.heading for s in report.sections]
        levels = {}
        for how, document in documents.items():
            assert [s.heading for s in document.sections] == expected, (report.name, how)
            result = score_document(document, model, explain=False)
            levels[how] = {d: r.level if r else None for d, r in result.ratings}
            assert levels[how]["recommendations"] is not None, (report.name, how)
        assert len({tuple(v.items()) for v in levels.values()}) == 1, (report.name, levels)


def test_the_api_reads_json_text_as_it_reads_the_uploaded_file(
    rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]],
) -> None:
    report = rendered_reports[0][0]
    markdown = markdown_of(report)
    app = create_app(ApiSettings(rate_limit_per_minute=0), MODEL, load_in_background=False)
    with TestClient(app) as client:
        pasted = client.post("/v1/score", json={"text": markdown})
        uploaded = client.post(
            "/v1/score/file", files={"file": (f"{report.name}.md", markdown.encode())}
        )
    assert pasted.status_code == uploaded.status_code == 200, pasted.text
    a, b = pasted.json(), uploaded.json()
    assert [s["heading"] for s in a["sections"]] == [s.heading for s in report.sections]
    assert [s["heading"] for s in a["sections"]] == [s["heading"] for s in b["sections"]]
    assert a["ratings"] == b["ratings"]
