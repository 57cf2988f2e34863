"""Auxiliary public data: the Causal News Corpus (CNC) as an "explains why" signal.

Sentences of ``causal_news_corpus/train_subtask1.csv`` are labelled causal (1) or not (0).
The file is split by news document (the ``train_<doc>_`` prefix of ``index``) so no
document sits on both sides: a held-out share for evaluation, the rest for training.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from training.config import shared_data_dir


@dataclass(frozen=True, slots=True)
class CausalSentence:
    """One CNC sentence with its causal label and document id."""

    index: str
    document: str
    text: str
    label: int


def load_cnc(path: Path | None = None) -> list[CausalSentence]:
    """Every CNC subtask-1 sentence."""
    path = path or shared_data_dir() / "causal_news_corpus" / "train_subtask1.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found (set SCRUTINY_SHARED_DATA)")
    rows: list[CausalSentence] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            index = row["index"]
            label = int(row["label"])
            if label not in (0, 1):
                raise ValueError(f"CNC {index}: label {label} is not 0/1")
            document = "_".join(index.split("_")[:2])
            rows.append(CausalSentence(index, document, row["text"], label))
    return rows


def split_cnc(
    rows: list[CausalSentence], holdout: float
) -> tuple[list[CausalSentence], list[CausalSentence]]:
    """(train, held-out) by document, deterministic: documents ranked by a hash of their id."""

    def rank(document: str) -> float:
        digest = hashlib.sha256(f"scrutiny-cnc:{document}".encode()).hexdigest()
        return int(digest[:8], 16) / 0xFFFFFFFF

    train = [r for r in rows if rank(r.document) >= holdout]
    held = [r for r in rows if rank(r.document) < holdout]
    return train, held
