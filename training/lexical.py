"""The lexical half of the model: a word-piece n-gram classifier and the blend that joins it
to the encoder's ordinal score.

Why: the rubric's levels are partly a matter of exact wording (a named addressee, a
timescale, "should" with no owner), and on this corpus a linear n-gram model is hard to beat
on such cues while a small mean-pooled encoder smooths them away. So the model has two
halves, fitted in order, and one graph runs both:

1. the encoder with its ordinal (CORAL) heads, fine-tuned on the train split;
2. a multinomial logistic regression on word-piece unigrams and hashed bigrams
   (count / sqrt(length), optionally idf-weighted), fitted on the train split, per dimension;
3. a blend per dimension, a multinomial logistic regression on [encoder score, four n-gram
   logits], fitted on the dev split (like temperature scaling, it sees only dev).

The blended level logits are turned back into cumulative logits ``P(level > k)``, so the
graph's output and the service are unchanged. The n-gram features are computed in the
graph from ``input_ids`` (``ngram_indices`` below is their NumPy twin for fitting).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from service.model.dimensions import LEVELS

# Far below any fitted logit: a level never seen in fitting is never predicted.
_ABSENT_LEVEL_LOGIT = -30.0


def ngram_indices(ids: list[int], vocab_size: int, buckets: int) -> npt.NDArray[np.int64]:
    """Feature indices of one token sequence: unigrams, then hashed bigrams after the vocab.

    The same formula runs in the graph (``ScrutinyModel.ngram_logits``): bigram ``(a, b)``
    goes to ``vocab_size + (a * vocab_size + b) % buckets``.
    """
    a = np.asarray(ids, dtype=np.int64)
    bigrams = vocab_size + (a[:-1] * vocab_size + a[1:]) % buckets
    return np.concatenate([a, bigrams])


def ngram_matrix(ids: list[list[int]], vocab_size: int, buckets: int) -> Any:
    """Sparse ``[n, vocab_size + buckets]`` matrix of n-gram counts / sqrt(token count)."""
    from scipy import sparse

    rows: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    vals: list[npt.NDArray[np.float64]] = []
    for row, seq in enumerate(ids):
        index, counts = np.unique(ngram_indices(seq, vocab_size, buckets), return_counts=True)
        rows.append(np.full(len(index), row, dtype=np.int64))
        cols.append(index)
        vals.append(counts / np.sqrt(max(len(seq), 1)))
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(ids), vocab_size + buckets),
    )


def _multinomial(
    features: Any,
    labels: npt.NDArray[np.int64],
    c: float,
    seed: int,
    sample_weight: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Weights ``[LEVELS, n_features]`` and biases ``[LEVELS]`` of a multinomial logistic
    regression; levels missing from ``labels`` get a bias that rules them out."""
    from sklearn.linear_model import LogisticRegression

    weight = np.zeros((LEVELS, features.shape[1]))
    bias = np.full(LEVELS, _ABSENT_LEVEL_LOGIT)
    present = np.unique(labels)
    if len(present) == 1:  # nothing to separate: always that level
        bias[present[0]] = 0.0
        return weight, bias
    model = LogisticRegression(C=c, max_iter=5000, random_state=seed).fit(
        features, labels, sample_weight=sample_weight
    )
    classes = model.classes_.astype(np.int64)
    if len(classes) == 2:  # scikit-learn gives one row for two classes: logit of the second
        weight[classes[1]] = model.coef_[0]
        bias[classes] = [0.0, float(model.intercept_[0])]
    else:
        weight[classes] = model.coef_
        bias[classes] = model.intercept_
    return weight, bias


def idf_weights(features: Any) -> npt.NDArray[np.float64]:
    """Smoothed inverse document frequency of each feature column, ``ln((1+n)/(1+df)) + 1``
    (scikit-learn's formula), from the split the classifiers are fitted on."""
    df = np.asarray((features > 0).sum(axis=0), dtype=np.float64).ravel()
    return np.log((1.0 + features.shape[0]) / (1.0 + df)) + 1.0


def fit_ngram_model(
    ids: list[list[int]],
    labels: npt.NDArray[np.int64],
    vocab_size: int,
    buckets: int,
    c: float,
    seed: int,
    idf: bool = False,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Per-dimension n-gram classifiers on the train split.

    Returns the embedding table ``[vocab_size + buckets, n_dims * LEVELS]`` (level logits of
    dimension ``d`` in columns ``d*LEVELS : (d+1)*LEVELS``) and biases ``[n_dims, LEVELS]``.
    A dimension without labels keeps zero weights and biases. With ``idf`` the classifiers
    are fitted on idf-weighted features and the weights are multiplied back by the idf, so
    the table still applies to the plain features the graph computes.
    """
    from scipy import sparse

    features = ngram_matrix(ids, vocab_size, buckets)
    scale = idf_weights(features) if idf else np.ones(features.shape[1])
    weighted = (features @ sparse.diags(scale)).tocsr()
    n_dims = labels.shape[1]
    table = np.zeros((features.shape[1], n_dims * LEVELS), dtype=np.float32)
    biases = np.zeros((n_dims, LEVELS), dtype=np.float32)
    for d in range(n_dims):
        valid = labels[:, d] >= 0
        if not valid.any():
            continue
        weight, bias = _multinomial(weighted[valid], labels[valid, d], c, seed)
        table[:, d * LEVELS : (d + 1) * LEVELS] = (weight * scale[None]).T
        biases[d] = bias
    return table, biases


def blend_features(
    scores: npt.NDArray[np.floating], ngram_logits: npt.NDArray[np.floating]
) -> npt.NDArray[np.float64]:
    """``[n, n_dims, 1 + LEVELS]``: the encoder's ordinal score, then the n-gram logits."""
    return np.concatenate([scores[:, :, None], ngram_logits], axis=2).astype(np.float64)


def fit_blend(
    features: npt.NDArray[np.float64],
    labels: npt.NDArray[np.int64],
    c: float,
    seed: int,
    sample_weight: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Blend weights ``[n_dims, LEVELS, 1 + LEVELS]`` and biases ``[n_dims, LEVELS]`` (dev).

    ``sample_weight`` (per passage) lets real and written dev passages weigh the same. A
    dimension with fewer than two labelled levels falls back to the n-gram logits alone.
    """
    n_dims, width = features.shape[1], features.shape[2]
    weights = np.zeros((n_dims, LEVELS, width), dtype=np.float32)
    biases = np.zeros((n_dims, LEVELS), dtype=np.float32)
    for d in range(n_dims):
        valid = labels[:, d] >= 0
        if len(np.unique(labels[valid, d])) < 2:
            weights[d, :, 1:] = np.eye(LEVELS)
            continue
        weight, bias = _multinomial(
            features[valid, d],
            labels[valid, d],
            c,
            seed,
            None if sample_weight is None else sample_weight[valid],
        )
        weights[d], biases[d] = weight, bias
    return weights, biases


def blend_logits(
    features: npt.NDArray[np.float64],
    weights: npt.NDArray[np.floating],
    biases: npt.NDArray[np.floating],
) -> npt.NDArray[np.float64]:
    """Level logits ``[n, n_dims, LEVELS]`` of the blend (NumPy twin of the graph's)."""
    return np.einsum("ndf,dlf->ndl", features, weights) + biases[None]


def level_logits_to_cumulative(logits: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Level logits ``[..., LEVELS]`` → cumulative logits ``[..., LEVELS-1]`` of ``P(> k)``."""
    from scipy.special import logsumexp

    z = np.asarray(logits, dtype=np.float64)
    return np.stack(
        [
            logsumexp(z[..., k + 1 :], axis=-1) - logsumexp(z[..., : k + 1], axis=-1)
            for k in range(LEVELS - 1)
        ],
        axis=-1,
    )


def cross_fitted_blend_levels(
    features: npt.NDArray[np.float64],
    labels: npt.NDArray[np.int64],
    c: float,
    seed: int,
    folds: int = 5,
    sample_weight: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.int64]:
    """Dev levels predicted by blends fitted on the other folds (an honest dev estimate of
    a blend that is itself fitted on dev); -1 where a dimension has no label."""
    rng = np.random.default_rng(seed)
    fold = rng.integers(0, folds, size=len(labels))
    predicted = np.full(labels.shape, -1, dtype=np.int64)
    for k in range(folds):
        held = fold == k
        if not held.any() or held.all():
            continue
        weights, biases = fit_blend(
            features[~held],
            labels[~held],
            c,
            seed,
            None if sample_weight is None else sample_weight[~held],
        )
        levels = blend_logits(features[held], weights, biases).argmax(-1)
        predicted[held] = np.where(labels[held] >= 0, levels, -1)
    return predicted
