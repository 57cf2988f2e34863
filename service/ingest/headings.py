"""What a heading looks like in these reports, how deep it sits, and which kind of section it opens."""

from __future__ import annotations

import re

from service.ingest.blocks import Block
from service.ingest.document import SectionKind

# "4", "4.2", "4.2.1" (optionally "4." / "Section 4"), then the heading words.
_NUMBERED = re.compile(
    r"^(?:(?:section|part|chapter)\s+)?(?P<number>\d{1,2}(?:\.\d{1,2}){0,3})\.?(?:\s+|\s*[:–—-]\s+)(?=\S)",
    re.IGNORECASE,
)
_LETTERED = re.compile(r"^(?:appendix|annex)\b", re.IGNORECASE)
_TERMINAL = re.compile(r"[.;,]$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

# Checked in order: the first family whose pattern occurs in the heading names its kind.
_KIND_SOURCES: tuple[tuple[SectionKind, str], ...] = (
    ("glossary", r"\b(glossary|abbreviations|acronyms|terms used|key to terms)\b"),
    ("appendix", r"^(appendix|appendices|annex|references|bibliography)\b"),
    (
        "child_voice",
        r"(lived experience|voice of the child|child'?s voice|child’s voice|"
        r"experience of the child|child's experience|child’s experience|"
        r"what life was like|daily life of|day in the life)",
    ),
    ("recommendations", r"(\brecommend|\bmatters? of concern|\baction should be taken)"),
    ("findings", r"\b(findings?|key learning|learning points?|lessons|conclusions?)\b"),
    (
        "methodology",
        r"\b(methodology|methods?|terms of reference|process of the review|review process|"
        r"the review|scope|approach|governance|involvement of the family|family involvement)\b",
    ),
    (
        "analysis",
        r"\b(analysis|appraisal|evaluation|commentary|practice issues|assessment of practice)\b",
    ),
    (
        "chronology",
        r"\b(chronology|key events|summary of events|timeline|narrative|history of)\b",
    ),
    (
        "background",
        r"\b(background|family composition|introduction|the family|family members|context|"
        r"overview|circumstances|family structure|about the child)\b",
    ),
)
_KIND_PATTERNS = tuple(
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _KIND_SOURCES
)
# Whole-line headings a plain-text report may use without numbering or capitals.
_VOCABULARY = re.compile(
    r"^(executive summary|summary|introduction|background|family composition|the family|"
    r"methodology|terms of reference|process of the review|chronology|summary of key events|"
    r"key events|summary of events|analysis|analysis of practice|findings|key findings|"
    r"findings and recommendations|recommendations|conclusions?|glossary|abbreviations|"
    r"glossary of terms|the child'?s lived experience|the child’s lived experience|"
    r"voice of the child|the voice of the child|lived experience of the child|appendix(?: \w+)?|"
    r"references|acknowledgements)$",
    re.IGNORECASE,
)


def numbering(text: str) -> str | None:
    """The outline number a heading starts with ("4.2"), or None."""
    match = _NUMBERED.match(text)
    return match.group("number") if match else None


def numbering_depth(text: str) -> int | None:
    """Depth of a heading's outline number: "4" → 1, "4.2" → 2; None when unnumbered."""
    number = numbering(text)
    return number.count(".") + 1 if number else None


def heading_words(text: str) -> str:
    """The heading without its outline number."""
    match = _NUMBERED.match(text)
    return text[match.end() :] if match else text


def section_kind(heading: str | None) -> SectionKind:
    """The kind of section a heading opens (``"other"`` when the vocabulary says nothing)."""
    if not heading:
        return "other"
    words = heading_words(heading).strip()
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(words):
            return kind
    return "other"


def is_short_heading_text(text: str, max_words: int = 14) -> bool:
    """Short, has letters, does not end like a sentence: the shape every heading has."""
    words = _WORD.findall(text)
    return 0 < len(words) <= max_words and len(text) <= 160 and not _TERMINAL.search(text)


def text_heading_level(line: str) -> int | None:
    """Heading level of a plain-text line, or None when it reads as body text.

    Numbered short lines ("4.2 Analysis of practice") take their numbering depth; ALL-CAPS
    lines and the report vocabulary ("Recommendations") are level 1.
    """
    line = line.strip()
    if not is_short_heading_text(line):
        return None
    depth = numbering_depth(line)
    words = heading_words(line)
    if depth is not None:
        first = words.lstrip("‘'\"(")[:1]
        return depth if first.isupper() else None
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters) and len(_WORD.findall(line)) <= 10:
        return 1
    if _VOCABULARY.match(line.rstrip(":")) or (_LETTERED.match(line) and len(line) <= 80):
        return 1
    return None


def apply_numbering(blocks: list[Block]) -> None:
    """Numbered headings take their outline depth ("4.2" → 2) over their markup level."""
    for block in blocks:
        if block.role == "heading":
            depth = numbering_depth(block.text)
            if depth is not None:
                block.level = depth


def promote_title(blocks: list[Block]) -> str | None:
    """A lone top-level heading opening a document of deeper headings is its title
    (Markdown "# Title" over "## 1. Introduction", HTML h1 over h2); levels shift up one.

    Returns the title, or None. Numbered headings then take their numbering depth.
    """
    headings = [b for b in blocks if b.role == "heading"]
    title = None
    if headings:
        first = headings[0]
        top = [b for b in headings if b.level == first.level]
        deeper = [b for b in headings if b.level > first.level]
        if first.level == 1 and len(top) == 1 and deeper and blocks.index(first) <= 1:
            first.role, first.level, title = "title", 0, first.text
            for block in deeper:
                block.level -= 1
    apply_numbering(blocks)
    return title
