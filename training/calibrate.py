"""Temperature scaling per dimension, fitted on the dev split (never on test)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from service.model.dimensions import DIMENSIONS, cumulative_logits_to_probs


def _nll(
    logits: npt.NDArray[np.float64], labels: npt.NDArray[np.int64], temperature: float
) -> float:
    probs = cumulative_logits_to_probs(logits[:, None, :], np.array([temperature]))[:, 0, :]
    picked = probs[np.arange(len(labels)), labels]
    return float(-np.log(np.clip(picked, 1e-12, 1.0)).mean())


def fit_temperatures(
    logits: npt.NDArray[np.floating], labels: npt.NDArray[np.int64]
) -> dict[str, float]:
    """One temperature per dimension minimising dev negative log-likelihood.

    ``logits`` is ``[n, 4, 3]`` (cumulative logits), ``labels`` ``[n, 4]`` with -1 where a
    dimension has no label. A dimension with too few labels keeps temperature 1.
    """
    from scipy.optimize import minimize_scalar

    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    temperatures: dict[str, float] = {}
    for d, dimension in enumerate(DIMENSIONS):
        valid = y[:, d] >= 0
        if valid.sum() < 10:
            temperatures[dimension] = 1.0
            continue
        zd, yd = z[valid, d, :], y[valid, d]
        result = minimize_scalar(
            lambda log_t, zd=zd, yd=yd: _nll(zd, yd, float(np.exp(log_t))),
            bounds=(np.log(0.05), np.log(20.0)),
            method="bounded",
        )
        temperatures[dimension] = round(float(np.exp(result.x)), 4)
    return temperatures
