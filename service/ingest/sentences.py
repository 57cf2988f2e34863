"""Sentence splitting with no downloaded data.

Handles the abbreviations of English safeguarding reports ("Dr.", "e.g.", "s.47", "para.",
"No."), numbered list markers ("1.", "4.2", "(a)"), initials and dates ("3 Jan. 2014",
"12.03.2019"), and abbreviations that can also end a sentence ("10 p.m. The next day").
"""

from __future__ import annotations

import re

# Never end a sentence: titles and references that always precede what they name.
_TITLES = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "mx",
        "prof",
        "rev",
        "st",
        "sr",
        "jr",
        "eg",
        "e.g",
        "ie",
        "i.e",
        "vs",
        "cf",
        "al",
        "approx",
        "para",
        "paras",
        "s",
        "ss",
        "no",
        "nos",
        "fig",
        "figs",
        "ref",
        "refs",
        "vol",
        "ch",
        "p",
        "pp",
        "cllr",
        "sgt",
        "insp",
        "supt",
        "det",
        "pc",
        "dc",
        "ds",
        "di",
        "dci",
        "nb",
        "n.b",
        "viz",
        "op",
        "ibid",
    ]
)
# May end a sentence when a capitalised word follows ("... at 10 p.m. The next day").
_FINAL_ABBREVIATIONS = frozenset(
    [
        "etc",
        "a.m",
        "p.m",
        "am",
        "pm",
        "g.p",
        "gp",
        "u.k",
        "uk",
        "ltd",
        "inc",
        "co",
        "dept",
        "govt",
        "yrs",
        "hrs",
        "mins",
        "approx",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
)
# A candidate boundary: sentence punctuation, optional closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"[.!?]+[\"'’”)\]]*(?=\s)")
_NEXT_START = re.compile(r"\s+([\"'‘“(\[]*)(\S)")
_LIST_ITEM = re.compile(r"\s+(?:\(?[a-z]{1,4}\)|\(?\d{1,3}[.)](?=\s))")
_NUMBER_MARKER = re.compile(r"^(?:\(?\d{1,3}(?:\.\d{1,3})*\)?|\(?[a-z]{1,4}\)|[ivx]{1,5})$")


def _token_before(text: str, end: int) -> tuple[int, str]:
    """Start and lower-cased text of the token whose full stop ends at ``end``."""
    start = end
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "([\"'‘“":
        start -= 1
    return start, text[start:end].rstrip(".").lower()


def _opens_item(text: str, start: int, floor: int) -> bool:
    """True when ``start`` opens a paragraph or follows a sentence end: where list markers go."""
    i = start
    while i > floor and text[i - 1].isspace():
        i -= 1
    return i == floor or text[i - 1] in ".!?:;\n"


def _abbreviation(text: str, end: int, floor: int, next_char: str) -> bool:
    """True when the full stop ending at ``end`` closes an abbreviation, initial or marker."""
    start, token = _token_before(text, end)
    if not token:
        return False
    bare = token.replace(".", "")
    if token in _TITLES or bare in _TITLES:
        return True
    if token in _FINAL_ABBREVIATIONS or bare in _FINAL_ABBREVIATIONS:
        return not next_char.isupper()
    if len(token) == 1 and token.isalpha():  # an initial: "J. Smith"
        return True
    if _NUMBER_MARKER.match(token) and _opens_item(text, start, floor):  # "1." "4.2." "(a)."
        return True
    # "s.47", "e.g", "12.03.2019" inside a token: only a final full stop can end a sentence,
    # and it is the one being looked at, so a dotted token ends here only before a capital.
    return (
        "." in token and all(len(part) <= 2 for part in token.split(".")) and not token[0].isdigit()
    )


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` inside ``text[start:end]``, trimmed of whitespace."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end()
        if stop >= end:
            break
        following = _NEXT_START.match(text, stop, end)
        if following is None:
            continue
        nxt = following.group(2)
        punct = text[match.start()]
        if punct == "." and _abbreviation(text, match.start() + 1, start, nxt):
            continue
        # A sentence starts with a capital, a digit, an opening quote or a list marker
        # ("(b) the second"); "e.g. the" does not.
        if punct == "." and not (
            nxt.isupper() or nxt.isdigit() or _LIST_ITEM.match(text, stop, end)
        ):
            continue
        _append_trimmed(text, cursor, stop, spans)
        cursor = stop
    _append_trimmed(text, cursor, end, spans)
    return spans


def trim_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` narrowed past surrounding whitespace, or None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    span = trim_span(text, start, end)
    if span is not None:
        spans.append(span)
