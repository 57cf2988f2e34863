"""The triage queue: order, reasons, failed inputs, CSV and HTML with detail pages."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from service.analysis.errors import AnalysisError
from service.analysis.load import load_batch
from service.analysis.triage import rank_reports, write_triage
from service.analysis.triage_html import details_folder
from tests.service.analysis.builder import Batch, Rows, variant


def _ranks(batch: Batch) -> dict[str, int]:
    return {item.report["path"]: item.rank for item in rank_reports(load_batch(batch.folder))}


def test_weak_reports_rank_above_strong_ones(batch: Batch) -> None:
    ranks = _ranks(batch)
    assert sorted(ranks.values()) == [1, 2, 3, 4, 5]
    # Confident low ratings and recommendations that name no one (or only "all agencies"),
    # and a report with no recommendations at all, come before the strong review.
    assert ranks["weak.md"] < ranks["strong.md"]
    assert ranks["no-recommendations.md"] < ranks["strong.md"]
    assert ranks["weak.md"] < ranks["child-t-review.docx"]


def test_reasons_say_why_in_plain_words(batch: Batch) -> None:
    ranked = {item.report["path"]: item for item in rank_reports(load_batch(batch.folder))}
    weak = ranked["weak.md"].concern
    assert re.search(r"inadequate \((confident|fairly confident)\)", weak.reasons)
    assert re.search(r"\d of 4 recommendations (names|name) no one", weak.reasons)
    assert "general group" in weak.reasons
    assert "child absent from" in weak.reasons
    assert ranked["no-recommendations.md"].concern.reasons.startswith("no recommendations found")
    assert ranked["weak.md"].concern.score > ranked["strong.md"].concern.score


def test_csv_lists_failed_inputs_after_the_ranked_reports(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "triage.csv"
    write_triage(load_batch(batch.folder), out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["rank"] for row in rows] == ["1", "2", "3", "4", "5", ""]
    assert float(rows[0]["concern"]) >= float(rows[4]["concern"])
    failed = rows[-1]
    assert (failed["status"], failed["path"], failed["error_code"]) == (
        "failed",
        "broken.pdf",
        "corrupt",
    )
    assert rows[0]["reasons"] and rows[0]["area"] and rows[0]["year"]


def test_html_links_every_report_to_its_detail_page(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "triage.html"
    write_triage(load_batch(batch.folder), out)
    page = out.read_text(encoding="utf-8")
    links = re.findall(r'href="(triage_files/[0-9a-f]{64}\.html)"', page)
    assert len(links) == 5 and all((tmp_path / link).is_file() for link in links)
    assert page.index("broken.pdf") > page.index("Child S")  # failed inputs at the end
    assert "<code>corrupt</code>" in page
    assert '<th scope="col">Concern</th>' in page and "<script" not in page

    detail = (tmp_path / "triage_files" / f"{batch.sha256['weak.md']}.html").read_text()
    assert 'href="../triage.html"' in detail
    assert "Root-cause depth" in detail and "Why it is in the queue" in detail
    assert '<span class="missing">missing</span>' in detail  # parts a recommendation lacks
    assert '<span class="general">general group only</span>' in detail
    assert "<h2>Highlights</h2>" in detail and "<blockquote>" in detail


def test_html_escapes_report_text_and_removes_stale_pages(batch: Batch, tmp_path: Path) -> None:
    def hostile(rows: Rows) -> None:
        weak = next(row for row in rows["reports"] if row["path"] == "weak.md")
        weak["title"] = '<script>alert("x")</script>'
        for row in rows["recommendations"]:
            row["text"] = "<img src=x onerror=alert(1)> " + row["text"]

    out = tmp_path / "triage.html"
    folder = details_folder(out)
    folder.mkdir()
    stale, notes = folder / f"{'0' * 64}.html", folder / "notes.html"
    stale.write_text("old")
    notes.write_text("mine")
    write_triage(load_batch(variant(batch, tmp_path / "out", hostile)), out)
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    detail = (folder / f"{batch.sha256['weak.md']}.html").read_text()
    assert "<img src=x" not in detail and "&lt;img src=x" in detail
    assert not stale.exists() and notes.exists()


def test_html_without_highlights_has_no_highlight_section(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "triage.html"
    folder = variant(batch, tmp_path / "out", lambda rows: None, highlights=False)
    write_triage(load_batch(folder), out)
    detail = (details_folder(out) / f"{batch.sha256['weak.md']}.html").read_text()
    assert "<h2>Highlights</h2>" not in detail and "<h2>Recommendations</h2>" in detail


def test_refuses_an_unknown_format(batch: Batch, tmp_path: Path) -> None:
    with pytest.raises(AnalysisError, match=r"\.html or \.csv"):
        write_triage(load_batch(batch.folder), tmp_path / "triage.pdf")
