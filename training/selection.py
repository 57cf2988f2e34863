"""The composite every model decision is taken on, and the figures behind it.

Real text first: real (PFD) dev QWK weighs more than written dev QWK, and the real
auxiliary checks count too (``COMPOSITE_WEIGHTS``). Epoch choice, data mix, auxiliary tasks,
blend and calibration choices are all compared on this one number, on dev parts only; the
test parts are kept for ``scrutiny evaluate``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from service.model.dimensions import DIMENSIONS, LEVELS, shown_level
from training.corpus import Record

# Each figure is in [0, 1] (QWK can dip below 0; it is used as is).
COMPOSITE_WEIGHTS: dict[str, float] = {
    "real_dev_qwk": 0.4,  # mean QWK over dimensions, real PFD dev passages
    "written_dev_qwk": 0.3,  # mean QWK over dimensions, project-written dev passages
    "cnc_dev_auc": 0.15,  # ROC AUC, causal vs non-causal CNC sentences (dev documents)
    "ose_dev_pairs": 0.15,  # share of OneStopEnglish dev pairs: simpler scores clearer
}


def composite(figures: dict[str, float]) -> float:
    """The weighted sum of the figures present (weights renormalised over those present)."""
    # A figure counts when it is there and not NaN (NaN != NaN).
    present = {
        k: w for k, w in COMPOSITE_WEIGHTS.items() if k in figures and figures[k] == figures[k]
    }
    total = sum(present.values())
    if not total:
        return float("nan")
    return sum(w * float(figures[k]) for k, w in present.items()) / total


def mean_qwk(probs: npt.NDArray[np.float64], labels: npt.NDArray[np.int64]) -> dict[str, float]:
    """QWK per dimension of the shown level, and their mean under "mean"."""
    from evaluation.metrics import quadratic_weighted_kappa

    out: dict[str, float] = {}
    for d, dimension in enumerate(DIMENSIONS):
        valid = labels[:, d] >= 0
        if valid.sum() >= 2:
            out[dimension] = quadratic_weighted_kappa(
                labels[valid, d], shown_level(probs[valid, d])
            )
    out["mean"] = float(np.mean(list(out.values()))) if out else float("nan")
    return out


@dataclass(frozen=True)
class SelectionData:
    """The dev material a model is judged on: dev passages and the auxiliary dev parts."""

    dev: list[Record]
    cnc_texts: list[str]
    cnc_labels: list[int]
    ose_simpler: list[str]
    ose_harder: list[str]

    @classmethod
    def load(cls, dev: list[Record], with_aux: bool = True, limit: int = 0) -> SelectionData:
        """Dev records plus the CNC and OneStopEnglish dev parts (empty without the data);
        ``limit`` > 0 keeps only that many of each auxiliary part (the tiny test run)."""
        if not with_aux:
            return cls(dev, [], [], [], [])
        from training.aux_data import (
            cnc_parts,
            load_cnc,
            load_onestopenglish,
            ose_pairs,
            ose_parts,
        )

        try:
            cnc = cnc_parts(load_cnc())["dev"]
            paragraphs = load_onestopenglish()
        except FileNotFoundError:
            return cls(dev, [], [], [], [])
        pairs = ose_pairs(paragraphs, ose_parts(paragraphs)["dev"])
        if limit:
            cnc, pairs = cnc[:limit], pairs[:limit]
        return cls(
            dev,
            [s.text for s in cnc],
            [s.label for s in cnc],
            [p.simpler for p in pairs],
            [p.harder for p in pairs],
        )


# (texts) -> (level probabilities [n, 4, 4], "explains why" scores [n], NaN where the model
# has no trained head): the PyTorch model in training, the serving runtime for an export.
Scorer = Callable[[list[str]], tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]


def runtime_scorer(model: Any) -> Scorer:
    """A scorer over the serving runtime (``QualityModel``), as the service runs it."""

    def score(texts: list[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        probs, why = model.predict_all(texts)
        return probs, np.full(len(texts), np.nan) if why is None else why

    return score


def selection_figures(score: Scorer, data: SelectionData) -> dict[str, Any]:
    """Every figure of the composite, the composite itself, and QWK per dimension by source."""
    from sklearn.metrics import roc_auc_score

    from training.train import label_matrix

    figures: dict[str, Any] = {}
    for source, key in (("pfd", "real_dev_qwk"), ("written", "written_dev_qwk")):
        records = [r for r in data.dev if r.source == source]
        if not records:
            continue
        probs, _ = score([r.text for r in records])
        qwk = mean_qwk(probs, label_matrix(records))
        figures[key] = qwk["mean"]
        figures[f"{key}_by_dimension"] = {k: round(v, 4) for k, v in qwk.items() if k != "mean"}
    if data.cnc_texts:
        probs, why = score(data.cnc_texts)
        truth = np.array(data.cnc_labels)
        root = probs[:, DIMENSIONS.index("root_cause")]
        figures["cnc_dev_auc_root_cause_score"] = float(
            roc_auc_score(truth, root @ np.arange(LEVELS))
        )
        # The shipped "explains why" signal: the CNC head where the graph has a trained one
        # (the scorer gives NaN otherwise), else the root-cause score.
        if np.isfinite(why).all():
            figures["cnc_dev_auc_head"] = float(roc_auc_score(truth, why))
            figures["cnc_dev_auc"] = figures["cnc_dev_auc_head"]
        else:
            figures["cnc_dev_auc"] = figures["cnc_dev_auc_root_cause_score"]
    if data.ose_simpler:
        clarity = DIMENSIONS.index("clarity")
        simple, _ = score(data.ose_simpler)
        hard, _ = score(data.ose_harder)
        levels = np.arange(LEVELS)
        s = simple[:, clarity] @ levels
        h = hard[:, clarity] @ levels
        figures["ose_dev_pairs"] = float((s > h).mean())
    figures["composite"] = composite(figures)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}
