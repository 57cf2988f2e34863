"""Character-level clean-up shared by every parser: ligatures, odd spaces, NULs, soft hyphens."""

from __future__ import annotations

import re
import unicodedata

# Characters NFKC would change in ways that alter meaning or offsets users rely on are left
# alone; only these compatibility forms are folded.
_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_DROP = dict.fromkeys(map(ord, "\x00\u00ad\u200b\u200c\u200d\u2060\ufeff\x02"), None)
_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\x0b\x0c]")
_CONTROL = re.compile(r"[\x01\x03-\x08\x0e-\x1f\x7f]")
_MULTI_SPACE = re.compile(r" {2,}")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def normalize_text(text: str) -> str:
    """Fold ligatures and compatibility characters, drop NULs/soft hyphens, tame whitespace.

    Newlines are kept (as ``\\n``); runs of spaces become one space and lines are trimmed.
    """
    if not text:
        return ""
    text = _LINE_BREAKS.sub("\n", text)
    text = text.translate(_DROP)
    for ligature, letters in _LIGATURES.items():
        if ligature in text:
            text = text.replace(ligature, letters)
    # NFKC only where the string has compatibility characters (fullwidth forms, ², …): it is
    # the slow path and a no-op on ordinary text.
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub(" ", text)
    text = _CONTROL.sub("", text)
    text = _MULTI_SPACE.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def normalize_inline(text: str) -> str:
    """``normalize_text`` for a single line: every newline becomes a space."""
    return " ".join(normalize_text(text).split())


def table_row(cells: list[str]) -> str | None:
    """A table row as one ``cell | cell`` line, or None when every cell is empty.

    Empty cells inside the row are kept (``a |  | c``) so that each cell stays under its
    column's header (a recommendations table's "Timescale" may be blank for one row);
    trailing empty cells are dropped.
    """
    while cells and not cells[-1]:
        cells = cells[:-1]
    return " | ".join(cells) if cells else None
