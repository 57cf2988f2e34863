"""Check every PFD label reference and print the label distribution per dimension.

    python -m training.labelling.check_pfd

Re-reads each referenced field from ``../shared/data/pfd``, checks that the span is a
passage cut by the shared passage function, that the sha256 matches, that ids are unique
and labels are in range with the null rules of the annotation guide. Exits 1 on a problem.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

from service.ingest.document import SECTION_KINDS
from training.labelling.pfd_source import (
    FIELDS,
    FILES,
    LABELS_PATH,
    field_spans,
    load_reports,
    passage_id,
    report_id,
)

DIMENSIONS = ("clarity", "root_cause", "child_focus", "recommendations")


def check(path: Path) -> tuple[list[str], list[dict[str, object]]]:
    """Problems found in ``path`` and the records read."""
    reports = {file: load_reports(file) for file in FILES}
    shared = set(reports[FILES[0]]) & set(reports[FILES[1]])
    problems = [
        f"{rid}: differs between the two CSVs"
        for rid in sorted(shared)
        if any(reports[FILES[0]][rid][f] != reports[FILES[1]][rid][f] for f in FIELDS)
    ]
    records = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    seen: set[str] = set()
    for rec in records:
        rid = rec["id"]
        if rid in seen:
            problems.append(f"{rid}: duplicate id")
        seen.add(rid)
        row = reports.get(rec["file"], {}).get(rec["record_id"])
        if row is None or rec["field"] not in FIELDS:
            problems.append(f"{rid}: unknown file/record/field")
            continue
        text = row[rec["field"]]
        spans = {
            passage_id(s): (s.start, s.end)
            for s in field_spans(rec["file"], rec["record_id"], rec["field"], text)
        }
        if spans.get(rid) != (rec["start"], rec["end"]):
            problems.append(f"{rid}: span is not the passage of that id")
        digest = hashlib.sha256(text[rec["start"] : rec["end"]].encode("utf-8")).hexdigest()
        if digest != rec["text_sha256"]:
            problems.append(f"{rid}: sha256 mismatch")
        if rec["report_id"] != report_id(rec["record_id"]):
            problems.append(f"{rid}: report_id")
        if rec["section_kind"] not in SECTION_KINDS:
            problems.append(f"{rid}: section_kind")
        labels = rec["labels"]
        for dim in DIMENSIONS:
            value = labels.get(dim)
            if value is not None and value not in (0, 1, 2, 3):
                problems.append(f"{rid}: {dim}={value}")
        if any(labels.get(d) is None for d in DIMENSIONS[:3]):
            problems.append(f"{rid}: clarity/root_cause/child_focus missing")
        if (labels.get("recommendations") is None) != (rec["section_kind"] != "recommendations"):
            problems.append(f"{rid}: recommendations null rule")
    return problems, records


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels", type=Path, default=LABELS_PATH)
    args = parser.parse_args()
    problems, records = check(args.labels)
    reports = {r["report_id"] for r in records}
    files = Counter(str(r["file"]) for r in records)
    print(f"{len(records)} passages from {len(reports)} reports; {dict(files)}")
    print("section kinds:", dict(Counter(str(r["section_kind"]) for r in records).most_common()))
    for dim in DIMENSIONS:
        counts = Counter(r["labels"][dim] for r in records)  # type: ignore[index]
        shown = " ".join(f"{k}:{counts[k]}" for k in (0, 1, 2, 3, None))
        print(f"{dim:16s} {shown}")
    for problem in problems:
        print("PROBLEM", problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
