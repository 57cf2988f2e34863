"""The embedding head (``training.embedding_head``): the graph computes what its NumPy twins
compute, a zero mix changes nothing, a graph takes one head only, the mix is chosen on dev
with the written guard, and the shipped model carries the head its manifest describes."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx", reason="needs the train extra: pip install -e '.[train]'")

from service.model.dimensions import DIMENSIONS, LEVELS, cumulative_logits_to_probs
from service.model.runtime import QualityModel
from training.embedding_head import (
    EmbeddingHead,
    attach,
    choose_mix,
    cumulative_logits,
    fit_head,
    has_head,
    mixed_probs,
)
from training.package import finalise, read_manifest

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "scrutiny-minilm-v1"
TEXTS = [
    "The referral was not followed up because it was sent to a team that had been disbanded.",
    "ICPC held; CIN plan ended; MASH NFA.",
    "Child T told her teacher she was hungry and frightened of going home.",
    "Fenmoor Council should audit 30 cases by March 2027 and report to the board.",
    "On 3 May the health visitor visited the home.",
]


def _with_head(source: Path, target: Path, head: EmbeddingHead, temperatures: list[float]) -> Path:
    shutil.copytree(source, target)
    attach(source / "model.onnx", target / "model.onnx", head)
    manifest = read_manifest(target)
    manifest["temperatures"] = dict(zip(DIMENSIONS, temperatures, strict=True))
    finalise(target, manifest)
    return target


def _random_head(model: QualityModel, mix: list[float], seed: int = 3) -> EmbeddingHead:
    rng = np.random.default_rng(seed)
    hidden = model.embed(TEXTS[:1]).shape[1]
    return EmbeddingHead(
        weight=rng.normal(0, 0.2, (hidden, len(DIMENSIONS) * LEVELS)).astype(np.float32),
        bias=rng.normal(0, 0.5, len(DIMENSIONS) * LEVELS).astype(np.float32),
        mix=np.array(mix, dtype=np.float32),
        base_temperatures=np.asarray(model.manifest.temperatures, dtype=np.float32),
    )


def test_the_graph_computes_the_numpy_twin(tiny_model_dir: Path, tmp_path: Path) -> None:
    base = QualityModel.load(tiny_model_dir)
    ran = base.outputs(TEXTS, embeddings=True)
    assert ran.embeddings is not None
    head = _random_head(base, [0.0, 0.3, 0.7, 1.0])
    temperatures = [1.0, 1.3, 0.8, 1.1]
    folder = _with_head(tiny_model_dir, tmp_path / "headed", head, temperatures)
    headed = QualityModel.load(folder)
    twin = cumulative_logits_to_probs(
        cumulative_logits(mixed_probs(ran.probs, head.probs(ran.embeddings), head.mix)),
        np.array(temperatures),
    )
    assert np.allclose(headed.predict(TEXTS), twin, atol=1e-4)
    # The embedding the exemplar bank searches is untouched by the head.
    assert np.array_equal(headed.embed(TEXTS), base.embed(TEXTS))


def test_a_zero_mix_changes_nothing(tiny_model_dir: Path, tmp_path: Path) -> None:
    base = QualityModel.load(tiny_model_dir)
    head = _random_head(base, [0.0] * len(DIMENSIONS))
    folder = _with_head(tiny_model_dir, tmp_path / "zero", head, list(base.manifest.temperatures))
    assert np.allclose(QualityModel.load(folder).predict(TEXTS), base.predict(TEXTS), atol=1e-4)


def test_a_graph_takes_one_head_only(tiny_model_dir: Path, tmp_path: Path) -> None:
    base = QualityModel.load(tiny_model_dir)
    head = _random_head(base, [0.5] * len(DIMENSIONS))
    once = tmp_path / "once.onnx"
    attach(tiny_model_dir / "model.onnx", once, head)
    assert has_head(once) and not has_head(tiny_model_dir / "model.onnx")
    with pytest.raises(ValueError, match="already has an embedding head"):
        attach(once, tmp_path / "twice.onnx", head)


def _one_hot(levels: np.ndarray, sharp: float = 0.85) -> np.ndarray:
    probs = np.full((len(levels), len(DIMENSIONS), LEVELS), (1 - sharp) / (LEVELS - 1))
    for i, row in enumerate(levels):
        for d, level in enumerate(row):
            probs[i, d, :] = (1 - sharp) / (LEVELS - 1)
            probs[i, d, level] = sharp
    return probs


def test_the_mix_follows_dev_and_keeps_written_text() -> None:
    rng = np.random.default_rng(0)
    n = 400
    labels = rng.integers(0, LEVELS, size=(n, len(DIMENSIONS)))
    real = np.arange(n) < n // 2
    noise = rng.integers(0, LEVELS, size=labels.shape)
    # The graph is right on written passages and guesses on real ones; the head is right on
    # real passages for every dimension, and right on written ones for the first two only.
    base = _one_hot(np.where(real[:, None], noise, labels))
    head_levels = np.where(real[:, None], labels, labels)
    head_levels[~real, 2:] = noise[~real, 2:]
    head = _one_hot(head_levels, sharp=0.9)
    mix, table = choose_mix(base, head, labels, real, (0.0, 0.5, 1.0), written_drop=0.01)
    # Dimensions 0-1: the head is as good on written text and better on real: enough of it
    # that its levels win on real text (the smallest such share, ties go to less).
    for d in (0, 1):
        assert mix[d] > 0.0
        assert table[DIMENSIONS[d]][f"{mix[d]:g}"]["real"] == pytest.approx(1.0)
    # Dimensions 2-3: all of the head would cost written text, so less (or none) is taken.
    assert mix[2] < 1.0 and mix[3] < 1.0
    for d in (2, 3):
        chosen = table[DIMENSIONS[d]][f"{mix[d]:g}"]
        assert chosen["written"] >= table[DIMENSIONS[d]]["0"]["written"] - 0.01
    # A head no better than the graph anywhere is left out (the smaller mix wins ties).
    same, _ = choose_mix(base, base, labels, real, (0.0, 0.5, 1.0), written_drop=0.01)
    assert (same == 0.0).all()


def test_the_fitted_head_folds_its_standardisation() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    n, hidden = 300, 6
    labels = rng.integers(0, LEVELS, size=(n, len(DIMENSIONS)))
    # Large offsets and scales, so the standardisation matters.
    x = 50.0 + 6.0 * rng.normal(size=(n, hidden))
    x[:, : len(DIMENSIONS)] += 20.0 * labels
    labels[:5, 3] = -1  # unlabelled passages are left out of fitting
    weight, bias = fit_head(x, labels, np.ones(n), c=1.0, seed=0)
    ones = np.ones(len(DIMENSIONS), np.float32)
    head = EmbeddingHead(weight, bias, ones, ones)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    for d in range(len(DIMENSIONS)):
        valid = labels[:, d] >= 0
        plain = LogisticRegression(C=1.0, max_iter=5000, random_state=0)
        plain.fit((x[valid] - mean) / scale, labels[valid, d])
        expected = plain.predict_proba((x - mean) / scale)
        assert np.allclose(head.probs(x)[:, d], expected, atol=1e-4)


def test_the_shipped_model_carries_the_head_its_manifest_describes() -> None:
    manifest = read_manifest(MODEL)
    described = manifest.get("embedding_head")
    if described is None:
        pytest.skip("the shipped model has no embedding head")
    assert has_head(MODEL / "model.onnx")
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(MODEL / "model.onnx")).graph
    share = next(i for i in graph.initializer if i.name == "embedding_head/share")
    assert np.allclose(
        numpy_helper.to_array(share).ravel(), [described["mix"][d] for d in DIMENSIONS]
    )
