"""Signals a reader can check for themselves, found in the text without the model.

Each finding is a span of ``document.text`` with the dimension it bears on, whether it is a
weakness or a strength, a reason a person can act on, and a weight used to rank findings.
The checks follow the rubric's signals:

- clarity: acronyms never defined in the document (its glossary and inline definitions),
  many acronyms in one sentence, long sentences, dense dates and times, professional
  shorthand;
- root-cause depth: blame without explanation ("failed to", "should have" with no reason
  in the sentence or the next), and explanations that name the conditions behind a
  decision (strength);
- child focus: a passage that never mentions the child, the child only as an object of
  process, and the child's own words or experience (strength);
- recommendations: no addressee, no timescale or measure, vague exhortation, and fully
  specified recommendations (strength).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from service.aggregate.policy import (
    CHILD_FOCUS,
    CLARITY,
    RECOMMENDATIONS,
    ROOT_CAUSE,
    applies,
    child_expected,
)
from service.ingest.document import Document
from service.ingest.glossary import find_acronyms
from service.passages.build import Passage
from service.recommendations.extract import RecommendationItem

Polarity = Literal["weakness", "strength"]

LONG_SENTENCE_WORDS = 40
DENSE_DATES = 3
MIN_WORDS_FOR_CHILD_CHECK = 35

# Acronyms a lay reader knows without a definition.
WELL_KNOWN = frozenset(
    [
        "UK",
        "NHS",
        "GP",
        "GPs",
        "TV",
        "BBC",
        "USA",
        "EU",
        "OK",
        "AM",
        "PM",
        "COVID",
        "A&E",
        "ID",
        "PDF",
        "IT",
        "DNA",
        "HIV",
        "UN",
    ]
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_TIME = re.compile(
    rf"""\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}
      |\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:\s+\d{{4}})?
      |{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?
      |(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)
      |\d{{1,2}}[:.]\d{{2}}\s*(?:am|pm|hrs|hours)?
      |\d{{1,2}}\s*(?:am|pm)
      |\d{{4}}hrs)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_JARGON = re.compile(
    r"\b(?:disguised compliance|stepp?(?:ed)? down|step-down|stepped up|front door|threshold(?:s)? "
    r"(?:was |were )?not met|strategy (?:discussion|meeting)|s\.?\s?47|section 47|CIN plan|"
    r"NFA|no further action|case (?:was )?closed|escalation polic(?:y|ies)|triaged|RAG[- ]rated|"
    r"core group|TAF|team around the family|early help assessment|neglect toolkit)\b",
    re.IGNORECASE,
)
_BLAME = re.compile(
    r"\b(?:failed to|failure (?:to|of)|should have|ought to have|should not have|neglected to|"
    r"omitted to|did not (?:follow|act|consider|recognise|recognize|share|refer|escalate|visit|"
    r"check|ask|record|respond)|missed (?:opportunit\w+|the chance|chances)|was not followed up|"
    r"were not followed up|was not acted upon|were not acted upon|was not challenged)\b",
    re.IGNORECASE,
)
_CAUSAL = re.compile(
    r"\b(?:because|due to|owing to|as a result|which meant|this meant|meant that|led to|"
    r"caused by|the reason|explains? why|in part|partly|given (?:that|the)|so that|since the|"
    r"at the time|made sense|reflect(?:s|ed|ing)?|so(?= (?:the|that|it|she|he|they|nobody|no one)\b))",
    re.IGNORECASE,
)
_CONDITIONS = re.compile(
    r"\b(?:workloads?|case ?loads?|caseloads?|supervision|supervisor|vacan\w+|staffing|understaff\w*|"
    r"turnover|capacity|fear\w*|frightened of|hostil\w+|intimidat\w+|exhaust\w*|tired|overwork\w*|"
    r"over-optimis\w+|optimis\w+|start again|disguised compliance|culture|pressure\w*|training|"
    r"made sense|at the time|reorganis\w+|restructur\w+|systems?|process(?:es)?|guidance|"
    r"information (?:was|had) not|did not know|no one|nobody|hindsight|handover|thresholds?)\b",
    re.IGNORECASE,
)
_CHILD_WORDS = (
    r"child|children|child's|children's|baby|babies|infant|toddler|newborn|son|daughter|boy|"
    r"girl|pupil|young person|young people|sibling|siblings|brother|sister|teenager|adolescent|"
    r"kids?"
)
_VOICE = re.compile(
    r"\b(?:told|said|says|described|wanted|wished|wishes|asked|drew|wrote|explained|"
    r"in (?:his|her|their) own words|voice|views?|felt|feels|feelings?)\b",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"[\"“][^\"”]{3,}[\"”]|(?<!\w)['‘][^'’]{3,}['’](?!\w)")
_EXPERIENCE = re.compile(
    r"\b(?:frighten\w*|scared|afraid|hungry|hunger|cold|alone|lonely|upset|cried|crying|sad|"
    r"happy|distress\w*|bruis\w*|pain|sore|bedtime|meals?|ate|eating|slept|sleep\w*|nappy|"
    r"nursery|school|played|playing|toys?|friends?|weight|growth|speech|development|"
    r"lived experience|daily life|what life was like|day-to-day)\b",
    re.IGNORECASE,
)
_OBJECT_OF_PROCESS = re.compile(
    r"\b(?:was|were) (?:seen|discussed|visited|allocated|referred|registered|placed|"
    r"made subject to|subject to|on a (?:child protection |CIN |child in need )?plan|"
    r"stepped down|closed)\b",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    r"\b(?:communicate better|work (?:better )?together|lessons (?:should|must|are to) be learn(?:ed|t)|"
    r"be learn(?:ed|t)|be (?:more )?curious|improve (?:communication|practice)|share information|"
    r"be reminded|raise awareness|consideration should be given)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One checkable signal on ``document.text[start:end]``."""

    start: int
    end: int
    dimension: int  # index into DIMENSIONS
    polarity: Polarity
    reason: str
    weight: float  # rank among findings; about 1 for a clear instance


@dataclass(slots=True)
class _Context:
    """What the checks need to know about the whole document, computed once."""

    defined: set[str] = field(default_factory=set)
    child_pattern: re.Pattern[str] = field(default_factory=lambda: re.compile(r"\b(?:child)\b"))


def _quote(words: Iterable[str], limit: int = 5) -> str:
    items = list(words)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _context(document: Document) -> _Context:
    defined = {entry.acronym for entry in document.glossary}
    # The child's name as reviews write it: "Child K", and a lone capital used as a name.
    aliases = set(re.findall(r"\bChild ([A-Z][A-Za-z]*)\b", document.text))
    letters = Counter(re.findall(r"(?<![\w.])([B-HJ-Z])(?:'s|’s)?(?![\w.])", document.text))
    aliases |= {letter for letter, count in letters.items() if count >= 3}
    if document.title:
        aliases |= set(re.findall(r"\bChild ([A-Z][A-Za-z]*)\b", document.title))
    names = "|".join(re.escape(a) for a in sorted(aliases))
    # Child words in any case, but not inside agency names ("Children's Social Care").
    words = (
        rf"(?<!Safeguarding )(?i:{_CHILD_WORDS})(?:'s|’s)?"
        r"(?!(?:'s|’s)? (?:Social Care|Services|Partnership|Board|Trust|Hospital|Centre|Commissioner))"
    )
    alternatives = [words] + ([rf"(?:{names})(?:'s|’s)?"] if names else [])
    pattern = rf"\b(?:{'|'.join(alternatives)})\b"
    return _Context(defined=defined, child_pattern=re.compile(pattern))


def _acronyms(text: str, start: int, end: int) -> list[str]:
    """Distinct acronyms in ``text[start:end]`` a lay reader would not know, in order."""
    found: list[str] = []
    for _s, _e, acronym in find_acronyms(text, start, end):
        if acronym not in WELL_KNOWN and acronym not in found:
            found.append(acronym)
    return found


def _clarity(text: str, start: int, end: int, context: _Context) -> list[Finding]:
    body = text[start:end]
    findings: list[Finding] = []
    acronyms = _acronyms(text, start, end)
    undefined = [a for a in acronyms if a not in context.defined]
    if undefined:
        findings.append(
            Finding(
                start,
                end,
                CLARITY,
                "weakness",
                f"{len(acronyms)} acronym{'s' if len(acronyms) != 1 else ''}, "
                f"{len(undefined)} never defined: {_quote(undefined)}",
                1.0 + 0.5 * len(undefined),
            )
        )
    elif len(acronyms) >= 4:
        findings.append(
            Finding(
                start,
                end,
                CLARITY,
                "weakness",
                f"{len(acronyms)} acronyms in one sentence ({_quote(acronyms)}): "
                "spell out the ones a lay reader needs",
                0.8 + 0.1 * len(acronyms),
            )
        )
    words = len(body.split())
    if words > LONG_SENTENCE_WORDS:
        findings.append(
            Finding(
                start,
                end,
                CLARITY,
                "weakness",
                f"sentence of {words} words: split it so the point is not lost",
                0.6 + (words - LONG_SENTENCE_WORDS) / 40,
            )
        )
    dates = len(_DATE_TIME.findall(body))
    if dates >= DENSE_DATES:
        findings.append(
            Finding(
                start,
                end,
                CLARITY,
                "weakness",
                f"{dates} dates and times in one sentence: keep only those that matter to the analysis",
                0.5 + 0.2 * dates,
            )
        )
    jargon = sorted({m.group(0) for m in _JARGON.finditer(body)}, key=str.lower)
    if jargon:
        findings.append(
            Finding(
                start,
                end,
                CLARITY,
                "weakness",
                f"professional shorthand a lay reader may not follow: {_quote(jargon, 3)}; "
                "say what happened in plain words",
                0.7 + 0.2 * len(jargon),
            )
        )
    return findings


def _root_cause(
    text: str, start: int, end: int, following: tuple[int, int] | None
) -> list[Finding]:
    body = text[start:end]
    findings: list[Finding] = []
    blame = _BLAME.search(body)
    explained = _CAUSAL.search(body) or _CONDITIONS.search(body)
    if following is not None and not explained:
        nxt = text[following[0] : following[1]]
        explained = _CAUSAL.search(nxt) or _CONDITIONS.search(nxt)
    if blame and not explained:
        findings.append(
            Finding(
                start,
                end,
                ROOT_CAUSE,
                "weakness",
                f"blames without exploring the conditions (“{blame.group(0)}”): say why the "
                "decision made sense at the time (workload, supervision, what was known)",
                1.2,
            )
        )
    causal = _CAUSAL.search(body)
    conditions = sorted({m.group(0).lower() for m in _CONDITIONS.finditer(body)})
    if causal and conditions:
        findings.append(
            Finding(
                start,
                end,
                ROOT_CAUSE,
                "strength",
                f"explains why (“{causal.group(0)}”) and names the conditions: {_quote(conditions, 3)}",
                0.8 + 0.2 * len(conditions),
            )
        )
    return findings


def _child_sentence(text: str, start: int, end: int, context: _Context) -> list[Finding]:
    body = text[start:end]
    if not context.child_pattern.search(body):
        return []
    if _QUOTE.search(body) and _VOICE.search(body):
        return [Finding(start, end, CHILD_FOCUS, "strength", "the child's own words", 1.5)]
    if _VOICE.search(body):
        return [
            Finding(
                start,
                end,
                CHILD_FOCUS,
                "strength",
                "the child's voice: what the child said, wanted or felt",
                1.1,
            )
        ]
    experience = _EXPERIENCE.search(body)
    if experience:
        return [
            Finding(
                start,
                end,
                CHILD_FOCUS,
                "strength",
                f"what life was like for the child (“{experience.group(0)}”)",
                0.8,
            )
        ]
    process = _OBJECT_OF_PROCESS.search(body)
    if process:
        return [
            Finding(
                start,
                end,
                CHILD_FOCUS,
                "weakness",
                f"the child appears only as an object of process (“{process.group(0)}”): "
                "say what this meant for the child",
                0.8,
            )
        ]
    return []


def _recommendation(item: RecommendationItem) -> list[Finding]:
    missing = []
    if not item.addressees:
        missing.append("no addressee: name the organisation or role that must act")
    elif item.vague_addressee:
        missing.append(
            f"addressed only in general terms ({_quote(item.addressees, 2)}): name the "
            "organisation or role that must act"
        )
    if item.timescale is None:
        missing.append("no timescale")
    if item.measure is None:
        missing.append("no measure of completion")
    vague = _VAGUE.search(item.text)
    findings: list[Finding] = []
    if vague:
        missing.insert(0, f"vague exhortation (“{vague.group(0)}”)")
    unowned = not item.addressees or item.vague_addressee
    if unowned or vague or (item.timescale is None and item.measure is None):
        findings.append(
            Finding(
                item.start,
                item.end,
                RECOMMENDATIONS,
                "weakness",
                "; ".join(missing),
                (1.5 if unowned else 0.8) + (0.5 if vague else 0.0),
            )
        )
    elif item.timescale is not None or item.measure is not None:
        parts = [f"addressed to {_quote(item.addressees, 3)}"]
        if item.timescale:
            parts.append(f"timescale “{item.timescale}”")
        if item.measure:
            parts.append("a measure of completion")
        if item.finding:
            parts.append(f"linked to {item.finding}")
        findings.append(
            Finding(
                item.start,
                item.end,
                RECOMMENDATIONS,
                "strength",
                ", ".join(parts),
                0.6 + 0.3 * (len(parts) - 1),
            )
        )
    return findings


def find_signals(
    document: Document,
    passages: Sequence[Passage],
    items: Sequence[RecommendationItem],
) -> list[Finding]:
    """Every checkable finding in ``document``, in no particular order."""
    context = _context(document)
    text = document.text
    findings: list[Finding] = []
    sentences = document.sentences
    for index, sentence in enumerate(sentences):
        paragraph = document.paragraphs[sentence.paragraph]
        kind = document.sections[paragraph.section].kind
        if not applies(kind, CLARITY):  # a glossary: no prose to check
            continue
        following = None
        if index + 1 < len(sentences) and sentences[index + 1].paragraph == sentence.paragraph:
            following = (sentences[index + 1].start, sentences[index + 1].end)
        findings += _clarity(text, sentence.start, sentence.end, context)
        findings += _root_cause(text, sentence.start, sentence.end, following)
        if child_expected(kind):
            findings += _child_sentence(text, sentence.start, sentence.end, context)
    for passage in passages:
        kind = document.sections[passage.section].kind
        if not child_expected(kind) or len(passage.text.split()) < MIN_WORDS_FOR_CHILD_CHECK:
            continue
        if not context.child_pattern.search(passage.text):
            findings.append(
                Finding(
                    passage.start,
                    passage.end,
                    CHILD_FOCUS,
                    "weakness",
                    "child not mentioned: say what this meant for the child",
                    1.0,
                )
            )
    for item in items:
        findings += _recommendation(item)
    return findings
