"""Passages: the unit the model scores, built the same way for training and scoring.

A passage is a paragraph, or, where a paragraph is long, a window of consecutive sentences
inside it (at most ``MAX_SENTENCES`` sentences and about ``MAX_WORDS`` words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.ingest.document import Document
from service.ingest.sentences import split_sentences

MAX_SENTENCES = 6
MAX_WORDS = 180
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Passage:
    section: int  # index into Document.sections
    start: int
    end: int
    text: str


def model_text(text: str) -> str:
    """The exact string given to the tokenizer for a passage (whitespace collapsed)."""
    return _SPACE.sub(" ", text).strip()


def window_spans(
    sentences: list[tuple[int, int]],
    max_sentences: int = MAX_SENTENCES,
    max_words: int = MAX_WORDS,
    text: str = "",
) -> list[tuple[int, int]]:
    """Group consecutive sentence spans into passage spans within the size limits."""
    windows: list[tuple[int, int]] = []
    current: list[tuple[int, int]] = []
    words = 0
    for span in sentences:
        n = len(text[span[0] : span[1]].split()) if text else 0
        if current and (len(current) >= max_sentences or (text and words + n > max_words)):
            windows.append((current[0][0], current[-1][1]))
            current, words = [], 0
        current.append(span)
        words += n
    if current:
        windows.append((current[0][0], current[-1][1]))
    return windows


def passage_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Passage spans for one paragraph of ``text`` (used for corpora that are not Documents)."""
    return window_spans(split_sentences(text, start, end), text=text)


def build_passages(document: Document) -> list[Passage]:
    """Every passage of ``document``, in order, each inside one paragraph of one section."""
    by_paragraph: dict[int, list[tuple[int, int]]] = {}
    for sentence in document.sentences:
        by_paragraph.setdefault(sentence.paragraph, []).append((sentence.start, sentence.end))
    passages: list[Passage] = []
    for index, paragraph in enumerate(document.paragraphs):
        sentences = by_paragraph.get(index) or [(paragraph.start, paragraph.end)]
        for start, end in window_spans(sentences, text=document.text):
            passages.append(Passage(paragraph.section, start, end, document.text[start:end]))
    return passages
