"""Hand-built rubric signals of a passage: the features of the rule/lexicon baseline.

Each feature is a count or density a reader of the rubric would check by hand: acronym
density and undefined acronyms, sentence length and date/time density (clarity); causal
connectives, system conditions and blame phrases (root-cause depth); references to the child
and to the child's own words (child focus); addressees, actions, timescales and measures
(recommendations).
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from service.ingest.sentences import split_sentences
from service.passages.build import model_text

_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{1,6}s?\b")
_DEFINED = re.compile(r"\(\s*[A-Z][A-Z0-9&]{1,6}s?\s*\)|\b[A-Z][A-Z0-9&]{1,6}\s*\(")
_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{1,2}[:.]\d{2}\s*(?:am|pm)?\b|\b(?:19|20)\d{2}\b",
    re.IGNORECASE,
)


def _terms(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)


_JARGON = _terms(
    "NFA",
    "step(?:ped)? down",
    "disguised compliance",
    "threshold",
    "s\\.?47",
    "strategy discussion",
    "RAG",
    "CIN",
    "ICPC",
    "MASH",
)
_CAUSAL = _terms(
    "because",
    "since",
    "as a result",
    "due to",
    "owing to",
    "led to",
    "therefore",
    "so that",
    "meant that",
    "which meant",
    "explains?",
    "why",
    "reason",
    "caused?",
    "resulted",
    "consequently",
)
_CONDITIONS = _terms(
    "workload",
    "caseloads?",
    "supervision",
    "supervisor",
    "culture",
    "pressure",
    "exhaust\\w*",
    "fear\\w*",
    "optimis\\w*",
    "hindsight",
    "at the time",
    "made sense",
    "vacanc\\w*",
    "staffing",
    "training",
    "capacity",
    "reasonable",
    "understandabl\\w*",
    "system",
)
_BLAME = _terms(
    "failed to",
    "should have",
    "ought to have",
    "did not",
    "was not",
    "were not",
    "missed",
    "failure",
)
_CHILD = _terms(
    "child",
    "children",
    "child's",
    "baby",
    "infant",
    "toddler",
    "boy",
    "girl",
    "son",
    "daughter",
    "he",
    "she",
    "his",
    "her",
    "young person",
    "pupil",
)
_VOICE = _terms(
    "said",
    "told",
    "wanted",
    "wished",
    "felt",
    "feel",
    "afraid",
    "scared",
    "happy",
    "sad",
    "voice",
    "wishes",
    "experience",
    "lived",
    "described",
    "asked",
)
_ADDRESSEE = _terms(
    "board",
    "partnership",
    "trust",
    "council",
    "police",
    "constabulary",
    "service",
    "department",
    "practice",
    "school",
    "agency",
    "agencies",
    "commissioners?",
    "ICB",
    "director",
    "NHS",
    "local authority",
    "safeguarding",
)
_ACTION = _terms(
    "should",
    "must",
    "will",
    "ensure",
    "review",
    "develop",
    "introduce",
    "audit",
    "implement",
    "establish",
    "provide",
    "revise",
    "train",
)
_TIMESCALE = _terms(
    "within",
    "by (?:january|february|march|april|may|june|july|august|september|october|november|december)",
    "months?",
    "weeks?",
    "by the end",
    "annually",
    "quarterly",
)
_MEASURE = _terms(
    "report(?:s|ed)? (?:back|to)",
    "audit",
    "evidence",
    "measured?",
    "percent",
    "%",
    "compliance",
    "monitor\\w*",
    "outcomes?",
    "finding",
)
_VAGUE = _terms("lessons", "learned", "communicate better", "improve", "consider", "should be")

FEATURES = (
    "acronym_density", "undefined_acronyms", "mean_sentence_words", "date_density", "jargon",
    "causal", "conditions", "blame", "child", "voice", "quotes",
    "addressee", "action", "timescale", "measure", "vague", "words",
)  # fmt: skip


def features(text: str) -> list[float]:
    """The feature vector of one passage, in ``FEATURES`` order."""
    text = model_text(text)
    words = max(len(text.split()), 1)
    sentences = split_sentences(text) or [(0, len(text))]
    acronyms = _ACRONYM.findall(text)
    defined = len(_DEFINED.findall(text))

    def rate(pattern: re.Pattern[str]) -> float:
        return 100.0 * len(pattern.findall(text)) / words

    return [
        100.0 * len(acronyms) / words,
        float(max(len(acronyms) - defined, 0)),
        words / len(sentences),
        rate(_DATE),
        rate(_JARGON),
        rate(_CAUSAL),
        rate(_CONDITIONS),
        rate(_BLAME),
        rate(_CHILD),
        rate(_VOICE),
        float(len(re.findall(r"[‘'\"“][^’'\"”]{3,}[’'\"”]", text))),
        rate(_ADDRESSEE),
        rate(_ACTION),
        rate(_TIMESCALE),
        rate(_MEASURE),
        rate(_VAGUE),
        float(np.log1p(words)),
    ]


# The passage itself says that someone in it is a child: a child noun, a school, a child
# service, or an age under 18. Stricter than ``_CHILD`` (no pronouns): used to tell a child
# the passage shows from one only the rest of the report reveals.
_NAMES_A_CHILD = re.compile(
    r"\b(?:child(?:ren|'s)?|bab(?:y|ies)|infants?|toddlers?|boys?|girls?|sons?|daughters?"
    r"|pupils?|schools?|teen(?:age|ager)?s?|young (?:person|people)|minors?|paediatric\w*"
    r"|CAMHS|(?:[1-9]|1[0-7])[- ](?:years?|yrs?)[- ]old|aged (?:[1-9]|1[0-7])\b"
    r"|\d{1,2}[- ](?:weeks?|months?)[- ]old)\b",
    re.IGNORECASE,
)


def names_a_child(text: str) -> bool:
    """Whether the passage itself shows that someone in it is a child (a child noun, a
    school or child service, an age under 18), without the rest of its report."""
    return bool(_NAMES_A_CHILD.search(model_text(text)))


def feature_matrix(texts: list[str]) -> npt.NDArray[np.float64]:
    """``[n, len(FEATURES)]`` features for many passages."""
    return np.array([features(t) for t in texts], dtype=np.float64).reshape(-1, len(FEATURES))


def causal_cue(text: str) -> bool:
    """The lexicon's "explains why" rule: a causal connective appears."""
    return bool(_CAUSAL.search(text))
