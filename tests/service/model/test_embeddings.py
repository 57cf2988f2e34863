"""Passage embeddings from the graph's pooled output, on request, without changing levels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.ingest import read_document
from service.model.manifest import ModelIntegrityError
from service.model.runtime import QualityModel
from service.passages.build import build_passages

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "scrutiny-minilm-v1"


@pytest.fixture(scope="module")
def model() -> QualityModel:
    return QualityModel.load(MODEL, threads=1, batch_size=8)


def test_embeddings_come_with_unchanged_probabilities(model: QualityModel) -> None:
    document = read_document(REPO / "examples" / "child-t-review.docx")
    texts = [p.text for p in build_passages(document)]
    plain = model.predict(texts)
    ran = model.outputs(texts, embeddings=True, explains_why=True)
    assert np.array_equal(plain, ran.probs)
    assert ran.embeddings is not None and ran.explains_why is not None
    assert ran.embeddings.shape == (len(texts), 384)
    assert np.isfinite(ran.embeddings).all()
    # The encoder alone gives the same vectors (only the heads are skipped).
    assert np.allclose(model.embed(texts), ran.embeddings, atol=1e-5)
    assert model.embed([]).shape[0] == 0


def test_a_graph_without_the_output_says_how_to_add_it(tiny_model_dir: Path) -> None:
    tiny = QualityModel.load(tiny_model_dir, threads=1)
    # Graphs exported from now on carry the output; the tiny test model is one of them.
    assert tiny.has_embeddings
    tiny._output_names = tuple(n for n in tiny._output_names if n != "pooled")
    with pytest.raises(ModelIntegrityError, match="scrutiny exemplars"):
        tiny.embed(["A passage."])
