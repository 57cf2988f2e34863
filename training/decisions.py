"""Model decisions, each taken on the dev composite (``training.selection``) and recorded
with its figures in ``training/decisions.json`` (read by ``scrutiny export`` and the report).

    python -m training.decisions runs --decision "auxiliary tasks" \
        --variant "CNC + OneStopEnglish + adult weak labels=training/runs/candidate" \
        --variant "none=training/runs/noaux"
    python -m training.decisions lexical --run training/runs/candidate
    python -m training.decisions calibration --run training/runs/candidate
    python -m training.decisions quantisation --run training/runs/candidate \
        --model models/scrutiny-minilm-v1

Dev figures only: test is never looked at here. A difference under ``NOISE`` in the
composite is called noise, and the simpler or cheaper variant is kept.
"""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.model.dimensions import DIMENSIONS
from training.config import DECISIONS_PATH

NOISE = 0.005


def _record(entry: dict[str, Any], path: Path = DECISIONS_PATH) -> None:
    """Merge one decision into the decisions file (replacing one of the same name)."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"decisions": []}
    data["decisions"] = [d for d in data["decisions"] if d["decision"] != entry["decision"]]
    data["decisions"].append(entry)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _load_run(run_dir: Path) -> tuple[Any, Any, dict[str, Any]]:
    from training.config import TrainingConfig
    from training.data import load_tokenizer
    from training.model import load_model
    from training.pipeline import quiet_transformers
    from training.train import seed_everything

    quiet_transformers()
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    config = TrainingConfig.from_dict(run["config"])
    seed_everything(config.seed, 2)
    return load_model(str(run_dir / "torch")), load_tokenizer(config.max_length), run


@functools.lru_cache(maxsize=1)
def _dev() -> list[Any]:
    """The dev split, loaded once per process (every decision reads the same one)."""
    from training.pipeline import load_parts

    return load_parts()[1]["dev"]


def run_figures(run_dir: Path) -> dict[str, Any]:
    """The composite and its figures for a run's final (blended, calibrated) model on dev.

    The blend and temperatures were fitted on dev, so these are in-sample for them; both
    variants of a comparison are, alike."""
    from training.selection import SelectionData, selection_figures
    from training.train import torch_scorer

    model, tokenizer, run = _load_run(run_dir)
    temperatures = np.array([run["temperatures"][d] for d in DIMENSIONS])
    figures = selection_figures(
        torch_scorer(model, tokenizer, temperatures), SelectionData.load(_dev())
    )
    return figures | {"train_seconds": run["train_seconds"], "best_epoch": run["best_epoch"]}


def epoch_figures(path: Path, epoch: int) -> dict[str, Any]:
    """The dev selection figures a run logged at ``epoch`` (from its ``run.json``, or from a
    model folder's ``manifest.json``, whose training notes keep the run's history): runs
    stopped early (``stop_after_epoch``) compare with a longer run at matched epochs."""
    data = json.loads(path.read_text(encoding="utf-8"))
    history = data.get("history") or (data.get("training") or {}).get("history") or []
    entry = next((h for h in history if h.get("epoch") == epoch), None)
    if entry is None:
        raise ValueError(f"{path} logged no epoch {epoch}")
    return {k: v for k, v in entry["selection"].items() if not isinstance(v, dict)}


def compare_runs(
    decision: str,
    variants: dict[str, Path],
    cost_order: list[str],
    note: str = "",
    epoch: int = 0,
) -> dict[str, Any]:
    """Pick the variant with the best dev composite; within ``NOISE`` of it, the cheapest
    (first in ``cost_order``) wins. ``note`` adds what the figures alone do not say. With
    ``epoch`` the figures are those each run logged at that epoch (``epoch_figures``)."""
    figures = {
        name: epoch_figures(path, epoch) if epoch else run_figures(path)
        for name, path in variants.items()
    }
    best = max(figures, key=lambda n: figures[n]["composite"])
    close = [n for n in cost_order if figures[best]["composite"] - figures[n]["composite"] < NOISE]
    chosen = close[0] if close else best
    gap = figures[best]["composite"] - min(f["composite"] for f in figures.values())
    why = (
        f"dev composite {figures[chosen]['composite']:.3f} for {chosen!r}; the spread across "
        f"variants is {gap:.3f}"
        + ("" if chosen == best else f" (within {NOISE} of the best, so the cheaper one is kept)")
        + (f". {note}" if note else "")
    )
    return {"decision": decision, "chosen": chosen, "why": why, "figures": figures}


def lexical_decision(run_dir: Path) -> dict[str, Any]:
    """Encoder alone, n-gram classifiers alone, or their blend: cross-fitted dev QWK by source."""
    from evaluation.metrics import quadratic_weighted_kappa
    from service.model.dimensions import cumulative_logits_to_probs, shown_level
    from training.data import encode
    from training.lexical import blend_features, cross_fitted_blend_levels
    from training.pipeline import blend_inputs
    from training.selection import COMPOSITE_WEIGHTS
    from training.train import label_matrix

    model, tokenizer, run = _load_run(run_dir)
    dev = _dev()
    labels = label_matrix(dev)
    scores, ngram = blend_inputs(model, encode(tokenizer, [r.text for r in dev]))
    encoder = shown_level(
        cumulative_logits_to_probs(scores[:, :, None] + model.ordinal_bias.detach().numpy()[None])
    )
    from training.calibrate import source_balance

    blend_c = run["config"]["blend_c"]
    features = blend_features(scores, ngram)
    crossed = cross_fitted_blend_levels(features, labels, blend_c, 13)
    balanced = cross_fitted_blend_levels(
        features, labels, blend_c, 13, sample_weight=source_balance(dev)
    )
    real = np.array([r.source == "pfd" for r in dev])

    def qwk(levels: npt.NDArray[np.int64], keep: npt.NDArray[np.bool_]) -> float:
        values = [
            quadratic_weighted_kappa(labels[v, d], levels[v, d])
            for d in range(len(DIMENSIONS))
            if (v := keep & (labels[:, d] >= 0)).sum() >= 2
        ]
        return float(np.mean(values))

    weights = (COMPOSITE_WEIGHTS["real_dev_qwk"], COMPOSITE_WEIGHTS["written_dev_qwk"])
    figures: dict[str, dict[str, float]] = {}
    for name, levels in (
        ("encoder alone", encoder),
        ("n-gram classifiers alone", ngram.argmax(-1)),
        ("blend fitted on dev as it is (cross-fitted)", crossed),
        ("blend fitted with real and written dev balanced (cross-fitted)", balanced),
    ):
        r, w = qwk(levels, real), qwk(levels, ~real)
        figures[name] = {
            "real_dev_qwk": round(r, 4),
            "written_dev_qwk": round(w, 4),
            "weighted": round((weights[0] * r + weights[1] * w) / sum(weights), 4),
        }
    chosen = max(figures, key=lambda n: figures[n]["weighted"])
    return {
        "decision": "architecture: encoder, n-grams or their blend (and how the blend is fitted)",
        "chosen": chosen,
        "why": "highest real/written dev QWK weighted as in the composite (0.4 : 0.3), 5-fold "
        "cross-fitted where the blend is fitted on dev",
        "figures": figures,
    }


def calibration_decision(run_dir: Path) -> list[dict[str, Any]]:
    """Temperatures fitted plainly or with real and written dev balanced; section spread
    fitted, zero (independent passages) or the default."""
    from evaluation.metrics import expected_calibration_error
    from service.aggregate.confidence import DEFAULT_SPREAD
    from service.model.dimensions import cumulative_logits_to_probs
    from training.calibrate import (
        fit_section_spread,
        fit_temperatures,
        labelled_sections,
        section_distributions,
        source_balance,
    )
    from training.data import encode
    from training.train import label_matrix, predict_logits

    model, tokenizer, _run = _load_run(run_dir)
    dev = _dev()
    labels = label_matrix(dev)
    logits, _ = predict_logits(model, encode(tokenizer, [r.text for r in dev]))
    real = np.array([r.source == "pfd" for r in dev])

    def passage_ece(temps: dict[str, float]) -> dict[str, float]:
        probs = cumulative_logits_to_probs(logits, np.array([temps[d] for d in DIMENSIONS]))
        out = {}
        for name, keep in (("real", real), ("written", ~real)):
            values = [
                expected_calibration_error(labels[v, d], probs[v, d])
                for d in range(len(DIMENSIONS))
                if (v := keep & (labels[:, d] >= 0)).sum() >= 10
            ]
            out[f"{name}_dev_ece"] = round(float(np.mean(values)), 4)
        return out

    plain = fit_temperatures(logits, labels)
    balanced = fit_temperatures(logits, labels, source_balance(dev))
    temp_figures = {
        "plain": passage_ece(plain),
        "real and written balanced": passage_ece(balanced),
    }
    temp_choice = min(temp_figures, key=lambda n: temp_figures[n]["real_dev_ece"])

    probs = cumulative_logits_to_probs(logits, np.array([balanced[d] for d in DIMENSIONS]))
    sections = labelled_sections(dev, labels)
    fitted = fit_section_spread(probs, sections)
    spread_figures = {}
    for name, spreads in (
        ("independent passages (0)", [0.0] * len(DIMENSIONS)),
        (f"default ({DEFAULT_SPREAD})", [DEFAULT_SPREAD] * len(DIMENSIONS)),
        ("fitted per dimension", [fitted[d] for d in DIMENSIONS]),
    ):
        dist = section_distributions(probs, sections, spreads)
        truth = np.array([s.truth for s in sections])
        dims = np.array([s.dimension for s in sections])
        spread_figures[name] = {
            "dev_section_ece_mean": round(
                float(
                    np.mean(
                        [
                            expected_calibration_error(truth[dims == d], dist[dims == d])
                            for d in range(len(DIMENSIONS))
                            if (dims == d).any()
                        ]
                    )
                ),
                4,
            ),
            "sections": len(sections),
        }
    spread_choice = min(spread_figures, key=lambda n: spread_figures[n]["dev_section_ece_mean"])
    return [
        {
            "decision": "calibration: passage temperatures",
            "chosen": temp_choice,
            "why": "lower mean real dev passage ECE",
            "figures": temp_figures,
        },
        {
            "decision": "calibration: section spread",
            "chosen": spread_choice,
            "why": f"lowest mean dev section ECE; fitted spreads {fitted}",
            "figures": spread_figures,
        },
    ]


def quantisation_decision(run_dir: Path, model_dir: Path) -> dict[str, Any]:
    """The exported int8 graph through the serving runtime against the float32 PyTorch
    model, on the dev composite."""
    from evaluation.evaluate import load_runtime
    from training.selection import SelectionData, runtime_scorer, selection_figures

    fp32 = run_figures(run_dir)
    int8 = selection_figures(runtime_scorer(load_runtime(model_dir)), SelectionData.load(_dev()))
    loss = fp32["composite"] - int8["composite"]
    return {
        "decision": "quantisation: int8 graph or float32",
        "chosen": "int8" if loss < NOISE else "float32",
        "why": f"int8 changes the dev composite by {-loss:+.4f} (noise below {NOISE}); int8 is "
        "about 3.5 times as fast and a quarter of the size",
        "figures": {"float32 (PyTorch)": fp32, "int8 (serving runtime)": int8},
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    runs = sub.add_parser("runs", help="compare trained runs (data mix, auxiliary tasks)")
    runs.add_argument("--decision", required=True)
    runs.add_argument("--note", default="", help="what the figures alone do not say")
    runs.add_argument(
        "--variant",
        action="append",
        required=True,
        help="NAME=RUN_DIR, cheapest first (with --epoch: NAME=run.json or a manifest.json)",
    )
    runs.add_argument(
        "--epoch", type=int, default=0, help="compare the figures logged at this epoch"
    )
    for name in ("lexical", "calibration", "quantisation"):
        p = sub.add_parser(name)
        p.add_argument("--run", required=True)
        if name == "quantisation":
            p.add_argument("--model", required=True)
    args = parser.parse_args(argv)
    entries: list[dict[str, Any]]
    if args.command == "runs":
        variants = dict(v.split("=", 1) for v in args.variant)
        entries = [
            compare_runs(
                args.decision,
                {k: Path(v) for k, v in variants.items()},
                list(variants),
                args.note,
                args.epoch,
            )
        ]
    elif args.command == "lexical":
        entries = [lexical_decision(Path(args.run))]
    elif args.command == "calibration":
        entries = calibration_decision(Path(args.run))
    else:
        entries = [quantisation_decision(Path(args.run), Path(args.model))]
    for entry in entries:
        _record(entry)
        print(f"{entry['decision']}: {entry['chosen']} ({entry['why']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
