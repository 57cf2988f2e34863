"""Acronyms: where they occur, and where a document defines them (glossary rows or inline)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from service.ingest.document import GlossaryEntry

_TOKEN = re.compile(r"(?<![\w&'’-])[A-Z][A-Za-z0-9&]{1,8}(?![\w&-])")
_ROMAN = re.compile(r"^[IVXLC]+$")
# Capitalised words that are not acronyms even in an all-caps run.
_NOT_ACRONYMS = frozenset(
    [
        "AND",
        "THE",
        "OF",
        "FOR",
        "TO",
        "IN",
        "ON",
        "BY",
        "OR",
        "NOT",
        "NO",
        "OK",
        "AT",
        "AN",
        "AS",
        "IS",
        "IT",
        "BE",
        "WE",
        "HE",
        "SHE",
        "HIS",
        "HER",
        "WAS",
        "ALL",
        "ANY",
        "ARE",
        "BUT",
        "CAN",
        "HAS",
        "HAD",
        "MAY",
        "NEW",
        "ONE",
        "TWO",
        "OUR",
        "OUT",
        "SEE",
        "USE",
        "WHO",
        "WHY",
        "YES",
        "MR",
        "MRS",
        "MS",
        "DR",
        "SUMMARY",
        "REVIEW",
        "CHILD",
        "FAMILY",
        "FINAL",
        "NOTE",
        "PART",
        "PAGE",
        "DRAFT",
    ]
)
_SMALL_WORDS = frozenset(
    ["of", "and", "the", "for", "in", "on", "to", "with", "a", "an", "at", "by", "&"]
)
_WORDS_BEFORE = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]*)*|&")
_ROW = re.compile(
    r"^\s*(?:[-*•]\s*)?(?P<acronym>[A-Z][A-Za-z0-9&]{1,9})\s*(?:[:|=\t]|\s[-–—]\s?|[-–—]\s)\s*(?P<expansion>\S.*?)\s*$"
)
_ROW_REVERSED = re.compile(
    r"^\s*(?:[-*•]\s*)?(?P<expansion>[A-Z][^|:\t()]{3,120}?)\s*(?:\(|[:|\t]\s*|\s[-–—]\s)(?P<acronym>[A-Z][A-Za-z0-9&]{1,9})\)?\s*$"
)
_PARENTHESISED = re.compile(r"\(\s*(?P<acronym>[A-Z][A-Za-z0-9&]{1,9})\s*\)")
_ACRONYM_FIRST = re.compile(
    r"(?<![\w&])(?P<acronym>[A-Z][A-Za-z0-9&]{1,9})\s*\((?P<expansion>[A-Z][^()]{3,120})\)"
)


def is_acronym(token: str) -> bool:
    """True for short mostly-capital tokens like "MASH", "GPs", "A&E", "DfE"."""
    core = token[:-1] if token.endswith("s") and len(token) > 2 else token
    letters = [c for c in core if c.isalpha()]
    if not 2 <= len(core) <= 8 or len(letters) < 2 or core in _NOT_ACRONYMS:
        return False
    upper = sum(1 for c in letters if c.isupper())
    if _ROMAN.match(core) and len(core) <= 4:
        return False
    return upper >= 2 and upper * 2 >= len(letters) + 1 and core[0].isupper()


def find_acronyms(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Every acronym in ``text[start:end]`` as ``(start, end, acronym)`` (plural "s" excluded)."""
    end = len(text) if end is None else end
    found: list[tuple[int, int, str]] = []
    for match in _TOKEN.finditer(text, start, end):
        token = match.group()
        if not is_acronym(token):
            continue
        if len(token) > 2 and token.endswith("s") and token[-2].isupper():  # "GPs" → "GP"
            found.append((match.start(), match.end() - 1, token[:-1]))
        else:
            found.append((match.start(), match.end(), token))
    return found


def _initials(words: list[str]) -> list[str]:
    letters: list[str] = []
    for word in words:
        for part in word.split("-"):
            if part:
                letters.append(part[0].lower())
    return letters


def _matches(acronym: str, words: list[str]) -> bool:
    """Do the words spell the acronym (small words may be skipped, hyphen parts count)?"""
    target = [c.lower() for c in acronym if c.isalpha()]
    if acronym.endswith("s") and acronym[:-1].isupper():
        target = target[:-1]
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if _initials(content) == target or _initials(words) == target:
        return True
    # Acronyms that take more than one letter from a word ("DfE" = Department for Education).
    joined = "".join(w.lower() for w in words if w.lower() not in _SMALL_WORDS)
    i = 0
    for ch in target:
        i = joined.find(ch, i)
        if i < 0:
            return False
        i += 1
    return bool(content) and content[0][0].lower() == target[0] and len(content) <= len(target)


def _expansion_before(text: str, paren_start: int, acronym: str) -> tuple[int, str] | None:
    """The words just before "(ACR)" that spell it: (start offset, expansion)."""
    window_start = max(0, paren_start - 160)
    words = list(_WORDS_BEFORE.finditer(text, window_start, paren_start))
    letters = sum(1 for c in acronym if c.isalpha())
    for count in range(1, min(len(words), letters + 4) + 1):
        chosen = words[-count:]
        if chosen[0].group().lower() in _SMALL_WORDS:
            continue
        if _matches(acronym, [m.group() for m in chosen]):
            start = chosen[0].start()
            return start, text[start : chosen[-1].end()]
    return None


def inline_definitions(text: str) -> list[GlossaryEntry]:
    """Definitions written in running text: "Multi-Agency Safeguarding Hub (MASH)"."""
    entries: list[GlossaryEntry] = []
    for match in _PARENTHESISED.finditer(text):
        acronym = match.group("acronym")
        if not is_acronym(acronym):
            continue
        found = _expansion_before(text, match.start(), acronym)
        if found:
            start, expansion = found
            entries.append(
                GlossaryEntry(acronym, " ".join(expansion.split()), start, match.end(), "inline")
            )
    for match in _ACRONYM_FIRST.finditer(text):
        acronym, expansion = match.group("acronym"), match.group("expansion").strip()
        if is_acronym(acronym) and _matches(acronym, _WORDS_BEFORE.findall(expansion)):
            entries.append(
                GlossaryEntry(
                    acronym, " ".join(expansion.split()), match.start(), match.end(), "inline"
                )
            )
    return entries


def glossary_rows(text: str, spans: Iterable[tuple[int, int]]) -> list[GlossaryEntry]:
    """Definitions from the lines of a glossary section ("MASH – Multi-Agency Safeguarding Hub")."""
    entries: list[GlossaryEntry] = []
    for span_start, span_end in spans:
        offset = span_start
        for line in text[span_start:span_end].split("\n"):
            line_start, line_end = offset, offset + len(line)
            offset = line_end + 1
            match = _ROW.match(line)
            if match and is_acronym(match.group("acronym")):
                expansion = match.group("expansion").strip(" |")
            else:
                match = _ROW_REVERSED.match(line)
                if not match or not is_acronym(match.group("acronym")):
                    continue
                expansion = match.group("expansion").strip(" |")
            if expansion:
                lead = len(line) - len(line.lstrip())
                entries.append(
                    GlossaryEntry(
                        match.group("acronym"),
                        " ".join(expansion.split()),
                        line_start + lead,
                        line_end - (len(line) - len(line.rstrip())),
                        "glossary",
                    )
                )
    return entries


def merge_entries(entries: Iterable[GlossaryEntry]) -> tuple[GlossaryEntry, ...]:
    """First definition of each acronym wins (glossary rows before inline), in text order."""
    chosen: dict[str, GlossaryEntry] = {}
    for entry in sorted(entries, key=lambda e: (e.source != "glossary", e.start)):
        chosen.setdefault(entry.acronym, entry)
    return tuple(sorted(chosen.values(), key=lambda e: e.start))
