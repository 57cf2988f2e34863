"""The ``scrutiny`` command line.

Each command imports what it needs only when it runs, so ``scrutiny sections`` and
``scrutiny score`` never pull in the training stack.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path


def _sections(args: argparse.Namespace) -> int:
    from service.ingest import read_document
    from service.ingest.errors import IngestError
    from service.ingest.outline import document_outline

    try:
        document = read_document(Path(args.path))
    except IngestError as error:
        print(f"scrutiny: {args.path}: {error}", file=sys.stderr)
        return 2
    json.dump(document_outline(document), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _training(args: argparse.Namespace, rest: list[str]) -> int:
    try:
        from training.cli import run
    except ImportError as error:  # the train extra is not installed
        print(
            f"scrutiny {args.command}: needs the training extra: pip install -e '.[train]' ({error})",
            file=sys.stderr,
        )
        return 2
    return run(args.command, rest)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``scrutiny`` command."""
    parser = argparse.ArgumentParser(prog="scrutiny", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    sections = commands.add_parser("sections", help="print a document's outline as JSON")
    sections.add_argument("path")

    for name, help_text in (
        ("train", "fine-tune the quality model (train extra)"),
        ("export", "export a trained model to ONNX int8 (train extra)"),
        ("evaluate", "evaluate a model and baselines on the test split (train extra)"),
    ):
        commands.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scrutiny`` console script."""
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command in ("train", "export", "evaluate"):
        return _training(args, rest)
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    if args.command == "sections":
        return _sections(args)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
