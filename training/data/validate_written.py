"""Check a writer's batch of written passages against its plan and the corpus schema.

Usage: python training/data/validate_written.py training/data/written/w1
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

DIMS = ("clarity", "root_cause", "child_focus", "recommendations")
KEYS = {"id", "report_id", "section_heading", "section_kind", "text", "labels", "author"}


def main(folder: str) -> int:
    root = Path(folder)
    plan = {
        row["id"]: row
        for row in map(json.loads, (Path(__file__).parent / "plans" / f"{root.name}.jsonl").open())
    }
    problems: list[str] = []
    seen: dict[str, dict] = {}
    for path in sorted(root.glob("*.jsonl")):
        for n, line in enumerate(path.open(encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{path.name}:{n}: bad JSON {e}")
                continue
            if set(row) != KEYS:
                problems.append(f"{path.name}:{n}: keys {sorted(set(row) ^ KEYS)} wrong")
                continue
            pid = row["id"]
            if pid not in plan:
                problems.append(f"{path.name}:{n}: id {pid} not in plan")
                continue
            if pid in seen:
                problems.append(f"{path.name}:{n}: duplicate id {pid}")
            seen[pid] = row
            p = plan[pid]
            if row["report_id"] != p["report_id"] or row["section_kind"] != p["section_kind"]:
                problems.append(f"{pid}: report_id/section_kind differ from plan")
            labels = row["labels"]
            for d in DIMS:
                v = labels.get(d)
                if d == "recommendations" and p["section_kind"] != "recommendations":
                    if v is not None:
                        problems.append(
                            f"{pid}: recommendations must be null outside recommendations"
                        )
                elif v not in (0, 1, 2, 3):
                    problems.append(f"{pid}: {d} label {v!r} not 0-3")
            words = len(row["text"].split())
            if not 20 <= words <= 200:
                problems.append(f"{pid}: {words} words (want 20-200)")
    for p in problems:
        print("PROBLEM", p)
    done = len(seen)
    print(f"{done}/{len(plan)} planned passages written; {len(problems)} problems")
    for d in DIMS:
        counts = Counter(r["labels"][d] for r in seen.values() if r["labels"].get(d) is not None)
        off = sum(1 for r in seen.values() if r["labels"].get(d) != plan[r["id"]]["target"][d])
        print(f"  {d}: {dict(sorted(counts.items()))}  (differs from target: {off})")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
