"""Section and report levels with honest confidence: passage uncertainty, propagated.

A section's quality on a dimension is the word-weighted mean of its passages' levels,
``X = sum_i a_i L_i`` with ``a_i = w_i / sum w``, and its level is the level band ``X``
falls in (level ``k`` covers ``[k - 1/2, k + 1/2)``). If the true passage levels were known
this is exactly the section's level (it is how a labelled section's true level is defined in
evaluation). The model gives calibrated probabilities ``P(L_i = l)`` instead, so the section
level is a random quantity, and its distribution is computed in closed form:

1. The exact distribution of ``X`` for independent passages, by convolution over a grid of
   weights quantised to at least ``GRID_UNITS`` units (each passage one unit at least).
2. Passage errors in one section are not independent (the same author, the same habits), so
   a Gaussian spread ``tau`` is added to ``X`` before it is banded; ``tau`` is fitted per
   dimension on labelled dev sections by likelihood (``manifest.json``, ``section_spread``).
   ``tau = 0`` is plain independence, which is over-confident on long sections.

The level shown is the most probable level of that distribution (``shown_level``), and the
``confidence`` is its probability: by construction never below 1/4, and it is the chance the
level is right to the extent that passage probabilities and ``tau`` are calibrated, which
``scrutiny evaluate`` measures (section-level ECE). ``score`` is the expected value of ``X``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from service.model.dimensions import LEVELS, REVIEW_BELOW, shown_level

GRID_UNITS = 240
# Spread used when a model's manifest carries none (models before 1.5.0, test models).
DEFAULT_SPREAD = 0.25
__all__ = ["DEFAULT_SPREAD", "GRID_UNITS", "REVIEW_BELOW", "band", "level_distribution"]

_EDGES = np.arange(LEVELS + 1, dtype=np.float64) - 0.5  # -0.5, 0.5, 1.5, 2.5, 3.5


def band(value: float | npt.NDArray[np.floating]) -> npt.NDArray[np.int64]:
    """The level band ``[k - 1/2, k + 1/2)`` a mean level falls in (0 to LEVELS-1)."""
    return np.clip(np.floor(np.asarray(value, dtype=np.float64) + 0.5), 0, LEVELS - 1).astype(
        np.int64
    )


def _normal_cdf(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, and the serving
    # path carries no scipy.
    x = np.clip(x, -40.0, 40.0)  # beyond that the tails are 0 and 1 in float64 anyway
    z = np.abs(x) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = 1.0 - poly * np.exp(-z * z)
    return 0.5 * (1.0 + np.sign(x) * erf)


def mean_level_distribution(
    probs: npt.NDArray[np.floating], weights: npt.NDArray[np.floating]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Support and probabilities of the weighted mean level ``X`` of independent passages."""
    probs = np.asarray(probs, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    share = weights / weights.sum()
    units = np.maximum(1, np.rint(share * max(GRID_UNITS, len(share)))).astype(np.int64)
    total = int(units.sum())
    dist = np.zeros((LEVELS - 1) * total + 1)
    dist[0] = 1.0
    top = 0  # highest reachable index so far: keeps each step to the live part of the grid
    for p, u in zip(probs, units, strict=True):
        new = np.zeros(top + (LEVELS - 1) * u + 1)
        for level in range(LEVELS):
            new[level * u : level * u + top + 1] += p[level] * dist[: top + 1]
        top += (LEVELS - 1) * int(u)
        dist[: top + 1] = new
    return np.arange(top + 1, dtype=np.float64) / total, dist[: top + 1]


def level_distribution(
    probs: npt.NDArray[np.floating], weights: npt.NDArray[np.floating], spread: float
) -> npt.NDArray[np.float64]:
    """``P(section level = k)`` for k in 0..LEVELS-1, from passage probabilities
    ``(n, LEVELS)``, passage weights ``(n,)`` and the section spread ``tau``."""
    values, mass = mean_level_distribution(probs, weights)
    if spread <= 0:
        out = np.bincount(band(values), weights=mass, minlength=LEVELS).astype(np.float64)
    else:
        # A vanishing spread overflows to +-inf here, which the CDF maps to 0 and 1.
        with np.errstate(over="ignore"):
            z = (_EDGES[None, 1:-1] - values[:, None]) / spread
        cdf = _normal_cdf(z)  # (support, 3)
        upper = np.concatenate([cdf, np.ones((len(values), 1))], axis=1)
        lower = np.concatenate([np.zeros((len(values), 1)), cdf], axis=1)
        out = mass @ (upper - lower)
    out = np.clip(out, 0.0, None)
    return np.asarray(out / out.sum(), dtype=np.float64)


def level_and_confidence(distribution: npt.NDArray[np.floating]) -> tuple[int, float]:
    """The level shown (most probable) and its probability."""
    level = int(shown_level(distribution))
    return level, float(distribution[level])
