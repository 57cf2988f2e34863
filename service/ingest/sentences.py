"""Sentence splitting with no downloaded data.

Handles the abbreviations of English safeguarding reports ("Dr.", "e.g.", "s.47", "para.",
"No."), numbered list markers ("1.", "4.2", "(a)"), initials and dates ("3 Jan. 2014").
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    """
    dr mr mrs ms mx prof rev st sr jr eg e.g ie i.e etc vs cf al approx para paras s ss no nos
    fig figs ref refs vol ch p pp jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed
    thu fri sat sun dept govt ltd inc co cllr sgt insp supt det pc dc ds di dci nb n.b viz
    """.split()
)
# A candidate boundary: sentence punctuation, optional closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"[.!?]+[\"'’”)\]]*(?=\s+)")
_NEXT_START = re.compile(r"\s+([\"'‘“(\[]*)(\S)")
_LIST_MARKER = re.compile(r"(?:^|\s)(?:\(?\d{1,3}(?:\.\d{1,3})*\.?\)?|\(?[a-z]{1,4}\)|[ivx]{1,5}\.)$")


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the full stop ending at ``end`` closes an abbreviation, initial or number."""
    start = end
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "([\"'‘“":
        start -= 1
    token = text[start:end].rstrip(".").lower()
    if not token:
        return False
    if token in _ABBREVIATIONS or token.replace(".", "") in _ABBREVIATIONS:
        return True
    if len(token) == 1 and token.isalpha():  # an initial: "J. Smith"
        return True
    if "." in token and all(len(part) <= 2 for part in token.split(".")):  # "s.47", "e.g", "4.2"
        return True
    # A bare list marker at the start of a line or sentence: "1." "4.2." "(a)."
    return bool(_LIST_MARKER.search(text[max(0, start - 1) : end].rstrip(".")) and start == _line_start(text, start))


def _line_start(text: str, pos: int) -> int:
    i = pos
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    return i if i == 0 or text[i - 1] == "\n" else -1


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` inside ``text[start:end]``, trimmed of whitespace."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end()
        punct = text[match.start()]
        if punct == "." and _is_abbreviation(text, match.start() + 1):
            continue
        following = _NEXT_START.match(text, stop, end)
        if following is None:
            continue
        nxt = following.group(2)
        # A sentence starts with a capital, a digit or an opening quote; "e.g. the" does not.
        if punct == "." and not (nxt.isupper() or nxt.isdigit()):
            continue
        _append_trimmed(text, cursor, stop, spans)
        cursor = stop
    _append_trimmed(text, cursor, end, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
