"""The steps behind ``scrutiny train`` and ``scrutiny export``, callable from tests too."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from service.model.dimensions import DIMENSIONS, cumulative_logits_to_probs
from training.config import SPLITS_PATH, TrainingConfig
from training.corpus import Record, corpus_sha256, load_corpus, load_written
from training.splits import read_splits, split_records, summary

log = logging.getLogger("scrutiny.pipeline")


def quiet_transformers() -> None:
    """Keep transformers' progress bars and load reports out of logs."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


def load_parts(
    splits_path: Path = SPLITS_PATH, *, real: bool = True
) -> tuple[list[Record], dict[str, list[Record]]]:
    """The whole corpus and its records grouped by committed split; ``real=False`` leaves
    out the real PFD passages (no public data needed)."""
    records = load_corpus() if real else load_written()
    return records, split_records(records, read_splits(splits_path))


def train_and_calibrate(
    config: TrainingConfig,
    parts: dict[str, list[Record]],
    run_dir: Path,
    corpus_hash: str,
) -> dict[str, Any]:
    """Train on train, pick the epoch and fit temperatures on dev, save to ``run_dir``."""
    from training.train import train

    quiet_transformers()
    result = train(config, parts["train"], parts["dev"])
    return finish_run(result, config, parts, run_dir, corpus_hash)


def refit_run(
    source: Path, run_dir: Path, overrides: dict[str, Any], parts: dict[str, list[Record]],
    corpus_hash: str,
) -> dict[str, Any]:  # fmt: skip
    """Refit the lexical half, blend and calibration of an existing run's encoder under
    changed settings (``blend_balance``, ``ngram_c``, ``blend_c``, ...), into ``run_dir``."""
    from training.model import load_model
    from training.train import TrainResult, seed_everything

    quiet_transformers()
    run = json.loads((source / "run.json").read_text(encoding="utf-8"))
    config = TrainingConfig.from_dict({**run["config"], **overrides})
    seed_everything(config.seed, config.threads)
    model = load_model(str(source / "torch"))
    model.config.blend_fitted = False
    result = TrainResult(
        model=model,
        history=run["history"],
        best_epoch=run["best_epoch"],
        seconds=run["train_seconds"],
        aux_examples=run.get("aux_examples", 0),
    )
    return finish_run(result, config, parts, run_dir, corpus_hash, refit_of=str(source))


def finish_run(
    result: Any,
    config: TrainingConfig,
    parts: dict[str, list[Record]],
    run_dir: Path,
    corpus_hash: str,
    refit_of: str = "",
) -> dict[str, Any]:
    """After fine-tuning: the lexical half and blend, temperatures and section spread (all on
    dev), then save the run to ``run_dir``."""
    from training.calibrate import (
        fit_section_spread,
        fit_temperatures,
        labelled_sections,
        source_balance,
    )
    from training.data import encode, load_tokenizer
    from training.selection import mean_qwk
    from training.train import label_matrix, predict_logits, save_checkpoint

    dev = parts["dev"]
    lexical = fit_lexical_half(result.model, config, parts) if config.ngram_buckets else {}
    temperatures = {d: 1.0 for d in DIMENSIONS}
    spreads: dict[str, float] = {}
    dev_scores: dict[str, float] = {}
    if dev:
        ids = encode(load_tokenizer(config.max_length), [r.text for r in dev])
        logits, _ = predict_logits(result.model, ids)
        labels = label_matrix(dev)
        temperatures = fit_temperatures(
            logits, labels, source_balance(dev) if config.calibration_balance else None
        )
        probs = cumulative_logits_to_probs(logits, np.array([temperatures[d] for d in DIMENSIONS]))
        spreads = fit_section_spread(probs, labelled_sections(dev, labels))
        # In-sample for the blend, which is fitted on dev: lexical["dev_qwk_blend_cross_fitted"]
        # is the honest estimate.
        dev_scores = {k: round(v, 4) for k, v in mean_qwk(probs, labels).items()}
    extra = {
        "temperatures": temperatures,
        "section_spread": spreads,
        "dev_qwk": dev_scores,
        "lexical": lexical,
        "corpus_sha256": corpus_hash,
        "splits": summary(parts),
        **({"refit_of": refit_of} if refit_of else {}),
    }
    save_checkpoint(result, config, run_dir, extra)
    log.info(
        "trained in %.0f s, best epoch %d, dev QWK %s",
        result.seconds,
        result.best_epoch,
        dev_scores,
    )
    return extra


def blend_inputs(model: Any, ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """The encoder's ordinal scores ``[n, 4]`` and the n-gram level logits ``[n, 4, 4]``."""
    from training.train import predict_batched

    model.eval()
    scores, ngram = predict_batched(
        lambda i, m: (model.scores(i, m)[0], model.ngram_logits(i, m)), ids
    )
    return scores, ngram


def fit_lexical_half(
    model: Any, config: TrainingConfig, parts: dict[str, list[Record]]
) -> dict[str, Any]:
    """Fit the n-gram classifiers on train and the blend on dev, write both into ``model``
    and switch its output to the blend. Returns dev QWK of the encoder alone, of the n-gram
    classifiers alone and of the blend (cross-fitted on dev, so not in-sample)."""
    import torch

    from evaluation.metrics import quadratic_weighted_kappa
    from training.calibrate import source_balance
    from training.data import encode, load_tokenizer
    from training.lexical import (
        blend_features,
        cross_fitted_blend_levels,
        fit_blend,
        fit_ngram_model,
    )
    from training.train import label_matrix

    tokenizer = load_tokenizer(config.max_length)
    train_records = parts["train"]
    train_ids = encode(tokenizer, [r.text for r in train_records])
    table, biases = fit_ngram_model(
        train_ids,
        label_matrix(train_records),
        model.config.vocab_size,
        config.ngram_buckets,
        config.ngram_c,
        config.seed,
        idf=config.ngram_idf,
    )
    with torch.no_grad():
        model.ngram.weight.copy_(torch.from_numpy(table))
        model.ngram_bias.copy_(torch.from_numpy(biases))
    dev = parts["dev"]
    if not dev:
        raise ValueError("the blend is fitted on the dev split, which is empty")
    model.eval()
    dev_ids = encode(tokenizer, [r.text for r in dev])
    labels = label_matrix(dev)
    scores, ngram = blend_inputs(model, dev_ids)
    features = blend_features(scores, ngram)
    balance = source_balance(dev) if config.blend_balance else None
    weights, blend_biases = fit_blend(features, labels, config.blend_c, config.seed, balance)
    with torch.no_grad():
        model.blend_weight.copy_(torch.from_numpy(weights))
        model.blend_bias.copy_(torch.from_numpy(blend_biases))
    model.config.blend_fitted = True

    encoder_logits = scores[:, :, None] + model.ordinal_bias.detach().numpy()[None]
    encoder_levels = cumulative_logits_to_probs(encoder_logits).argmax(-1)
    crossed = cross_fitted_blend_levels(
        features, labels, config.blend_c, config.seed, sample_weight=balance
    )
    notes: dict[str, Any] = {
        "buckets": config.ngram_buckets,
        "ngram_c": config.ngram_c,
        "idf": config.ngram_idf,
    }
    for name, levels in (
        ("dev_qwk_encoder", encoder_levels),
        ("dev_qwk_ngram", ngram.argmax(-1)),
        ("dev_qwk_blend_cross_fitted", crossed),
    ):
        per_dim = {
            dimension: round(quadratic_weighted_kappa(labels[valid, d], levels[valid, d]), 4)
            for d, dimension in enumerate(DIMENSIONS)
            if (valid := labels[:, d] >= 0).sum() >= 2
        }
        per_dim["mean"] = round(float(np.mean(list(per_dim.values()))), 4) if per_dim else 0.0
        notes[name] = per_dim
    log.info("lexical half fitted: %s", notes)
    return notes


def export_run(
    run_dir: Path,
    model_dir: Path,
    parity_records: list[Record],
    *,
    name: str = "scrutiny-minilm-v1",
    version: str = "1.0.0",
    training_notes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Export ``run_dir``'s checkpoint to ``model_dir`` (int8 ONNX + manifest) with parity."""
    from training.data import encode, load_tokenizer
    from training.export import export_model, level_agreement, onnx_logits, onnx_session
    from training.model import load_model
    from training.package import base_manifest, write_folder
    from training.train import label_matrix, predict_logits, seed_everything

    quiet_transformers()
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    config = TrainingConfig.from_dict(run["config"])
    seed_everything(config.seed, config.threads)
    model = load_model(str(run_dir / "torch"))
    with tempfile.TemporaryDirectory() as tmp:
        onnx_path = Path(tmp) / "model.onnx"
        export = export_model(model, onnx_path, config.max_length)
        temperatures = np.array([run["temperatures"][d] for d in DIMENSIONS])
        if parity_records:
            ids = encode(load_tokenizer(config.max_length), [r.text for r in parity_records])
            torch_logits, _ = predict_logits(model, ids)
            onnx_out, _ = onnx_logits(onnx_session(onnx_path), ids)
            labels = label_matrix(parity_records)
            export["parity"] = {
                "passages": len(parity_records),
                "level_agreement": round(
                    level_agreement(torch_logits, onnx_out, labels, temperatures), 4
                ),
                "max_abs_logit_diff": round(float(np.abs(torch_logits - onnx_out).max()), 4),
            }
        notes = {
            "best_epoch": run["best_epoch"],
            "train_seconds": run["train_seconds"],
            "history": run["history"],
            "dev_qwk": run["dev_qwk"],
            "aux_examples": run.get("aux_examples", 0),
            "lexical": run.get("lexical", {}),
            **(training_notes or {}),
        }
        manifest = base_manifest(
            name=name,
            version=version,
            max_length=config.max_length,
            temperatures=run["temperatures"],
            section_spread=run.get("section_spread", {}),
            corpus_sha256=run["corpus_sha256"],
            splits=run["splits"],
            hyperparameters=run["config"],
            export=export,
            training=notes,
        )
        write_folder(model_dir, onnx_path, manifest)
    return manifest


def build_tiny_model(model_dir: Path, work_dir: Path, records: list[Record] | None = None) -> Path:
    """A real but tiny model folder: a few steps on a handful of the project's written
    passages (no public data needed), exported."""
    config = TrainingConfig.tiny()
    records = load_written() if records is None else records
    rng = np.random.default_rng(config.seed)
    picked = [
        records[i]
        for i in sorted(rng.choice(len(records), size=min(24, len(records)), replace=False))
    ]
    parts = {"train": picked[:16], "dev": picked[16:20], "test": picked[20:]}
    train_and_calibrate(config, parts, work_dir, corpus_sha256(records))
    export_run(work_dir, model_dir, parts["test"], name="scrutiny-tiny", version="0.0.0-test")
    return model_dir
