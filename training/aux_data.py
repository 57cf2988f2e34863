"""Auxiliary public data.

- The Causal News Corpus (CNC) as an "explains why" signal: sentences of
  ``causal_news_corpus/train_subtask1.csv`` are labelled causal (1) or not (0). The file is
  split by annotation batch (the ``train_<batch>_`` prefix of ``index``, nine batches of news
  articles), so no batch, and so no article, sits on two sides: train, dev (selection) and
  test (evaluation only).
- OneStopEnglish as a clarity signal: the same news articles at three reading levels.
- The PFD CSVs' own ``age`` column: passages of adults' inquests that mention no child are
  child focus 0 (about adults and agencies only), a weak label on real text.
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
from collections.abc import Callable
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
        raise FileNotFoundError(
            f"{path} not found: run `scrutiny data fetch` or set SCRUTINY_SHARED_DATA"
        )
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
        raise FileNotFoundError(
            f"{root} not found: run `scrutiny data fetch` or set SCRUTINY_SHARED_DATA"
        )
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


def _rank(key: str) -> float:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF


# Shares of the auxiliary sets held out by document or article: test is never trained on or
# used for selection (it is the evaluation's held-out check); dev chooses among models.
AUX_TEST_SHARE = 0.2
AUX_DEV_SHARE = 0.1


def aux_part(key: str) -> str:
    """ "train", "dev" or "test" for a CNC document or OneStopEnglish article, from a hash.

    The CNC test part is exactly the old ``split_cnc(rows, 0.2)`` held-out part, so the
    "explains why" figures stay comparable across model versions.
    """
    rank = _rank(key)
    if rank < AUX_TEST_SHARE:
        return "test"
    return "dev" if rank < AUX_TEST_SHARE + AUX_DEV_SHARE else "train"


def cnc_parts(rows: list[CausalSentence]) -> dict[str, list[CausalSentence]]:
    """CNC sentences by part (by document, so no document is on two sides)."""
    out: dict[str, list[CausalSentence]] = {"train": [], "dev": [], "test": []}
    for row in rows:
        out[aux_part(f"scrutiny-cnc:{row.document}")].append(row)
    return out


@dataclass(frozen=True, slots=True)
class ReadingLevelPair:
    """The same paragraph position of one article at the elementary and advanced level."""

    article: str
    simpler: str
    harder: str


def ose_articles(
    paragraphs: list[ReadingLevelParagraph],
) -> dict[str, dict[int, list[str]]]:
    """Paragraph texts per article and reading level, in file order."""
    out: dict[str, dict[int, list[str]]] = {}
    for p in paragraphs:
        out.setdefault(p.article, {}).setdefault(p.level, []).append(p.text)
    return out


def ose_parts(paragraphs: list[ReadingLevelParagraph]) -> dict[str, list[str]]:
    """OneStopEnglish article names by part (articles with both an elementary and an
    advanced version only)."""
    out: dict[str, list[str]] = {"train": [], "dev": [], "test": []}
    for article, levels in sorted(ose_articles(paragraphs).items()):
        if 0 in levels and 2 in levels:
            out[aux_part(f"scrutiny-ose:{article}")].append(article)
    return out


def ose_pairs(
    paragraphs: list[ReadingLevelParagraph], articles: list[str]
) -> list[ReadingLevelPair]:
    """Elementary/advanced paragraph pairs at the same position of the same article.

    The versions are rewritten, not aligned sentence by sentence, so a pair is only roughly
    the same content; the training signal is the ranking (simpler above harder), which holds
    across the article as a whole.
    """
    by_article = ose_articles(paragraphs)
    pairs: list[ReadingLevelPair] = []
    for article in articles:
        simpler, harder = by_article[article][0], by_article[article][2]
        pairs.extend(ReadingLevelPair(article, s, h) for s, h in zip(simpler, harder, strict=False))
    return pairs


# Words that put a child or young person in a passage: a passage of an adult's inquest that
# has none of them is about adults and agencies only (child focus 0, the rubric's anchor).
CHILD_WORDS = re.compile(
    r"\b(?:child|children|childhood|son|sons|daughter|daughters|baby|babies|infant|toddler|"
    r"boy|boys|girl|girls|pupil|pupils|school|schools|teen\w*|young person|young people|"
    r"juvenile|minor|minors|nursery|CAMHS|aged? (?:[1-9]|1[0-7])\b|(?:[1-9]|1[0-7])[- ]year[- ]old)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class WeakPassage:
    """An unlabelled real passage with a label implied by its report's own columns."""

    id: str
    report_id: str
    text: str
    section_kind: str
    child_focus: int


# The section kind a PFD field's passages take when no person has labelled them (the guide's
# default mapping); the investigation field is methodology, where child focus is not rated.
_FIELD_KIND = {"circumstances": "chronology", "concerns": "findings"}


def adult_passages(
    exclude_ids: set[str], keep: Callable[[str], bool], limit: int, seed: int
) -> list[WeakPassage]:
    """Unlabelled passages of PFD inquests into adults' deaths (``age`` 18 or over in
    ``road_traffic.csv``) that mention no child: child focus 0 by the rubric.

    ``exclude_ids``: passages already labelled by a person; ``keep(report_id)``: which
    reports may be used (the caller passes the training split's, so dev and test reports
    never leak in). At most ``limit`` passages, drawn with ``seed``.
    """
    from training.labelling.pfd_source import field_spans, load_reports, passage_id
    from training.labelling.pfd_source import report_id as pfd_report_id

    file = "road_traffic.csv"
    found: list[WeakPassage] = []
    for record_id, row in sorted(load_reports(file).items()):
        try:
            age = float(row.get("age") or "nan")
        except ValueError:
            continue
        report = pfd_report_id(record_id)
        if not age >= 18 or not keep(report):
            continue
        for field, kind in _FIELD_KIND.items():
            text = row[field]
            for span in field_spans(file, record_id, field, text):
                passage = text[span.start : span.end]
                ident = passage_id(span)
                if ident in exclude_ids or len(passage.split()) < 12:
                    continue
                if CHILD_WORDS.search(passage):
                    continue
                found.append(WeakPassage(ident, report, passage, kind, 0))
    random.Random(seed).shuffle(found)
    return found[:limit]
