"""Who a recommendation is addressed to: named organisations and roles, or vague agents.

A phrase is *specific* when it names an organisation or role ("Fenmoor Council", "the
Designated Nurse", "GPs", "LSCB") and *vague* when it names only agents in general ("all
agencies", "partners", "professionals"). Anything else ("lessons", "a protocol") is not an
addressee at all. Leading "the" is dropped; everything else is kept as written.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z'’&-]*")

# Nouns that make a phrase an organisation or a role when they head it.
ORGANISATION_NOUNS = frozenset(
    [
        "council",
        "councils",
        "trust",
        "trusts",
        "police",
        "constabulary",
        "force",
        "icb",
        "icbs",
        "ccg",
        "ccgs",
        "nhs",
        "board",
        "boards",
        "partnership",
        "partnerships",
        "partner-agencies",
        "department",
        "departments",
        "authority",
        "authorities",
        "agency",
        "team",
        "teams",
        "unit",
        "units",
        "hub",
        "hubs",
        "school",
        "schools",
        "academy",
        "academies",
        "college",
        "colleges",
        "practice",
        "practices",
        "hospital",
        "hospitals",
        "care",
        "health",
        "housing",
        "probation",
        "education",
        "visiting",
        "midwifery",
        "commissioner",
        "commissioners",
        "government",
        "ministry",
        "secretary",
        "office",
        "association",
        "foundation",
        "company",
        "network",
        "group",
        "panel",
        "committee",
        "court",
        "directorate",
        "executive",
        "executives",
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
        "chair",
        "chairs",
        "director",
        "directors",
        "governor",
        "governors",
        "head",
        "heads",
        "leader",
        "leaders",
        "clinician",
        "clinicians",
        "therapist",
        "therapists",
        "psychiatrist",
        "psychiatrists",
        "consultant",
        "consultants",
        "coroner",
        "registrar",
        "inspectorate",
        "regulator",
        "provider",
        "providers",
        "commissioning",
        "camhs",
        "mash",
        "cafcass",
        "ofsted",
        "dfe",
        "dhsc",
        "mps",
        "home",
        "operator",
        "operators",
        "landlord",
        "landlords",
    ]
)
ORGANISATION_NOUNS |= frozenset(
    [
        *("coordinator", "coordinators", "co-ordinator", "co-ordinators", "advisor"),
        *("advisors", "adviser", "advisers", "mentors", "navigators", "nursery", "nurseries"),
        *("pharmacy", "pharmacies", "surgery", "surgeries", "clinic", "clinics", "charity"),
        *("charities", "ward", "wards", "setting", "settings", "provider", "providers"),
        *("paediatrics", "psychiatry", "psychology", "nursing", "liaison", "dentistry"),
    ]
)
# Agents in general: an addressee made only of these (and determiners) is vague.
VAGUE_NOUNS = frozenset(
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
        "colleagues",
        "stakeholders",
        "bodies",
        "workforce",
        "frontline",
        "front-line",
    ]
)
_DETERMINERS = frozenset(
    [
        "the",
        "all",
        "each",
        "every",
        "any",
        "relevant",
        "partner",
        "local",
        "key",
        "other",
        "statutory",
        "and",
        "its",
        "their",
        "our",
        "safeguarding",
        "multi-agency",
        "multi",
        "agency",
        "involved",
        "concerned",
    ]
)
# Lower-case words that qualify a role or service inside a subject ("designated safeguarding
# leads", "out-of-hours social care"); any other lower-case word means a clause, not a name.
ROLE_MODIFIERS = frozenset(
    [
        "designated",
        "named",
        "safeguarding",
        "social",
        "care",
        "health",
        "mental",
        "early",
        "help",
        "school",
        "schools",
        "frontline",
        "front-line",
        "pastoral",
        "clinical",
        "community",
        "specialist",
        "senior",
        "lead",
        "local",
        "adult",
        "adults",
        "children's",
        "child",
        "family",
        "families",
        "youth",
        "justice",
        "visiting",
        "primary",
        "secondary",
        "acute",
        "emergency",
        "out-of-hours",
        "public",
        "protection",
        "housing",
        "education",
        "multi-agency",
        "partner",
        "statutory",
        "relevant",
        "key",
        "strategic",
        "substance",
        "misuse",
        "drug",
        "alcohol",
        "domestic",
        "abuse",
        "violence",
        "sexual",
        "exploitation",
        "missing",
        "independent",
        "universal",
        "maternity",
        "neonatal",
        "paediatric",
        "general",
        "medical",
        "nursing",
        "police",
        "ambulance",
        "fire",
        "probation",
        "victim",
        "support",
        "commissioning",
        "quality",
        "assurance",
        "performance",
        "learning",
        "development",
        "training",
        "review",
        "practice",
        "case",
        "team",
        "area",
        "district",
        "regional",
        "national",
        "county",
        "borough",
        "city",
        "integrated",
        "joint",
        "new",
        "all",
        "each",
        "every",
        "any",
        "the",
        "and",
        "of",
        "for",
        "with",
        "its",
    ]
)
# Words that are never an addressee on their own ("Lessons should be learned").
_NOT_AGENTS = frozenset(
    [
        "lesson",
        "lessons",
        "learning",
        "communication",
        "information",
        "consideration",
        "review",
        "report",
        "process",
        "processes",
        "practice",
        "system",
        "systems",
        "work",
        "working",
        "people",
        "it",
        "this",
        "that",
        "there",
        "these",
        "those",
        "we",
        "they",
        "he",
        "she",
        "training",
        "guidance",
        "policy",
        "policies",
        "protocol",
        "protocols",
        "procedure",
        "procedures",
        "plan",
        "plans",
        "assessment",
        "assessments",
        "record",
        "records",
        "attention",
        "action",
        "actions",
        "parents",
        "parent",
        "carers",
        "carer",
        "families",
        "family",
        "children",
        "child",
        "young",
        "person",
        "persons",
        "mother",
        "father",
    ]
)
_NOT_AGENTS |= frozenset(
    [
        *("compliance", "use", "awareness", "understanding", "support", "provision"),
        *("oversight", "end", "start", "quarter", "year", "month", "week", "day"),
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december"),
        *("spring", "summer", "autumn", "winter"),
    ]
)
_SPLIT = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+together with\s+|/|;)\s*")
_LEADING_THE = re.compile(r"^(?:the)\s+", re.IGNORECASE)


def _words(phrase: str) -> list[str]:
    return _WORD.findall(phrase)


def _base(word: str) -> str:
    lower = word.lower()
    return lower[:-2] if lower.endswith(("'s", "’s")) else lower.rstrip("'’")


_HEAD_STOP = frozenset(
    [
        "of",
        "for",
        "in",
        "at",
        "within",
        "across",
        "on",
        "from",
        "to",
        "working",
        "based",
        "involved",
        "responsible",
        "who",
        "that",
        "which",
        "supporting",
        "with",
    ]
)


def _before_preposition(words: list[str]) -> list[str]:
    """The words a phrase is about: those before "of"/"for"... ("Secretary of State for
    Health" is about a Secretary; "Lessons from Child T" about lessons)."""
    before: list[str] = []
    for word in words:
        if word.lower() in _HEAD_STOP and before:
            break
        before.append(word)
    return before


def kind_of(phrase: str) -> str | None:
    """``"specific"``, ``"vague"`` or ``None`` (not an addressee) for one agent phrase."""
    words = _words(phrase)
    if not words or len(words) > 12:
        return None
    words = _before_preposition(words)
    content = [w for w in words if w.lower() not in _DETERMINERS]
    if not content:
        return None
    head, bases = content[-1], [_base(w) for w in content]
    if _base(head) in ORGANISATION_NOUNS or (head.isupper() and len(head) >= 2):
        return "specific"  # "Fenmoor Council", "the Designated Nurse", "LSCB", "CSC managers"
    if len(content) >= 2 and all(w[0].isupper() for w in content):
        return "specific"  # a proper name: "Marsh Young Carers", "National Highways"
    if _base(head) in ("service", "services") and len(content) >= 2:
        return "specific"  # a kind of service: "substance misuse services"
    if _base(head) in _NOT_AGENTS:
        return None  # "PPN compliance", "Lessons from Child T", "Training"
    # A capital that is not the sentence's first letter names someone ("Safeguarding Partners").
    if any(w[0].isupper() and w is not words[0] for w in content):
        return "specific"
    if all(b in VAGUE_NOUNS or b in _NOT_AGENTS for b in bases):
        return "vague"
    # One capitalised word ("Barnardo's", "Fenmoor"): a name unless it is a common word.
    if len(content) == 1 and content[0][0].isupper():
        return "specific"
    return None


def _complete(phrase: str) -> bool:
    """True when a part of a list of addressees names someone on its own: its head is an
    organisation or role noun, a general agent or an acronym ("HMSP Learning" is not)."""
    words = _before_preposition(_words(phrase))
    content = [w for w in words if w.lower() not in _DETERMINERS]
    if not content:
        return False
    head = content[-1]
    return (
        _base(head) in ORGANISATION_NOUNS
        or _base(head) in VAGUE_NOUNS
        or (head.strip("'’s").isupper() and len(head) >= 2)
    )


def is_strong_agent(phrase: str) -> bool:
    """True when the word ``phrase`` is about is an organisation or role noun, an acronym or
    a general agent ("Fenmoor Police", "LSCB", "health visitors", "partners"): enough to
    take it as a grammatical subject that acts."""
    words = _before_preposition(_words(phrase))
    content = [w for w in words if w.lower() not in _DETERMINERS]
    if not content:
        return False
    head = content[-1]
    base = _base(head)
    return (
        base in ORGANISATION_NOUNS
        or base in VAGUE_NOUNS
        or (head.strip("'’s").isupper() and len(head) >= 2)
        or (len(content) >= 2 and all(w[0].isupper() for w in content))
        or (len(content) >= 2 and head[0].isupper() and base not in _NOT_AGENTS)
    )


def clean(phrase: str) -> str:
    """An addressee as written, without a leading "the" and surrounding punctuation."""
    phrase = re.sub(r"\s+", " ", phrase)
    phrase = re.sub(r"\s*\([^)]*\)?\s*$", "", phrase)  # "(HMSP)", an acronym it defines
    return _LEADING_THE.sub("", phrase.strip(" ,;:.-–—()*"))


def split_addressees(subject: str) -> tuple[list[str], list[str]]:
    """The specific and the vague addressees named in a subject phrase, in order.

    "Fenmoor Council and the ICB" gives two; "Dunmore and Wrexley ICB" stays one, since
    "Dunmore" alone names no organisation.
    """
    subject = re.sub(r"^\s*(?:that|and|both|jointly)\s+", "", subject.strip(), flags=re.I)
    raw = [p for p in _SPLIT.split(subject) if p and p.strip()]
    parts: list[str] = []
    pending = ""
    for index, part in enumerate(raw):
        candidate = f"{pending} and {part}" if pending else part
        if index + 1 < len(raw) and not _complete(part):
            # "Halvergate and Marsh Safeguarding Partnership", "HMSP Learning and
            # Development Group": a part that names no one joins the part after it.
            pending = candidate
            continue
        parts.append(candidate)
        pending = ""
    if pending:
        parts.append(pending)
    specific: list[str] = []
    vague: list[str] = []
    for part in parts:
        kind = kind_of(part)
        name = clean(part)
        if not name:
            continue
        if kind == "specific" and name not in specific:
            specific.append(name)
        elif kind == "vague" and name not in vague:
            vague.append(name)
    return specific, vague


def is_agent(phrase: str) -> bool:
    """True when ``phrase`` names someone who can act, specific or vague."""
    specific, vague = split_addressees(phrase)
    return bool(specific or vague)


# National bodies often named by their initials alone in reviews and coroners' reports.
PUBLIC_BODY_ACRONYMS = frozenset(
    [
        "NHS",
        "NHSE",
        "ICB",
        "ICBS",
        "CCG",
        "CCGS",
        "DFE",
        "DFT",
        "DHSC",
        "DWP",
        "MOJ",
        "DVLA",
        "DVSA",
        "IOPC",
        "MPS",
        "CQC",
        "GMC",
        "NMC",
        "HCPC",
        "HSE",
        "MHRA",
        "NICE",
        "HSIB",
        "HSSIB",
        "CPS",
        "LSCB",
        "LSCBS",
        "MASH",
        "CAMHS",
        "OFSTED",
        "CAFCASS",
        "NSPCC",
        "UKHSA",
        "NPCC",
        "RCPCH",
        "RCGP",
        "HMPPS",
        "HMICFRS",
        "ONS",
        "LGA",
        "ADCS",
        "TFL",
        "BTP",
        "MOD",
        "HMRC",
        "CAA",
        "ORR",
        "RAIB",
        "MAIB",
        "AAIB",
        "NCA",
        "FCDO",
        "NHSBT",
    ]
)
# Nouns that head an organisation's name ("Cornwall Council", "National Highways").
_NAME_HEADS = ORGANISATION_NOUNS | frozenset(
    [
        "highways",
        "ambulance",
        "commission",
        "agency",
        "limited",
        "ltd",
        "plc",
        "university",
        "corporation",
        "institute",
        "inspectorate",
        "constabulary",
        "fire",
        "rescue",
        "railway",
        "railways",
        "network",
        "rail",
        "airways",
        "transport",
    ]
)
_CAPITALISED_RUN = re.compile(
    r"(?<![\w'’-])(?:[A-Z][\w'’&-]*)(?:\s+(?:of|for|and|the|&|on|[A-Z][\w'’&-]*)){0,12}"
)


def _names_body(words: list[str]) -> bool:
    """True when a capitalised run of words is an organisation's name: one of its words is
    an organisation noun ("Isle of Wight Council", "Highways England") or it is the initials
    of a national body ("DVLA")."""
    if len(words) == 1:
        return words[0].strip("'’s").upper() in PUBLIC_BODY_ACRONYMS
    return any(
        _base(w) in _NAME_HEADS or w.strip("'’s").upper() in PUBLIC_BODY_ACRONYMS
        for w in words
        if w[0].isupper()
    )


# Nouns that end an institution's name; "Sheffield Health and Social Care Trust" does not
# end at "Health", so it is one name, not two.
_INSTITUTION_ENDS = frozenset(
    [
        *("council", "trust", "police", "constabulary", "service", "services", "department"),
        *("agency", "authority", "board", "office", "hospital", "partnership", "commission"),
        *("ministry", "ltd", "limited", "plc", "university", "highways", "icb", "ccg", "nhs"),
        *("group", "unit", "team", "panel", "committee", "court", "inspectorate", "college"),
    ]
)


def _ends_as_institution(name: str) -> bool:
    words = name.split()
    return bool(words) and (
        _base(words[-1]) in _INSTITUTION_ENDS
        or words[-1].strip("'’s").upper() in PUBLIC_BODY_ACRONYMS
    )


def named_organisations(text: str) -> list[str]:
    """Organisations ``text`` names by their proper names ("Cornwall Council", "the
    Department for Transport", "DVLA"), in order of first mention, without people or places."""
    found: list[str] = []
    glue = ("of", "for", "and", "the", "&", "on")
    for match in _CAPITALISED_RUN.finditer(text):
        words = match.group(0).split()
        while words and words[-1].lower() in glue:
            words.pop()
        if words and words[0].lower() == "the":
            words = words[1:]
        if not words:
            continue
        # "Rotherham Metropolitan Borough Council and the Minister for the Department for
        # Education" is two names; "Driver and Vehicle Standards Agency" is one.
        parts = " ".join(words).split(" and ")
        if len(parts) > 1 and all(_ends_as_institution(p) for p in parts[:-1]):
            names = [re.sub(r"^the\s+", "", p, flags=re.I) for p in parts]
        else:
            names = [" ".join(words)]
        for name in names:
            if _names_body(name.split()) and name not in found:
                found.append(name.rstrip("'’").removesuffix("’s").removesuffix("'s"))
    return found
