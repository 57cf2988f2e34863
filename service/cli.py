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


def _score(args: argparse.Namespace) -> int:
    from service.ingest.errors import IngestError
    from service.model.runtime import QualityModel
    from service.scoring import score_path
    from service.settings import service_settings

    settings = service_settings()
    model_dir = Path(args.model) if args.model else settings.model_dir
    try:
        model = QualityModel.load(
            model_dir, threads=settings.threads, batch_size=settings.batch_size
        )
    except Exception as error:  # a missing or tampered model: say so and stop
        print(f"scrutiny: cannot load the model from {model_dir}: {error}", file=sys.stderr)
        return 2
    results, sources, failed = [], [], 0
    for raw in args.paths:
        path = Path(raw)
        try:
            results.append(score_path(path, model))
            sources.append(path.name)
        except (IngestError, OSError) as error:
            failed += 1
            reason = error if isinstance(error, IngestError) else error.strerror or error
            print(f"scrutiny: {path}: {reason}", file=sys.stderr)
    if not results:
        return 2
    if args.format == "json":
        if len(results) == 1:
            output = results[0].model_dump_json(indent=2)
        else:
            output = "[\n" + ",\n".join(r.model_dump_json(indent=2) for r in results) + "\n]"
        output += "\n"
    elif args.format == "markdown":
        from service.present.markdown import render_markdown

        output = render_markdown(results, sources)
    else:
        from service.present.html import render_html

        output = render_html(results, sources)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)
    return 1 if failed else 0


def _serve(args: argparse.Namespace) -> int:
    import logging

    from service.api.app import create_app
    from service.api.server import serve
    from service.settings import api_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = api_settings()
    app = create_app(model_dir=Path(args.model) if args.model else None)
    return serve(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        grace_seconds=settings.shutdown_grace_seconds,
    )


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

    score = commands.add_parser("score", help="score reports; JSON, Markdown or HTML")
    score.add_argument("paths", nargs="+", metavar="PATH")
    score.add_argument("--format", choices=("json", "markdown", "html"), default="json")
    score.add_argument("--out", help="write to this file instead of standard output")
    score.add_argument("--model", help="model folder (default: SCRUTINY_MODEL_DIR)")

    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default=None, help="interface (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument("--model", help="model folder (default: SCRUTINY_MODEL_DIR)")

    for name, help_text in (
        ("train", "fine-tune the quality model (train extra)"),
        ("export", "export a trained model to ONNX int8 (train extra)"),
        ("evaluate", "evaluate a model and baselines on the test split (train extra)"),
    ):
        commands.add_parser(name, help=help_text, add_help=False)
    # Commands of other areas register themselves here: each module's ``add_parser`` sets
    # ``run`` (a function of the parsed arguments returning the exit status) as a default.
    from service.batch.cli import add_parser as add_batch_parser

    add_batch_parser(commands)
    from service.analysis.cli import add_parsers as add_analysis_parsers

    add_analysis_parsers(commands)
    from service.exemplars.cli import add_parser as add_exemplars_parser

    add_exemplars_parser(commands)
    try:  # the serving image ships without the training package
        from training.public_data import add_parser as add_data_parser
    except ModuleNotFoundError:
        pass
    else:
        add_data_parser(commands)
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
    if args.command == "score":
        return _score(args)
    if args.command == "serve":
        return _serve(args)
    if hasattr(args, "run"):
        return int(args.run(args))
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
