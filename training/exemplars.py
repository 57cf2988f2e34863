"""Build the exemplar bank of a model folder (``service.exemplars``): ``scrutiny exemplars``.

What good looks like, from the project's own written passages only (never the real PFD
text, which the repository must not hold): for every dimension and topic (the kind of
section a passage was written for), the passages the annotators labelled 3 ("strong") and
the model also rates 3, that read clearly (clarity labelled at least ``MIN_CLARITY``),
at most ``per_group`` of them, one per report before a report gives
a second, the model's most certain first, each with its mean-pooled embedding from the
folder's own graph. Passages shorter than ``MIN_WORDS`` or longer than ``MAX_WORDS`` are left
out: an exemplar should read in one go.

The command first gives the graph its ``pooled`` output when it lacks one (graphs exported
before the output existed; ``training.export.add_pooled_output``, logits unchanged), then
writes ``exemplars.json`` and ``exemplars.npy`` and re-hashes the folder into the manifest.
Rerun it after every ``scrutiny export`` (``make exemplars``): the bank names the graph it
was built with, and the service leaves a bank built with another unused (with a warning).
"""

from __future__ import annotations

import io
import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.aggregate.policy import applies
from service.exemplars.bank import BANK_JSON, BANK_VECTORS, FORMAT, TOPIC_TITLES
from service.model.dimensions import DIMENSIONS, LEVELS, shown_level
from training.corpus import Record, corpus_sha256, load_written

log = logging.getLogger("scrutiny.exemplars")

PER_GROUP = 24
MIN_WORDS = 30
MAX_WORDS = 150
STRONG = LEVELS - 1
# An exemplar is a model to copy, so whatever its dimension it must read well: the
# annotators' clarity label is at least "good".
MIN_CLARITY = 2
SELECTION = (
    "passages written by the project (training/data/written) that the annotators labelled "
    f"{STRONG} and the model rates {STRONG} on the dimension, with a clarity label of at least "
    f"{MIN_CLARITY}, {MIN_WORDS}-{MAX_WORDS} words; "
    "per dimension and topic (section kind) at most {per_group}, one per report before any "
    "report gives a second, the model's most certain first"
)


def candidates(records: Sequence[Record]) -> list[tuple[Record, str]]:
    """(passage, dimension) pairs the annotators labelled strong, where the section-kind
    policy rates that dimension, with a topic the bank names, of a readable length."""
    pairs = []
    for record in records:
        if record.source != "written" or record.section_kind not in TOPIC_TITLES:
            continue
        if not MIN_WORDS <= len(record.text.split()) <= MAX_WORDS:
            continue
        if (record.labels.get("clarity") or 0) < MIN_CLARITY:
            continue
        for index, dimension in enumerate(DIMENSIONS):
            if record.labels.get(dimension) == STRONG and applies(record.section_kind, index):
                pairs.append((record, dimension))
    return pairs


def select(
    pairs: Sequence[tuple[Record, str]],
    probs: dict[str, npt.NDArray[np.float64]],
    per_group: int = PER_GROUP,
) -> list[tuple[Record, str, float]]:
    """The exemplars: (passage, dimension, the model's expected level on it), grouped by
    dimension and topic, each group in pick order (see the module docstring).

    ``probs`` maps a passage id to its level probabilities ``(dimensions, levels)``.
    """
    groups: dict[tuple[str, str], list[tuple[Record, str, float, float]]] = defaultdict(list)
    for record, dimension in pairs:
        row = probs[record.id][DIMENSIONS.index(dimension)]
        if int(shown_level(row)) != STRONG:
            continue
        expected = float(row @ np.arange(LEVELS))
        groups[(dimension, record.section_kind)].append(
            (record, dimension, float(row[STRONG]), expected)
        )
    chosen: list[tuple[Record, str, float]] = []
    for key in sorted(groups, key=lambda k: (DIMENSIONS.index(k[0]), k[1])):
        first: list[tuple[Record, str, float, float]] = []
        rest: list[tuple[Record, str, float, float]] = []
        seen: set[str] = set()
        for item in sorted(groups[key], key=lambda item: (-item[2], item[0].id)):
            (rest if item[0].report_id in seen else first).append(item)
            seen.add(item[0].report_id)
        for record, dimension, _p, expected in (first + rest)[:per_group]:
            chosen.append((record, dimension, expected))
    return chosen


def _heading(record: Record) -> str:
    """The heading the passage was written under (``Record.section`` is ``report/heading``)."""
    return record.section.split("/", 1)[1] if "/" in record.section else ""


def bank_files(
    chosen: Sequence[tuple[Record, str, float]],
    embeddings: dict[str, npt.NDArray[np.float32]],
    graph_sha256: str,
) -> tuple[bytes, bytes]:
    """The bytes of ``exemplars.json`` and ``exemplars.npy`` for the chosen exemplars."""
    rows: dict[str, int] = {}
    for record, _dimension, _score in chosen:
        rows.setdefault(record.id, len(rows))
    matrix = np.zeros((len(rows), len(next(iter(embeddings.values())))), dtype=np.float32)
    for passage, row in rows.items():
        vector = embeddings[passage]
        matrix[row] = vector / max(float(np.linalg.norm(vector)), 1e-12)
    entries = [
        {
            "id": f"{record.id}-{dimension}",
            "passage": record.id,
            "dimension": dimension,
            "topic": record.section_kind,
            "heading": _heading(record),
            "text": record.text,
            "labels": record.labels,
            "score": round(score, 3),
            "row": rows[record.id],
        }
        for record, dimension, score in chosen
    ]
    document = {
        "format": FORMAT,
        "graph_sha256": graph_sha256,
        "embedding": {
            "file": BANK_VECTORS,
            "output": "pooled",
            "dtype": "float16",
            "normalised": True,
        },
        "exemplars": entries,
    }
    buffer = io.BytesIO()
    np.save(buffer, matrix.astype(np.float16), allow_pickle=False)
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    return text.encode("utf-8"), buffer.getvalue()


def ensure_pooled_output(model_dir: Path) -> bool:
    """Give the folder's graph its ``pooled`` output if it lacks one, and record it in the
    manifest (files re-hashed, model card re-rendered). Returns True when the graph changed."""
    from training.export import POOLED, POOLED_DESCRIPTION, add_pooled_output
    from training.package import finalise, read_manifest

    if not add_pooled_output(model_dir / "model.onnx"):
        return False
    manifest = read_manifest(model_dir)
    manifest["extra_outputs"] = {
        **(manifest.get("extra_outputs") or {}),
        POOLED: POOLED_DESCRIPTION,
    }
    manifest.setdefault("export", {})["pooled_output"] = (
        "added to the exported graph by training.export.add_pooled_output: an Identity on "
        "the tensor the ordinal heads read; logits unchanged"
    )
    finalise(model_dir, manifest)
    log.info("added the pooled output to %s", model_dir / "model.onnx")
    return True


def remove_bank(model_dir: Path) -> None:
    """Delete a folder's bank files (a bank belongs to the graph it was built with)."""
    for name in (BANK_JSON, BANK_VECTORS):
        (model_dir / name).unlink(missing_ok=True)


def build_bank(
    model_dir: Path,
    *,
    records: Sequence[Record] | None = None,
    per_group: int = PER_GROUP,
    threads: int = 2,
) -> dict[str, Any]:
    """Write the bank of ``model_dir`` from ``records`` (default: every written passage) and
    record it in the manifest; returns the manifest's ``exemplars`` entry."""
    from service.model.runtime import QualityModel
    from training.package import finalise, read_manifest

    records = load_written() if records is None else list(records)
    ensure_pooled_output(model_dir)
    remove_bank(model_dir)
    finalise(model_dir, {k: v for k, v in read_manifest(model_dir).items() if k != "exemplars"})
    model = QualityModel.load(model_dir, threads=threads, batch_size=16)
    pairs = candidates(records)
    passages = list({record.id: record for record, _ in pairs}.values())
    ran = model.outputs([r.text for r in passages], embeddings=True)
    assert ran.embeddings is not None
    probs = {r.id: ran.probs[i] for i, r in enumerate(passages)}
    embeddings = {r.id: ran.embeddings[i] for i, r in enumerate(passages)}
    chosen = select(pairs, probs, per_group)
    if not chosen:
        raise ValueError("no passage qualifies as an exemplar; check the corpus and the model")
    manifest = read_manifest(model_dir)
    data, vectors = bank_files(chosen, embeddings, manifest["files"]["model.onnx"])
    (model_dir / BANK_JSON).write_bytes(data)
    (model_dir / BANK_VECTORS).write_bytes(vectors)
    groups: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}
    for record, dimension, _score in chosen:
        groups[dimension][record.section_kind] = groups[dimension].get(record.section_kind, 0) + 1
    entry = {
        "files": [BANK_JSON, BANK_VECTORS],
        "exemplars": len(chosen),
        "passages": len({r.id for r, _, _ in chosen}),
        "by_dimension_and_topic": groups,
        "per_group": per_group,
        "selection": SELECTION.format(per_group=per_group),
        "candidates": len(pairs),
        "written_corpus_sha256": corpus_sha256(records),
        "graph_sha256": manifest["files"]["model.onnx"],
    }
    manifest["exemplars"] = entry
    finalise(model_dir, manifest)
    log.info("wrote %d exemplars (%d passages) to %s", len(chosen), entry["passages"], model_dir)
    return entry
