"""Each recommendation of a report as a structured item a board can track.

An item is a paragraph of a ``recommendations`` section that recommends something (a list
item, or a paragraph with "should", "must", "will", "is asked to", ...), or a paragraph
anywhere that starts "Recommendation N". Introductions ("The review makes the following
recommendations:") are not items. A bare marker paragraph ("Recommendation 2") and the
labelled lines that follow it ("Lead: ...", "Timescale: ...") are merged into one item.

From each item: addressees (named organisations or roles, not "agencies" or
"professionals" in general), the action, a timescale, a measure of completion and the
finding it answers, each where the text states it; ``None`` otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.ingest.document import Document

# A list marker or a "Recommendation 3:" label at the start of a paragraph.
_MARKER = re.compile(
    r"""^\s*(?:
        (?:recommendation|rec\.?)\s*(?:no\.?\s*)?\d+[a-z]?(?:\.\d+)*\s*[:.)\-–—]?
      | r\d+\s*[:.)\-–—]
      | \(?\d{1,3}(?:\.\d{1,3})+\.?(?=\s|$)
      | \(?\d{1,3}[.)](?=\s|$)
      | \(?[a-z]\)
      | \(?[ivx]{1,5}\)
      | [•●▪‣◦*\-–—]
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_RECOMMENDATION_LABEL = re.compile(r"^\s*(?:recommendation|rec\.?)\s*(?:no\.?\s*)?\d", re.I)
_MODAL = re.compile(
    r"\b(?:should|must|shall|will|needs? to|ought to|(?:is|are) (?:asked|required|expected) to"
    r"|(?:is|are) to|recommends?|recommended|to ensure|ensures?)\b",
    re.IGNORECASE,
)
_FIELD_LABEL = re.compile(
    r"^\s*(?:addressed to|addressee|lead(?: agency| organisation| officer)?|owner|responsible"
    r"(?: agency| organisation)?|action|timescales?|time ?frame|target date|by when|measures?"
    r"|outcomes?|evidence(?: of (?:completion|impact))?|success measure|finding|linked finding"
    r"|rationale)\s*[:\-–]",
    re.IGNORECASE,
)
_ADDRESSEE_LABEL = re.compile(
    r"(?:^|\n)\s*(?:addressed to|addressee|lead(?: agency| organisation| officer)?|owner"
    r"|responsible(?: agency| organisation)?)\s*[:\-–]\s*(?P<who>[^\n.;]{2,200})",
    re.IGNORECASE,
)
_MODAL_VERB = (
    r"(?:should|must|shall|will|needs? to|ought to|(?:is|are) (?:asked|required|expected) to"
    r"|(?:is|are) to)"
)
# Verbs a recommendation starts with after "That ...": "That the ICB ensures ...".
_ACTION_VERB = (
    r"(?:ensure|review|commission|develop|provide|consider|undertake|agree|establish|seek|work"
    r"|audit|produce|take|introduce|implement|update|revise|strengthen|issue|publish|share|embed"
    r"|monitor|evaluate|assure|deliver|set|create|adopt|make|lead|write|amend|promote|raise|use"
    r"|include|require|reinforce|improve|clarify|confirm|identify|appoint|train|report|extend)s?"
)
_SUBJECT = re.compile(
    r"(?:^|(?:recommends?|recommended|recommendation is) that\s+|^that\s+)"
    r"(?P<subj>[^.;:!?]{2,200}?)\s+(?P<modal>" + _MODAL_VERB + r")\b\s*(?P<rest>[^\n]*)",
    re.IGNORECASE,
)
_THAT_SUBJECT = re.compile(
    r"(?:^|(?:recommends?|recommended|recommendation is) )that\s+"
    r"(?P<subj>[^.;:!?]{2,200}?)\s+(?P<rest>" + _ACTION_VERB + r"\b[^\n]*)",
    re.IGNORECASE,
)
_TIMESCALE = re.compile(
    r"""\b(?:
        within\s+(?:the\s+next\s+)?(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven
            |twelve|eighteen|twenty-four|a|an)\s+(?:working\s+)?(?:days?|weeks?|months?|years?)
      | (?:by|before|no\ later\ than|from)\s+(?:the\s+end\s+of\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+)?
            (?:january|february|march|april|may|june|july|august|september|october|november
            |december|spring|summer|autumn|winter|q[1-4]|quarter\s+[1-4])(?:\s*,?\s*\d{4})?
      | (?:by|before|no\ later\ than)\s+(?:the\s+end\s+of\s+)?(?:\d{4}(?:/\d{2,4})?
            |the\s+(?:financial|calendar|academic)\s+year(?:\s+\d{4}(?:/\d{2,4})?)?)
      | by\s+\d{1,2}/\d{1,2}/\d{2,4}
      | (?:over|in)\s+the\s+next\s+(?:\d+|one|two|three|four|six|twelve|eighteen)\s+(?:weeks|months|years)
      | immediately | without\ delay
      | (?:every|each)\s+(?:\d+|six|three|twelve)?\s*(?:weeks?|months?|years?|quarters?)
      | annually | quarterly
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_TIMESCALE_LABEL = re.compile(
    r"(?:^|\n)\s*(?:timescales?|time ?frame|target date|by when)\s*[:\-–]\s*(?P<when>[^\n]{2,150})",
    re.IGNORECASE,
)
# What would show the recommendation is done. "audit" and "monitor" alone are left out:
# they are usually the action itself ("audit twenty cases"), not its measure.
_MEASURE = re.compile(
    r"""(?<![\w-])(?:measured\ by|evidenced\ by|evidence\ (?:of|that)|as\ shown\ by|so\ that
      |in\ order\ that|re-audit
      |report(?:ing|ed)?\s+(?:[\w-]+\s+){0,4}to\s+the\s+(?:\w+\s+){0,2}(?:board|partnership|panel
          |executive|committee|group)
      |target\ of|\d+\s?%|per\ cent|percentage\ of|proportion\ of|kpis?|performance\ indicators?
      |reduction\ in|increase\ in|dip\ sample)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_MEASURE_LABEL = re.compile(
    r"(?:^|\n)\s*(?:measures?|outcomes?|success measure|evidence(?: of (?:completion|impact))?)"
    r"\s*[:\-–]\s*(?P<what>[^\n]{2,400})",
    re.IGNORECASE,
)
_FINDING = re.compile(
    r"\b(?P<ref>(?:key\s+)?(?:finding|learning\s+point|learning\s+theme|theme)\s+(?:\d+(?:\.\d+)*|[A-Z])"
    r"|paragraphs?\s+\d+(?:\.\d+)+)\b",
    re.IGNORECASE,
)
_STOP = re.compile(r"[.;!?](?=\s|$)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'‘“(])")

# Words that do not name anyone in particular: "agencies should communicate better".
_GENERIC = frozenset(
    [
        "agency",
        "agencies",
        "organisation",
        "organisations",
        "professional",
        "professionals",
        "practitioner",
        "practitioners",
        "partner",
        "partners",
        "staff",
        "services",
        "service",
        "everyone",
        "everybody",
        "all",
        "relevant",
        "lessons",
        "lesson",
        "learning",
        "we",
        "they",
        "it",
        "this",
        "that",
        "there",
        "these",
        "those",
        "each",
        "every",
        "any",
        "local",
        "partner",
        "the",
        "a",
        "an",
        "key",
        "communication",
        "information",
        "consideration",
        "review",
        "report",
        "process",
        "processes",
        "practice",
        "systems",
        "system",
        "work",
        "working",
        "people",
        "those",
        "involved",
        "concerned",
        "other",
        "others",
    ]
)
_ROLE_NOUNS = frozenset(
    [
        "lead",
        "leads",
        "manager",
        "managers",
        "visitor",
        "visitors",
        "nurse",
        "nurses",
        "officer",
        "officers",
        "teacher",
        "teachers",
        "worker",
        "workers",
        "gp",
        "gps",
        "doctor",
        "doctors",
        "paediatrician",
        "paediatricians",
        "midwife",
        "midwives",
        "commissioner",
        "commissioners",
        "chair",
        "chairs",
        "board",
        "boards",
        "partnership",
        "partnerships",
        "team",
        "teams",
        "school",
        "schools",
        "trust",
        "trusts",
        "council",
        "councils",
        "authority",
        "authorities",
        "police",
        "constabulary",
        "department",
        "departments",
        "unit",
        "units",
        "hub",
        "hubs",
        "panel",
        "panels",
        "director",
        "directors",
        "governors",
        "governor",
        "head",
        "heads",
        "leaders",
        "leader",
        "clinicians",
        "clinician",
        "therapists",
        "psychiatrists",
        "safeguarding",
        "designated",
        "named",
    ]
)
_DETERMINERS = frozenset(
    ["the", "all", "each", "every", "relevant", "partner", "local", "and", "its", "their"]
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
    """Offset after a leading list marker of ``text[start:end]`` (``start`` if none or all marker)."""
    match = _MARKER.match(text[start:end])
    return start + match.end() if match and start + match.end() < end else start


def _is_specific(part: str) -> bool:
    """True when ``part`` names an organisation or role, not "agencies" in general."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’&-]*", part)]
    content = [w for w in words if w.lower() not in _DETERMINERS]
    if not content or len(words) > 12:
        return False
    if all(w.lower().rstrip("'’s") in _GENERIC or w.lower() in _GENERIC for w in content):
        return False
    for index, word in enumerate(content):
        lower = word.lower()
        if lower in _ROLE_NOUNS or (word.isupper() and len(word) >= 2):
            return True
        # A capital inside the phrase (not just the sentence's first word) names someone.
        if word[0].isupper() and (index > 0 or lower not in _GENERIC) and lower not in _GENERIC:
            return True
    return False


def _split_addressees(subject: str) -> list[str]:
    subject = re.sub(r"^\s*(?:that|and)\s+", "", subject.strip(), flags=re.IGNORECASE)
    parts = re.split(
        r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+together with\s+|\s+with\s+|/)\s*", subject
    )
    found: list[str] = []
    for raw in parts:
        part = raw.strip(" ,;:-–").strip()
        part = re.sub(r"^(?:all|each|every)\s+", "", part, flags=re.IGNORECASE)
        if part and _is_specific(part) and part not in found:
            found.append(part)
    return found


def _first_sentence(body: str) -> str:
    return _SENTENCE_END.split(body.strip(), maxsplit=1)[0]


def _clean(value: str, limit: int) -> str | None:
    value = re.sub(r"\s+", " ", value).strip(" .;:,-–")
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def parse_item(body: str) -> tuple[tuple[str, ...], str | None, str | None, str | None, str | None]:
    """Addressees, action, timescale, measure and linked finding stated in ``body``."""
    addressees: list[str] = []
    action: str | None = None
    for label in _ADDRESSEE_LABEL.finditer(body):
        addressees += [a for a in _split_addressees(label.group("who")) if a not in addressees]
    for line in body.splitlines() or [body]:
        stripped = line.strip()
        if not stripped or (
            _FIELD_LABEL.match(stripped) and not stripped.lower().startswith("action")
        ):
            continue
        if _MARKER.fullmatch(stripped):
            continue  # a "Recommendation 4" label line
        stripped = re.sub(r"^\s*action\s*[:\-–]\s*", "", stripped, flags=re.IGNORECASE)
        sentence = _first_sentence(stripped)
        subject = _SUBJECT.search(sentence) or _THAT_SUBJECT.search(sentence)
        rest = subject.group("rest") if subject else sentence
        if subject:
            addressees += [
                a for a in _split_addressees(subject.group("subj")) if a not in addressees
            ]
        cue = _MEASURE.search(rest)
        if cue and cue.start() > 0:  # the action stops where its measure begins
            rest = rest[: cue.start()]
        action = _clean(re.sub(r"[\s,;]+(?:and|or|by|within)?\s*$", "", rest), 600)
        break
    timescale = None
    when = _TIMESCALE_LABEL.search(body)
    if when:
        timescale = _clean(when.group("when"), 150)
    else:
        match = _TIMESCALE.search(body)
        timescale = _clean(match.group(0), 150) if match else None
    measure = None
    what = _MEASURE_LABEL.search(body)
    if what:
        measure = _clean(what.group("what"), 400)
    else:
        match = _MEASURE.search(body)
        if match:
            # The measure is the clause from its cue to the end of that sentence.
            stop = _STOP.search(body, match.end())
            measure = _clean(body[match.start() : stop.start() if stop else len(body)], 400)
    finding_match = _FINDING.search(body)
    finding = _clean(finding_match.group("ref"), 100) if finding_match else None
    return tuple(addressees), action, timescale, measure, finding


def _is_item(text: str, start: int, end: int, in_section: bool) -> bool:
    body = text[start:end]
    if _RECOMMENDATION_LABEL.match(body):
        return True
    if not in_section:
        return False
    marked = bool(_MARKER.match(body)) and _strip_marker(text, start, end) > start
    stripped = body.rstrip()
    if stripped.endswith(":") and not marked:
        return False  # an introduction to the list
    return marked or bool(_MODAL.search(body))


def extract_recommendations(document: Document) -> list[RecommendationItem]:
    """Every recommendation item of ``document``, in document order."""
    text = document.text
    spans: list[list[int]] = []  # [start, end, section]; end -1 while only a marker is seen
    takes_fields = False  # the last item may still take "Lead: ..." / "Timescale: ..." lines
    for paragraph in document.paragraphs:
        if not 0 <= paragraph.section < len(document.sections):
            continue
        section = document.sections[paragraph.section]
        start, end = _trim(text, paragraph.start, paragraph.end)
        if section.kind == "glossary" or start >= end:
            continue
        body = text[start:end]
        last = spans[-1] if spans and spans[-1][2] == paragraph.section else None
        if last is not None and last[1] == -1:  # the words after a bare marker
            last[1] = end
            takes_fields = True
            continue
        if last is not None and takes_fields and _FIELD_LABEL.match(body):
            last[1] = end
            continue
        takes_fields = False
        if not _is_item(text, start, end, section.kind == "recommendations"):
            continue
        bare = bool(_MARKER.fullmatch(body))
        spans.append([start, -1 if bare else end, paragraph.section])
        takes_fields = bare or bool(_RECOMMENDATION_LABEL.match(body))
    items: list[RecommendationItem] = []
    for start, end, section_index in spans:
        if end == -1:
            continue  # a marker with nothing after it
        body_start = _strip_marker(text, start, end)
        # Drop a label line that is only "Recommendation 2" so the item starts at its words.
        first_line_end = text.find("\n", body_start, end)
        if (
            _RECOMMENDATION_LABEL.match(text[start:end])
            and first_line_end != -1
            and not text[body_start:first_line_end].strip()
        ):
            body_start = first_line_end
        body_start, end = _trim(text, body_start, end)
        if body_start >= end:
            continue
        body = text[body_start:end]
        addressees, action, timescale, measure, finding = parse_item(body)
        items.append(
            RecommendationItem(
                body_start,
                end,
                body,
                section_index,
                addressees,
                action,
                timescale,
                measure,
                finding,
            )
        )
    return items
