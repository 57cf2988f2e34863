"""The fields of one recommendation's text: addressees, action, timescale, measure, finding.

Formats handled (each seen in real reviews):
- a subject and a modal: "Fenmoor Council should ...", "The ICB, the LA and the Police must ...";
- "recommends that" / "That ...": "The panel recommends that the ICB reviews ...";
- "X to do Y" without a modal: "The LSCB to seek assurance ...", "All agencies to ensure ...";
- agency-prefixed items: "Police: PPN compliance to be reinforced ...", "Health visiting - ...";
- passives with their agent: "A protocol should be agreed by the ICB and Fenmoor Council";
- labelled lines: "Lead agency: ...", "Action: ...", "Timescale: ...", "Evidence of completion: ...";
- markers: "1.", "(a)", bullets, "Recommendation 3:", "Recommendation 1 (Finding 1).";
- timescales and measures anywhere in a multi-sentence item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.recommendations.addressees import (
    ORGANISATION_NOUNS,
    ROLE_MODIFIERS,
    VAGUE_NOUNS,
    clean,
    is_strong_agent,
    named_organisations,
    split_addressees,
)

# A list marker or a "Recommendation 3:" label (with an optional "(Finding 1)") at the start.
MARKER = re.compile(
    r"""^\s*(?:\*\*)?(?:
        (?:recommendation|rec\.?)\s*(?:no\.?\s*)?\d+[a-z]?(?:\.\d+)*
            (?:\s*\((?:key\s+)?(?:findings?|learning\s+points?|themes?)\b[^)]{0,60}\))?
            \s*(?:\*\*)?\s*[:.)\-–—]?(?:\*\*)?
      | r\d+\s*[:.)\-–—]
      | \(?\d{1,3}(?:\.\d{1,3})+\.?(?=\s|$)
      | \(?\d{1,3}[.)](?=\s|$)
      | \(?[a-z]\)
      | \(?[ivx]{1,5}\)
      | [•●▪‣◦*\-–—]
    )(?:\*\*)?\s*""",
    re.IGNORECASE | re.VERBOSE,
)
RECOMMENDATION_LABEL = re.compile(
    r"^\s*(?:\*\*)?\s*(?:recommendation|rec\.?)\s*(?:no\.?\s*)?\d", re.I
)

_LABELS = {
    "addressee": r"addressed to|addressees?|lead(?: agency| agencies| organisation| partner| officer)?"
    r"|owner|owned by|responsible(?: agency| agencies| organisation| partner| lead)?|for",
    "action": r"action(?:s)?(?: required)?|recommendation|what",
    "timescale": r"timescales?|time ?frame|target date|by when|when|deadline|completion date|due",
    "measure": r"measures?(?: of (?:success|completion|impact))?|outcome(?: measures?)?"
    r"|success measures?|evidence(?: of (?:completion|impact|success))?|how (?:we will know|measured)"
    r"|assurance",
    "finding": r"finding|linked finding|rationale|learning point",
}
FIELD_LABEL = re.compile(
    r"^\s*(?:\*\*)?(?P<label>" + "|".join(_LABELS.values()) + r")(?:\*\*)?\s*[:\-–](?:\*\*)?\s*",
    re.IGNORECASE,
)
_LABEL_OF = {field: re.compile(rf"^(?:{pattern})$", re.I) for field, pattern in _LABELS.items()}

_MODAL_VERB = (
    r"(?:should|must|shall|will|needs? to|ought to|(?:is|are) (?:asked|required|expected|invited)"
    r" to|(?:is|are) to|(?:is|are) recommended to)"
)
MODAL = re.compile(
    r"\b(?:" + _MODAL_VERB + r"|recommends?|recommended|to ensure|ensures?)\b", re.IGNORECASE
)
# Verbs a recommendation starts with after "That ..." or "X to ...": "That the ICB ensures".
_ACTION_VERB = (
    r"(?:ensure|review|commission|develop|provide|consider|undertake|agree|establish|seek|work"
    r"|audit|produce|take|introduce|implement|update|revise|strengthen|issue|publish|share|embed"
    r"|monitor|evaluate|assure|deliver|set|create|adopt|make|lead|write|amend|promote|raise|use"
    r"|include|require|reinforce|improve|clarify|confirm|identify|appoint|train|report|extend"
    r"|co-ordinate|coordinate|convene|design|devise|check|explore|scope|refresh|reissue|recirculate"
    r"|remind|offer|support|build|map|test|prioritise|escalate|align|incorporate|strengthen|pilot"
    r"|obtain|record|assess|collate|communicate|disseminate|secure|give|hold|put|bring|carry)"
    r"(?:s|es)?"
)
_SUBJECT_MODAL = re.compile(
    r"^(?P<subj>[^.;:!?]{2,200}?)\s+(?P<modal>" + _MODAL_VERB + r")\b\s*(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_SUBJECT_TO = re.compile(
    r"^(?P<subj>[^.;:!?]{2,150}?)\s+to\s+(?P<rest>(?:be\s+\w+|[a-z][\w-]*)\b.*)",
    re.DOTALL,
)
_RECOMMENDS_THAT = re.compile(
    r"^(?:[^.;:!?]{0,120}?\b(?:recommends?|recommended|recommendation is)\s+that|that)\s+",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^(?P<who>[^:.;!?]{2,90}?)\s*(?::|\s[-–—])\s+(?P<rest>\S.*)", re.DOTALL)
_PASSIVE_AGENT = re.compile(
    r"\bbe\s+(?:\w+ed|\w+en|made|led|held|set|built|run|sent|given|done|brought|drawn|taken"
    r"|undertaken|overseen|written|learnt|learned|met|kept|shared)\b(?:\s+\w+){0,3}?\s+by\s+"
    r"(?P<agent>[^.;:!?,]{2,200})",
    re.IGNORECASE,
)
# Where a passive's agent ends: "by all agencies about ...", "by the ICB within six months".
_AGENT_END = re.compile(
    r"\s+(?:about|on|in|with|across|through|that|to|within|by|before|so|no later|which|who"
    r"|when|where|as|at|after|during|from|and\s+(?:should|must|will|is|are))\b.*$",
    re.IGNORECASE | re.DOTALL,
)

_PROPER_AGENT = re.compile(
    r"^be\s+(?:[\w-]+\s+){1,4}?by\s+(?:the\s+)?"
    r"(?P<agent>[A-Z][\w'’&-]*(?:(?:\s+|,\s*)(?:[A-Z][\w'’&-]*|of|for|and|the|&))*)"
)
_NUMBER_WORD = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen"
    r"|twenty|twenty-four|thirty|sixty|ninety|a|an)"
)
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)
_PUBLICATION = r"(?:publication|the\s+publication\s+of\s+(?:this|the)\s+(?:review|report)|(?:this|the)\s+(?:review|report))"
_UNIT = r"(?:working\s+|calendar\s+)?(?:days?|weeks?|months?|years?)"
TIMESCALE = re.compile(
    rf"""\b(?:
        within\s+(?:the\s+next\s+)?{_NUMBER_WORD}\s+(?:\(\d+\)\s+)?(?:{_UNIT}|terms?|quarters?)
            (?:\s+of\s+(?:{_PUBLICATION}|launch|implementation|the\s+start))?
      | within\s+the\s+(?:next|coming)\s+(?:[\w-]+\s+)?year
      | (?:by|before|from)\s+the\s+(?:start|end|beginning)\s+of\s+\d{{4}}(?:/\d{{2,4}})?
      | before\s+(?:the\s+)?(?:summer|christmas|easter|autumn|spring|half-term)(?:\s+(?:recess
            |holidays?|break|term))?(?:\s+\d{{4}})?
      | from\s+the\s+date\s+of\s+(?:this\s+(?:report|review)|publication)
      | without\s+waiting\s+for\s+(?:the\s+)?publication(?:\s+of\s+(?:this|the)\s+(?:report|review))?
      | before\s+the\s+next\s+(?:[\w-]+\s+){{0,3}}?(?:cycle|round)(?:\s+begins)?
      | {_NUMBER_WORD}\s+{_UNIT}\s+(?:after|following|from|of)\s+{_PUBLICATION}
      | (?:by|before|no\ later\ than|from|during|in|until)\s+(?:the\s+end\s+of\s+)?
            (?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{_MONTH}|spring|summer|autumn|winter|q[1-4]
            |quarter\s+[1-4]|the\s+(?:first|second|third|fourth|last)\s+quarter)
            (?:\s+(?:of\s+)?(?:\d{{4}}(?:/\d{{2,4}})?|the\s+\w+\s+year))?(?:\s*,?\s*\d{{4}})?
      | (?:by|before|no\ later\ than|during|in)\s+(?:the\s+end\s+of\s+)?(?:\d{{4}}(?:/\d{{2,4}})?
            |the\s+(?:\d{{4}}/\d{{2,4}}\s+)?(?:financial|calendar|academic|school)\s+year
            (?:\s+\d{{4}}(?:/\d{{2,4}})?)?)
      | by\s+\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}
      | (?:over|in|during)\s+the\s+(?:next|coming)\s+(?:{_NUMBER_WORD}\s+)?(?:weeks?|months?|years?)
      | (?:by|before|no\ later\ than|ahead\ of|from|at)\s+the\s+(?:end|start|beginning|close)\s+of\s+
            (?:the\s+)?(?:\d{{4}}/\d{{2,4}}\s+)?(?:[\w-]+\s+){{0,2}}?(?:term|year|month|quarter)
            (?:\s+(?:of\s+)?\d{{4}}(?:/\d{{2,4}})?)?
      | during\s+the\s+(?:spring|summer|autumn|winter)\s+term(?:\s+(?:of\s+)?\d{{4}})?
      | (?:before|by|at)\s+the\s+next\s+(?:inspection|annual\s+review(?:\s+of\s+the\s+[\w-]+)?
            |review(?:\s+of\s+the\s+[\w-]+)?|refresh\s+of\s+the\s+[\w-]+|meeting|audit)
      | at\s+its\s+(?:{_MONTH}\s+(?:\d{{4}}\s+)?|next\s+)meeting
      | (?:with\ effect\ from|from)\s+the\s+date\s+of\s+publication
      | (?:effective\s+)?immediately | without\ delay | with\ immediate\ effect
      | (?:every|each)\s+(?:\d+|two|three|six|twelve)?\s*(?:weeks?|months?|years?|quarters?)
      | annually | quarterly | bi-annually | six-monthly | twice\ (?:a\ )?yearly
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# By when, as a date or the end of a period: "by the end of September", "before April 2027".
_DEADLINE_ONLY = re.compile(r"^(?:by|before|no later than)\s+(?!\d+\s)", re.IGNORECASE)
# How often, not by when: inside a measure ("reported quarterly") it is not the timescale.
_FREQUENCY = re.compile(
    r"^(?:(?:every|each)\b|annually|quarterly|bi-annually|six-monthly|twice)", re.IGNORECASE
)
# What would show the recommendation is done. "audit" and "monitor" alone are left out:
# they are usually the action itself ("audit twenty cases"), not its measure.
MEASURE = re.compile(
    r"""(?<![\w-])(?<!be\ )(?:(?:as\ )?(?:measured|evidenced|demonstrated|shown|confirmed|verified)
          \ (?:by|through|in)
      |(?<!for\ )(?<!any\ )(?<!the\ )(?<!no\ )evidence\ (?:of|that)|so\ that|in\ order\ that|re-audit
      |reaching\ (?:all|every|at\ least)|reports?\ on\ (?:the|its|progress)\b
      |(?:assurance|success|progress|impact|completion|compliance|the\ outcome|its\ (?:findings
          |impact|outcome)|the\ findings)\ (?:will|should|must|is\ to)\ be
      |success\ will\ look\ like|will\ be\ signed\ off
      |the\ (?:partnership|board|executive|panel|committee|subgroup|group)(?:\ [\w'’-]+){0,3}
          \ will\ (?:receive|be\ given|see)
      |with\ (?:the\ |every\ |each\ |a\ )?(?:(?!(?:is|are|be|to|should|will|must)\ )[\w'’-]+\ ){0,8}?
          (?:audited|checked|reviewed|reported
          |monitored|confirmed|tested|testing|circulated|shared|recorded|sampled|sampling|logged
          |published|presented|evaluated|measured|tracked|used)\b
      |using\ (?:the\ |its\ |a\ |an\ |new\ )?(?:[\w'’-]+\ ){0,8}?(?:data|records?|register|audits?
          |survey|dataset|field|system|returns?)\b
      |report(?:ing|ed|s)?\s+(?:[\w-]+\s+){0,5}to\s+the\s+(?:[\w'’-]+\s+){0,3}(?:board|partnership
          |panel|executive|committee|group|subgroup|(?-i:[A-Z]{2,}))
      |target\ of|\d+\s?%|per\ cent|percentage\ of|proportion\ of|kpis?|performance\ indicators?
      |reduction\ in|increase\ in|dip[-\ ]sampl(?:e|ing))\b""",
    re.IGNORECASE | re.VERBOSE,
)
FINDING = re.compile(
    r"\b(?P<ref>(?i:(?:key\s+)?(?:findings?|learning\s+points?|learning\s+themes?|themes?))\s+"
    r"(?:\d+(?:\.\d+)*|[A-Z])(?:\s*(?:and|&|,)\s*\d+(?:\.\d+)*)*"
    r"|(?i:paragraphs?)\s+\d+(?:\.\d+)+)\b",
)
# Labels run into one paragraph by a reader ("... NHS Trust Action: Include ... Timescale:").
_INLINE_LABEL = re.compile(
    r"(?<=\S)[ \t]+(?=(?:Lead(?: agency| agencies| organisation| partner| officer)?|Owner"
    r"|Responsible(?: agency| organisation| lead)?|Addressed to|Actions?(?: required)?"
    r"|Timescales?|Time ?frame|Target date|By when|Deadline|Completion date"
    r"|Measures?(?: of (?:success|completion|impact))?|Outcome(?: measures?)?|Success measures?"
    r"|Evidence(?: of (?:completion|impact|success))?|Linked finding|Rationale|What|When"
    r"|How we will know|How (?:it will be )?measured)\s*:)"
)
_STOP = re.compile(r"[.;!?](?=\s|$)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'‘“(])")


@dataclass(frozen=True, slots=True)
class Fields:
    """What one recommendation's text states; ``None`` or empty where it does not."""

    addressees: tuple[str, ...]
    vague_addressee: bool
    action: str | None
    timescale: str | None
    measure: str | None
    finding: str | None


def strip_marker(text: str) -> str:
    """``text`` without a leading list marker or "Recommendation N (Finding N):" label."""
    match = MARKER.match(text)
    return text[match.end() :] if match and match.end() < len(text) else text


def first_sentence(body: str) -> str:
    """The first sentence of ``body`` (the whole of it when it has one)."""
    return _SENTENCE_END.split(body.strip(), maxsplit=1)[0]


def _clean(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value.replace("**", "")).strip(" .;:,-–|")
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _labelled(body: str) -> tuple[dict[str, str], list[str]]:
    """Labelled lines of ``body`` by field, and the unlabelled lines in order."""
    found: dict[str, str] = {}
    rest: list[str] = []
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        match = FIELD_LABEL.match(stripped)
        field = None
        if match:
            label = match.group("label")
            field = next((f for f, p in _LABEL_OF.items() if p.match(label)), None)
        if field is None or field in found:
            rest.append(stripped)
            continue
        value = stripped[match.end() :] if match else stripped
        if field == "action":
            rest.insert(0, value)
        else:
            found[field] = value
    return found, rest


_ADVERBS = re.compile(
    r"^(?:to\s+)?(?:jointly|together|urgently|also|now|collectively|swiftly)\s+|^to\s+", re.I
)
# A timescale that ends the action: at the end of the clause or before "and"/"with"/"so".
_CLAUSE_END = re.compile(r"^\s*(?:$|[,.;]|and\b|with\b|so\b|to\s+(?:ensure|show))", re.I)
# "..., with results reported to the Board": the measure starts at "with".
_WITH_BEFORE = re.compile(r",?\s*\b(?:with|through)\s+(?:[\w'-]+\s+){0,4}$", re.I)
# A cue right after the modal is the action itself: "should report CME numbers to the Board".
_ACTION_START = re.compile(r"(?:^|\b(?:should|must|shall|will|to|that))\s*$", re.I)
# Deadlines (not durations) may sit inside a measure's sentence: "... reported by March 2027".
_DEADLINE = re.compile(r"^(?:by|before|no later than|in|during|from|until)\b", re.I)


# A later sentence of an item that says how completion will be shown, with its own subject:
# "The Trust will present its findings to the Board." "A file audit should show ..."
_MEASURE_SENTENCE = re.compile(
    r"\b(?:will|should|must|to|would)\s+(?:[\w-]+\s+){0,2}?(?:report|present|confirm|receive"
    r"|show|test|audit|sample|see|know|expect|monitor|evidence|demonstrate|check|set\s+a\s+target"
    r"|be\s+(?:sampled|audited|reported|presented|checked|tested|monitored|measured|confirmed"
    r"|reviewed|evaluated|evidenced|shown|demonstrated))\b",
    re.IGNORECASE,
)


def _later_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text`` after its first one (a leading list marker such
    as "1." is not a sentence)."""
    body = strip_marker(text)
    first_end = len(text) - len(body) + len(first_sentence(body)) + (len(body) - len(body.lstrip()))
    spans = []
    position = first_end
    for part in _SENTENCE_END.split(text[first_end:]):
        if not part.strip():
            continue
        start = text.find(part, position)
        position = start + len(part)
        spans.append((start, position))
    return spans


def _measure_span(text: str) -> tuple[int, int] | None:
    """Where the measure of completion is stated in ``text``: from its cue (or the "with"
    before it) to the end of that sentence, less a timescale at its end."""
    match = next(
        (m for m in MEASURE.finditer(text) if not _ACTION_START.search(text[: m.start()])), None
    )
    later = _later_sentences(text)
    if match is not None:
        for start, end in later:
            if start <= match.start() < end:  # a measure in a later sentence is all of it
                return start, _less_trailing_timescale(text, start, end.__index__())
    if match is None:
        sentence = next(((a, b) for a, b in later if _MEASURE_SENTENCE.search(text[a:b])), None)
        if sentence is None:
            return None
        return sentence[0], _less_trailing_timescale(text, *sentence)
    start = match.start()
    before = _WITH_BEFORE.search(text[:start])
    if before:
        start = before.start() + len(before.group(0)) - len(before.group(0).lstrip(", "))
    stop = _STOP.search(text, match.end())
    return start, _less_trailing_timescale(text, match.end(), stop.start() if stop else len(text))


def _less_trailing_timescale(text: str, start: int, end: int) -> int:
    """``end`` moved back before a timescale that ends ``text[start:end]`` (a deadline or a
    duration, not a frequency such as "quarterly")."""
    end = len(text[:end].rstrip(" .;"))
    for when in TIMESCALE.finditer(text, start, end):
        trailing = not text[when.end() : end].strip(" ,;")
        if trailing and when.start() > start and not _FREQUENCY.match(when.group(0)):
            return len(text[: when.start()].rstrip(" ,;"))
    return end


def _action_from(rest: str) -> str | None:
    """The action clause: the rest of the first sentence up to its timescale or measure."""
    rest = _ADVERBS.sub("", first_sentence(rest).strip())
    span = _measure_span(rest)
    if span and span[0] > 0:
        rest = rest[: span[0]]
    for when in TIMESCALE.finditer(rest):
        if when.start() > 0 and _CLAUSE_END.match(rest[when.end() :]):
            rest = rest[: when.start()]
            break
    rest = re.sub(
        r"[\s,;]+(?:and|or|by|within|to|effective|starting|beginning|from)?\s*$", "", rest
    )
    return _clean(rest, 600)


# Words that carry on a subject rather than start its verb: "Fenmoor Council and ...".
_SUBJECT_GLUE = frozenset(
    [
        "and",
        "or",
        "of",
        "for",
        "in",
        "at",
        "with",
        "together",
        "the",
        "&",
        "on",
        "from",
        "to",
        "as",
        "within",
        "across",
        "who",
        "which",
    ]
)
# Words a grammatical subject does not contain: a clause, a pronoun or a verb is inside it.
_NOT_IN_SUBJECT = frozenset(
    [
        "whether",
        "that",
        "how",
        "what",
        "when",
        "where",
        "if",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "its",
        "their",
        "his",
        "her",
        "should",
        "must",
        "will",
        "shall",
        "would",
        "could",
        "can",
        "may",
        "might",
        "not",
        "so",
        "because",
    ]
)
_SUBJECT_START = frozenset(
    ["the", "all", "each", "every", "any", "relevant", "partner", "local", "both"]
)
_IMPERATIVE = re.compile(r"^" + _ACTION_VERB + r"$", re.IGNORECASE)


_QUALIFIER = frozenset(["working", "based", "involved", "responsible", "supporting", "with", "who"])


def _before_qualifier(words: list[str]) -> list[str]:
    """Words before a qualifying clause: "Everyone working with disabled children" is
    checked as "Everyone"."""
    for index, word in enumerate(words[1:], start=1):
        if word.lower() in _QUALIFIER:
            return words[:index]
    return words


def _plausible_subject(phrase: str) -> bool:
    """True when ``phrase`` can be the subject naming who acts: it starts with a capital or
    a determiner, not with an imperative verb ("Ask every victim ..."), and holds no clause."""
    words = re.findall(r"[\w'’&()-]+", phrase)
    if not words or len(words) > 14:
        return False
    first = words[0]
    if not (first[0].isupper() or first.lower() in _SUBJECT_START):
        return False
    if _IMPERATIVE.match(first) and first.lower() not in ("lead", "leads"):
        return False
    for word in _before_qualifier(words):
        lower = word.lower().strip("()")
        if lower in _NOT_IN_SUBJECT:
            return False
        if word[0].islower() and not (
            lower in ORGANISATION_NOUNS
            or lower in VAGUE_NOUNS
            or lower in ROLE_MODIFIERS
            or lower.rstrip("s") in ORGANISATION_NOUNS
        ):
            return False  # "the child's views written onto the MARAC": a clause
    return True


def _agent_subject(sentence: str) -> tuple[list[str], list[str], str] | None:
    """The agent a sentence starts with, when a verb follows it: "The ICB reviews ...",
    "Halvergate Borough Council Children's Services names ..."."""
    words = list(re.finditer(r"\S+", sentence))
    for k in range(1, min(len(words), 16)):
        following = words[k].group(0)
        if not following[0].islower() or following.lower() in _SUBJECT_GLUE:
            continue
        left = sentence[: words[k - 1].end()]
        if left[-1] in ",;:" or words[k - 1].group(0).lower() in _SUBJECT_GLUE:
            continue
        if not _plausible_subject(left) or not is_strong_agent(left):
            continue
        specific, vague = split_addressees(left)
        if specific or vague:
            return specific, vague, sentence[words[k].start() :]
    return None


def _passive_agent(rest: str) -> tuple[list[str], list[str]]:
    """Who acts in "... should be agreed by the ICB and Fenmoor Council ...", if anyone."""
    proper = _PROPER_AGENT.search(rest) if re.match(r"be\s+\w+", rest, re.I) else None
    if proper:
        name = re.sub(r"(?:\s+(?:of|for|and|the|&))+\s*$", "", proper.group("agent"))
        specific, vague = split_addressees(name)
        if specific or vague:
            return specific, vague
    agent = _PASSIVE_AGENT.search(rest)
    if agent:
        return split_addressees(_AGENT_END.sub("", agent.group("agent")))
    return [], []


def _who_and_rest(sentence: str, *, loose: bool = True) -> tuple[list[str], list[str], str]:
    """Addressees (specific, vague) the sentence names as its subject, and its action part.

    ``loose`` also takes a bare agent followed by a verb ("The ICB reviews ...");
    not inside an agency-prefixed line, where "PPN compliance to be ..." follows the prefix."""
    prefix = _PREFIX.match(sentence)
    if prefix and len(prefix.group("who").split()) <= 8 and not MODAL.search(prefix.group("who")):
        specific, vague = split_addressees(prefix.group("who"))
        if (specific or vague) and _plausible_subject(prefix.group("who")):
            inner = prefix.group("rest")
            inner_specific, inner_vague, inner_rest = _who_and_rest(inner, loose=False)
            if inner_specific or inner_vague:
                return specific + inner_specific, vague + inner_vague, inner_rest
            return specific, vague, inner
    # "The panel recommends that the ICB reviews ...": the clause after "that" says who acts.
    that = _RECOMMENDS_THAT.search(sentence)
    if that:
        sentence = sentence[that.end() :]
    fallback: str | None = None
    for pattern in (_SUBJECT_MODAL, _SUBJECT_TO):
        match = pattern.search(sentence)
        if not match:
            continue
        subject, rest = match.group("subj"), match.group("rest")
        if _plausible_subject(subject) and is_strong_agent(subject):
            specific, vague = split_addressees(subject)
            if specific or vague:
                return specific, vague, rest
        if pattern is _SUBJECT_MODAL or rest.lower().startswith("be "):
            # "A protocol should be agreed by the ICB": the agent of the passive acts.
            specific, vague = _passive_agent(rest)
            if specific or vague:
                return specific, vague, rest
        if pattern is _SUBJECT_MODAL:
            fallback = fallback or rest
    if fallback is None and loose:
        subject_found = _agent_subject(sentence)
        if subject_found is not None:
            return subject_found
    return [], [], fallback or sentence


def parse_item(body: str) -> Fields:
    """The fields ``body`` states; labelled lines take precedence over the prose."""
    labelled, lines = _labelled(_INLINE_LABEL.sub("\n", body))
    specific: list[str] = []
    vague: list[str] = []
    if "addressee" in labelled:
        specific, vague = split_addressees(labelled["addressee"])
        if not specific and not vague and labelled["addressee"].strip():
            specific = [clean(labelled["addressee"])]  # a label says who, whatever the words
    action = None
    if lines:
        sentence = strip_marker(" ".join(lines) if len(lines) == 1 else lines[0])
        sentence = sentence.replace("**", "")
        who, vague_who, rest = _who_and_rest(sentence)
        if "addressee" not in labelled:  # a label says who; the action line only what
            specific += [a for a in who if a not in specific]
            vague += [a for a in vague_who if a not in vague]
        action = _action_from(rest)
    if not specific and not vague and lines:
        # No subject, prefix, label or agent says who acts ("Ensure that ...", a coroner's
        # concern): the organisations the item names by their proper names are its addressees.
        specific = named_organisations(" ".join(lines).replace("**", ""))
    text = "\n".join([*lines, *(v for k, v in labelled.items() if k != "addressee")])
    measure = _clean(labelled.get("measure"), 400)
    measure_span = (0, 0)
    if measure is None:
        span = _measure_span(text)
        if span:
            measure_span = span
            measure = _clean(text[slice(*span)], 400)
    timescale = _clean(labelled.get("timescale"), 150)
    if timescale is None:
        # A duration inside the measure ("audited at six months") is not the timescale.
        outside = text[: measure_span[0]] + " " * (measure_span[1] - measure_span[0])
        outside += text[measure_span[1] :]
        match = TIMESCALE.search(outside)
        if match is None:
            # A deadline inside the measure ("will audit 30 cases by the end of September")
            # still says by when; a duration or frequency there ("at six months") does not.
            match = next(
                (m for m in TIMESCALE.finditer(text) if _DEADLINE_ONLY.match(m.group(0))), None
            )
        timescale = _clean(match.group(0), 150) if match else None
    finding_match = FINDING.search(labelled.get("finding", "") or body)
    finding = _clean(finding_match.group("ref"), 100) if finding_match else None
    addressees = tuple(specific + [v for v in vague if v not in specific])
    return Fields(
        addressees=addressees,
        vague_addressee=bool(vague) and not specific,
        action=action,
        timescale=timescale,
        measure=measure,
        finding=finding,
    )


def looks_like_item(body: str) -> bool:
    """True when a paragraph of a recommendations section reads as a recommendation (a
    modal, "X to do Y", an agency prefix or a "recommends that"), whatever its marker."""
    sentence = strip_marker(body.replace("**", "")).strip()
    if MODAL.search(sentence):
        return True
    who, vague, _rest = _who_and_rest(first_sentence(sentence))
    return bool(who or vague)
