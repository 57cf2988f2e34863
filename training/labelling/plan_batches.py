"""Share out unlabelled PFD reports among annotators, and draw a blind second-annotation set.

    python -m training.labelling.plan_batches --annotators 7 --passages 2100 \
        --second 300 --out /tmp/pfd_work

Reports about children come first (the ``age`` column under 18 in ``road_traffic.csv``, or
a young person named in the text of either file), because real child-focus passages above
level 1 are rare; the rest are drawn at random (fixed seed) until about ``--passages``
passages are planned. Whole reports are given out, every field of each, so whole sections are
labelled (the section-level calibration check needs them). Each annotator gets
``<out>/a<N>/<file>.ids``; the second annotator gets ``<out>/second/<file>.ids``, a few whole
reports from every annotator's share. Only references are written, never labels or text.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from training.labelling.pfd_source import FIELDS, FILES, LABELS_PATH, field_spans, load_reports

_YOUNG = re.compile(
    r"\b(?:aged?\s+1[0-7]|1[0-7][- ]year[- ]old|(?:[2-9])[- ]year[- ]old|pupil|schoolboy|"
    r"schoolgirl|CAMHS|year \d+ student|secondary school|primary school)\b",
    re.IGNORECASE,
)


def is_child_case(row: dict[str, str]) -> bool:
    """Whether a report is about a child: ``age`` under 18, or a young person in the text."""
    try:
        if float(row.get("age") or "nan") < 18:
            return True
    except ValueError:
        pass
    return bool(_YOUNG.search(row["investigation"] + "\n" + row["circumstances"]))


def plan(
    annotators: int, passages: int, second: int, seed: int
) -> tuple[list[list[tuple[str, str, int]]], list[tuple[str, str, int]]]:
    """Report shares ``[(file, record id, passages)]`` per annotator and the second set."""
    seen = {
        json.loads(line)["record_id"]
        for line in LABELS_PATH.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    child: list[tuple[str, str, int]] = []
    other: list[tuple[str, str, int]] = []
    for file in FILES:
        for record_id, row in sorted(load_reports(file).items()):
            if record_id in seen:  # labelled already, or the same inquest in the other CSV
                continue
            seen.add(record_id)
            count = sum(len(field_spans(file, record_id, f, row[f])) for f in FIELDS)
            if count == 0 or count > 40:  # empty, or too long for one sitting
                continue
            (child if is_child_case(row) else other).append((file, record_id, count))
    rng = random.Random(seed)
    rng.shuffle(child)
    rng.shuffle(other)
    shares: list[list[tuple[str, str, int]]] = [[] for _ in range(annotators)]
    planned = 0
    for item in child + other:
        if planned >= passages:
            break
        smallest = min(range(annotators), key=lambda a: sum(c for *_, c in shares[a]))
        shares[smallest].append(item)
        planned += item[2]
    second_set: list[tuple[str, str, int]] = []
    per_annotator = second / annotators
    for share in shares:
        taken = 0
        for item in share[::3]:  # every third report: children and adults alike
            if taken >= per_annotator:
                break
            second_set.append(item)
            taken += item[2]
    return shares, second_set


def _write(folder: Path, items: list[tuple[str, str, int]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for file in FILES:
        ids = [rid for f, rid, _ in items if f == file]
        if ids:
            (folder / f"{file}.ids").write_text(",".join(ids), encoding="utf-8")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotators", type=int, default=7)
    parser.add_argument("--passages", type=int, default=2100)
    parser.add_argument("--second", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    shares, second = plan(args.annotators, args.passages, args.second, args.seed)
    summary = {}
    for n, share in enumerate(shares, start=1):
        _write(args.out / f"a{n}", share)
        summary[f"a{n}"] = {"reports": len(share), "passages": sum(c for *_, c in share)}
    _write(args.out / "second", second)
    summary["second"] = {"reports": len(second), "passages": sum(c for *_, c in second)}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
