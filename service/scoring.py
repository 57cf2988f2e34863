"""The scoring pipeline: Document → passages → model → ratings → highlights → response.

``score_document`` is the one place the stages meet; ``score_path`` and ``score_bytes`` add
reading the file (and its time). Nothing here logs or echoes report text.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from service.aggregate import aggregate, rate
from service.aggregate.combine import passage_weights
from service.aggregate.policy import RECOMMENDATIONS
from service.explain.highlights import select_highlights
from service.explain.leave_one_out import leave_one_out, model_picks
from service.explain.signals import find_signals
from service.improve import Scored, improve
from service.ingest.document import Document
from service.model.dimensions import shown_level
from service.model.runtime import Outputs, QualityModel, expected_scores
from service.passages.build import Passage, build_passages
from service.recommendations.extract import RecommendationItem, extract_recommendations
from service.schemas import (
    DocumentInfo,
    FixFirst,
    Highlight,
    MissablePart,
    ModelInfo,
    Recommendation,
    ScoreResponse,
    SectionScore,
    Timings,
)


class _TimedModel:
    """Wraps the model to add up the time spent in it, per call (safe across requests)."""

    def __init__(self, model: QualityModel) -> None:
        self.model = model
        self.seconds = 0.0

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        return self.outputs(texts).probs

    def outputs(self, texts: Sequence[str], *, embeddings: bool = False) -> Outputs:
        started = time.perf_counter()
        try:
            return self.model.outputs(texts, embeddings=embeddings)
        finally:
            self.seconds += time.perf_counter() - started


def _overlapping(passages: Sequence[Passage], start: int, end: int) -> list[int]:
    return [i for i, p in enumerate(passages) if p.start < end and p.end > start]


def recommendation_mask(
    document: Document, passages: Sequence[Passage], items: Sequence[RecommendationItem]
) -> npt.NDArray[np.bool_]:
    """Passages that are recommendation text: inside an extracted item, or anywhere in a
    ``recommendations`` section from which no item could be extracted."""
    mask = np.zeros(len(passages), dtype=bool)
    for item in items:
        mask[_overlapping(passages, item.start, item.end)] = True
    sections_with_items = {item.section for item in items}
    for i, passage in enumerate(passages):
        section = document.sections[passage.section]
        if section.kind == "recommendations" and passage.section not in sections_with_items:
            mask[i] = True
    return mask


def check_structure(document: Document) -> None:
    """Refuse a Document whose parts do not point into its own text and sections.

    A reader bug here would otherwise surface as an IndexError deep in aggregation, or as
    highlights with wrong offsets. The message names counts and indexes, never text.
    """
    size, n_sections = len(document.text), len(document.sections)
    for index, section in enumerate(document.sections):
        if not 0 <= section.start <= section.end <= size:
            raise ValueError(f"section {index} lies outside the document text")
    for index, paragraph in enumerate(document.paragraphs):
        if not 0 <= paragraph.section < n_sections:
            raise ValueError(
                f"paragraph {index} refers to section {paragraph.section} of {n_sections}"
            )
        if not 0 <= paragraph.start <= paragraph.end <= size:
            raise ValueError(f"paragraph {index} lies outside the document text")
    previous = -1
    for index, sentence in enumerate(document.sentences):
        if not 0 <= sentence.paragraph < len(document.paragraphs):
            raise ValueError(f"sentence {index} refers to a missing paragraph")
        if not 0 <= sentence.start <= sentence.end <= size or sentence.start < previous:
            raise ValueError(f"sentence {index} is out of order or outside the document text")
        previous = sentence.start


def _bounded(value: str | None, limit: int) -> str | None:
    """A heading or title cut to the schema's bound (a runaway heading is a reader quirk)."""
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def score_document(
    document: Document,
    model: QualityModel,
    *,
    include_text: bool = True,
    title: str | None = None,
    explain_max_passages: int | None = None,
    explain: bool = True,
    ingest_seconds: float = 0.0,
) -> ScoreResponse:
    """Score ``document``: report and section ratings, highlights, recommendations.

    ``title`` overrides the document's own title; ``explain_max_passages`` bounds the
    sentence-by-sentence probing (default from ``ServiceSettings``); ``explain=False`` skips
    highlights and fix first (and the extra model calls they cost), as batch scoring does by
    default; the ratings are the same either way. Raises ValueError for a Document whose
    offsets or indexes are inconsistent.
    """
    started = time.perf_counter()
    check_structure(document)
    from service.settings import service_settings

    settings = service_settings()
    if explain_max_passages is None:
        explain_max_passages = settings.explain_max_passages
    spreads = model.manifest.section_spread
    timed = _TimedModel(model)
    passages = build_passages(document)
    items = extract_recommendations(document)
    # Passage embeddings come from the same run, for the exemplars shown beside weaknesses.
    ran = timed.outputs(
        [p.text for p in passages], embeddings=explain and model.exemplars is not None
    )
    probs = ran.probs
    scores = expected_scores(probs)
    aggregation = aggregate(
        document,
        passages,
        probs,
        recommendation_mask(document, passages, items),
        spreads,
        settings.needs_review_below,
    )

    highlights: list[list[Highlight]] = [[] for _ in document.sections]
    fix_first: list[FixFirst] = []
    if explain:
        levels = shown_level(probs)
        picks = model_picks(passages, scores, levels, aggregation.applies)
        effects = leave_one_out(timed, document, passages, picks, explain_max_passages)
        findings = find_signals(document, passages, items)
        rated = ~np.isnan(aggregation.section_scores)
        highlights = select_highlights(
            document, passages, scores, levels, aggregation.applies, rated, picks, effects, findings
        )
        scored = Scored(
            document,
            passages,
            probs,
            ran.embeddings,
            aggregation.applies,
            rated,
            items,
            spreads,
            settings.needs_review_below,
        )
        highlights, fix_first = improve(scored, highlights, timed, model.exemplars)

    sections = [
        SectionScore(
            index=index,
            heading=_bounded(section.heading, 1000),
            kind=section.kind,
            start=section.start,
            end=section.end,
            page_start=section.page_start,
            page_end=section.page_end,
            ratings=aggregation.sections[index],
            highlights=highlights[index],
        )
        for index, section in enumerate(document.sections)
    ]
    weights = passage_weights(passages)
    recommendations = []
    for item in items:
        members = _overlapping(passages, item.start, item.end)
        recommendations.append(
            Recommendation(
                text=item.text,
                start=item.start,
                end=item.end,
                addressees=list(item.addressees[:20]),
                vague_addressee=item.vague_addressee,
                missing=[cast(MissablePart, part) for part in item.missing],
                action=item.action,
                timescale=item.timescale,
                measure=item.measure,
                rating=rate(
                    probs[members, RECOMMENDATIONS],
                    weights[members],
                    spreads[RECOMMENDATIONS],
                    settings.needs_review_below,
                )
                if members
                else None,
                finding=item.finding,
                page=document.page_at(item.start),
                section=item.section,
            )
        )
    scoring_seconds = time.perf_counter() - started
    return ScoreResponse(
        model=ModelInfo(name=model.name, version=model.version, sha256=model.sha256),
        document=DocumentInfo(
            sha256=document.sha256,
            title=_bounded(title if title is not None else document.title, 1000),
            pages=len(document.pages) if document.pages else None,
            characters=len(document.text),
            text=document.text if include_text else None,
        ),
        ratings=aggregation.report,
        sections=sections,
        recommendations=recommendations,
        fix_first=fix_first,
        timings_ms=Timings(
            ingest=_ms(ingest_seconds),
            model=_ms(timed.seconds),
            total=_ms(ingest_seconds + scoring_seconds),
        ),
    )


def score_source(
    source: Path | bytes,
    model: QualityModel,
    *,
    filename: str | None = None,
    media_type: str | None = None,
    include_text: bool = True,
    title: str | None = None,
    explain: bool = True,
) -> ScoreResponse:
    """Read a file (a path, or submitted bytes with their name and media type) and score it.

    Raises ``IngestError`` on a file that cannot be read; its message never quotes the file.
    """
    from service.ingest import read_document

    started = time.perf_counter()
    document = read_document(source, filename=filename, media_type=media_type)
    return score_document(
        document,
        model,
        include_text=include_text,
        title=title,
        explain=explain,
        ingest_seconds=time.perf_counter() - started,
    )


def score_path(path: Path | str, model: QualityModel, **options: Any) -> ScoreResponse:
    """Score the file at ``path`` (see ``score_source``)."""
    return score_source(Path(path), model, **options)


def score_bytes(data: bytes, model: QualityModel, **options: Any) -> ScoreResponse:
    """Score a submitted file's bytes (see ``score_source``)."""
    return score_source(data, model, **options)
