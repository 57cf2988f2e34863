"""The model folder the service loads: model.onnx, tokenizer.json, MODEL_CARD.md, manifest.json.

``write_manifest`` hashes every file except the manifest itself, so the service can refuse a
folder whose files were altered. ``render_card`` writes the model card from the manifest,
so the card and the manifest never disagree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from evaluation.tables import comparison_table
from service.model.dimensions import DIMENSIONS, LEVELS
from training.config import BASE_MODEL_NAME, base_model_dir

MANIFEST = "manifest.json"
CARD = "MODEL_CARD.md"


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shaped the model file."""
    import onnx
    import onnxruntime
    import tokenizers
    import torch
    import transformers

    return {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "onnxruntime": onnxruntime.__version__,
        "onnx": onnx.__version__,
        "tokenizers": tokenizers.__version__,
    }


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def base_manifest(
    *,
    name: str,
    version: str,
    max_length: int,
    temperatures: dict[str, float],
    section_spread: dict[str, float],
    corpus_sha256: str,
    splits: dict[str, Any],
    hyperparameters: dict[str, Any],
    export: dict[str, Any],
    training: dict[str, Any],
) -> dict[str, Any]:
    """Everything the manifest says about a model, before files are hashed and metrics added."""
    return {
        "name": name,
        "version": version,
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "base_model": {
            "name": BASE_MODEL_NAME,
            "config_sha256": sha256_file(base_model_dir() / "config.json"),
            "weights_sha256": sha256_file(base_model_dir() / "model.safetensors"),
        },
        "dimensions": list(DIMENSIONS),
        "levels": LEVELS,
        "head": "cumulative_logits",
        "output": "logits",
        "extra_outputs": export.get("extra_outputs", {}),
        "inputs": ["input_ids", "attention_mask"],
        "pooling": "mean",
        "max_length": max_length,
        "tokenizer": {
            "truncation": "longest_first",
            "max_length": max_length,
            "padding": "per batch, right, id 0",
        },
        "temperatures": temperatures,
        "section_spread": section_spread,
        "corpus_sha256": corpus_sha256,
        "splits": splits,
        "hyperparameters": hyperparameters,
        "training": training,
        "export": export,
        "versions": library_versions(),
        "metrics": {},
    }


def write_folder(model_dir: Path, onnx_path: Path, manifest: dict[str, Any]) -> Path:
    """Assemble ``model_dir`` from an exported graph and a manifest (files hashed here)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    if onnx_path.resolve() != (model_dir / "model.onnx").resolve():
        shutil.copyfile(onnx_path, model_dir / "model.onnx")
    # An exemplar bank belongs to the graph it was embedded with: rebuild it after an export
    # (`scrutiny exemplars`) rather than ship one the new graph would leave unused.
    from training.exemplars import remove_bank

    remove_bank(model_dir)
    shutil.copyfile(base_model_dir() / "tokenizer.json", model_dir / "tokenizer.json")
    return finalise(model_dir, manifest)


def finalise(model_dir: Path, manifest: dict[str, Any]) -> Path:
    """Render the model card, hash every file but the manifest, write the manifest."""
    (model_dir / CARD).write_text(render_card(manifest), encoding="utf-8")
    files = sorted(p for p in model_dir.iterdir() if p.is_file() and p.name != MANIFEST)
    manifest = dict(manifest)
    manifest["files"] = {p.name: sha256_file(p) for p in files}
    path = model_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def read_manifest(model_dir: Path) -> dict[str, Any]:
    """The manifest of a model folder as a dict."""
    return dict(json.loads((model_dir / MANIFEST).read_text(encoding="utf-8")))


def render_card(manifest: dict[str, Any]) -> str:
    """The model card (Markdown) for a manifest."""
    metrics = manifest.get("metrics") or {}
    splits = manifest.get("splits", {})
    training = manifest.get("training", {})
    decisions = training.get("decisions") or []
    decision_lines = (
        "\n".join(f"- {d['decision']}: {d['chosen']} ({d['why']})" for d in decisions)
        or "- not recorded"
    )
    split_lines = "\n".join(
        f"- {name}: {s.get('passages', 0)} passages from {s.get('reports', 0)} reports "
        f"({s.get('written', 0)} written, {s.get('pfd', 0)} PFD)"
        for name, s in splits.items()
        if isinstance(s, dict)
    )
    wide = (
        " (each head also adds a learned bag-of-wordpieces term, the wide half of a "
        "wide-and-deep model)"
        if manifest.get("hyperparameters", {}).get("wide_lr")
        else ""
    )
    lexical = (
        f"\n\nThe graph also holds a lexical half (`training.lexical`): per dimension, a "
        f"multinomial logistic regression on word-piece unigrams and hashed bigrams "
        f"({manifest.get('hyperparameters', {}).get('ngram_buckets')} buckets"
        f"{', idf-weighted' if manifest.get('hyperparameters', {}).get('ngram_idf') else ''}"
        f"), fitted on the "
        f"train split, and a blend of it with the encoder's ordinal score, fitted on the dev "
        f"split; the blended level logits are given back as cumulative logits. The lexical "
        f"half stays float32."
        if manifest.get("hyperparameters", {}).get("ngram_buckets")
        else ""
    )
    head = manifest.get("embedding_head")
    if head:
        lexical += (
            f"\n\nAn embedding head (`training.embedding_head`, added after export): per "
            f"dimension a multinomial logistic regression on the pooled embedding ({head['c']}), "
            f"fitted on the {head['fitted_on']}; its level probabilities are mixed into the "
            f"graph's with these shares, chosen on dev: {head['mix']}. Float32, in the same graph."
        )
    temps = ", ".join(f"{d} {t}" for d, t in manifest.get("temperatures", {}).items())
    if metrics.get("real"):
        table = (
            "Real text first: the test split's passages of real coroners' reports, against "
            "every baseline and the agreement of two annotators (the ceiling).\n\n"
            + "\n".join(
                comparison_table(
                    metrics["real"],
                    ceiling=metrics.get("inter_annotator") or {},
                    intervals=metrics.get("real_model_qwk_interval"),
                    ece=True,
                )
            )
            + "\n\nProject-written test passages:\n\n"
            + "\n".join(comparison_table(metrics["written"], ece=True))
            + "\n\nReal auxiliary checks: child focus at level 0 or 1 on real passages with no "
            f"child: {metrics.get('no_child_child_focus', {}).get('share_at_most_1')}; "
            '"explains why" ROC AUC on held-out Causal News Corpus documents: '
            f"{metrics.get('explains_why', {}).get('shipped_auc')}; OneStopEnglish elementary "
            "above advanced (held-out articles): "
            f"{metrics.get('onestopenglish', {}).get('simpler_scores_higher')}."
        )
    elif metrics:
        table = "\n".join(comparison_table(metrics, ece=True))
    else:
        table = "_Not evaluated yet: run `scrutiny evaluate`._"
    spreads = ", ".join(f"{d} {t}" for d, t in manifest.get("section_spread", {}).items())
    parity = metrics.get("parity_level_agreement")
    parity_line = f"{parity:.4f}" if isinstance(parity, float) else "not measured"
    bank = manifest.get("exemplars")
    bank_section = (
        f"""
## Exemplar bank
`exemplars.json` and `exemplars.npy` (built by `scrutiny exemplars`): {bank["exemplars"]}
strong passages ({bank["passages"]} distinct) shown to authors as "what good looks like" and
offered beside every weakness, nearest first by the cosine similarity of the graph's `pooled`
output (the mean-pooled embedding the heads read; no second model). Selection: {bank["selection"]}.
Written corpus sha256 `{bank["written_corpus_sha256"]}`; embedded with model.onnx sha256
`{bank["graph_sha256"]}`.
"""
        if bank
        else ""
    )
    return f"""# Model card: {manifest["name"]} {manifest["version"]}

## What it does
Rates a passage (a paragraph or a window of up to six sentences) of an English serious case
review on four ordinal dimensions, 0-3 (inadequate, requires improvement, good, strong):
{", ".join(manifest["dimensions"])}. Defined by the project's rubric (`shared/rubric.md`).

## Architecture
`{manifest["base_model"]["name"]}` (MiniLM-L6, 384 hidden, 6 layers) fine-tuned as one shared
encoder with mean pooling and one CORAL-style ordinal head per dimension{wide}: output `logits`
`[batch, 4, 3]`, `logits[..., k]` = logit of P(level > k).{lexical} Extra outputs:
{manifest.get("extra_outputs") or "none (the auxiliary head was not kept)"}. Temperatures per dimension (fitted on dev):
{temps}. Section spreads (fitted on dev sections, `docs/aggregation.md`): {spreads or "default"}.
Exported with torch {manifest["versions"].get("torch")}, attention fused by
onnxruntime's BERT optimiser, dynamic int8 quantisation per channel of the encoder. Max {manifest["max_length"]} tokens.

## Training data
- Passages of real Prevention of Future Deaths reports (Courts and Tribunals Judiciary,
  compiled in the PFD-toolkit project, AGPL-3.0), stored as references with rubric labels,
  a blind second annotation of 339 of them for the inter-annotator ceiling, and adults'
  inquest passages that mention no child as weak child-focus-0 labels (from the CSVs' `age`).
- Passages written by the project: fictional passages in the register of English serious
  case reviews (fictional children, families, places and agencies), labelled on every
  applicable dimension by the rubric. No real case is described.
- Auxiliary: Causal News Corpus V2 subtask 1 (CC0 1.0) for the "explains why" head, and
  OneStopEnglish (CC BY-SA 4.0) pairs ranking the clarity score (train articles only).
- Decisions, each on the dev composite (real dev weighs more than written dev):
{decision_lines}
- Corpus sha256 `{manifest["corpus_sha256"]}`. Splits are by report:
{split_lines}

## Test-split results (`scrutiny evaluate`)
{table}

ONNX int8 vs PyTorch level agreement on the test split: {parity_line}.
See `evaluation/report.md` for baselines and the full evaluation.
{bank_section}
## Not validated for
- Decisions about individuals, agencies or practitioners: it rates writing, not practice.
- Reviews other than English-language safeguarding reviews (serious case reviews, child
  safeguarding practice reviews); other registers, languages, or machine-translated text.
- Real serious case reviews at scale: real-report performance is measured on coroners' PFD
  reports, which are mostly about adults; real child-focus passages above level 1 and
  real recommendations above level 1 are rare there, so those figures rest on few passages.
- Passages longer than {manifest["max_length"]} tokens (they are truncated) or fragments shorter
  than a sentence.

## Attribution
- Base model: all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0).
- Causal News Corpus V2 (Tan et al., CASE 2022), CC0 1.0.
- PFD reports: Courts and Tribunals Judiciary, via PFD-toolkit (AGPL-3.0).
- OneStopEnglish corpus (Vajjala and Lučić, 2018), CC BY-SA 4.0: clarity ranking pairs.
"""
