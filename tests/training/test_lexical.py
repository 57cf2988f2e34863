"""The lexical half: n-gram features, their graph twin, the blend and its cumulative logits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from service.model.dimensions import LEVELS, cumulative_logits_to_probs
from training.lexical import (
    blend_features,
    blend_logits,
    cross_fitted_blend_levels,
    fit_blend,
    fit_ngram_model,
    idf_weights,
    level_logits_to_cumulative,
    ngram_indices,
    ngram_matrix,
)

pytest.importorskip("sklearn")


def test_ngram_indices_put_hashed_bigrams_after_the_vocabulary() -> None:
    index = ngram_indices([101, 7, 9, 102], vocab_size=200, buckets=16)
    assert list(index[:4]) == [101, 7, 9, 102]
    assert list(index[4:]) == [200 + (101 * 200 + 7) % 16, 200 + (7 * 200 + 9) % 16,
                               200 + (9 * 200 + 102) % 16]  # fmt: skip


def test_ngram_matrix_counts_repeats_and_scales_by_root_length() -> None:
    matrix = ngram_matrix([[5, 5, 6, 5]], vocab_size=10, buckets=8).toarray()[0]
    assert matrix[5] == pytest.approx(3 / 2) and matrix[6] == pytest.approx(1 / 2)
    assert matrix.sum() == pytest.approx((4 + 3) / 2)  # 4 unigrams + 3 bigrams, sqrt(4) = 2


def test_level_logits_become_cumulative_logits_of_the_same_distribution() -> None:
    rng = np.random.default_rng(0)
    levels = rng.normal(0, 3, size=(50, 4, LEVELS))
    softmax = np.exp(levels) / np.exp(levels).sum(-1, keepdims=True)
    probs = cumulative_logits_to_probs(level_logits_to_cumulative(levels))
    assert np.allclose(probs, softmax, atol=1e-9)


def _toy(n: int = 160, seed: int = 1) -> tuple[list[list[int]], np.ndarray]:
    """Token sequences whose level is written in their words (token 10 + level)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, LEVELS, size=(n, 2))
    labels[rng.random(n) < 0.3, 1] = -1  # the second dimension is often not applicable
    ids = [
        [101, *rng.integers(20, 60, size=6).tolist(), 10 + int(y[0]), 14 + max(int(y[1]), 0), 102]
        for y in labels
    ]
    return ids, labels


def test_ngram_model_learns_word_cues_and_masks_missing_labels() -> None:
    ids, labels = _toy()
    table, biases = fit_ngram_model(ids, labels, vocab_size=120, buckets=64, c=10.0, seed=0)
    assert table.shape == (120 + 64, 2 * LEVELS) and biases.shape == (2, LEVELS)
    logits = ngram_matrix(ids, 120, 64) @ table
    logits = logits.reshape(len(ids), 2, LEVELS) + biases[None]
    for d in range(2):
        valid = labels[:, d] >= 0
        assert (logits[valid, d].argmax(-1) == labels[valid, d]).mean() > 0.95


def test_idf_weighting_is_folded_into_the_table() -> None:
    """The graph multiplies plain features by the table; with idf the table must give the
    logits of the classifier fitted on idf-weighted features."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    ids, labels = _toy()
    table, biases = fit_ngram_model(ids, labels, 120, 64, c=10.0, seed=0, idf=True)
    plain = ngram_matrix(ids, 120, 64)
    weighted = plain @ sparse.diags(idf_weights(plain))
    reference = LogisticRegression(C=10.0, max_iter=5000, random_state=0).fit(
        weighted, labels[:, 0]
    )
    logits = (plain @ table)[:, :LEVELS] + biases[0]
    expected = reference.decision_function(weighted)
    assert np.allclose(logits, expected, atol=1e-4)
    assert np.all(idf_weights(plain) >= 1.0)


def test_blend_handles_dimensions_with_one_or_two_levels() -> None:
    rng = np.random.default_rng(2)
    features = rng.normal(size=(40, 3, 1 + LEVELS))
    labels = np.stack([rng.integers(0, LEVELS, 40), np.full(40, 2), rng.integers(1, 3, 40)], axis=1)
    weights, biases = fit_blend(features, labels, c=1.0, seed=0)
    levels = blend_logits(features, weights, biases).argmax(-1)
    assert set(np.unique(levels[:, 2])) <= {1, 2}  # unseen levels are never predicted
    assert np.all(weights[1, :, 1:] == np.eye(LEVELS))  # one level: n-gram logits pass through
    crossed = cross_fitted_blend_levels(features, np.where(labels < 3, labels, -1), 1.0, 0)
    assert crossed.shape == labels.shape and np.all((crossed >= 0) == (labels < 3))


def test_graph_computes_the_ngram_logits_and_blend_fitted_on_dev(tiny_model_dir: Path) -> None:
    pytest.importorskip("torch")
    from training.config import TrainingConfig
    from training.data import encode, load_tokenizer
    from training.model import load_model
    from training.train import predict_batched, predict_logits

    run = json.loads((tiny_model_dir.parent / "run" / "run.json").read_text())
    model = load_model(str(tiny_model_dir.parent / "run" / "torch"))
    assert (
        model.config.blend_fitted
        and run["lexical"]["buckets"] == TrainingConfig.tiny().ngram_buckets
    )
    texts = ["The health visitor saw the baby twice.", "Agencies should communicate better."]
    ids = encode(load_tokenizer(64), texts)
    scores, ngram = predict_batched(
        lambda i, m: (model.scores(i, m)[0], model.ngram_logits(i, m)), ids, batch_size=2
    )
    table = model.ngram.weight.detach().numpy()
    expected = ngram_matrix(ids, model.config.vocab_size, model.ngram_buckets) @ table
    expected = expected.reshape(len(ids), 4, LEVELS) + model.ngram_bias.detach().numpy()[None]
    assert np.allclose(ngram, expected, atol=1e-5)
    blended = blend_logits(
        blend_features(scores, ngram),
        model.blend_weight.detach().numpy(),
        model.blend_bias.detach().numpy(),
    )
    cumulative, _ = predict_logits(model, ids)
    assert np.allclose(cumulative, level_logits_to_cumulative(blended), atol=1e-4)
    assert not any(p.requires_grad for p in (model.ngram.weight, model.blend_weight))
