"""Two drafts in, their differences out: the one place the comparison's parts meet."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Literal, get_args

from service.compare.changes import rating_changes
from service.compare.schemas import (
    CompareResponse,
    RecommendationChange,
    RecommendationCounts,
    SectionChange,
)
from service.compare.sections import match_sections
from service.compare.weaknesses import Side, classify
from service.ingest.document import Document
from service.model.runtime import QualityModel
from service.passages.build import build_passages
from service.schemas import MissablePart, ScoreResponse, Timings


@dataclass(frozen=True)
class Draft:
    """A draft as submitted: its bytes, and the name and media type it came with."""

    data: bytes
    filename: str | None = None
    media_type: str | None = None
    title: str | None = None


def _counts(result: ScoreResponse) -> RecommendationCounts:
    missing: Counter[str] = Counter(part for r in result.recommendations for part in r.missing)
    return RecommendationCounts(
        items=len(result.recommendations),
        complete=sum(1 for r in result.recommendations if not r.missing),
        vague_addressee=sum(1 for r in result.recommendations if r.vague_addressee),
        missing={part: missing.get(part, 0) for part in get_args(MissablePart)},
    )


def _section_change(
    b: int | None, a: int | None, before: ScoreResponse, after: ScoreResponse
) -> SectionChange:
    """The change of the section at index ``b`` of ``before`` and ``a`` of ``after``."""
    shown = after.sections[a] if a is not None else before.sections[b] if b is not None else None
    assert shown is not None, "a section pair has at least one side"
    status: Literal["matched", "added", "removed"] = (
        "matched" if a is not None and b is not None else "added" if b is None else "removed"
    )
    return SectionChange(
        heading=shown.heading,
        kind=shown.kind,
        status=status,
        before=b,
        after=a,
        ratings=rating_changes(
            before.sections[b].ratings if b is not None else None,
            after.sections[a].ratings if a is not None else None,
        ),
    )


def compare_documents(
    before: Document,
    after: Document,
    model: QualityModel,
    *,
    include_text: bool = True,
    titles: tuple[str | None, str | None] = (None, None),
    ingest_seconds: float = 0.0,
) -> CompareResponse:
    """Score both drafts (with highlights) and compare them."""
    from service.scoring import score_document

    started = time.perf_counter()
    results = [
        score_document(document, model, include_text=include_text, title=title)
        for document, title in zip((before, after), titles, strict=True)
    ]
    sides = [
        Side("before", before, results[0], build_passages(before)),
        Side("after", after, results[1], build_passages(after)),
    ]
    pairs = match_sections(before.sections, after.sections)
    sections = [_section_change(b, a, results[0], results[1]) for b, a in pairs]
    classified = time.perf_counter()
    resolved, new, persisting = classify(sides[0], sides[1], pairs, model)
    classify_seconds = time.perf_counter() - classified
    total = ingest_seconds + time.perf_counter() - started
    return CompareResponse(
        model=results[1].model,
        before=results[0].document,
        after=results[1].document,
        ratings=rating_changes(results[0].ratings, results[1].ratings),
        sections=sections,
        resolved=resolved,
        new=new,
        persisting=persisting,
        recommendations=RecommendationChange(before=_counts(results[0]), after=_counts(results[1])),
        timings_ms=Timings(
            ingest=max(0, round(ingest_seconds * 1000)),
            model=sum(r.timings_ms.model for r in results) + round(classify_seconds * 1000),
            total=max(0, round(total * 1000)),
        ),
    )


def compare_sources(
    before: Draft, after: Draft, model: QualityModel, *, include_text: bool = True
) -> CompareResponse:
    """Read both drafts and compare them. Raises ``IngestError`` (naming which draft) for a
    draft that cannot be read; messages never quote the file."""
    from service.ingest import read_document
    from service.ingest.errors import IngestError

    started = time.perf_counter()
    documents = []
    for name, draft in (("before", before), ("after", after)):
        try:
            documents.append(
                read_document(draft.data, filename=draft.filename, media_type=draft.media_type)
            )
        except IngestError as error:
            raise IngestError(error.code, f"The {name} draft: {error}") from None
    return compare_documents(
        documents[0],
        documents[1],
        model,
        include_text=include_text,
        titles=(before.title, after.title),
        ingest_seconds=time.perf_counter() - started,
    )
