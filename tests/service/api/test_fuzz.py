"""Hostile input at volume: a fixed-seed sample of mutated PDF, DOCX and HTML reports through
`POST /v1/score/file` (the full run is `make fuzz`: `python -m evaluation.fuzz --files 1000`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evaluation.documents import render_html
from evaluation.fuzz import FuzzReport, Seed, example_seeds, mutants, run
from service.api.app import create_app
from service.settings import ApiSettings, ingest_limits
from tests.fixtures.reports import Rendered, ReportSpec
from tests.service.invariants import check_score_response

MODEL = Path(__file__).resolve().parents[3] / "models" / "scrutiny-minilm-v1"
# A parse may take up to its limit; scoring what was read gets a generous minute on top.
LIMIT_S = ingest_limits().parse_timeout_s + 60


def _markdown(report: ReportSpec) -> str:
    parts = []
    for section in report.sections:
        parts.append("#" * max(1, section.level) + " " + section.heading)
        parts.extend(section.paragraphs)
        parts.extend(" | ".join(row) for row in section.table)
    return "\n\n".join(parts)


@pytest.fixture(scope="module")
def fixture_seeds(rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]]) -> list[Seed]:
    """The shortest fixture report as PDF, DOCX and HTML (tables, two columns, glossary)."""
    report, pdf, docx = min(rendered_reports, key=lambda r: r[1].path.stat().st_size)
    return [
        Seed(pdf.path.name, pdf.path.read_bytes()),
        Seed(docx.path.name, docx.path.read_bytes()),
        Seed(f"{report.name}.html", render_html(_markdown(report))),
    ]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(ApiSettings(rate_limit_per_minute=0), MODEL, load_in_background=False)
    with TestClient(app) as test_client:
        yield test_client


def _check(body: bytes) -> None:
    check_score_response(body.decode("utf-8"))


def _assert_contract(report: FuzzReport) -> None:
    failures = [f"{o.mutant.index} {o.mutant.mutations}: {o.failure}" for o in report.failures()]
    assert not failures, failures
    statuses = report.statuses()
    assert all(s == "200" or s.startswith("4") for s in statuses), statuses


def test_mutants_are_reproducible() -> None:
    seeds = example_seeds()
    first = [(m.filename, m.data) for m in mutants(seeds, 12, seed=7)]
    again = [(m.filename, m.data) for m in mutants(seeds, 12, seed=7)]
    assert first == again
    assert len({data for _, data in first}) == 12


@pytest.mark.slow
def test_mutated_example_reports_get_a_score_or_a_problem(client: TestClient) -> None:
    report = run(client, example_seeds(), 48, seed=2024, limit_s=LIMIT_S, check_score=_check)
    _assert_contract(report)
    statuses = report.statuses()
    # The sample reaches the parsers: some files still score, others are refused by them.
    assert statuses["200"] >= 5 and statuses["422 corrupt"] >= 5, statuses
    assert client.get("/readyz").status_code == 200


@pytest.mark.slow
def test_mutated_fixture_reports_get_a_score_or_a_problem(
    client: TestClient, fixture_seeds: list[Seed]
) -> None:
    report = run(client, fixture_seeds, 12, seed=99, limit_s=LIMIT_S, check_score=_check)
    _assert_contract(report)
    assert client.get("/readyz").status_code == 200
