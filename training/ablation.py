"""The auxiliary-data decision: compare a run with and without the CNC task on dev.

    python -m training.ablation --aux RUN_DIR --no-aux RUN_DIR --out notes.json

Writes the training notes that ``scrutiny export --notes`` puts into the manifest and model
card: both runs' dev QWK per dimension and which one is kept (higher mean dev QWK).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np


def _dev(run_dir: Path) -> dict[str, float]:
    """Dev QWK of a run's checkpoint, scored on today's dev split (the same for both runs)."""
    from training.config import TrainingConfig
    from training.data import encode, load_tokenizer
    from training.model import load_model
    from training.pipeline import load_parts, quiet_transformers
    from training.train import label_matrix, mean_qwk, predict_logits, seed_everything

    quiet_transformers()
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    config = TrainingConfig.from_dict(run["config"])
    seed_everything(config.seed, 2)
    dev = load_parts()[1]["dev"]
    ids = encode(load_tokenizer(config.max_length), [r.text for r in dev])
    logits, _ = predict_logits(load_model(str(run_dir / "torch")), ids)
    scores = mean_qwk(logits, label_matrix(dev))
    return {k: round(v, 4) for k, v in scores.items()} | {"dev_passages": len(dev)}


def cnc_heldout(run_dir: Path) -> dict[str, float]:
    """The auxiliary head of ``run_dir`` on the held-out CNC documents (PyTorch)."""
    from sklearn.metrics import f1_score, roc_auc_score

    from training.aux_data import load_cnc, split_cnc
    from training.config import TrainingConfig
    from training.data import encode, load_tokenizer
    from training.model import load_model
    from training.train import predict_logits

    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    config = TrainingConfig.from_dict(run["config"])
    _train, held = split_cnc(load_cnc(), config.aux_holdout)
    ids = encode(load_tokenizer(config.max_length), [s.text for s in held])
    _, logits = predict_logits(load_model(str(run_dir / "torch")), ids)
    truth = np.array([s.label for s in held])
    pred = (logits >= 0).astype(np.int64)
    return {
        "sentences": len(held),
        "accuracy": round(float((pred == truth).mean()), 4),
        "f1": round(float(f1_score(truth, pred)), 4),
        "auc": round(float(roc_auc_score(truth, logits)), 4),
    }


def aux_notes(aux_run: Path, plain_run: Path, epochs_note: str = "") -> dict[str, Any]:
    """Notes comparing the two runs on dev, with the decision the data supports."""
    with_aux, without = _dev(aux_run), _dev(plain_run)
    keep = with_aux["mean"] > without["mean"]
    delta = with_aux["mean"] - without["mean"]
    decision = (
        f"CNC auxiliary task {'kept' if keep else 'dropped'}: mean dev QWK "
        f"{with_aux['mean']:.3f} with it vs {without['mean']:.3f} without ({delta:+.3f})"
        + (f"; {epochs_note}" if epochs_note else "")
    )
    if abs(delta) < 0.01:
        decision += (
            "; the difference is within run-to-run noise, so the cheaper run (no auxiliary "
            "batches, about a third less training time) is the one kept"
            if not keep
            else "; the difference is within run-to-run noise"
        )
    return {
        "aux_ablation": {"with CNC auxiliary task": with_aux, "without": without},
        "aux_head_cnc_heldout": cnc_heldout(aux_run),
        "aux_decision": decision,
        "aux_kept": keep,
        "onestopenglish": "not used: the comparison run was not made in this version, and its "
        "news register is far from review prose; the clarity head learns from rubric-labelled passages only",
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aux", required=True, help="run folder trained with the CNC task")
    parser.add_argument("--no-aux", required=True, help="run folder trained without it")
    parser.add_argument("--note", default="", help="how the comparison runs were made")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    notes = aux_notes(Path(args.aux), Path(args.no_aux), args.note)
    Path(args.out).write_text(json.dumps(notes, indent=2) + "\n", encoding="utf-8")
    print(notes["aux_decision"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
