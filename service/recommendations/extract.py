"""Each recommendation of a report as a structured item a board can track.

An item is a paragraph of a ``recommendations`` section that recommends something (a list
item, a paragraph with a modal, "X to do Y", an agency-prefixed line), a row of a
recommendations table, or a paragraph anywhere that starts "Recommendation N". Introductions
("The review makes the following recommendations:") and closing remarks about "these
recommendations" are not items. A bare marker paragraph ("Recommendation 2") and the labelled
lines that follow it ("Lead: ...", "Timescale: ...") are merged into one item, and so is a
paragraph that carries on an item's unfinished sentence (an item split across pages).

The fields of each item come from ``fields.parse_item``; table rows take them from their
columns ("Lead agency", "Timescale", "Measure of success") first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from service.ingest.document import Document
from service.recommendations.addressees import clean, named_organisations, split_addressees
from service.recommendations.fields import (
    FIELD_LABEL,
    MARKER,
    RECOMMENDATION_LABEL,
    Fields,
    first_sentence,
    looks_like_item,
    parse_item,
)

MISSABLE_PARTS = ("addressee", "action", "timescale", "measure")


@dataclass(frozen=True, slots=True)
class RecommendationItem:
    """One recommendation: ``document.text[start:end] == text``."""

    start: int
    end: int
    text: str
    section: int
    addressees: tuple[str, ...]
    action: str | None
    timescale: str | None
    measure: str | None
    finding: str | None
    vague_addressee: bool = False

    @property
    def missing(self) -> tuple[str, ...]:
        """The parts a trackable recommendation needs and this one lacks, in a fixed order
        (``addressee``, ``action``, ``timescale``, ``measure``). A vague addressee ("all
        agencies") counts as present here and is flagged by ``vague_addressee``."""
        present = {
            "addressee": bool(self.addressees),
            "action": self.action is not None,
            "timescale": self.timescale is not None,
            "measure": self.measure is not None,
        }
        return tuple(part for part in MISSABLE_PARTS if not present[part])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _strip_marker(text: str, start: int, end: int) -> int:
    """Offset after a leading marker of ``text[start:end]`` (``start`` if none or all marker)."""
    match = MARKER.match(text[start:end])
    return start + match.end() if match and start + match.end() < end else start


# Paragraphs about the recommendations rather than recommendations themselves.
_ABOUT_RECOMMENDATIONS = re.compile(
    r"\brecommendations\b|\brecommendation\s+(?:above|below|in this (?:report|section))"
    r"|\b(?:these|the above)\s+actions\b|\bresponse to (?:this|the) review\b",
    re.IGNORECASE,
)
_TABLE_CELL = re.compile(r"\s*\|\s*")
_COLUMN_ROLES = (
    (
        "addressee",
        re.compile(r"\b(lead|owner|responsib|addressed|agency|agencies|organisation|who)\b", re.I),
    ),
    ("timescale", re.compile(r"\b(timescale|time ?frame|by when|when|date|deadline|due)\b", re.I)),
    ("measure", re.compile(r"\b(measure|evidence|outcome|success|assurance|impact|how)\b", re.I)),
    ("number", re.compile(r"^(no\.?|number|#|ref\.?|rec\.?)$", re.I)),
    ("action", re.compile(r"\b(recommendation|action|what)\b", re.I)),
)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in _TABLE_CELL.split(line.strip().strip("|"))]


def _table_roles(line: str) -> list[str | None] | None:
    """Column roles of a recommendations table's header row, or None if it is not one."""
    if " | " not in line and not line.strip().startswith("|"):
        return None
    roles: list[str | None] = []
    for cell in _cells(line):
        role = next((name for name, pattern in _COLUMN_ROLES if pattern.search(cell)), None)
        roles.append(role)
    cells = _cells(line)
    if "action" not in roles or len(roles) < 2 or any(len(c.split()) > 6 for c in cells):
        return None
    return roles


def _row_fields(row: str, roles: list[str | None]) -> Fields:
    """A table row's fields: its recommendation cell parsed, its other cells by column."""
    cells = _cells(row)
    by_role: dict[str, str] = {}
    for role, cell in zip(roles, cells, strict=False):
        if role and cell and role not in by_role:
            by_role[role] = cell
    action_cell = by_role.get("action", row)
    parsed = parse_item(action_cell)
    addressees, vague = list(parsed.addressees), parsed.vague_addressee
    if "addressee" in by_role:  # the column says who; the recommendation cell says what
        specific, general = split_addressees(by_role["addressee"])
        if not specific and not general:
            specific = [clean(by_role["addressee"])]
        addressees, vague = specific + general, not specific and bool(general)
    return Fields(
        addressees=tuple(addressees),
        vague_addressee=vague,
        action=parsed.action,
        timescale=by_role.get("timescale") or parsed.timescale,
        measure=by_role.get("measure") or parsed.measure,
        finding=parsed.finding,
    )


def _is_introduction(body: str) -> bool:
    """ "The MATTERS OF CONCERN are as follows:": one sentence that opens a list."""
    stripped = body.rstrip()
    return stripped.endswith(":") and first_sentence(stripped) == stripped


def _is_item(body: str, in_section: bool) -> bool:
    if RECOMMENDATION_LABEL.match(body):
        return True
    if not in_section:
        return False
    stripped = body.rstrip()
    marked = bool(MARKER.match(stripped)) and bool(MARKER.sub("", stripped, count=1).strip())
    if stripped.endswith(":") and "\n" not in stripped and not marked:
        first = first_sentence(stripped)
        if first == stripped or not looks_like_item(first):
            return False  # an introduction to the list
    if not marked and _ABOUT_RECOMMENDATIONS.search(stripped):
        return False  # "These recommendations will be monitored by the Board."
    if marked:
        return True
    # An unmarked paragraph must say who acts (or "recommends that"): "Progress will be
    # tracked on the action log" closes a list, it is not a recommendation.
    return looks_like_item(stripped) and (
        bool(parse_item(stripped).addressees) or "recommend" in stripped.lower()
    )


def _continues(document: Document, previous_end: int, start: int) -> bool:
    """True when the paragraph at ``start`` carries on the sentence that ends at
    ``previous_end`` across a page break (a recommendation split across pages)."""
    text = document.text
    before = text[:previous_end].rstrip()
    after = text[start:].lstrip()
    if not before or not after or not document.pages:
        return False
    if document.page_at(previous_end - 1) == document.page_at(start):
        return False
    return before[-1] not in '.!?:;)"”' and (after[0].islower() or after[0] in ",;)")


@dataclass(frozen=True, slots=True)
class _SectionRole:
    """How a section's paragraphs are read for recommendations."""

    items: bool  # its paragraphs may be recommendations
    concerns: bool  # a coroner's matters of concern: each paragraph is one, to those it names
    addressees: tuple[str, ...]  # named by its heading: "Recommendations for Fenmoor Police"


_HEADING_ADDRESSEE = re.compile(r"\b(?:for|to)\s+(?:the\s+)?(?P<who>[^:;]{2,120})$", re.I)
_CONCERNS = re.compile(r"\bconcern", re.I)
_MIN_CONCERN_WORDS = 5  # "A. Speed limit" heads a concern; it is not one


def _heading_addressees(heading: str) -> tuple[str, ...]:
    """Who a heading addresses: "Recommendations for the ICB", "CAMBRIDGESHIRE COUNTY COUNCIL"."""
    match = _HEADING_ADDRESSEE.search(heading)
    if match:
        specific, _vague = split_addressees(match.group("who"))
        if specific:
            return tuple(specific)
    return tuple(named_organisations(heading))


def _section_roles(document: Document) -> list[_SectionRole]:
    """Each section's role. A section headed only by an organisation's name right after a
    recommendations section carries on that section ("SECRETARY OF STATE FOR TRANSPORT"
    under a coroner's matters of concern), addressed to that organisation."""
    roles: list[_SectionRole] = []
    previous: _SectionRole | None = None
    for section in document.sections:
        heading = section.heading or ""
        named = _heading_addressees(heading)
        if section.kind == "recommendations":
            role = _SectionRole(True, bool(_CONCERNS.search(heading)), named)
        elif previous is not None and previous.items and section.kind == "other" and named:
            role = _SectionRole(True, previous.concerns, named)
        elif previous is not None and previous.concerns and section.kind == "other":
            # A coroner's numbered or capitalised sub-headings ("1. During the inquest
            # evidence was heard that:") stay inside the matters of concern.
            role = _SectionRole(True, True, previous.addressees)
        else:
            role = _SectionRole(False, False, ())
        roles.append(role)
        previous = role
    return roles


def _item_spans(document: Document) -> list[tuple[int, int, int, list[str | None] | None]]:
    """(start, end, section, table roles) of every item, in document order."""
    text = document.text
    spans: list[list[int]] = []  # [start, end, section]; end -1 while only a marker is seen
    roles_of: dict[int, list[str | None]] = {}  # span index -> table roles
    takes_fields = False  # the last item may still take "Lead: ..." / "Timescale: ..." lines
    roles: list[str | None] | None = None
    section_roles = _section_roles(document)
    for paragraph in document.paragraphs:
        if not 0 <= paragraph.section < len(document.sections):
            continue
        section = document.sections[paragraph.section]
        start, end = _trim(text, paragraph.start, paragraph.end)
        if section.kind == "glossary" or start >= end:
            continue
        in_section = section_roles[paragraph.section].items
        concerns = section_roles[paragraph.section].concerns
        last = spans[-1] if spans and spans[-1][2] == paragraph.section else None
        # Table rows may come one per paragraph or several to a paragraph.
        lines = _line_spans(text, start, end) if "|" in text[start:end] else [(start, end)]
        for line_start, line_end in lines:
            body = text[line_start:line_end]
            header = _table_roles(body) if in_section else None
            if header is not None:
                roles = header
                continue
            if roles is not None and in_section and "|" in body and len(_cells(body)) >= 2:
                if set(body) <= set("|-: "):
                    continue  # the separator row under a Markdown table header
                spans.append([line_start, line_end, paragraph.section])
                roles_of[len(spans) - 1] = roles
                last, takes_fields = spans[-1], False
                continue
            roles = None
            if last is not None and last[1] == -1:  # the words after a bare marker
                last[1] = line_end
                takes_fields = True
                continue
            if last is not None and takes_fields and FIELD_LABEL.match(body):
                last[1] = line_end
                continue
            if last is not None and _continues(document, last[1], line_start):
                last[1] = line_end
                continue
            takes_fields = False
            if concerns:
                if len(body.split()) < _MIN_CONCERN_WORDS or _is_introduction(body):
                    continue
            elif not _is_item(body, in_section):
                continue
            bare = bool(MARKER.fullmatch(body.strip()))
            spans.append([line_start, -1 if bare else line_end, paragraph.section])
            last = spans[-1]
            takes_fields = bare or bool(RECOMMENDATION_LABEL.match(body))
    return [
        (start, end, section, roles_of.get(index))
        for index, (start, end, section) in enumerate(spans)
        if end != -1
    ]


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    position = start
    for line in text[start:end].split("\n"):
        line_start, line_end = _trim(text, position, position + len(line))
        if line_start < line_end:
            spans.append((line_start, line_end))
        position += len(line) + 1
    return spans


def _with_section_addressees(fields: Fields, body: str, role: _SectionRole) -> Fields:
    """Addressees an item takes from its section: a coroner's concern is addressed to the
    organisations it names and those its heading names (its grammatical subject, "the
    doctor did not ask ...", is not an addressee); any other item takes its heading's
    addressee only when it names no one itself."""
    addressees = list(fields.addressees)
    if role.concerns:
        named = [*named_organisations(body.replace("**", "")), *role.addressees]
        addressees = list(dict.fromkeys(named))
        return replace(fields, addressees=tuple(addressees), vague_addressee=False)
    if not addressees:
        addressees = list(role.addressees)
    if addressees == list(fields.addressees):
        return fields
    specific = [a for a in addressees if a not in fields.addressees or not fields.vague_addressee]
    return replace(fields, addressees=tuple(addressees), vague_addressee=not specific)


def extract_recommendations(document: Document) -> list[RecommendationItem]:
    """Every recommendation item of ``document``, in document order."""
    text = document.text
    items: list[RecommendationItem] = []
    section_roles = _section_roles(document)
    for start, end, section_index, roles in _item_spans(document):
        body_start = start if roles is not None else _strip_marker(text, start, end)
        # Drop a label line that is only "Recommendation 2" so the item starts at its words.
        first_line_end = text.find("\n", body_start, end)
        if (
            roles is None
            and RECOMMENDATION_LABEL.match(text[start:end])
            and first_line_end != -1
            and not text[body_start:first_line_end].strip(" *")
        ):
            body_start = first_line_end
        body_start, end = _trim(text, body_start, end)
        if body_start >= end:
            continue
        body = text[body_start:end]
        fields = _row_fields(body, roles) if roles is not None else parse_item(text[start:end])
        fields = _with_section_addressees(fields, body, section_roles[section_index])
        items.append(
            RecommendationItem(
                body_start,
                end,
                body,
                section_index,
                fields.addressees,
                fields.action,
                fields.timescale,
                fields.measure,
                fields.finding,
                fields.vague_addressee,
            )
        )
    return items
