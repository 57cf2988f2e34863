"""Auxiliary public data.

- The Causal News Corpus (CNC) as an "explains why" signal: sentences of
  ``causal_news_corpus/train_subtask1.csv`` are labelled causal (1) or not (0). The file is
  split by news document (the ``train_<doc>_`` prefix of ``index``) so no document sits on
  both sides: a held-out share for evaluation, the rest for training.
- OneStopEnglish as a clarity signal: the same news articles at three reading levels.
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


# Folder of each OneStopEnglish reading level, easiest first.
OSE_LEVELS = ("Ele-Txt", "Int-Txt", "Adv-Txt")


@dataclass(frozen=True, slots=True)
class ReadingLevelParagraph:
    """One OneStopEnglish paragraph: its article, reading level (0 easiest) and text."""

    article: str
    level: int
    text: str


def load_onestopenglish(
    root: Path | None = None, min_words: int = 8
) -> list[ReadingLevelParagraph]:
    """Paragraphs of every OneStopEnglish article at each reading level.

    The intermediate files begin with a line "Intermediate" that is not article text; very
    short lines (titles, bylines) are left out.
    """
    root = root or shared_data_dir() / "onestopenglish" / "Texts-SeparatedByReadingLevel"
    if not root.is_dir():
        raise FileNotFoundError(f"{root} not found (set SCRUTINY_SHARED_DATA)")
    out: list[ReadingLevelParagraph] = []
    for level, folder in enumerate(OSE_LEVELS):
        for path in sorted((root / folder).glob("*.txt")):
            lines = [
                line.strip()
                for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
            ]
            lines = [line for line in lines if line]
            if folder == "Int-Txt" and lines and lines[0] == "Intermediate":
                lines = lines[1:]
            article = path.stem.rsplit("-", 1)[0]
            out.extend(
                ReadingLevelParagraph(article, level, line)
                for line in lines
                if len(line.split()) >= min_words
            )
    return out
