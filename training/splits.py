"""Train/dev/test splits by report, never by passage, committed as ``training/data/splits.json``.

Regenerate with ``scrutiny train --write-splits`` (or ``python -m training.splits``). Reports
are ranked by a keyed sha256 of their id inside each source group (each writer, and the PFD
reports), and the first ~70% of each group go to train, the next ~15% to dev, the rest to
test: deterministic, stratified by source, and no report contributes to two splits.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from training.config import SPLITS_PATH
from training.corpus import Record

SPLITS = ("train", "dev", "test")
FRACTIONS = (0.70, 0.15, 0.15)
_KEY = "scrutiny-splits-v1"


def _group(record: Record) -> str:
    # Written report ids start with their writer ("w3-r07"); PFD reports form one group.
    return "pfd" if record.source == "pfd" else record.report_id.split("-")[0]


def assign_splits(records: Iterable[Record]) -> dict[str, str]:
    """Map every report id to "train", "dev" or "test"."""
    groups: dict[str, set[str]] = defaultdict(set)
    for record in records:
        groups[_group(record)].add(record.report_id)
    assignment: dict[str, str] = {}
    for group in sorted(groups):
        reports = sorted(
            groups[group], key=lambda r: hashlib.sha256(f"{_KEY}:{r}".encode()).hexdigest()
        )
        n = len(reports)
        n_test = round(n * FRACTIONS[2])
        n_dev = round(n * FRACTIONS[1])
        if n >= 3:  # every split gets at least one report from a group that can spare one
            n_test, n_dev = max(n_test, 1), max(n_dev, 1)
        for index, report in enumerate(reports):
            if index < n - n_dev - n_test:
                assignment[report] = "train"
            elif index < n - n_test:
                assignment[report] = "dev"
            else:
                assignment[report] = "test"
    return dict(sorted(assignment.items()))


def write_splits(records: Iterable[Record], path: Path = SPLITS_PATH) -> dict[str, str]:
    """Assign and write the splits file; returns the assignment."""
    assignment = assign_splits(records)
    path.write_text(json.dumps(assignment, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return assignment


def read_splits(path: Path = SPLITS_PATH) -> dict[str, str]:
    """The committed report → split mapping."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `scrutiny train --write-splits`")
    data = json.loads(path.read_text(encoding="utf-8"))
    bad = {v for v in data.values() if v not in SPLITS}
    if bad:
        raise ValueError(f"{path}: unknown split names {sorted(bad)}")
    return dict(data)


def split_records(
    records: Iterable[Record], assignment: dict[str, str]
) -> dict[str, list[Record]]:
    """Group records by split; a record whose report has no split is an error."""
    out: dict[str, list[Record]] = {name: [] for name in SPLITS}
    missing: set[str] = set()
    for record in records:
        split = assignment.get(record.report_id)
        if split is None:
            missing.add(record.report_id)
            continue
        out[split].append(record)
    if missing:
        raise ValueError(
            f"{len(missing)} reports have no split (e.g. {sorted(missing)[:3]}): "
            "run `scrutiny train --write-splits`"
        )
    return out


def summary(parts: dict[str, list[Record]]) -> dict[str, dict[str, int]]:
    """Passages and reports per split, by source (for the manifest)."""
    result: dict[str, dict[str, int]] = {}
    for name, records in parts.items():
        result[name] = {
            "passages": len(records),
            "reports": len({r.report_id for r in records}),
            "written": sum(r.source == "written" for r in records),
            "pfd": sum(r.source == "pfd" for r in records),
        }
    return result


if __name__ == "__main__":
    from training.corpus import load_corpus

    written = write_splits(load_corpus())
    print(f"wrote {SPLITS_PATH} ({len(written)} reports)")
