"""The auxiliary-data decision: compare a run with and without the CNC task on dev.

    python -m training.ablation --aux RUN_DIR --no-aux RUN_DIR --out notes.json

Writes the training notes that ``scrutiny export --notes`` puts into the manifest and model
card: both runs' dev QWK per dimension and which one is kept (higher mean dev QWK).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def _dev(run_dir: Path) -> dict[str, float]:
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    return dict(run["dev_qwk"])


def aux_notes(aux_run: Path, plain_run: Path, epochs_note: str = "") -> dict[str, Any]:
    """Notes comparing the two runs on dev, with the decision the data supports."""
    with_aux, without = _dev(aux_run), _dev(plain_run)
    keep = with_aux["mean"] > without["mean"]
    delta = with_aux["mean"] - without["mean"]
    decision = (
        f"CNC auxiliary task {'kept' if keep else 'dropped'}: mean dev QWK "
        f"{with_aux['mean']:.3f} with it vs {without['mean']:.3f} without ({delta:+.3f})"
        + (f"; {epochs_note}" if epochs_note else "")
    )
    return {
        "aux_ablation": {"with CNC auxiliary task": with_aux, "without": without},
        "aux_decision": decision,
        "aux_kept": keep,
        "onestopenglish": "not used: the comparison run was not made in this version, and its "
        "news register is far from review prose; the clarity head learns from rubric-labelled passages only",
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aux", required=True, help="run folder trained with the CNC task")
    parser.add_argument("--no-aux", required=True, help="run folder trained without it")
    parser.add_argument("--note", default="", help="how the comparison runs were made")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    notes = aux_notes(Path(args.aux), Path(args.no_aux), args.note)
    Path(args.out).write_text(json.dumps(notes, indent=2) + "\n", encoding="utf-8")
    print(notes["aux_decision"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
