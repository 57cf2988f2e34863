"""The ``scrutiny triage``, ``scrutiny recommendations`` and ``scrutiny trends`` commands.

``add_parsers`` registers them on the ``scrutiny`` parser; each sets ``run`` to a function
of the parsed arguments that returns the exit status (0 done, 2 refused with a message).
Messages name files, columns and counts, never report text.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.analysis.errors import AnalysisError


def _guarded(command: str, work: Callable[[argparse.Namespace], str]) -> Callable[..., int]:
    """Run ``work``; print its summary, or the reason it was refused, and return the status."""

    def run(args: argparse.Namespace) -> int:
        try:
            summary = work(args)
        except (AnalysisError, ImportError, OSError) as error:
            # Their messages name files, columns and counts; none quotes report text.
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            filename = getattr(error, "filename", None)
            where = f"{filename}: " if isinstance(error, OSError) and filename else ""
            print(f"scrutiny {command}: {where}{reason}", file=sys.stderr)
            return 2
        print(f"scrutiny {command}: {summary}")
        return 0

    return run


def _triage(args: argparse.Namespace) -> str:
    from service.analysis.load import load_batch
    from service.analysis.triage import check_suffix, write_triage

    out = Path(args.out)
    check_suffix(out)
    batch = load_batch(args.dir)
    write_triage(batch, out)
    return f"{len(batch.ok)} reports ranked, {len(batch.failed)} failed inputs listed; wrote {out}"


def _recommendations(args: argparse.Namespace) -> str:
    from service.analysis.load import load_batch
    from service.analysis.tracker import update_tracker
    from service.analysis.tracker_files import check_suffix

    out = Path(args.out)
    check_suffix(out)
    merged = update_tracker(load_batch(args.dir), out)
    return (
        f"{len(merged.rows)} rows: {merged.matched} kept with the board's columns, "
        f"{merged.new} new, {merged.not_in_batch} no longer in the batch; wrote {out}"
    )


def _trends(args: argparse.Namespace) -> str:
    from service.analysis.load import load_batch
    from service.analysis.trends_page import write_trends

    out = Path(args.out)
    written = write_trends(load_batch(args.dir), args.by, out)
    return f"{len(written) - 1} charts and {written[-1].name} written to {out}"


def add_parsers(commands: Any) -> None:
    """Register ``triage``, ``recommendations`` and ``trends`` on the subparsers ``commands``."""
    triage = commands.add_parser(
        "triage", help="reports of a batch output ranked by concern, with reasons (HTML or CSV)"
    )
    triage.add_argument("dir", help="the --out folder of `scrutiny batch`")
    triage.add_argument(
        "--out", required=True, help="triage.html (with a detail page per report) or triage.csv"
    )
    triage.set_defaults(run=_guarded("triage", _triage))

    tracker = commands.add_parser(
        "recommendations",
        help="recommendation tracker (CSV or XLSX); statuses kept across runs",
    )
    tracker.add_argument("dir", help="the --out folder of `scrutiny batch`")
    tracker.add_argument(
        "--out", required=True, help="tracker .csv or .xlsx; an existing one is merged into"
    )
    tracker.set_defaults(run=_guarded("recommendations", _recommendations))

    trends = commands.add_parser("trends", help="charts by year or area and an index.html")
    trends.add_argument("dir", help="the --out folder of `scrutiny batch`")
    trends.add_argument(
        "--by", required=True, help="a reports column to group by, such as year or area"
    )
    trends.add_argument("--out", required=True, help="folder for the PNG charts and index.html")
    trends.set_defaults(run=_guarded("trends", _trends))
