"""Append a person's labels for a saved batch of PFD candidates to ``labels.jsonl``.

    python -m training.labelling.write_labels /tmp/b1.json /tmp/b1.txt

The labels file has one line per labelled passage: ``key section_kind clarity root_cause
child_focus recommendations`` (``-`` for null; ``#`` starts a comment). This script only
turns those decisions into JSON with the reference and hash; it never chooses a label.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from service.ingest.document import SECTION_KINDS
from training.labelling.pfd_source import LABELS_PATH, Span, load_reports, passage_id, report_id

DIMENSIONS = ("clarity", "root_cause", "child_focus", "recommendations")


def _level(token: str) -> int | None:
    if token == "-":
        return None
    level = int(token)
    if not 0 <= level <= 3:
        raise ValueError(f"level {level} outside 0-3")
    return level


def build_records(batch: list[dict[str, object]], lines: list[str]) -> list[dict[str, object]]:
    """JSON records for the labelled lines of one batch."""
    by_key = {int(str(c["key"])): c for c in batch}
    rows_by_file: dict[str, dict[str, dict[str, str]]] = {}
    records: list[dict[str, object]] = []
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 6:
            raise ValueError(f"expected 6 fields, got {len(parts)}: {line!r}")
        key, kind, *levels = parts
        if kind not in SECTION_KINDS:
            raise ValueError(f"unknown section kind {kind!r}")
        labels = dict(zip(DIMENSIONS, (_level(t) for t in levels), strict=True))
        if any(labels[d] is None for d in DIMENSIONS[:3]):
            raise ValueError(f"clarity, root_cause and child_focus are required (key {key})")
        if (labels["recommendations"] is None) != (kind != "recommendations"):
            raise ValueError(
                f"recommendations must be set exactly on recommendation passages (key {key})"
            )
        cand = by_key[int(key)]
        file, record_id, field = str(cand["file"]), str(cand["record_id"]), str(cand["field"])
        start, end = int(str(cand["start"])), int(str(cand["end"]))
        rows = rows_by_file.setdefault(file, load_reports(file))
        text = rows[record_id][field][start:end]
        span = Span(file, record_id, field, int(str(cand["n"])), start, end)
        records.append(
            {
                "id": passage_id(span),
                "report_id": report_id(record_id),
                "file": file,
                "record_id": record_id,
                "field": field,
                "start": start,
                "end": end,
                "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "section_kind": kind,
                "labels": labels,
            }
        )
    return records


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("batch", type=Path)
    parser.add_argument("labels", type=Path)
    parser.add_argument("--out", type=Path, default=LABELS_PATH)
    args = parser.parse_args()
    batch = json.loads(args.batch.read_text(encoding="utf-8"))
    records = build_records(batch, args.labels.read_text(encoding="utf-8").splitlines())
    existing: set[str] = set()
    if args.out.exists():
        existing = {
            json.loads(x)["id"] for x in args.out.read_text(encoding="utf-8").splitlines() if x
        }
    clash = [r["id"] for r in records if r["id"] in existing]
    if clash:
        raise SystemExit(f"already labelled: {clash[:5]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"appended {len(records)} records to {args.out}")


if __name__ == "__main__":
    main()
