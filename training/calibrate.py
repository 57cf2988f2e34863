"""Calibration on the dev split (never on test): temperature scaling of passage
probabilities per dimension, then the section spread of ``service.aggregate.confidence``.

The section spread is fitted with real and written dev sections weighing the same in total;
the temperatures can be (``TrainingConfig.calibration_balance``), which ``training.decisions``
compares with plain fitting on real dev ECE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.aggregate.combine import text_weights
from service.aggregate.confidence import band, level_distribution
from service.model.dimensions import DIMENSIONS, LEVELS, cumulative_logits_to_probs
from training.corpus import Record

SPREAD_GRID = np.round(np.arange(0.0, 1.01, 0.05), 2)


def source_balance(records: Sequence[Record]) -> npt.NDArray[np.float64]:
    """Per-record weights under which every source (written, pfd) has the same total."""
    return _balance([r.source for r in records])


def _balance(sources: Sequence[str]) -> npt.NDArray[np.float64]:
    counts = {s: sources.count(s) for s in set(sources)}
    return np.array([len(sources) / (len(counts) * counts[s]) for s in sources], dtype=np.float64)


def _nll(
    logits: npt.NDArray[np.float64],
    labels: npt.NDArray[np.int64],
    temperature: float,
    weights: npt.NDArray[np.float64],
) -> float:
    probs = cumulative_logits_to_probs(logits[:, None, :], np.array([temperature]))[:, 0, :]
    picked = probs[np.arange(len(labels)), labels]
    return float(-(np.log(np.clip(picked, 1e-12, 1.0)) * weights).sum() / weights.sum())


def fit_temperatures(
    logits: npt.NDArray[np.floating],
    labels: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64] | None = None,
) -> dict[str, float]:
    """One temperature per dimension minimising weighted dev negative log-likelihood.

    ``logits`` is ``[n, 4, 3]`` (cumulative logits), ``labels`` ``[n, 4]`` with -1 where a
    dimension has no label, ``weights`` ``[n]`` (default equal). A dimension with too few
    labels keeps temperature 1.
    """
    from scipy.optimize import minimize_scalar

    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    temperatures: dict[str, float] = {}
    for d, dimension in enumerate(DIMENSIONS):
        valid = y[:, d] >= 0
        if valid.sum() < 10:
            temperatures[dimension] = 1.0
            continue
        zd, yd, wd = z[valid, d, :], y[valid, d], w[valid]
        result = minimize_scalar(
            lambda log_t, zd=zd, yd=yd, wd=wd: _nll(zd, yd, float(np.exp(log_t)), wd),
            bounds=(np.log(0.05), np.log(20.0)),
            method="bounded",
        )
        temperatures[dimension] = round(float(np.exp(result.x)), 4)
    return temperatures


@dataclass(frozen=True, slots=True)
class LabelledSection:
    """The labelled passages of one section for one dimension, and the section's true level:
    the band of the word-weighted mean of the people's labels (``confidence.band``), which
    is what the service's section level estimates."""

    section: str
    source: str
    dimension: int
    members: npt.NDArray[np.int64]  # indices into the records
    weights: npt.NDArray[np.float64]
    truth: int


def labelled_sections(
    records: Sequence[Record], labels: npt.NDArray[np.int64], min_passages: int = 2
) -> list[LabelledSection]:
    """Every (section, dimension) with at least ``min_passages`` labelled passages."""
    by_section: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        if record.section:
            by_section.setdefault(record.section, []).append(index)
    weights = text_weights([r.text for r in records])
    out: list[LabelledSection] = []
    for section, members in sorted(by_section.items()):
        for d in range(len(DIMENSIONS)):
            chosen = np.array([i for i in members if labels[i, d] >= 0], dtype=np.int64)
            if len(chosen) < min_passages:
                continue
            w = weights[chosen]
            mean = float(labels[chosen, d] @ w / w.sum())
            source = records[int(chosen[0])].source
            out.append(LabelledSection(section, source, d, chosen, w, int(band(mean))))
    return out


def section_distributions(
    probs: npt.NDArray[np.float64],
    sections: Sequence[LabelledSection],
    spreads: Sequence[float],
) -> npt.NDArray[np.float64]:
    """The service's level distribution ``[sections, LEVELS]`` for each labelled section."""
    return np.array(
        [
            level_distribution(probs[s.members, s.dimension], s.weights, spreads[s.dimension])
            for s in sections
        ]
    ).reshape(len(sections), LEVELS)


def fit_section_spread(
    probs: npt.NDArray[np.float64], sections: Sequence[LabelledSection]
) -> dict[str, float]:
    """Per dimension, the spread (on ``SPREAD_GRID``) maximising the source-balanced
    likelihood of the true section levels of dev sections; 0.25 where there are too few."""
    out: dict[str, float] = {}
    for d, dimension in enumerate(DIMENSIONS):
        chosen = [s for s in sections if s.dimension == d]
        if len(chosen) < 10:
            out[dimension] = 0.25
            continue
        balance = _balance([s.source for s in chosen])
        truth = np.array([s.truth for s in chosen])

        def nll(
            spread: float,
            chosen: list[LabelledSection] = chosen,
            d: int = d,
            truth: npt.NDArray[np.int64] = truth,
            balance: npt.NDArray[np.float64] = balance,
        ) -> float:
            dist = np.array(
                [level_distribution(probs[s.members, d], s.weights, spread) for s in chosen]
            )
            picked = np.clip(dist[np.arange(len(chosen)), truth], 1e-6, 1.0)
            return float(-(np.log(picked) * balance).sum())

        out[dimension] = float(min(SPREAD_GRID, key=nll))
    return out
