"""Draw a writer's plan of target labels for a findings-and-recommendations batch.

Usage: python training/data/make_plan.py w12 [--reports 10] [--seed 12]

Each report gets 3 findings passages and 10 recommendation passages. Every dimension's
levels are balanced over the passages it applies to and shuffled on their own, so the
dimensions vary independently (a clear recommendation is no more likely to be a SMART one).
The plan is written to ``training/data/plans/<author>.jsonl``; the writer follows it and
``validate_written.py`` checks the batch against it.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

DIMS = ("clarity", "root_cause", "child_focus", "recommendations")
FINDINGS, RECOMMENDATIONS = 3, 10


def balanced(n: int, rng: random.Random) -> list[int]:
    """``n`` levels 0-3 as evenly spread as ``n`` allows, in random order."""
    levels = [i % 4 for i in range(n)]
    rng.shuffle(levels)
    return levels


def draw_plan(author: str, reports: int, seed: int) -> list[dict[str, object]]:
    """The plan rows, one per passage, in report and passage order."""
    rng = random.Random(seed)
    kinds = (["findings"] * FINDINGS + ["recommendations"] * RECOMMENDATIONS) * reports
    draws = {d: balanced(len(kinds), rng) for d in DIMS[:3]}
    recs = iter(balanced(RECOMMENDATIONS * reports, rng))
    rows: list[dict[str, object]] = []
    per_report = FINDINGS + RECOMMENDATIONS
    for i, kind in enumerate(kinds):
        report_id = f"{author}-r{i // per_report + 1:02d}"
        target: dict[str, int | None] = {d: draws[d][i] for d in DIMS[:3]}
        target["recommendations"] = next(recs) if kind == "recommendations" else None
        rows.append(
            {
                "id": f"{report_id}-p{i % per_report + 1:02d}",
                "report_id": report_id,
                "section_kind": kind,
                "target": target,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("author")
    parser.add_argument("--reports", type=int, default=10)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    path = Path(__file__).parent / "plans" / f"{args.author}.jsonl"
    if path.exists():
        raise SystemExit(f"{path} exists: a plan is never redrawn once writing has started")
    rows = draw_plan(args.author, args.reports, args.seed)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} rows to {path}")


if __name__ == "__main__":
    main()
