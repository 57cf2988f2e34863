"""The exemplar bank shipped with the model: strong passages and their embeddings.

The bank is two files of the model folder, both pinned by the manifest's sha256:
``exemplars.json`` (each exemplar: id, dimension, topic, the passage, its labels, the row of
its embedding) and ``exemplars.npy`` (one L2-normalised float16 row per passage, from the
graph's ``pooled`` output). ``training.exemplars`` builds it; ``nearest`` finds the strong
passage closest to a weak one on the same dimension by cosine similarity.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from service.model.dimensions import DIMENSIONS
from service.model.manifest import ModelIntegrityError

log = logging.getLogger("scrutiny.exemplars")

BANK_JSON = "exemplars.json"
BANK_VECTORS = "exemplars.npy"
FORMAT = 1
# How each topic (the kind of section the passage was written for) is named to people.
TOPIC_TITLES: dict[str, str] = {
    "background": "Background and family context",
    "methodology": "How the review was done",
    "chronology": "Key events",
    "analysis": "Analysis of practice",
    "findings": "Findings",
    "child_voice": "The child's lived experience",
    "recommendations": "Recommendations",
}


@dataclass(frozen=True, slots=True)
class Exemplar:
    """One strong passage for one dimension."""

    id: str
    passage: str  # the corpus passage id; a passage strong on two dimensions has two entries
    dimension: str
    topic: str  # the section kind it was written for (TOPIC_TITLES)
    heading: str  # the heading of the section it was written under
    text: str
    labels: dict[str, int | None]  # the annotators' levels on every dimension
    score: float  # the model's expected level on ``dimension`` (3 is the top)
    row: int  # its embedding's row in the vectors


@dataclass(frozen=True)
class ExemplarBank:
    """Every exemplar, and unit-length embeddings to search them by."""

    exemplars: tuple[Exemplar, ...]
    vectors: npt.NDArray[np.float32]  # (passages, hidden), rows of unit length
    graph_sha256: str
    _by_id: dict[str, Exemplar] = field(init=False, repr=False)
    _rows: dict[str, npt.NDArray[np.int64]] = field(init=False, repr=False)
    _topics: dict[tuple[str, str], npt.NDArray[np.int64]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.exemplars})
        rows = {
            d: np.array([i for i, e in enumerate(self.exemplars) if e.dimension == d], np.int64)
            for d in DIMENSIONS
        }
        object.__setattr__(self, "_rows", rows)
        topics = {
            (d, t): np.array(
                [i for i, e in enumerate(self.exemplars) if e.dimension == d and e.topic == t],
                np.int64,
            )
            for d, t in {(e.dimension, e.topic) for e in self.exemplars}
        }
        object.__setattr__(self, "_topics", topics)

    def get(self, exemplar_id: str) -> Exemplar | None:
        """The exemplar with this id, or None."""
        return self._by_id.get(exemplar_id)

    def nearest(
        self, embedding: npt.NDArray[np.floating], dimension: str, topic: str | None = None
    ) -> tuple[Exemplar, float] | None:
        """The exemplar of ``dimension`` most similar (cosine) to ``embedding``, with the
        similarity; among those of ``topic`` when the bank has some (a weakness in an
        analysis section is shown strong analysis), else among all of the dimension. None
        when the bank holds none for that dimension."""
        members = self._topics.get((dimension, topic or "")) if topic else None
        if members is None or len(members) == 0:
            members = self._rows.get(dimension)
        if members is None or len(members) == 0:
            return None
        query = np.asarray(embedding, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(query))
        if not np.isfinite(norm) or norm == 0.0:
            return None
        rows = np.array([self.exemplars[i].row for i in members])
        similarity = self.vectors[rows] @ (query / norm)
        best = int(np.argmax(similarity))
        return self.exemplars[int(members[best])], float(similarity[best])

    def grouped(self) -> dict[str, dict[str, list[Exemplar]]]:
        """Exemplars by dimension (in ``DIMENSIONS`` order), then topic, strongest first."""
        groups: dict[str, dict[str, list[Exemplar]]] = {d: {} for d in DIMENSIONS}
        for exemplar in self.exemplars:
            groups[exemplar.dimension].setdefault(exemplar.topic, []).append(exemplar)
        for topics in groups.values():
            for members in topics.values():
                members.sort(key=lambda e: -e.score)
        return {
            d: dict(sorted(t.items(), key=lambda kv: _topic_order(kv[0])))
            for d, t in groups.items()
        }


def _topic_order(topic: str) -> int:
    order = list(TOPIC_TITLES)
    return order.index(topic) if topic in order else len(order)


def _fail(message: str) -> ModelIntegrityError:
    return ModelIntegrityError(f"{BANK_JSON}: {message}")


def parse_bank(data: bytes, vectors: bytes) -> ExemplarBank:
    """The bank from the verified bytes of its two files; ModelIntegrityError if malformed."""
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _fail(f"not valid JSON ({error})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _fail(f"not an exemplar bank of format {FORMAT}")
    try:
        matrix = np.load(io.BytesIO(vectors), allow_pickle=False)
    except (ValueError, OSError) as error:
        raise _fail(f"{BANK_VECTORS} is not a NumPy array ({error})") from None
    if matrix.ndim != 2 or not np.all(np.isfinite(matrix)):
        raise _fail(f"{BANK_VECTORS} must be a finite 2-D array")
    exemplars = tuple(_exemplar(entry, len(matrix)) for entry in raw.get("exemplars") or [])
    if len({e.id for e in exemplars}) != len(exemplars):
        raise _fail("exemplar ids repeat")
    unit = matrix.astype(np.float32)
    unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    return ExemplarBank(exemplars, unit, str(raw.get("graph_sha256", "")))


def _exemplar(entry: Any, rows: int) -> Exemplar:
    if not isinstance(entry, dict):
        raise _fail("every exemplar must be an object")
    try:
        exemplar = Exemplar(
            id=str(entry["id"]),
            passage=str(entry["passage"]),
            dimension=str(entry["dimension"]),
            topic=str(entry["topic"]),
            heading=str(entry.get("heading") or ""),
            text=str(entry["text"]),
            labels={d: entry["labels"].get(d) for d in DIMENSIONS},
            score=float(entry["score"]),
            row=int(entry["row"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _fail(f"an exemplar lacks or mistypes a field ({error})") from None
    if exemplar.dimension not in DIMENSIONS or not 0 <= exemplar.row < rows:
        raise _fail(f"exemplar {exemplar.id[:40]!r} has an unknown dimension or embedding row")
    return exemplar


def load_bank(
    files: dict[str, bytes], graph_sha256: str, hidden: int | None
) -> ExemplarBank | None:
    """The bank from a model folder's verified files, or None when the folder has none.

    A malformed bank is refused (ModelIntegrityError). A well-formed bank that does not fit
    the graph (embedded with another ``model.onnx``, or the graph has no ``pooled`` output of
    the bank's width, ``hidden``) is left unused with a warning: the model still scores, the
    exemplars wait for `scrutiny exemplars`.
    """
    if BANK_JSON not in files and BANK_VECTORS not in files:
        return None
    if BANK_JSON not in files or BANK_VECTORS not in files:
        raise _fail(f"the manifest must list both {BANK_JSON} and {BANK_VECTORS}")
    bank = parse_bank(files[BANK_JSON], files[BANK_VECTORS])
    problem = stale(bank, graph_sha256, hidden)
    if problem:
        log.warning("%s: %s; the exemplars are not used", BANK_JSON, problem)
        return None
    return bank


def stale(bank: ExemplarBank, graph_sha256: str, hidden: int | None) -> str | None:
    """Why ``bank`` does not fit the graph (None when it does)."""
    if bank.graph_sha256 != graph_sha256:
        return (
            "built with another model.onnx; rebuild it with `scrutiny exemplars` "
            "(make exemplars) after every change to the graph"
        )
    if hidden is None:
        return "the graph has no 'pooled' output to search it with"
    if bank.vectors.shape[1] != hidden:
        return f"its embeddings are {bank.vectors.shape[1]} wide, the graph's {hidden}"
    return None
