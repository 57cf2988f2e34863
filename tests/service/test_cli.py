"""`scrutiny score` and `scrutiny sections` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from tests.service.invariants import check_score_response

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "child-t-review.docx"


def test_sections_prints_the_outline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sections", str(EXAMPLE)]) == 0
    outline = json.loads(capsys.readouterr().out)
    kinds = [section["kind"] for section in outline["sections"]]
    assert "analysis" in kinds and "recommendations" in kinds
    assert any(entry["acronym"] == "MASH" for entry in outline["glossary"])


def test_score_json_markdown_html(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", str(EXAMPLE), "--model", str(tiny_model_dir)]) == 0
    result = check_score_response(capsys.readouterr().out)
    assert len(result.recommendations) == 4

    out = tmp_path / "report.md"
    assert (
        main(
            [
                "score",
                str(EXAMPLE),
                "--format",
                "markdown",
                "--out",
                str(out),
                "--model",
                str(tiny_model_dir),
            ]
        )
        == 0
    )
    assert "## Ratings at a glance" in out.read_text()
    html = tmp_path / "report.html"
    assert (
        main(
            [
                "score",
                str(EXAMPLE),
                str(EXAMPLE),
                "--format",
                "html",
                "--out",
                str(html),
                "--model",
                str(tiny_model_dir),
            ]
        )
        == 0
    )
    assert html.read_text().count("<article") == 2


def test_score_bad_file_is_a_clear_error(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    assert main(["score", str(bad), "--model", str(tiny_model_dir)]) == 2
    error = capsys.readouterr().err
    assert "broken.pdf" in error and "Traceback" not in error
    assert main(["score", str(tmp_path / "absent.pdf"), "--model", str(tiny_model_dir)]) == 2


def test_score_refuses_a_missing_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(EXAMPLE), "--model", str(tmp_path)]) == 2
    assert "cannot load the model" in capsys.readouterr().err
