"""The three baselines the model must beat, per dimension, fitted on the train split only.

- majority: the train split's most frequent level (probabilities = train level shares).
- tfidf_lr: TF-IDF word 1-2 grams + multinomial logistic regression (scikit-learn).
- lexicon: the rubric's hand-built signals (``evaluation.lexicon``) + logistic regression.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from service.model.dimensions import LEVELS

Predictor = Callable[[list[str]], npt.NDArray[np.float64]]


def _full_probs(model: Any, probs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Expand scikit-learn's per-seen-class probabilities to all four levels."""
    out = np.zeros((probs.shape[0], LEVELS))
    out[:, np.asarray(model.classes_, dtype=np.int64)] = probs
    return out


def majority(texts: list[str], labels: npt.NDArray[np.int64]) -> Predictor:
    """Always the train split's level shares (argmax = majority level)."""
    shares = np.bincount(labels, minlength=LEVELS).astype(np.float64)
    shares /= shares.sum()
    return lambda new: np.tile(shares, (len(new), 1))


def tfidf_lr(texts: list[str], labels: npt.NDArray[np.int64], seed: int = 13) -> Predictor:
    """TF-IDF (word 1-2 grams, sublinear tf) + logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True),
        LogisticRegression(C=4.0, max_iter=3000, random_state=seed),
    )
    model.fit(texts, labels)
    return lambda new: _full_probs(model[-1], model.predict_proba(new))


def lexicon(texts: list[str], labels: npt.NDArray[np.int64], seed: int = 13) -> Predictor:
    """Rubric signals (acronyms, connectives, child references, addressees) + logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from evaluation.lexicon import feature_matrix

    model = make_pipeline(
        StandardScaler(), LogisticRegression(C=1.0, max_iter=3000, random_state=seed)
    )
    model.fit(feature_matrix(texts), labels)
    return lambda new: _full_probs(model[-1], model.predict_proba(feature_matrix(new)))


BASELINES: dict[str, Callable[..., Predictor]] = {
    "majority": majority,
    "tfidf_lr": tfidf_lr,
    "lexicon": lexicon,
}
