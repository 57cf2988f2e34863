"""``scrutiny evaluate`` scores through the serving runtime and leads with real text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import needs_public_data

pytestmark = pytest.mark.slow
pytest.importorskip("torch", reason="needs the train extra: pip install -e '.[train]'")


def test_evaluation_uses_the_serving_runtime_and_reports_real_text_first(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import evaluation.evaluate as evaluate_module
    import training.pipeline as pipeline
    from service.model.runtime import QualityModel

    needs_public_data("pfd", "causal_news_corpus", "onestopenglish")
    loaded: list[object] = []
    original_load = evaluate_module.load_runtime

    def spy(model_dir: Path) -> object:
        model = original_load(model_dir)
        loaded.append(model)
        return model

    monkeypatch.setattr(evaluate_module, "load_runtime", spy)
    records, parts = pipeline.load_parts()
    # A fixed sample of whole reports of each split keeps the test quick (whole reports, so
    # labelled sections remain); the path is the full one.
    reports = sorted({r.report_id for r in records})[::8]
    keep = set(reports)
    small = {name: [r for r in recs if r.report_id in keep] for name, recs in parts.items()}
    monkeypatch.setattr(pipeline, "load_parts", lambda *a, **k: (records, small))

    report = tmp_path / "report.md"
    metrics = evaluate_module.evaluate(tiny_model_dir, report, update_manifest=False)
    assert len(loaded) == 1 and isinstance(loaded[0], QualityModel)
    text = report.read_text(encoding="utf-8")
    real_at = text.index("## 1. Real text")
    assert real_at < text.index("## 2. Project-written text") < text.index("## 3. Real auxiliary")
    assert "inter-annotator" in text and "Section level" in text
    assert set(metrics["real"]["model"]) >= {"clarity", "root_cause"}
    assert 0.0 <= metrics["explains_why"]["shipped_auc"] <= 1.0
    assert metrics["onestopenglish"]["articles"] > 0
    assert metrics["sections"]["sections"] > 0
    from training.cli import summary_lines

    printed = summary_lines(metrics)
    assert printed.index("real PFD test") < printed.index("written test")
    for dimension, figures in metrics["sections"].items():
        if isinstance(figures, dict):
            # The shown level is the most probable of four: never below 1/4.
            assert figures["min_confidence_of_shown"] >= 0.25 - 1e-9, dimension
