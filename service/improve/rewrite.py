"""Concrete rewrites of a weak passage, one family per dimension.

A rewrite keeps the author's words and changes or adds only what the rubric asks for on its
dimension; ``[brackets]`` mark what only the author knows (a name, a date, what a child
said). Each family offers one to three variants; ``service.improve.measure`` re-scores them
all and keeps the one the model rates highest, so the suggestion shown is the one measured.

- clarity: acronyms written out (the document's own definitions first, then common
  safeguarding terms, else a prompt to write them out), semicolon lists and long sentences
  split into sentences;
- root-cause depth: blaming verbs replaced by what happened ("failed to" → "did not"), and
  a sentence asking why it made sense at the time (workload, supervision, what was known);
- child focus: what it meant for the child, in the child's name as the report writes it;
- recommendations: a named owner, a specific action, a timescale and a measure, keeping
  whichever of these the recommendation already has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from service.explain.signals import LONG_SENTENCE_WORDS, WELL_KNOWN
from service.improve.context import WritingContext
from service.ingest.glossary import find_acronyms
from service.ingest.sentences import split_sentences
from service.model.dimensions import DIMENSIONS
from service.recommendations.extract import RecommendationItem


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A passage rewritten, and the change in words."""

    text: str
    suggestion: str


# An outline number or list marker the passage starts with ("5.1 ", "(a) "), kept as it is.
_NUMBER = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|\(?[a-z0-9]{1,3}\))\s+")
# Where a long sentence may be cut in two, and how the second half then starts.
_SPLIT_AT = {"; ": "", ", and ": "", ", but ": "But ", ", so ": "So ", ", which ": "This "}
_BLAME = (
    (re.compile(r"\bfailed to\b", re.IGNORECASE), "did not"),
    (re.compile(r"\bneglected to\b", re.IGNORECASE), "did not"),
    (re.compile(r"\bomitted to\b", re.IGNORECASE), "did not"),
    (re.compile(r"\bshould have\b", re.IGNORECASE), "could have"),
)
_ROLE = re.compile(
    r"\b(?:the|their|her|his) (?:social workers?|health visitors?|GPs?|school nurses?|nurses?|"
    r"police officers?|officers?|teachers?|nursery(?: staff)?|school|practitioners?|managers?|"
    r"midwi(?:fe|ves)|paediatricians?|duty team|early help team|team)\b",
    re.IGNORECASE,
)
_VAGUE_VERB = re.compile(
    r"^(?:consider|reflect on|be mindful of|be reminded of|raise awareness of|think about|"
    r"explore|look at)\s+",
    re.IGNORECASE,
)
_PASSIVE_ABOUT = re.compile(r"^be \w+ (?:by [^,]+? )?about\s+(?P<topic>.+)$", re.IGNORECASE)
_VOWEL_SOUND = re.compile(r"^[aeio]|^u(?!ni|se|su)", re.IGNORECASE)
_ARTICLE_BEFORE = re.compile(r"\b([Aa]n?)\s+$")

STRENGTH_NOTES: dict[str, str] = {
    "clarity": "Keep this plain, direct style: a lay reader follows it first time. Denser "
    "passages could be written the same way.",
    "root_cause": "Keep this: it explains why, naming the conditions behind decisions. The "
    "same approach helps where the report only says what happened.",
    "child_focus": "Keep this: the child is at the centre. Sections that speak only of "
    "agencies could do the same.",
    "recommendations": "Keep this shape: a named owner, a specific action, a timescale and a "
    "way to measure completion.",
}
# Why a weak passage holds its rating back, where no highlight on it says so already.
WEAK_REASONS: dict[str, str] = {
    "clarity": "hard to follow on a first reading",
    "root_cause": "says what happened but not yet why it happened",
    "child_focus": "the child is not yet at the centre of this passage",
    "recommendations": "not yet owned, specific, timed and measurable",
}
GENERAL_ADVICE: dict[str, str] = {
    "clarity": "Put the point first, in short sentences and everyday words, and keep only the "
    "detail that supports it.",
    "root_cause": "Say why it happened: the conditions that made the decision make sense at "
    "the time (workload, supervision, what was known).",
    "child_focus": "Say what this meant for the child: daily life, safety, development, and "
    "what the child said or showed.",
    "recommendations": "Name who will act, the specific action, by when, and how completion "
    "will be measured.",
}


def split_number(text: str) -> tuple[str, str]:
    """(the outline number or list marker the passage starts with, the rest)."""
    match = _NUMBER.match(text)
    return (text[: match.end()], text[match.end() :]) if match else ("", text)


def _capitalised(text: str) -> str:
    """``text`` with its first letter in upper case (inside a leading "[" too)."""
    at = 1 if text.startswith("[") else 0
    return text[:at] + text[at : at + 1].upper() + text[at + 1 :]


def _quote(items: list[str], limit: int = 4) -> str:
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def _owner(text: str, addressees: tuple[str, ...]) -> str:
    """The addressees as the recommendation names them ("the" kept where it was written)."""
    named = []
    for name in addressees:
        written = re.search(rf"\b(the)\s+{re.escape(name)}", text, re.IGNORECASE)
        named.append(f"the {name}" if written else name)
    return " and ".join(named)


def _with_article(before: str, replacement: str) -> str:
    """``before`` with a trailing "a"/"an" made to fit ``replacement``."""
    match = _ARTICLE_BEFORE.search(before)
    if not match or replacement.startswith("["):
        return before
    article = "an" if _VOWEL_SOUND.match(replacement) else "a"
    if match.group(1)[0].isupper():
        article = article.capitalize()
    return before[: match.start(1)] + article + before[match.end(1) :]


def plain_words(text: str, context: WritingContext) -> tuple[str, list[str], list[str]]:
    """``text`` with every acronym a lay reader would not know written out; returns the text,
    the acronyms written out and those only the author can write out (left as prompts)."""
    found = [(s, e, a) for s, e, a in find_acronyms(text) if a not in WELL_KNOWN]
    written: list[str] = []
    unknown: list[str] = []
    out = text
    for start, end, acronym in reversed(found):
        plural = out[end : end + 1] == "s" and not out[end + 1 : end + 2].isalnum()
        words = context.expansions.get(acronym)
        if words:
            replacement = words + ("s" if plural and not words.endswith("s") else "")
            if acronym not in written:
                written.insert(0, acronym)
        else:
            replacement = f"[{acronym} in full]"
            if acronym not in unknown:
                unknown.insert(0, acronym)
        before = out[:start].rstrip(" ")
        if not before or before.endswith((".", "!", "?", ":", "\n")):
            replacement = _capitalised(replacement)
        head = _with_article(out[:start], replacement)
        out = head + replacement + out[end + (1 if plural else 0) :]
    return out, written, unknown


def split_long(text: str) -> tuple[str, int]:
    """``text`` with semicolon lists and sentences over ``LONG_SENTENCE_WORDS`` words split
    into sentences; returns the text and how many sentences were split."""
    pieces: list[str] = []
    split = 0
    cursor = 0
    for start, end in split_sentences(text, 0, len(text)):
        pieces.append(text[cursor:start])
        sentence = text[start:end]
        parts = _split_sentence(sentence)
        split += len(parts) > 1
        pieces.append(" ".join(parts))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), split


def _split_sentence(sentence: str) -> list[str]:
    """A sentence as shorter sentences: at every semicolon, then a long part at the
    conjunction nearest its middle."""
    parts = [p.strip() for p in sentence.split("; ") if p.strip()]
    out: list[str] = []
    for part in parts:
        out.extend(_halve(part) if len(part.split()) > LONG_SENTENCE_WORDS else [part])
    if len(out) == 1:
        return out
    finished = [p if p.endswith((".", "!", "?")) else p.rstrip(",;:") + "." for p in out]
    return [_capitalised(p) for p in finished]


def _halve(sentence: str) -> list[str]:
    middle = len(sentence) / 2
    cuts = [
        (abs(i - middle), i, marker)
        for marker in _SPLIT_AT
        for i in [m.start() for m in re.finditer(re.escape(marker), sentence)]
    ]
    if not cuts:
        return [sentence]
    _, at, marker = min(cuts)
    second = _SPLIT_AT[marker] + sentence[at + len(marker) :].strip()
    return [sentence[:at].strip(), second]


def _clarity(text: str, context: WritingContext) -> list[Rewrite]:
    number, body = split_number(text)
    plain, written, unknown = plain_words(body, context)
    shorter, split = split_long(plain)
    advice: list[str] = []
    if written:
        advice.append(f"write out {_quote(written)}")
    if unknown:
        advice.append(f"write out {_quote(unknown)} in full (only you know what they stand for)")
    if split:
        advice.append("split long sentences and semicolon lists into short sentences")
    if not advice:
        return []
    suggestion = _capitalised("; ".join(advice)) + ", so a lay reader follows it first time."
    variants = [number + shorter]
    if (written or unknown) and split:
        variants.append(number + plain)
    return [Rewrite(v, suggestion) for v in dict.fromkeys(variants)]


def _matching_case(replacement: str, match: re.Match[str]) -> str:
    """``replacement`` capitalised when the words it replaces were."""
    return _capitalised(replacement) if match.group(0)[0].isupper() else replacement


def _actor(text: str) -> str:
    match = _ROLE.search(text)
    if not match:
        return "those involved"
    words = match.group(0).split(" ", 1)
    return "the " + words[1]


def _root_cause(text: str, context: WritingContext) -> list[Rewrite]:
    number, body = split_number(text)
    blamed: list[tuple[str, str]] = []
    for pattern, replacement in _BLAME:
        for match in pattern.finditer(body):
            blamed.append((match.group(0), replacement))
        body = pattern.sub(partial(_matching_case, replacement), body)
    actor = _actor(text)
    body = body.rstrip()
    if body and not body.endswith((".", "!", "?", '"', "”")):
        body += "."
    because = (
        f" This happened because [the conditions at the time: for example caseloads and "
        f"vacancies, the supervision available, and what {actor} knew or was told]."
    )
    made_sense = (
        f" It made sense to {actor} at the time because [what they knew, were told and were "
        "expected to do]; [the workload, supervision, guidance or systems] made this the "
        "likely response."
    )
    suggestion = (
        f"Say why it happened: the conditions that made the decision make sense to {actor} "
        "at the time (workload, supervision, guidance, what was known), not only what happened."
    )
    if blamed:
        said, instead = blamed[0]
        suggestion = (
            f"Describe what happened without blame (“{said}” → “{instead}”) and say why it "
            f"made sense to {actor} at the time: workload, supervision, guidance, what was known."
        )
    return [
        Rewrite(number + body + because, suggestion),
        Rewrite(number + body + made_sense, suggestion),
    ]


def _child_focus(text: str, context: WritingContext) -> list[Rewrite]:
    number, body = split_number(text)
    body = body.rstrip()
    if body and not body.endswith((".", "!", "?", '"', "”")):
        body += "."
    child = context.child
    meant = (
        f" For {child}, this meant [what daily life was like then: what {child} saw, heard and "
        "felt, and who noticed]."
    )
    effect = (
        f" What this meant for {child}: [how it affected {child}'s safety, health, development "
        f"or daily life, and what {child} said or showed]."
    )
    suggestion = (
        f"Bring {child} into the passage: say what this meant for {child}'s daily life, safety "
        f"or development, and what {child} said or showed."
    )
    return [Rewrite(number + body + meant, suggestion), Rewrite(number + body + effect, suggestion)]


def _action(item: RecommendationItem | None) -> tuple[str, str | None]:
    """The action to write and, where the original was only a wish, the words it replaces."""
    action = (item.action or "").strip().rstrip(".") if item else ""
    if not action:
        return "[the specific change: what will be done differently, and how]", None
    passive = _PASSIVE_ABOUT.match(action)
    if passive:
        return f"[a specific action on {passive.group('topic')}]", action.split(" ", 2)[1]
    vague = _VAGUE_VERB.match(action)
    if vague:
        return f"make [a specific change to] {action[vague.end() :]}", vague.group(0).strip()
    return action, None


def _recommendations(
    text: str, context: WritingContext, item: RecommendationItem | None
) -> list[Rewrite]:
    number, body = split_number(text)
    named = item is not None and bool(item.addressees) and not item.vague_addressee
    who = _owner(body, item.addressees) if item is not None and named else None
    owner = who or "[the named organisation or role]"
    action, wish = _action(item)
    timescale = item.timescale if item is not None and item.timescale else "by [month and year]"
    board = context.partnership or "[the safeguarding partnership board]"
    has_measure = item is not None and bool(item.measure)
    measure = (
        ""
        if has_measure
        else f" [Who checks] will report to {board} on [what will show it has worked, for "
        "example an audit of cases]."
    )
    missing: list[str] = []
    if not named:
        missing.append("name the organisation or role that will act")
    if wish:
        missing.append(f"replace “{wish}” with the specific change")
    if item is None or not item.timescale:
        missing.append("say by when")
    if not has_measure:
        missing.append("say how completion will be measured and who checks")
    if not missing:
        return []
    suggestion = _capitalised("; ".join(missing)) + "."
    structured = f"{number}{_capitalised(owner)} should {action} {timescale}.{measure}"
    if has_measure and item is not None and item.measure:
        structured += f" {_capitalised(item.measure.rstrip('.'))}."
    body = body.rstrip()
    if body and not body.endswith((".", "!", "?")):
        body += "."
    kept = f"{number}{body} {_capitalised(owner)} will do this {timescale}." + (
        measure if not has_measure else ""
    )
    return [Rewrite(v, suggestion) for v in dict.fromkeys([structured, kept])]


def rewrites(
    text: str,
    dimension: int,
    context: WritingContext,
    item: RecommendationItem | None = None,
) -> list[Rewrite]:
    """The rewrites of ``text`` for ``dimension`` (index into ``DIMENSIONS``), best guess
    first; empty when no concrete change can be named (``GENERAL_ADVICE`` then applies).
    ``item`` is the recommendation the text belongs to, if any."""
    name = DIMENSIONS[dimension]
    if name == "clarity":
        found = _clarity(text, context)
    elif name == "root_cause":
        found = _root_cause(text, context)
    elif name == "child_focus":
        found = _child_focus(text, context)
    else:
        found = _recommendations(text, context, item)
    return [r for r in found if r.text.strip() != text.strip()]


def suggestion_for(
    text: str,
    dimension: int,
    polarity: str,
    context: WritingContext,
    item: RecommendationItem | None = None,
) -> str:
    """What to do about a highlight: the concrete change for a weakness, what to keep for a
    strength."""
    name = DIMENSIONS[dimension]
    if polarity == "strength":
        return STRENGTH_NOTES[name]
    found = rewrites(text, dimension, context, item)
    return found[0].suggestion if found else GENERAL_ADVICE[name]
