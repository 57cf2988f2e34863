"""``scrutiny train``, ``scrutiny export`` and ``scrutiny evaluate``.

scrutiny train [--write-splits] [--no-aux] [--epochs N] [--run DIR] [--config JSON]
scrutiny train --refit RUN --run DIR [--config JSON]
scrutiny export [--run DIR] [--out MODEL_DIR]
scrutiny evaluate [--model MODEL_DIR] [--report evaluation/report.md]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

from training.config import (
    DECISIONS_PATH,
    DEFAULT_MODEL_DIR,
    DEFAULT_RUN_DIR,
    SPLITS_PATH,
    TrainingConfig,
)


def _train(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="scrutiny train", description="fine-tune the quality model"
    )
    parser.add_argument(
        "--write-splits", action="store_true", help="(re)write training/data/splits.json and stop"
    )
    parser.add_argument("--config", help="JSON file of TrainingConfig fields to override")
    parser.add_argument("--run", default=str(DEFAULT_RUN_DIR), help="checkpoint folder")
    parser.add_argument("--epochs", type=int, help="override the number of epochs")
    parser.add_argument(
        "--no-aux", action="store_true", help="train without the CNC auxiliary task"
    )
    parser.add_argument(
        "--refit",
        metavar="RUN",
        help="do not fine-tune: refit the lexical half, blend and calibration of RUN's encoder "
        "under --config's settings, into --run",
    )
    args = parser.parse_args(argv)

    from training.corpus import corpus_sha256, load_corpus
    from training.splits import write_splits

    if args.write_splits:
        assignment = write_splits(load_corpus())
        print(f"wrote {SPLITS_PATH}: {len(assignment)} reports")
        return 0
    from training.pipeline import load_parts, refit_run, train_and_calibrate

    if args.refit:
        overrides = json.loads(Path(args.config).read_text(encoding="utf-8")) if args.config else {}
        records, parts = load_parts()
        extra = refit_run(
            Path(args.refit), Path(args.run), overrides, parts, corpus_sha256(records)
        )
        print(json.dumps({"run": args.run, "dev_qwk": extra["dev_qwk"]}))
        return 0

    config = TrainingConfig()
    if args.config:
        overrides = json.loads(Path(args.config).read_text(encoding="utf-8"))
        config = TrainingConfig.from_dict({**config.to_dict(), **overrides})
    if args.epochs:
        config = replace(config, epochs=args.epochs)
    if args.no_aux:
        config = replace(config, aux_causal=False)
    records, parts = load_parts()
    extra = train_and_calibrate(config, parts, Path(args.run), corpus_sha256(records))
    print(
        json.dumps(
            {"run": args.run, "dev_qwk": extra["dev_qwk"], "temperatures": extra["temperatures"]}
        )
    )
    return 0


def _export(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scrutiny export", description="export to ONNX int8")
    parser.add_argument("--run", default=str(DEFAULT_RUN_DIR), help="checkpoint folder")
    parser.add_argument("--out", default=str(DEFAULT_MODEL_DIR), help="model folder to write")
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument(
        "--notes",
        default=str(DECISIONS_PATH),
        help="JSON file of training notes for the manifest/card (default: the committed "
        "model decisions written by python -m training.decisions)",
    )
    args = parser.parse_args(argv)
    from training.pipeline import export_run, load_parts

    _, parts = load_parts()
    notes_path = Path(args.notes) if args.notes else None
    notes = (
        json.loads(notes_path.read_text(encoding="utf-8"))
        if notes_path and notes_path.is_file()
        else None
    )
    out = Path(args.out)
    manifest = export_run(
        Path(args.run),
        out,
        parts["test"],
        name=out.name,
        version=args.version,
        training_notes=notes,
    )
    print(json.dumps({"model": str(out), "export": manifest["export"]}))
    return 0


def _evaluate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scrutiny evaluate", description="test-split evaluation")
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR), help="model folder")
    parser.add_argument("--report", default="evaluation/report.md", help="Markdown report to write")
    parser.add_argument(
        "--no-manifest", action="store_true", help="do not write metrics into the manifest"
    )
    args = parser.parse_args(argv)
    from evaluation.evaluate import evaluate

    metrics = evaluate(Path(args.model), Path(args.report), update_manifest=not args.no_manifest)
    print(summary_lines(metrics))
    print(f"wrote {args.report}")
    return 0


def summary_lines(metrics: dict[str, object]) -> str:
    """The headline figures of an evaluation, real text first, as printed lines."""
    from service.model.dimensions import DIMENSIONS

    lines = []
    for part, title in (("real", "real PFD test"), ("written", "written test")):
        block = metrics[part]
        assert isinstance(block, dict)
        lines.append(f"{title}: QWK model / TF-IDF / lexicon / majority")
        for dimension in DIMENSIONS:
            if dimension in block["model"]:
                figures = [
                    block[s].get(dimension, {}).get("qwk", float("nan"))
                    for s in ("model", "tfidf_lr", "lexicon", "majority")
                ]
                n = block["model"][dimension]["n"]
                lines.append(
                    f"  {dimension:16s} n={n:<5d} " + " / ".join(f"{f:.3f}" for f in figures)
                )
    ceiling = metrics["inter_annotator"]
    assert isinstance(ceiling, dict)
    lines.append(
        "inter-annotator QWK: "
        + ", ".join(f"{d} {ceiling[d]['qwk']:.3f} (n={ceiling[d]['n']})" for d in DIMENSIONS)
    )
    child, why, ose = (
        metrics[k] for k in ("no_child_child_focus", "explains_why", "onestopenglish")
    )
    assert isinstance(child, dict) and isinstance(why, dict) and isinstance(ose, dict)
    lines.append(f"no-child passages at child focus 0-1: {child['share_at_most_1']}")
    lines.append(f"CNC held-out ROC AUC ({why['shipped_signal']}): {why['shipped_auc']}")
    lines.append(f"OneStopEnglish held-out pairs, simpler clearer: {ose['simpler_scores_higher']}")
    sections = metrics["sections"]
    assert isinstance(sections, dict)
    lines.append(
        "section ECE: "
        + ", ".join(f"{d} {sections[d]['ece']:.3f}" for d in DIMENSIONS if d in sections)
    )
    return "\n".join(lines)


def run(command: str, argv: list[str]) -> int:
    """Dispatch a training-side command (called by ``service.cli``)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    handlers = {"train": _train, "export": _export, "evaluate": _evaluate}
    if command not in handlers:
        print(f"scrutiny: unknown training command {command}", file=sys.stderr)
        return 2
    try:
        return handlers[command](argv)
    except (FileNotFoundError, ValueError) as error:
        print(f"scrutiny {command}: {error}", file=sys.stderr)
        return 2
