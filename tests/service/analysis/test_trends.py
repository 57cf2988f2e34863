"""Trends: PNG charts by year or area and an index.html with the numbers behind them."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from service.analysis.errors import BatchOutputError
from service.analysis.load import load_batch
from service.analysis.trends import UNKNOWN, groups_of, reason_kind, weakness_table
from service.analysis.trends_page import write_trends
from service.batch.tables import DIMENSIONS
from tests.service.analysis.builder import Batch, variant

PNG = b"\x89PNG\r\n\x1a\n"
CHARTS = [*(f"levels_{d}.png" for d in DIMENSIONS), "weaknesses.png", "addressees.png"]


def test_writes_every_chart_and_an_index_with_the_numbers(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "trends"
    written = write_trends(load_batch(batch.folder), "year", out)
    assert [path.name for path in written] == [*CHARTS, "index.html"]
    for name in CHARTS:
        data = (out / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 1000
    page = (out / "index.html").read_text(encoding="utf-8")
    for name in CHARTS:
        assert re.search(rf'<img src="{re.escape(name)}" alt="[^"]+">', page)
    # The numbers behind the clarity chart: reports rated per year.
    per_year = Counter(row["year"] for row in batch.rows["reports"] if row["status"] == "ok")
    for year, count in per_year.items():
        assert f'<th scope="row">{year}</th><td class="number">{count}</td>' in page
    assert "1 input that could not be scored left out" in page
    assert "<script" not in page


def test_groups_without_a_value_are_unknown(batch: Batch, tmp_path: Path) -> None:
    out = tmp_path / "trends"
    write_trends(load_batch(batch.folder), "area", out)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert f'<th scope="row">{UNKNOWN}</th>' in page
    # Recommendations by area: Eastmere holds the weak review's and the example's.
    eastmere = [
        row
        for row in batch.rows["recommendations"]
        if row["sha256"] in (batch.sha256["weak.md"], batch.sha256["child-t-review.docx"])
    ]
    assert f'<th scope="row">Eastmere</th><td class="number">{len(eastmere)}</td>' in page


def test_refuses_a_missing_group_column(batch: Batch, tmp_path: Path) -> None:
    with pytest.raises(BatchOutputError, match=r"no column 'region'.*area, year"):
        write_trends(load_batch(batch.folder), "region", tmp_path / "trends")
    assert not (tmp_path / "trends").exists()


def test_weaknesses_from_highlights_or_else_ratings(batch: Batch, tmp_path: Path) -> None:
    from_highlights = weakness_table(load_batch(batch.folder), "year")
    assert from_highlights.source == "highlights"
    assert any(name.startswith("Child focus: ") for name in from_highlights.names)
    plain = load_batch(variant(batch, tmp_path / "out", lambda rows: None, highlights=False))
    fallback = weakness_table(plain, "year")
    assert fallback.source == "ratings and recommendations"
    assert "Recommendations: none found" in fallback.names
    assert fallback.reports == sorted(fallback.reports, reverse=True)
    write_trends(plain, "year", tmp_path / "trends")
    assert "Recommendations: none found" in (tmp_path / "trends" / "index.html").read_text()


def test_reason_kinds_drop_quotes_and_counts() -> None:
    assert reason_kind("clarity", "5 acronyms, 2 never defined: ICPC, CIN") == (
        "Clarity: n acronyms, n never defined"
    )
    assert reason_kind("root_cause", "blames without exploring the conditions (“failed to”)") == (
        "Root-cause depth: blames without exploring the conditions"
    )


def test_groups_sort_numbers_then_names_then_unknown() -> None:
    rows = [{"year": value} for value in ("2021", None, "2019", "", "2020", "n/a")]
    assert groups_of(rows, "year") == ["2019", "2020", "2021", "n/a", UNKNOWN]
