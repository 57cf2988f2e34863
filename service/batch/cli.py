"""``scrutiny batch``: score an archive of reports into Parquet and CSV tables, resumably."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from service.batch.job import ENGINES

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_DESCRIPTION = """\
Score every document in the INPUTs (files; folders, recursively: .pdf .docx .html .htm .txt
.md, hidden files skipped; manifest CSVs with a 'path' column, other columns carried into
the reports table as metadata) into DIR/reports, sections and recommendations (and, with
--explain, highlights), each as Parquet and CSV. Rerunning the same command skips every
document already scored by the same model version and retries the failed ones; an
interrupted run loses only the chunk in progress. Exit status: 0 all scored, 1 some inputs
failed, 2 usage error, 130 interrupted."""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Register ``batch`` on the ``scrutiny`` subcommands."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "batch",
        help="score an archive of reports into Parquet and CSV tables (resumable)",
        description=_DESCRIPTION,
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="file, folder or manifest CSV")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes or Ray actors (default 1)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="onnxruntime threads per worker (default: CPUs divided among the workers)",
    )
    parser.add_argument("--engine", choices=ENGINES, default="local")
    parser.add_argument(
        "--ray-address",
        default=None,
        help="join this Ray cluster ('auto' or host:port) instead of starting a local one",
    )
    parser.add_argument(
        "--explain",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also write the highlights table (slower; default: ratings only)",
    )
    parser.add_argument("--model", help="model folder (default: SCRUTINY_MODEL_DIR)")
    parser.add_argument(
        "--chunk",
        type=int,
        default=None,
        metavar="N",
        help="documents per committed chunk (default: SCRUTINY_BATCH_CHUNK_DOCUMENTS)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``scrutiny batch``; the exit status."""
    from service.batch.inputs import BatchUsageError
    from service.batch.job import BatchOptions, run_batch

    if args.ray_address and args.engine != "ray":
        print("scrutiny batch: --ray-address needs --engine ray", file=sys.stderr)
        return EXIT_USAGE
    if args.chunk is not None and args.chunk < 1:
        print("scrutiny batch: --chunk must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    options = BatchOptions(
        inputs=tuple(args.inputs),
        out=Path(args.out),
        model_dir=Path(args.model) if args.model else None,
        workers=args.workers,
        threads=args.threads,
        engine=args.engine,
        explain=args.explain,
        ray_address=args.ray_address,
        chunk_documents=args.chunk,
        quiet=args.quiet,
    )
    try:
        summary = run_batch(options)
    except (BatchUsageError, ImportError) as error:
        print(f"scrutiny batch: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # before scoring began (while hashing the inputs, say)
        print("scrutiny batch: interrupted before any document was scored", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # an engine that could not go on; committed work is kept
        print(
            f"scrutiny batch: stopped ({type(error).__name__}: {error}); what was scored is "
            f"kept in {options.out}, and rerunning the command resumes",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(summary.line(options.out), file=sys.stderr)
    if summary.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if summary.failed else EXIT_OK
