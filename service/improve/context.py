"""What a rewrite needs to know about the document: how it names the child, and what its
acronyms stand for."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from service.improve.acronyms import SAFEGUARDING_ACRONYMS
from service.ingest.document import Document

_CHILD_NAME = re.compile(r"\bChild [A-Z][A-Za-z]*\b")
_DEFAULT_CHILD = "the child"
_PARTNERSHIP = re.compile(
    r"\b(?:[A-Z][A-Za-z'’-]+ )+Safeguarding (?:Children )?(?:Partnership|Board)\b"
)


@dataclass(frozen=True, slots=True)
class WritingContext:
    """The document's way of naming the child, its safeguarding partnership and its
    acronyms' expansions."""

    child: str  # "Child T" as the report writes it, else "the child"
    expansions: dict[str, str]  # acronym -> words, the document's own definitions first
    partnership: str | None = None  # "the Kellingford Safeguarding Children Partnership"

    @classmethod
    def of(cls, document: Document) -> WritingContext:
        """The context of ``document``."""
        names = Counter(_CHILD_NAME.findall(document.text))
        if document.title:
            names.update(_CHILD_NAME.findall(document.title))
        child = names.most_common(1)[0][0] if names else _DEFAULT_CHILD
        expansions = dict(SAFEGUARDING_ACRONYMS)
        expansions.update({entry.acronym: entry.expansion for entry in document.glossary})
        partnerships = Counter(
            re.sub(r"^The ", "", match) for match in _PARTNERSHIP.findall(document.text)
        )
        partnership = "the " + partnerships.most_common(1)[0][0] if partnerships else None
        return cls(child=child, expansions=expansions, partnership=partnership)

    @property
    def child_sentence_start(self) -> str:
        """The child's name as the first word of a sentence."""
        return self.child[:1].upper() + self.child[1:]
