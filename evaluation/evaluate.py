"""Test-split evaluation of an exported model against the three baselines; writes report.md.

The model is evaluated as the service runs it: the int8 ONNX graph, the manifest's
temperatures, the shared tokenisation. Regenerate with ``scrutiny evaluate``.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from evaluation.baselines import BASELINES
from evaluation.metrics import DimensionScores, score_dimension
from service.model.dimensions import DIMENSIONS, cumulative_logits_to_probs
from training.corpus import Record

log = logging.getLogger("scrutiny.evaluate")
SYSTEMS = ("model", "majority", "tfidf_lr", "lexicon")


def _labels(records: list[Record]) -> npt.NDArray[np.int64]:
    from training.train import label_matrix

    return label_matrix(records)


def model_outputs(
    model_dir: Path, texts: list[str]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Calibrated level probabilities ``[n, 4, 4]`` and "explains why" probabilities ``[n]``."""
    from service.model.manifest import read_verified
    from training.data import encode, load_tokenizer
    from training.export import onnx_logits, onnx_session

    manifest, files = read_verified(model_dir)
    tokenizer = load_tokenizer(manifest.max_length, model_dir / "tokenizer.json")
    ids = encode(tokenizer, texts)
    logits, aux = onnx_logits(onnx_session(files["model.onnx"]), ids)
    return cumulative_logits_to_probs(logits, np.array(manifest.temperatures)), aux


def evaluate_split(
    model_probs: npt.NDArray[np.float64], train: list[Record], test: list[Record]
) -> dict[str, dict[str, DimensionScores]]:
    """Scores per system per dimension on ``test`` (baselines fitted on ``train``)."""
    train_y, test_y = _labels(train), _labels(test)
    train_texts, test_texts = [r.text for r in train], [r.text for r in test]
    results: dict[str, dict[str, DimensionScores]] = {s: {} for s in SYSTEMS}
    for d, dimension in enumerate(DIMENSIONS):
        fit = train_y[:, d] >= 0
        use = test_y[:, d] >= 0
        if not use.any() or not fit.any():
            continue
        truth = test_y[use, d]
        results["model"][dimension] = score_dimension(truth, model_probs[use, d])
        fit_texts = [t for t, keep in zip(train_texts, fit, strict=True) if keep]
        use_texts = [t for t, keep in zip(test_texts, use, strict=True) if keep]
        for name, factory in BASELINES.items():
            predictor = factory(fit_texts, train_y[fit, d])
            results[name][dimension] = score_dimension(truth, predictor(use_texts))
    return results


def explains_why(model_dir: Path, holdout: float) -> dict[str, Any]:
    """Sentence-level "explains why" on the held-out CNC documents.

    The shipped model is read two ways: its ``explains_why`` output when the graph has one,
    and its root-cause score (expected level) as a detector, with the cut-off chosen on the
    CNC training documents and applied unchanged to the held-out ones.
    """
    from sklearn.metrics import f1_score, roc_auc_score

    from evaluation.lexicon import causal_cue
    from training.aux_data import load_cnc, split_cnc

    train, held = split_cnc(load_cnc(), holdout)
    dimension = DIMENSIONS.index("root_cause")
    train_probs, _ = model_outputs(model_dir, [s.text for s in train])
    train_score = train_probs[:, dimension] @ np.arange(train_probs.shape[-1])
    train_truth = np.array([s.label for s in train])
    cuts = np.unique(np.round(train_score, 3))
    cut = float(max(cuts, key=lambda c: float(((train_score >= c) == train_truth).mean())))

    truth = np.array([s.label for s in held])
    probs, aux = model_outputs(model_dir, [s.text for s in held])
    score = probs[:, dimension] @ np.arange(probs.shape[-1])
    by_score = (score >= cut).astype(np.int64)
    lexicon = np.array([causal_cue(s.text) for s in held], dtype=np.int64)

    def figures(
        pred: npt.NDArray[np.int64], ranking: npt.NDArray[np.float64] | None
    ) -> dict[str, float]:
        out = {
            "accuracy": round(float((pred == truth).mean()), 4),
            "f1": round(float(f1_score(truth, pred)), 4),
        }
        if ranking is not None:
            out["auc"] = round(float(roc_auc_score(truth, ranking)), 4)
        return out

    result: dict[str, Any] = {
        "sentences": len(held),
        "train_sentences": len(train),
        "positive_share": round(float(truth.mean()), 3),
        "root_cause_score": figures(by_score, score) | {"cut": round(cut, 3)},
        "lexicon": figures(lexicon, None),
        "majority_accuracy": round(float(max(truth.mean(), 1 - truth.mean())), 4),
    }
    if not np.isnan(aux).any():
        result["aux_head"] = figures((aux >= 0.5).astype(np.int64), aux)
    return result


BENCHMARK_JSON = Path(__file__).resolve().parent / "benchmark.json"


def _benchmark_figures() -> dict[str, Any] | None:
    """The last ``python -m evaluation.benchmark --json evaluation/benchmark.json`` run."""
    import json

    if not BENCHMARK_JSON.is_file():
        return None
    return dict(json.loads(BENCHMARK_JSON.read_text(encoding="utf-8")))


def _fmt(value: float) -> str:
    return "n/a" if value != value else f"{value:.3f}"  # nan check without numpy


def why_rows(why: dict[str, Any], training: dict[str, Any]) -> list[str]:
    """Table rows of the "explains why" section."""
    rows = []
    head = why.get("aux_head")
    if head:
        rows.append(
            f"| shipped model, `explains_why` output | {head['accuracy']:.3f} | {head['f1']:.3f} | {head['auc']:.3f} |"
        )
    rc = why["root_cause_score"]
    rows.append(
        f"| shipped model, root-cause score >= {rc['cut']} (cut-off from CNC train documents) | "
        f"{rc['accuracy']:.3f} | {rc['f1']:.3f} | {rc['auc']:.3f} |"
    )
    ablation = training.get("aux_head_cnc_heldout")
    if ablation and not head:
        rows.append(
            f"| auxiliary head of the ablation run with the CNC task (not shipped; PyTorch) | "
            f"{ablation['accuracy']:.3f} | {ablation['f1']:.3f} | {ablation['auc']:.3f} |"
        )
    lex = why["lexicon"]
    rows.append(f"| lexicon: any causal connective | {lex['accuracy']:.3f} | {lex['f1']:.3f} | |")
    return rows


def _dev_table(title: str, rows: dict[str, dict[str, float]], preface: str) -> list[str]:
    """A Markdown table of dev QWK per dimension (and mean), one row per run or part."""
    keys = [*DIMENSIONS, "mean"]
    lines = ["", f"### {title}", ""]
    if preface:
        lines += [preface, ""]
    lines += ["| run | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for run, scores in rows.items():
        cells = " | ".join(_fmt(scores.get(k, float("nan"))) for k in keys)
        lines.append(f"| {run} | {cells} |")
    return lines


def render_report(
    manifest: dict[str, Any],
    results: dict[str, dict[str, DimensionScores]],
    by_source: dict[str, dict[str, DimensionScores]],
    why: dict[str, Any],
) -> str:
    """The Markdown evaluation report."""
    lines = [
        f"# Evaluation report: {manifest['name']} {manifest['version']}",
        "",
        "Generated by `scrutiny evaluate` (equivalently `python -m service.cli evaluate`) on "
        f"{dt.date.today().isoformat()}; regenerate with that command after `scrutiny train` and "
        "`scrutiny export`. The model is evaluated as the service runs it: int8 ONNX graph, "
        "manifest temperatures. Baselines are fitted on the train split only. The test split "
        "is used for this report and nothing else.",
        "",
        f"Corpus sha256 `{manifest['corpus_sha256']}`.",
        "",
        "## Test split, per dimension",
        "",
        "QWK = quadratic weighted kappa of the predicted level (argmax); macro-F1 over levels; "
        "Spearman of the expected level (score) against the label; ECE = expected calibration "
        "error of the top-level confidence (10 bins, lower is better).",
        "",
        "| dimension | system | n | QWK | macro-F1 | Spearman | ECE |",
        "|---|---|---|---|---|---|---|",
    ]
    for dimension in DIMENSIONS:
        for system in SYSTEMS:
            s = results[system].get(dimension)
            if s is None:
                continue
            name = f"**{system}**" if system == "model" else system
            lines.append(
                f"| {dimension} | {name} | {s.n} | {_fmt(s.qwk)} | {_fmt(s.macro_f1)} | "
                f"{_fmt(s.spearman)} | {_fmt(s.ece)} |"
            )
    lines += [
        "",
        "### Model QWK by source of the test passages",
        "",
        "| dimension | " + " | ".join(by_source) + " |",
        "|---|" + "---|" * len(by_source),
    ]
    for dimension in DIMENSIONS:
        cells = [
            f"{_fmt(by_source[src][dimension].qwk)} (n={by_source[src][dimension].n})"
            if dimension in by_source[src]
            else "n/a"
            for src in by_source
        ]
        lines.append(f"| {dimension} | " + " | ".join(cells) + " |")
    beaten = all(
        results["model"][d].qwk > results[b][d].qwk
        for d in results["model"]
        for b in BASELINES
        if d in results[b]
    )
    lines += [
        "",
        f"Model beats every baseline on QWK on every dimension: **{'yes' if beaten else 'no'}**.",
    ]
    export = manifest.get("export", {})
    parity = export.get("parity", {})
    lines += [
        "",
        "## Export",
        "",
        f"- Fused operators: {export.get('fused_ops')}; quantisation: {export.get('quantisation')}.",
        f"- ONNX int8 vs PyTorch fp32 level agreement on the test split: "
        f"**{parity.get('level_agreement')}** over {parity.get('passages')} passages "
        f"(labelled dimensions; max |logit difference| {parity.get('max_abs_logit_diff')}).",
        "- Throughput: `python -m evaluation.benchmark` (see below for the last recorded run).",
    ]
    bench = _benchmark_figures()
    if bench:
        lines.append(
            f"- Last benchmark: {bench.get('passages')} passages; pipeline {bench.get('pipeline_pps')} "
            f"passages/s, ONNX int8 {bench.get('onnx_pps')} passages/s, ratio **{bench.get('ratio')}**, "
            f"level agreement {bench.get('level_agreement')} ({bench.get('machine')})."
        )
    training = manifest.get("training", {})
    lines += [
        "",
        "## Training",
        "",
        f"- Best epoch {training.get('best_epoch')}; training time {training.get('train_seconds')} s "
        f"on {manifest.get('hyperparameters', {}).get('threads')} CPU threads.",
        f"- Dev QWK per dimension (model selection): {training.get('dev_qwk')}.",
        f"- Temperatures (fitted on dev): {manifest.get('temperatures')}.",
    ]
    lexical = training.get("lexical")
    if lexical:
        lines += _dev_table(
            "The two halves and their blend (dev split, from `scrutiny train`)",
            {
                "encoder alone (ordinal heads)": lexical.get("dev_qwk_encoder", {}),
                "n-gram classifiers alone (fitted on train)": lexical.get("dev_qwk_ngram", {}),
                "blend, 5-fold cross-fitted on dev": lexical.get("dev_qwk_blend_cross_fitted", {}),
            },
            "The blend is fitted on dev, so the model's dev QWK above is in-sample for it; the "
            "cross-fitted row (each fold scored by a blend fitted on the other four) is the "
            "honest figure.",
        )
    if training.get("variants"):
        note = training.get("variants_note")
        lines += _dev_table("Model selection (dev split only)", training["variants"], "")
        lines += [
            *(["", f"Rows: {note}."] if note else []),
            "",
            f"Shipped: {training.get('selected', 'not recorded')}.",
        ]
    for key, title in (
        ("aux_ablation", "Causal News Corpus auxiliary task (dev split)"),
        ("ose_ablation", "OneStopEnglish readability as a blend feature (dev split, cross-fitted)"),
        ("idf_ablation", "Idf weighting of the n-gram features (dev split)"),
    ):
        if training.get(key):
            lines += _dev_table(title, training[key], "")
    lines += [
        "",
        f"Decision on the Causal News Corpus: {training.get('aux_decision', 'not recorded')}.",
        "",
        f"Decision on OneStopEnglish: {training.get('onestopenglish', 'not recorded')}.",
        *(
            ["", f"Decision on idf weighting: {training['idf_decision']}."]
            if training.get("idf_decision")
            else []
        ),
    ]
    lines += [
        "",
        '## Sentence-level "explains why" (Causal News Corpus, held-out documents)',
        "",
        f"{why['sentences']} sentences from CNC documents held out from the auxiliary training data "
        f"({why['positive_share']:.0%} causal); the other {why['train_sentences']} only choose the cut-off.",
        "",
        "| system | accuracy | F1 | ROC AUC |",
        "|---|---|---|---|",
        *why_rows(why, training),
        f"| majority class | {why['majority_accuracy']:.3f} | | |",
        "",
        "## Baselines",
        "",
        "- majority: the train split's most frequent level; its probabilities are the train level shares.",
        "- tfidf_lr: TF-IDF word 1-2 grams (min_df 2, sublinear tf) + logistic regression (C=4).",
        "- lexicon: 17 rubric signals (acronym density, undefined acronyms, sentence length, dates, "
        "jargon, causal connectives, system conditions, blame phrases, child references, child's "
        "voice, quotations, addressees, actions, timescales, measures, vague exhortations, length) "
        "+ standardised logistic regression.",
        "",
    ]
    return "\n".join(lines)


def evaluate(model_dir: Path, report: Path, *, update_manifest: bool = True) -> dict[str, Any]:
    """Evaluate ``model_dir`` on the test split, write ``report``, record metrics in the manifest."""
    from training.package import finalise, read_manifest
    from training.pipeline import load_parts

    _records, parts = load_parts()
    manifest = read_manifest(model_dir)
    test = parts["test"]
    probs, _aux = model_outputs(model_dir, [r.text for r in test])
    results = evaluate_split(probs, parts["train"], test)
    by_source: dict[str, dict[str, DimensionScores]] = {}
    labels = _labels(test)
    for source in ("written", "pfd"):
        keep = np.array([r.source == source for r in test])
        by_source[source] = {}
        for d, dimension in enumerate(DIMENSIONS):
            use = keep & (labels[:, d] >= 0)
            if use.sum() >= 2:
                by_source[source][dimension] = score_dimension(labels[use, d], probs[use, d])
    holdout = float(manifest.get("hyperparameters", {}).get("aux_holdout", 0.2))
    why = explains_why(model_dir, holdout)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(render_report(manifest, results, by_source, why), encoding="utf-8")
    metrics = {
        "split": "test",
        "model": {d: s.as_dict() for d, s in results["model"].items()},
        "baselines": {b: {d: s.as_dict() for d, s in results[b].items()} for b in BASELINES},
        "parity_level_agreement": manifest.get("export", {})
        .get("parity", {})
        .get("level_agreement"),
        "explains_why": why,
    }
    if update_manifest:
        manifest["metrics"] = metrics
        finalise(model_dir, manifest)
    return metrics
