"""Train/dev/test splits by report, never by passage, committed as ``training/data/splits.json``.

Regenerate with ``scrutiny train --write-splits`` (or ``python -m training.splits``). Each
report's split follows from a keyed sha256 of its id alone (a point in [0, 1): below 0.70
train, below 0.85 dev, else test), so the assignment is deterministic, no report contributes
to two splits, and a report never changes split when the corpus grows: a report seen in dev
while tuning can never later turn up in test.

Real (PFD) reports have larger dev and test shares (from 1.5.0): real text drives model
selection and the headline test figures, so each needs enough real passages. The extra
shares are carved out of the old train band only (``[0.55, 0.62)`` to dev, ``[0.62, 0.70)`` to
test), so no real report ever moved out of dev or test: about 55/22/23.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path

from training.config import SPLITS_PATH
from training.corpus import Record

SPLITS = ("train", "dev", "test")
FRACTIONS = (0.70, 0.15, 0.15)
_KEY = "scrutiny-splits-v1"
log = logging.getLogger("scrutiny.splits")


def report_point(report_id: str) -> float:
    """A report's fixed position in [0, 1), from a keyed sha256 of its id."""
    digest = hashlib.sha256(f"{_KEY}:{report_id}".encode()).hexdigest()
    return int(digest[:15], 16) / float(1 << 60)


# Bands of the old train share that real reports give to dev and test.
_REAL_DEV_BAND = (0.55, 0.62)
_REAL_TEST_BAND = (0.62, 0.70)


def is_real(report_id: str) -> bool:
    """Whether a report is real text (a coroners' PFD report) rather than project-written."""
    return report_id.startswith("pfd:")


def _split_of(point: float, real: bool = False) -> str:
    if real and _REAL_DEV_BAND[0] <= point < _REAL_DEV_BAND[1]:
        return "dev"
    if real and _REAL_TEST_BAND[0] <= point < _REAL_TEST_BAND[1]:
        return "test"
    if point < FRACTIONS[0]:
        return "train"
    return "dev" if point < FRACTIONS[0] + FRACTIONS[1] else "test"


def split_of_report(report_id: str) -> str:
    """The split a report's id gives it (what ``--write-splits`` records for it)."""
    return _split_of(report_point(report_id), is_real(report_id))


def assign_splits(records: Iterable[Record]) -> dict[str, str]:
    """Map every report id to "train", "dev" or "test"."""
    assignment: dict[str, str] = {}
    for report in sorted({r.report_id for r in records}):
        assignment[report] = split_of_report(report)
    return assignment


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


def split_records(records: Iterable[Record], assignment: dict[str, str]) -> dict[str, list[Record]]:
    """Group records by split.

    A report missing from ``assignment`` (added to the corpus after the file was written)
    gets the split its hash gives, which is the split ``--write-splits`` would record for it,
    and a warning; the corpus tests insist the committed file is current.
    """
    out: dict[str, list[Record]] = {name: [] for name in SPLITS}
    missing: set[str] = set()
    for record in records:
        split = assignment.get(record.report_id)
        if split is None:
            missing.add(record.report_id)
            split = split_of_report(record.report_id)
        out[split].append(record)
    if missing:
        log.warning(
            "%d reports are not in the splits file; run `scrutiny train --write-splits`",
            len(missing),
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
