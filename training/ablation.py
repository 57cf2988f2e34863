"""The auxiliary-data decisions, both made on the dev split.

    python -m training.ablation --aux RUN_DIR --no-aux RUN_DIR --out training/ablation_notes.json
    python -m training.ablation --onestopenglish RUN_DIR --out training/ablation_notes.json

- Causal News Corpus: a run with and without the CNC task, compared by dev QWK.
- OneStopEnglish: a readability regressor (ridge on the same word-piece n-grams as the
  lexical half, trained on the three reading levels) as an extra blend feature for every
  dimension, compared by cross-fitted dev QWK of the blend with and without it.

Writes (merges into ``--out``) the training notes that ``scrutiny export`` puts into the
manifest and model card.
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
    }


def onestopenglish_notes(run_dir: Path, repeats: int = 10) -> dict[str, Any]:
    """Does a OneStopEnglish readability score help the blend on dev? Notes and decision."""
    from sklearn.linear_model import Ridge

    from evaluation.metrics import quadratic_weighted_kappa
    from service.model.dimensions import DIMENSIONS
    from training.aux_data import load_onestopenglish
    from training.config import TrainingConfig
    from training.data import encode, load_tokenizer
    from training.lexical import blend_features, cross_fitted_blend_levels, ngram_matrix
    from training.model import load_model
    from training.pipeline import blend_inputs, load_parts, quiet_transformers
    from training.train import label_matrix, seed_everything

    quiet_transformers()
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    config = TrainingConfig.from_dict(run["config"])
    seed_everything(config.seed, config.threads)
    model = load_model(str(run_dir / "torch"))
    if not config.ngram_buckets:
        raise ValueError(f"{run_dir} has no lexical half to blend a readability score into")
    tokenizer = load_tokenizer(config.max_length)
    paragraphs = load_onestopenglish()
    vocab = model.config.vocab_size
    reading = Ridge(alpha=10.0).fit(
        ngram_matrix(encode(tokenizer, [p.text for p in paragraphs]), vocab, config.ngram_buckets),
        np.array([p.level for p in paragraphs], dtype=np.float64),
    )
    dev = load_parts()[1]["dev"]
    ids = encode(tokenizer, [r.text for r in dev])
    labels = label_matrix(dev)
    base = blend_features(*blend_inputs(model, ids))
    readability = reading.predict(ngram_matrix(ids, vocab, config.ngram_buckets))
    extended = np.concatenate(
        [base, np.repeat(readability[:, None, None], base.shape[1], axis=1)], axis=2
    )

    def dev_qwk(features: np.ndarray) -> dict[str, float]:
        per_seed = []
        for seed in range(repeats):
            levels = cross_fitted_blend_levels(features, labels, config.blend_c, seed)
            per_seed.append(
                [
                    quadratic_weighted_kappa(labels[v, d], levels[v, d])
                    for d in range(len(DIMENSIONS))
                    if (v := labels[:, d] >= 0).sum() >= 2
                ]
            )
        means = np.mean(per_seed, axis=0)
        out = {d: round(float(m), 4) for d, m in zip(DIMENSIONS, means, strict=False)}
        return out | {"mean": round(float(means.mean()), 4)}

    without, with_ose = dev_qwk(base), dev_qwk(extended)
    clarity = labels[:, 0] >= 0
    correlation = float(np.corrcoef(readability[clarity], labels[clarity, 0])[0, 1])
    gain = with_ose["mean"] - without["mean"]
    kept = gain >= 0.005
    return {
        "ose_ablation": {"blend with OneStopEnglish readability": with_ose, "without": without},
        "onestopenglish": (
            f"{'used' if kept else 'not used'}: a readability regressor trained on "
            f"{len(paragraphs)} OneStopEnglish paragraphs (three reading levels) correlates "
            f"{correlation:+.2f} with dev clarity labels, but as an extra blend feature it "
            f"moves mean cross-fitted dev QWK by {gain:+.4f} ({repeats} fold assignments), "
            f"{'so it is kept' if kept else 'below the 0.005 needed to keep it'}"
        ),
        "ose_kept": kept,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aux", help="run folder trained with the CNC task")
    parser.add_argument("--no-aux", help="run folder trained without it")
    parser.add_argument("--note", default="", help="how the CNC comparison runs were made")
    parser.add_argument("--onestopenglish", help="run folder whose blend is tested with OSE")
    parser.add_argument("--out", required=True, help="notes JSON to write or update")
    args = parser.parse_args(argv)
    if bool(args.aux) != bool(args.no_aux) or not (args.aux or args.onestopenglish):
        parser.error("give --aux and --no-aux together, and/or --onestopenglish")
    out = Path(args.out)
    notes: dict[str, Any] = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    if args.aux:
        notes.update(aux_notes(Path(args.aux), Path(args.no_aux), args.note))
        print(notes["aux_decision"])
    if args.onestopenglish:
        notes.update(onestopenglish_notes(Path(args.onestopenglish)))
        print(notes["onestopenglish"])
    out.write_text(json.dumps(notes, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
