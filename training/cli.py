"""``scrutiny train``, ``scrutiny export`` and ``scrutiny evaluate``.

scrutiny train [--write-splits] [--no-aux] [--epochs N] [--run DIR] [--config JSON]
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
    args = parser.parse_args(argv)

    from training.corpus import corpus_sha256, load_corpus
    from training.splits import write_splits

    if args.write_splits:
        assignment = write_splits(load_corpus())
        print(f"wrote {SPLITS_PATH}: {len(assignment)} reports")
        return 0
    from training.pipeline import load_parts, train_and_calibrate

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

    evaluate(Path(args.model), Path(args.report), update_manifest=not args.no_manifest)
    print(f"wrote {args.report}")
    return 0


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
