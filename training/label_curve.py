"""Would more real labels help the shipped model? A learning curve on real train reports.

    python -m training.label_curve [--model models/scrutiny-minilm-v1] [--repeats 3] [--record]

The real-text targets of issue 11 are missed, and the obvious next step, labelling more
coroners' passages, costs hours of careful reading. This asks first whether it would pay:

1. embeds the train and dev splits through the serving runtime (the shipped graph's
   pooled embedding, exactly as the service computes it);
2. refits the embedding head (``training.embedding_head.head_dev_figures``: per dimension a
   multinomial logistic regression, real and written passages weighing the same, the
   shipped C) on every written train passage plus a growing share of the real train
   *reports* (25, 50, 75, 100%; ``--repeats`` random orders, averaged), and reads real and
   written dev QWK of the head alone;
3. judges the curve on the dimensions whose real dev labels can show a trend: at least
   ``MIN_OFF_MAJORITY`` passages away from the most common level (real recommendation
   passages are few and nearly all at level 1, so their QWK swings by 0.1 between
   neighbouring points and would decide the curve by noise).

A curve that still climbs at 100% says more labels would help; a flat one says the
embedding, not the number of labels, limits the head. What it cannot say: the shipped
encoder was fine-tuned on every real train passage, so each point's head reads an
embedding that has already learnt from all of them; the curve measures the head, not what
more labels would do through another fine-tuning run. ``--record`` writes the figures to ``training/decisions.json``.
Nothing here is shipped.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.model.dimensions import DIMENSIONS

log = logging.getLogger("scrutiny.label_curve")
DECISION = "real labels: label more coroners' passages for the head, or not"
FRACTIONS = (0.25, 0.5, 0.75, 1.0)
# A dimension's real dev QWK counts towards the curve only with this many real dev passages
# away from its most common level.
MIN_OFF_MAJORITY = 30
# More labels are worth their cost when each doubling of the real train passages has
# bought at least this much real dev QWK (the mean over the judgeable dimensions).
WORTH_LABELLING = 0.02


def report_order(report_ids: list[str], seed: int) -> list[str]:
    """The distinct report ids in a seeded random order (the curve adds whole reports)."""
    unique = sorted(set(report_ids))
    rng = np.random.default_rng(seed)
    return [unique[i] for i in rng.permutation(len(unique))]


def subset_weights(
    real: npt.NDArray[np.bool_], keep: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Weights under which the kept real and the written passages weigh the same in total
    (``training.calibrate.source_balance`` on the kept passages); 0 for the rest."""
    from training.calibrate import _balance

    weights = np.zeros(len(real), dtype=np.float64)
    weights[keep] = _balance(["pfd" if r else "written" for r in real[keep]])
    return weights


def curve(
    train_x: npt.NDArray[np.floating],
    train_y: npt.NDArray[np.int64],
    train_real: npt.NDArray[np.bool_],
    train_reports: list[str],
    dev_x: npt.NDArray[np.floating],
    dev_y: npt.NDArray[np.int64],
    dev_real: npt.NDArray[np.bool_],
    *,
    c: float,
    repeats: int,
    seed: int,
) -> dict[str, dict[str, float]]:
    """Per share of the real train reports: the mean over ``repeats`` orders of the real
    train passages used and of real and written dev QWK per dimension."""
    from training.embedding_head import head_dev_figures

    real_reports = [rid for rid, real in zip(train_reports, train_real, strict=True) if real]
    reports = np.array(train_reports)
    out: dict[str, dict[str, float]] = {}
    for fraction in FRACTIONS:
        runs: list[dict[str, dict[str, float]]] = []
        used: list[int] = []  # orders differ in how many passages their reports hold
        for repeat in range(repeats):
            order = report_order(real_reports, seed + repeat)
            chosen = order[: max(1, round(fraction * len(order)))]
            keep = ~train_real | (train_real & np.isin(reports, chosen))
            used.append(int((keep & train_real).sum()))
            runs.append(
                head_dev_figures(
                    train_x, train_y, subset_weights(train_real, keep), dev_x, dev_y, dev_real,
                    c, seed,
                )
            )  # fmt: skip
            if fraction == 1.0:
                break  # every order gives the same set
        figures: dict[str, float] = {"real_train_passages": round(float(np.mean(used)), 1)}
        for source in ("real", "written"):
            for dimension in DIMENSIONS:
                values = [run[dimension][source] for run in runs]
                figures[f"{source}_{dimension}"] = round(float(np.mean(values)), 4)
        out[f"{fraction:.0%} of real train reports"] = figures
    return out


def judgeable(dev_y: npt.NDArray[np.int64], dev_real: npt.NDArray[np.bool_]) -> list[str]:
    """The dimensions with at least ``MIN_OFF_MAJORITY`` real dev passages away from their
    most common level."""
    out = []
    for d, dimension in enumerate(DIMENSIONS):
        labels = dev_y[dev_real & (dev_y[:, d] >= 0), d]
        if len(labels) and len(labels) - np.bincount(labels).max() >= MIN_OFF_MAJORITY:
            out.append(dimension)
    return out


def gain_per_doubling(passages: list[float], qwk: list[float]) -> float:
    """Least-squares slope of QWK against log2(real train passages): the gain each doubling
    of the real labels has bought so far."""
    return float(np.polyfit(np.log2(passages), qwk, 1)[0])


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m training.label_curve", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model", type=Path, default=Path("models/scrutiny-minilm-v1"))
    parser.add_argument("--repeats", type=int, default=3, help="random report orders")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--c", type=float, help="head strength (default: the shipped head's)")
    parser.add_argument("--record", action="store_true", help="record in decisions.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from evaluation.evaluate import load_runtime
    from training.pipeline import load_parts
    from training.train import label_matrix

    _, parts = load_parts()
    train, dev = parts["train"], parts["dev"]
    runtime = load_runtime(args.model)
    # The shipped head's strength, recorded as "C=0.1" (``embedding_head.best_over_c``).
    shipped = (runtime.manifest.raw.get("embedding_head") or {}).get("c")
    c = args.c if args.c is not None else float(str(shipped or "C=0.1").removeprefix("C="))
    embed = lambda texts: runtime.outputs(texts, embeddings=True, probabilities=False).embeddings  # noqa: E731
    train_x, dev_x = embed([r.text for r in train]), embed([r.text for r in dev])
    train_y, dev_y = label_matrix(train), label_matrix(dev)
    train_real = np.array([r.source == "pfd" for r in train])
    dev_real = np.array([r.source == "pfd" for r in dev])
    figures: dict[str, Any] = curve(
        train_x, train_y, train_real, [r.report_id for r in train], dev_x, dev_y, dev_real,
        c=c, repeats=args.repeats, seed=args.seed,
    )  # fmt: skip
    dimensions = judgeable(dev_y, dev_real)
    passages = [float(row["real_train_passages"]) for row in figures.values()]
    means = []
    for row in figures.values():
        row["real_mean_judgeable"] = round(
            float(np.mean([row[f"real_{d}"] for d in dimensions])), 4
        )
        means.append(row["real_mean_judgeable"])
    slope = gain_per_doubling(passages, means)
    per_dimension = {
        d: gain_per_doubling(passages, [r[f"real_{d}"] for r in figures.values()])
        for d in dimensions
    }
    entry = {
        "decision": DECISION,
        "chosen": "more labels for the head"
        if slope >= WORTH_LABELLING
        else "no: the embedding, not the number of real labels, limits the head",
        "why": f"real dev QWK of the head alone, mean over {', '.join(dimensions)} (the "
        f"dimensions with {MIN_OFF_MAJORITY} or more real dev passages off their most common "
        f"level): {' -> '.join(f'{m:.3f}' for m in means)} with "
        f"{'/'.join(str(int(n)) for n in passages)} real train passages (whole reports, "
        f"{args.repeats} orders averaged); {slope:+.3f} per doubling of the labels ("
        + ", ".join(f"{d} {v:+.3f}" for d, v in per_dimension.items())
        + f"); labelling more pays at +{WORTH_LABELLING} per doubling or more. The encoder "
        "was fine-tuned on all of them, so this measures the head only, not what more labels "
        "would do through another fine-tuning run",
        "figures": figures,
    }
    if args.record:
        from training.decisions import _record

        _record(entry)
    print(f"{entry['decision']}: {entry['chosen']} ({entry['why']})")
    for name, row in figures.items():
        print(f"  {name}: {row}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
