"""List candidate passages of chosen PFD reports for a person to read and label.

    python -m training.labelling.pfd_candidates --file suicide_sig_reports.csv \
        --ids 2021-0301,2024-0422 --fields circumstances,concerns --save /tmp/batch1.json
    python -m training.labelling.pfd_candidates --file suicide_sig_reports.csv \
        --search "year[- ]old|school|CAMHS"

Only lists text for reading; it never assigns labels. Passages already in ``labels.jsonl``
are skipped. ``--save`` writes the numbered references (no text) for ``write_labels``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from training.labelling.pfd_source import (
    FIELDS,
    LABELS_PATH,
    field_spans,
    load_reports,
    passage_id,
)


def labelled_ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with path.open(encoding="utf-8") as handle:
        return {json.loads(line)["id"] for line in handle if line.strip()}


def search(file: str, pattern: str) -> None:
    """Print ids of reports whose text matches ``pattern``, with a short context per hit."""
    regex = re.compile(pattern, re.IGNORECASE)
    for record_id, row in load_reports(file).items():
        text = " ".join(row[field] for field in FIELDS)
        hits = [m for m in regex.finditer(text)]
        if hits:
            contexts = " | ".join(
                text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ") for m in hits[:3]
            )
            print(f"{record_id}\t{len(hits)}\t{contexts}")


def list_candidates(
    file: str, ids: list[str], fields: list[str], limit: int, save: Path | None
) -> None:
    """Print numbered candidate passages and optionally save their references."""
    reports = load_reports(file)
    done = labelled_ids(LABELS_PATH)
    saved: list[dict[str, object]] = []
    for record_id in ids:
        if record_id not in reports:
            raise SystemExit(f"{record_id}: not an unambiguous id in {file}")
        row = reports[record_id]
        for field in fields:
            spans = [s for s in field_spans(file, record_id, field, row[field])]
            spans = [s for s in spans if passage_id(s) not in done][:limit]
            for span in spans:
                key = len(saved)
                saved.append(
                    {
                        "key": key,
                        "file": file,
                        "record_id": record_id,
                        "field": field,
                        "n": span.n,
                        "start": span.start,
                        "end": span.end,
                    }
                )
                text = row[field][span.start : span.end]
                print(f"#{key} {file} {record_id} {field} n={span.n} {span.start}-{span.end}")
                print(text)
                print()
    if save is not None:
        save.write_text(json.dumps(saved), encoding="utf-8")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", required=True)
    parser.add_argument("--ids", default="")
    parser.add_argument("--fields", default="circumstances,concerns")
    parser.add_argument("--limit", type=int, default=100, help="most passages per field")
    parser.add_argument("--search", default="")
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    if args.search:
        search(args.file, args.search)
        return
    fields = [f for f in args.fields.split(",") if f]
    for field in fields:
        if field not in FIELDS:
            parser.error(f"unknown field {field!r}")
    ids = [i for i in args.ids.split(",") if i]
    list_candidates(args.file, ids, fields, args.limit, args.save)


if __name__ == "__main__":
    main()
