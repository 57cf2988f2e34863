"""What every parser hands to the structure builder: headings and body blocks in reading order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["title", "heading", "body"]


@dataclass(slots=True)
class Block:
    """One heading or one paragraph (a table row is a paragraph) of normalised text.

    ``page`` is where the block starts; ``page_marks`` are ``(offset in text, page)`` points
    where a later page begins inside the block (a paragraph running over a page break).
    """

    text: str
    role: Role = "body"
    level: int = 1
    page: int | None = None
    page_marks: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class Parsed:
    """A parser's result: blocks in reading order, page count (None where unknown), title."""

    blocks: list[Block]
    page_count: int | None = None
    title: str | None = None
