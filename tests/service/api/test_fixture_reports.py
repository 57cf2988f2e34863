"""Every ingestion fixture, as PDF and DOCX, scores to the schema through the API and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.cli import main
from service.settings import ApiSettings
from tests.fixtures.reports import Rendered, ReportSpec
from tests.service.invariants import check_score_response


def test_fixture_reports_score_through_api_and_cli(
    rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]],
    tiny_model_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = create_app(ApiSettings(rate_limit_per_minute=0), tiny_model_dir, load_in_background=False)
    with TestClient(app) as client:
        for _report, pdf, docx in rendered_reports:
            for rendered in (pdf, docx):
                with rendered.path.open("rb") as handle:
                    response = client.post(
                        "/v1/score/file", files={"file": (rendered.path.name, handle)}
                    )
                assert response.status_code == 200, response.text
                result = check_score_response(response.json())
                assert result.recommendations, rendered.path.name
                if rendered is pdf:
                    assert result.document.pages == rendered.pages
                    assert all(s.page_start is not None for s in result.sections)
                assert main(["score", str(rendered.path), "--model", str(tiny_model_dir)]) == 0
                check_score_response(capsys.readouterr().out)
