"""Joining wrapped lines into one paragraph: hyphenation at line ends, single spaces."""

from __future__ import annotations

import re

# A hyphen after these stays when a line break follows it: they make real compounds
# ("multi-agency", "child-centred") that happen to break at the hyphen.
_COMPOUND_PREFIXES = frozenset(
    [
        "multi",
        "inter",
        "intra",
        "non",
        "co",
        "pre",
        "post",
        "self",
        "well",
        "anti",
        "cross",
        "sub",
        "semi",
        "over",
        "under",
        "ex",
        "part",
        "full",
        "long",
        "short",
        "high",
        "low",
        "child",
        "family",
        "risk",
        "time",
        "face",
        "one",
        "two",
        "three",
        "four",
        "five",
        "first",
        "second",
        "third",
        "decision",
        "follow",
    ]
)
_LAST_WORD = re.compile(r"([A-Za-z]+)-$")


def join_wrapped(lines: list[str]) -> str:
    """One paragraph from its wrapped lines (already trimmed), hyphenated breaks joined."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        if out.endswith("\u00ad") or out.endswith("\x02"):  # soft hyphen marked by the writer
            out = out[:-1] + line
            continue
        match = _LAST_WORD.search(out)
        if match and line[:1].islower():
            if match.group(1).lower() in _COMPOUND_PREFIXES:
                out += line  # keep the hyphen, no space: "multi-" + "agency"
            else:
                out = out[:-1] + line  # "safe-" + "guarding" -> "safeguarding"
            continue
        out += " " + line
    return out
