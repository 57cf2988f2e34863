"""How well recommendations are extracted: field-level F1 on the project's format sets, and
recall of the PFD reports' receivers that their concerns text names.

Format sets (``evaluation/data/recommendation_formats_{dev,test}.jsonl``) are fragments of
reviews the project wrote in 14 formats, each with its recommendations labelled (addressees,
action, timescale, measure). Each document goes through the service's own reader (Markdown,
or a PDF rendered with page breaks inside recommendations) and the extraction stage.

Scoring:
- gold and extracted items are aligned in document order (an item matches when most of its
  gold words occur in the extracted item's text);
- a field counts as right when its words agree with the gold ones (token F1 at least
  ``FIELD_THRESHOLD``); addressees are compared one by one; a wrong value is a false positive
  and a false negative, a value where the gold is empty a false positive.

PFD check: for each coroner's report, the organisations in its ``receiver`` column that its
``concerns`` text names; the share of them that the extractor gives as an addressee when the
concerns are read as the report's "Matters of concern" section.

``python -m evaluation.extraction [--set test] [--errors N]`` prints the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.ingest.document import Document
from service.recommendations import RecommendationItem, extract_recommendations

DATA = Path(__file__).resolve().parent / "data"
FIELDS = ("addressees", "action", "timescale", "measure")
# Token F1 at or above which an extracted field agrees with the gold one.
FIELD_THRESHOLD = {"addressees": 0.8, "action": 0.6, "timescale": 0.6, "measure": 0.5}
ITEM_MATCH = 0.5  # share of an item's gold words found in the extracted item's text
TARGET_F1 = 0.90
TARGET_RECEIVER_RECALL = 0.85
_TOKEN = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(["the", "a", "an", "of", "and", "to", "for", "in", "on", "by", "its"])


def tokens(text: str | None) -> list[str]:
    """Lower-case word tokens of ``text`` without a leading "the"."""
    words = _TOKEN.findall((text or "").lower().replace("’", "'"))
    return words[1:] if words[:1] == ["the"] else words


def token_f1(gold: str | None, found: str | None) -> float:
    """Token-overlap F1 of two strings (1.0 for two equal strings, 0.0 if either is empty)."""
    a, b = Counter(tokens(gold)), Counter(tokens(found))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(b.values()), overlap / sum(a.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class Counts:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 1.0 if denominator == 0 else 2 * self.tp / denominator

    @property
    def precision(self) -> float:
        return 1.0 if self.tp + self.fp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        return 1.0 if self.tp + self.fn == 0 else self.tp / (self.tp + self.fn)


@dataclass
class Scores:
    """Counts per field, items found and vague flags right, for a set or one format."""

    fields: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    items: Counts = field(default_factory=Counts)
    vague_right: int = 0
    vague_total: int = 0

    def add(self, other: Scores) -> None:
        for name in FIELDS:
            self.fields[name].add(other.fields[name])
        self.items.add(other.items)
        self.vague_right += other.vague_right
        self.vague_total += other.vague_total


def load_set(path: Path) -> list[dict[str, Any]]:
    """The records of a format set (one JSON object per line)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _pdf_bytes(text: str) -> bytes:
    """The Markdown ``text`` as a PDF whose pages break at form feeds, with a running
    header and "Page N of M" footers, so page breaks fall inside recommendations."""
    from fpdf import FPDF  # fpdf2: a dev dependency, as in the test fixtures

    class _Pdf(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "", 9)
            self.cell(0, 5, "Safeguarding practice review: draft for the partnership", align="R")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 9)
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = _Pdf(format="A4")
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(True, margin=22)
    for number, page in enumerate(text.split("\f")):
        pdf.add_page()
        for raw in page.split("\n"):
            line = raw.strip().encode("latin-1", "replace").decode("latin-1")
            if not line:
                if number or pdf.get_y() > 30:
                    pdf.ln(3)
                continue
            heading = line.startswith("#")
            line = line.lstrip("#").strip().replace("**", "")
            pdf.set_font("Helvetica", "B" if heading else "", 13 if heading else 11)
            pdf.multi_cell(0, 5.6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def read_record(record: dict[str, Any]) -> Document:
    """The record's document as the service reads it (Markdown, or the rendered PDF)."""
    from service.ingest import read_document

    text = record["text"]
    if record.get("render") == "pdf":
        return read_document(_pdf_bytes(text), filename=f"{record['id']}.pdf")
    return read_document(text.replace("\f", "\n\n").encode("utf-8"), filename="report.md")


def _signature(gold: dict[str, Any]) -> list[str]:
    parts = [gold.get("action"), gold.get("timescale"), gold.get("measure"), *gold["addressees"]]
    return [t for t in tokens(" ".join(p for p in parts if p)) if t not in _STOPWORDS]


def _containment(gold: dict[str, Any], item: RecommendationItem) -> float:
    words = _signature(gold)
    if not words:
        return 0.0
    found = Counter(tokens(item.text))
    wanted = Counter(words)
    return sum((wanted & found).values()) / sum(wanted.values())


def align(
    golds: Sequence[dict[str, Any]], items: Sequence[RecommendationItem]
) -> list[tuple[int, int]]:
    """Order-preserving pairs (gold index, item index) that maximise the words matched."""
    n, m = len(golds), len(items)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            match = _containment(golds[i], items[j])
            take = match + score[i + 1][j + 1] if match >= ITEM_MATCH else -1.0
            score[i][j] = max(take, score[i + 1][j], score[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        match = _containment(golds[i], items[j])
        if match >= ITEM_MATCH and score[i][j] == match + score[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _value(gold_or_item: Any, name: str) -> Any:
    if isinstance(gold_or_item, dict):
        return gold_or_item.get(name)
    return getattr(gold_or_item, name)


def _score_addressees(gold: Sequence[str], found: Sequence[str]) -> Counts:
    counts, left = Counts(), list(found)
    for name in gold:
        best = max(left, key=lambda f: token_f1(name, f), default=None)
        if best is not None and token_f1(name, best) >= FIELD_THRESHOLD["addressees"]:
            counts.tp += 1
            left.remove(best)
        else:
            counts.fn += 1
    counts.fp += len(left)
    return counts


def _score_value(name: str, gold: str | None, found: str | None) -> Counts:
    if gold and found:
        if token_f1(gold, found) >= FIELD_THRESHOLD[name]:
            return Counts(tp=1)
        return Counts(fp=1, fn=1)
    return Counts(fp=int(bool(found)), fn=int(bool(gold)))


def score_document(golds: Sequence[dict[str, Any]], items: Sequence[RecommendationItem]) -> Scores:
    """Field counts for one document's gold items against the extracted ones."""
    scores = Scores()
    pairs = align(golds, items)
    matched_gold = {i for i, _ in pairs}
    matched_items = {j for _, j in pairs}
    scores.items = (
        Counts(tp=len(pairs), fp=m - len(pairs), fn=n - len(pairs))
        if ((n := len(golds)) and (m := len(items)))
        else Counts(fp=len(items), fn=len(golds))
    )
    for i, j in pairs:
        gold, item = golds[i], items[j]
        scores.fields["addressees"].add(_score_addressees(gold["addressees"], item.addressees))
        for name in FIELDS[1:]:
            scores.fields[name].add(_score_value(name, gold.get(name), _value(item, name)))
        scores.vague_total += 1
        scores.vague_right += bool(gold.get("vague_addressee")) == item.vague_addressee
    for i, gold in enumerate(golds):
        if i not in matched_gold:
            scores.fields["addressees"].fn += len(gold["addressees"])
            for name in FIELDS[1:]:
                scores.fields[name].fn += int(bool(gold.get(name)))
    for j, item in enumerate(items):
        if j not in matched_items:
            scores.fields["addressees"].fp += len(item.addressees)
            for name in FIELDS[1:]:
                scores.fields[name].fp += int(bool(_value(item, name)))
    return scores


@dataclass
class SetResult:
    """A format set's scores overall and by format, with the worst misses for reading."""

    overall: Scores
    by_format: dict[str, Scores]
    documents: int
    errors: list[str]


def evaluate_set(records: Iterable[dict[str, Any]], *, keep_errors: int = 0) -> SetResult:
    """Read every record's document, extract, and score against its labels."""
    overall: Scores = Scores()
    by_format: defaultdict[str, Scores] = defaultdict(Scores)
    errors: list[str] = []
    documents = 0
    for record in records:
        items = extract_recommendations(read_record(record))
        scores = score_document(record["items"], items)
        overall.add(scores)
        by_format[record["format"]].add(scores)
        documents += 1
        if len(errors) < keep_errors and (
            scores.items.fp or scores.items.fn or any(c.fp or c.fn for c in scores.fields.values())
        ):
            errors.append(_describe(record, items))
    return SetResult(overall, dict(by_format), documents, errors)


def _describe(record: dict[str, Any], items: Sequence[RecommendationItem]) -> str:
    lines = [f"== {record['id']} ({record['format']})"]
    for gold in record["items"]:
        lines.append(
            f"  gold: {gold['addressees']} | {gold.get('action')} | {gold.get('timescale')} | "
            f"{gold.get('measure')}"
        )
    for item in items:
        lines.append(
            f"  got:  {list(item.addressees)} | {item.action} | {item.timescale} | {item.measure}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# PFD receivers

_RECEIVER_PARTS = re.compile(r"\s*(?:,|;|\s[-–—]\s)\s*")


def _receiver_names(receiver: str) -> list[list[str]]:
    """Each receiver of a report as its name variants ("Chief Executive - Cornwall Council"
    gives "Chief Executive - Cornwall Council", "Chief Executive", "Cornwall Council")."""
    from service.recommendations.addressees import kind_of

    receivers = []
    for entry in re.split(r"\s*;\s*|\n+", receiver):
        entry = entry.strip(" .")
        if not entry:
            continue
        variants = [entry] + [p for p in _RECEIVER_PARTS.split(entry) if p and p != entry]
        kept = [
            v.strip()
            for v in variants
            if "redacted" not in v.lower()
            and kind_of(v) == "specific"
            and len(v.strip()) > 2
            and not _is_official(v)
        ]
        if kept:
            receivers.append(kept)
    return receivers


# People's offices, not organisations: "Chief Executive", "Secretary of State", "Director".
_OFFICES = frozenset(
    [
        "executive",
        "secretary",
        "director",
        "minister",
        "partner",
        "chair",
        "chairman",
        "chairwoman",
        "manager",
        "officer",
        "head",
        "lead",
        "coroner",
        "mp",
        "commissioner",
        "chief",
        "president",
        "registrar",
        "leader",
        "governor",
        "clerk",
    ]
)


def _is_official(variant: str) -> bool:
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", variant)]
    before: list[str] = []
    for word in words:
        if word in ("of", "for") and before:
            break
        before.append(word)
    return bool(before) and before[-1] in _OFFICES


def _named_in(variant: str, text_tokens: str) -> bool:
    words = tokens(variant)
    return bool(words) and f" {' '.join(words)} " in text_tokens


def concerns_document(concerns: str) -> bytes:
    """A coroner's concerns as the Markdown of a report with one "Matters of concern"
    section, the way the reader sees a submitted PFD report."""
    return f"# Regulation 28: report to prevent future deaths\n\n## Matters of concern\n\n{concerns}\n".encode()


@dataclass
class ReceiverResult:
    reports: int
    named: int
    found: int
    misses: list[tuple[str, str]]

    @property
    def recall(self) -> float:
        return self.found / self.named if self.named else 1.0


def receiver_recall(csv_paths: Sequence[Path], *, keep_misses: int = 0) -> ReceiverResult:
    """Recall of the receivers that each report's concerns name, among its addressees."""
    from service.ingest import read_document

    reports = named = found = 0
    misses: list[tuple[str, str]] = []
    for path in csv_paths:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                concerns, receiver = row.get("concerns") or "", row.get("receiver") or ""
                if not concerns.strip() or not receiver.strip():
                    continue
                reports += 1
                text_tokens = f" {' '.join(tokens(concerns))} "
                wanted = [
                    [v for v in variants if _named_in(v, text_tokens)]
                    for variants in _receiver_names(receiver)
                ]
                wanted = [w for w in wanted if w]
                if not wanted:
                    continue
                document = read_document(concerns_document(concerns), filename="pfd.md")
                addressees = [
                    a for item in extract_recommendations(document) for a in item.addressees
                ]
                for variants in wanted:
                    named += 1
                    hit = any(
                        token_f1(v, a) >= FIELD_THRESHOLD["addressees"]
                        or (set(tokens(v)) <= set(tokens(a)))
                        for v in variants
                        for a in addressees
                    )
                    found += hit
                    if not hit and len(misses) < keep_misses:
                        misses.append((row.get("id", "?"), variants[0]))
    return ReceiverResult(reports, named, found, misses)


def _print_scores(title: str, result: SetResult) -> bool:
    print(
        f"\n{title}: {result.documents} documents, {result.overall.items.tp + result.overall.items.fn} items"
    )
    print(f"{'format':<20} {'items F1':>8} " + " ".join(f"{f:>10}" for f in FIELDS))
    for name, scores in sorted(result.by_format.items()):
        print(
            f"{name:<20} {scores.items.f1:>8.3f} "
            + " ".join(f"{scores.fields[f].f1:>10.3f}" for f in FIELDS)
        )
    overall = result.overall
    print(
        f"{'ALL':<20} {overall.items.f1:>8.3f} "
        + " ".join(f"{overall.fields[f].f1:>10.3f}" for f in FIELDS)
    )
    passed = all(overall.fields[f].f1 >= TARGET_F1 for f in FIELDS)
    for name in FIELDS:
        counts = overall.fields[name]
        print(
            f"  {name}: P {counts.precision:.3f} R {counts.recall:.3f} F1 {counts.f1:.3f} "
            f"(tp {counts.tp}, fp {counts.fp}, fn {counts.fn})"
        )
    if overall.vague_total:
        print(f"  vague flag right: {overall.vague_right}/{overall.vague_total}")
    print(f"  target field F1 >= {TARGET_F1}: {'PASS' if passed else 'FAIL'}")
    return passed


def main(argv: list[str] | None = None) -> int:
    from training.config import shared_data_dir

    parser = argparse.ArgumentParser(prog="python -m evaluation.extraction", description=__doc__)
    parser.add_argument("--set", choices=("dev", "dev2", "dev3", "test"), default="test")
    parser.add_argument(
        "--errors", type=int, default=0, help="print this many documents with errors"
    )
    args = parser.parse_args(argv)
    path = DATA / f"recommendation_formats_{args.set}.jsonl"
    result = evaluate_set(load_set(path), keep_errors=args.errors)
    passed = _print_scores(f"format set '{args.set}'", result)
    for text in result.errors:
        print(text)
    pfd = shared_data_dir() / "pfd"
    csvs = sorted(pfd.glob("*.csv")) if pfd.is_dir() else []
    if csvs:
        receivers = receiver_recall(csvs, keep_misses=args.errors)
        print(
            f"\nPFD receivers named in the concerns: {receivers.named} in {receivers.reports} "
            f"reports; found as addressees: {receivers.found} (recall {receivers.recall:.3f}, "
            f"target {TARGET_RECEIVER_RECALL}: "
            f"{'PASS' if receivers.recall >= TARGET_RECEIVER_RECALL else 'FAIL'})"
        )
        for report, name in receivers.misses:
            print(f"  missed in {report}: {name}")
        passed = passed and receivers.recall >= TARGET_RECEIVER_RECALL
    else:
        print(f"\nPFD receivers: skipped, no PFD data in {pfd} (see `scrutiny data fetch`)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
