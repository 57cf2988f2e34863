"""The labelled corpus: written passages and referenced real PFD passages, as one list.

Written passages live in ``training/data/written/<author>/*.jsonl`` with their text. Real
coroners' (PFD) passages live in ``training/data/pfd/labels.jsonl`` as references only
(file, record id, field, character offsets, sha256 of the text); their text is read from the
shared data folder here and checked against that sha256, so the repository never holds it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.aggregate.policy import applies
from service.ingest.document import SECTION_KINDS as DOCUMENT_SECTION_KINDS
from service.model.dimensions import DIMENSIONS, LEVELS
from training.config import DATA_DIR, shared_data_dir
from training.labelling.pfd_source import load_reports

SECTION_KINDS = frozenset(DOCUMENT_SECTION_KINDS)
WRITTEN_KEYS = frozenset(
    {"id", "report_id", "section_heading", "section_kind", "text", "labels", "author"}
)
PFD_KEYS = frozenset(
    {
        "id",
        "report_id",
        "file",
        "record_id",
        "field",
        "start",
        "end",
        "text_sha256",
        "section_kind",
        "labels",
    }
)
PFD_FIELDS = frozenset({"investigation", "circumstances", "concerns"})


class CorpusError(ValueError):
    """A corpus record breaks the schema or its reference does not resolve."""


@dataclass(frozen=True, slots=True)
class Record:
    """One labelled passage. ``labels[d]`` is 0-3, or None where the dimension does not apply."""

    id: str
    report_id: str
    source: str  # "written" or "pfd"
    section_kind: str
    text: str
    labels: dict[str, int | None]
    # The section the passage belongs to (``<report>/<heading>``, or ``<report>/<field>`` for
    # PFD), so passages can be put back together into labelled sections.
    section: str = ""

    def label_vector(self) -> list[int]:
        """Labels in ``DIMENSIONS`` order, -1 where missing or where the section-kind policy
        does not rate the dimension (``service.aggregate.policy``): such a label is neither
        learned nor judged, because the service never shows it."""
        return [
            -1
            if self.labels.get(d) is None or not applies(self.section_kind, i)
            else int(self.labels[d] or 0)
            for i, d in enumerate(DIMENSIONS)
        ]


def _check_labels(where: str, labels: Any) -> dict[str, int | None]:
    if not isinstance(labels, dict) or set(labels) != set(DIMENSIONS):
        raise CorpusError(f"{where}: labels must have exactly the keys {list(DIMENSIONS)}")
    for dimension, value in labels.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < LEVELS:
            raise CorpusError(f"{where}: {dimension} label {value!r} is not an integer 0-3")
    if all(v is None for v in labels.values()):
        raise CorpusError(f"{where}: every label is null")
    return dict(labels)


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpusError(f"{path.name}:{number}: invalid JSON ({error.msg})") from None
            if not isinstance(row, dict):
                raise CorpusError(f"{path.name}:{number}: not a JSON object")
            yield number, row


def _check_common(where: str, row: dict[str, Any]) -> None:
    for key in ("id", "report_id", "section_kind"):
        if not isinstance(row.get(key), str) or not row[key]:
            raise CorpusError(f"{where}: {key} must be a non-empty string")
    if row["section_kind"] not in SECTION_KINDS:
        raise CorpusError(f"{where}: unknown section_kind {row['section_kind']!r}")
    recommendations = (
        row["labels"].get("recommendations") if isinstance(row["labels"], dict) else None
    )
    if row["section_kind"] != "recommendations" and recommendations is not None:
        raise CorpusError(f"{where}: recommendations label outside a recommendations section")


def load_written(root: Path | None = None) -> list[Record]:
    """Every written passage under ``root`` (default ``training/data/written``), validated."""
    root = DATA_DIR / "written" if root is None else Path(root)
    records: list[Record] = []
    for path in sorted(root.glob("*/*.jsonl")):
        for number, row in _jsonl(path):
            where = f"{path.parent.name}/{path.name}:{number}"
            if set(row) != WRITTEN_KEYS:
                raise CorpusError(
                    f"{where}: keys differ from the schema: {sorted(set(row) ^ WRITTEN_KEYS)}"
                )
            _check_common(where, row)
            labels = _check_labels(where, row["labels"])
            text = row["text"]
            if not isinstance(text, str) or not text.strip():
                raise CorpusError(f"{where}: empty text")
            records.append(
                Record(
                    row["id"],
                    row["report_id"],
                    "written",
                    row["section_kind"],
                    text,
                    labels,
                    f"{row['report_id']}/{row['section_heading']}",
                )
            )
    return records


def load_pfd(labels_path: Path | None = None, data_dir: Path | None = None) -> list[Record]:
    """The referenced PFD passages, text read from the shared CSVs and sha256-checked."""
    labels_path = DATA_DIR / "pfd" / "labels.jsonl" if labels_path is None else Path(labels_path)
    if not labels_path.is_file():
        return []
    pfd_dir = (shared_data_dir() if data_dir is None else Path(data_dir)) / "pfd"
    tables: dict[str, dict[str, dict[str, str]]] = {}
    records: list[Record] = []
    for number, row in _jsonl(labels_path):
        where = f"pfd/labels.jsonl:{number}"
        if set(row) != PFD_KEYS:
            raise CorpusError(
                f"{where}: keys differ from the schema: {sorted(set(row) ^ PFD_KEYS)}"
            )
        _check_common(where, row)
        labels = _check_labels(where, row["labels"])
        name = row["file"]
        if not isinstance(name, str) or Path(name).name != name or not name.endswith(".csv"):
            raise CorpusError(f"{where}: file must be a CSV name in the pfd folder")
        if row["field"] not in PFD_FIELDS:
            raise CorpusError(f"{where}: field {row['field']!r} is not one of {sorted(PFD_FIELDS)}")
        if name not in tables:
            path = pfd_dir / name
            if not path.is_file():
                raise CorpusError(
                    f"{where}: {path} not found: run `scrutiny data fetch` or set SCRUTINY_SHARED_DATA"
                )
            try:
                tables[name] = load_reports(name, pfd_dir)
            except ValueError as error:
                raise CorpusError(f"{where}: {error}") from error
        source = tables[name].get(str(row["record_id"]))
        if source is None:
            raise CorpusError(f"{where}: record {row['record_id']!r} not in {name}")
        start, end = row["start"], row["end"]
        field_text = source[row["field"]] or ""
        if not (
            isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(field_text)
        ):
            raise CorpusError(f"{where}: offsets {start}-{end} outside the field")
        text = field_text[start:end]
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != row["text_sha256"]:
            raise CorpusError(f"{where}: text at the offsets does not match text_sha256")
        records.append(
            Record(
                row["id"],
                row["report_id"],
                "pfd",
                row["section_kind"],
                text,
                labels,
                f"{row['report_id']}/{row['field']}",
            )
        )
    return records


def load_corpus(written_root: Path | None = None, pfd_labels: Path | None = None) -> list[Record]:
    """Written and PFD records together, sorted by id; ids must be unique across both."""
    records = load_written(written_root) + load_pfd(pfd_labels)
    seen: set[str] = set()
    for record in records:
        if record.id in seen:
            raise CorpusError(f"duplicate passage id {record.id}")
        seen.add(record.id)
    return sorted(records, key=lambda r: r.id)


def corpus_sha256(records: Iterable[Record]) -> str:
    """One hash over ids, reports, kinds, labels and text of every record (order-free)."""
    lines = sorted(
        json.dumps(
            [
                r.id,
                r.report_id,
                r.source,
                r.section_kind,
                [r.labels[d] for d in DIMENSIONS],
                hashlib.sha256(r.text.encode("utf-8")).hexdigest(),
            ]
        )
        for r in records
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
