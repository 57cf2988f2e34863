"""``scrutiny exemplars``: build the exemplar bank of a model folder (``training.exemplars``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_parser(commands: Any) -> None:
    """Register the command on the ``scrutiny`` sub-command parser."""
    parser = commands.add_parser(
        "exemplars",
        help="build the exemplar bank of a model folder (train extra)",
        description="Build the bank of strong written passages the web page shows as "
        "'what good looks like', with their embeddings from the folder's own graph (its "
        "pooled output is added first if the graph lacks it). Rerun after every export.",
    )
    parser.add_argument("--model", help="model folder (default: SCRUTINY_MODEL_DIR)")
    parser.add_argument("--per-group", type=int, help="most exemplars per dimension and topic")
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime threads")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        from training.exemplars import PER_GROUP, build_bank
    except ImportError as error:  # the train extra is not installed
        print(
            f"scrutiny exemplars: needs the training extra: pip install -e '.[train]' ({error})",
            file=sys.stderr,
        )
        return 2
    from service.settings import service_settings

    model_dir = Path(args.model) if args.model else service_settings().model_dir
    entry = build_bank(model_dir, per_group=args.per_group or PER_GROUP, threads=args.threads)
    print(json.dumps({k: entry[k] for k in ("exemplars", "passages", "candidates")}))
    return 0
