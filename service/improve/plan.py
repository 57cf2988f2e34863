"""The entry point ``service.scoring`` calls once the ratings and highlights are known:
suggestions and exemplars on the highlights, and the ranked fix-first list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from service.exemplars.bank import ExemplarBank
from service.exemplars.refs import exemplar_ref
from service.improve.annotate import annotate
from service.improve.context import WritingContext
from service.improve.locate import item_of
from service.improve.measure import Basis, Measured, candidates, measure, rank
from service.improve.rewrite import WEAK_REASONS, rewrites
from service.improve.settings import ImproveSettings, improve_settings
from service.ingest.document import Document
from service.model.dimensions import DIMENSIONS
from service.model.predictor import Predictor
from service.passages.build import Passage
from service.recommendations.extract import RecommendationItem
from service.schemas import Dimension, FixFirst, Highlight


@dataclass(frozen=True, slots=True)
class Scored:
    """What scoring knows about a document once its ratings are made."""

    document: Document
    passages: Sequence[Passage]
    probs: npt.NDArray[np.float64]  # (passages, dimensions, levels)
    embeddings: npt.NDArray[np.float32] | None  # (passages, hidden), when a bank is searched
    applies: npt.NDArray[np.bool_]  # (passages, dimensions)
    rated: npt.NDArray[np.bool_]  # (sections, dimensions): the section has the rating
    items: Sequence[RecommendationItem]
    spreads: Sequence[float]
    review_below: float


def improve(
    scored: Scored,
    highlights: Sequence[Sequence[Highlight]],
    model: Predictor,
    bank: ExemplarBank | None,
    settings: ImproveSettings | None = None,
) -> tuple[list[list[Highlight]], list[FixFirst]]:
    """Highlights with suggestions (and exemplars for weaknesses), and fix first."""
    settings = settings or improve_settings()
    context = WritingContext.of(scored.document)
    kinds = [section.kind for section in scored.document.sections]
    annotated = annotate(
        highlights, scored.passages, kinds, scored.items, scored.embeddings, bank, context
    )
    return annotated, fix_first(scored, annotated, model, bank, context, settings)


def fix_first(
    scored: Scored,
    highlights: Sequence[Sequence[Highlight]],
    model: Predictor,
    bank: ExemplarBank | None,
    context: WritingContext,
    settings: ImproveSettings,
) -> list[FixFirst]:
    """The changes that would raise the ratings most, measured (``service.improve.measure``)."""
    if settings.fix_first_items == 0:
        return []
    basis = Basis(
        scored.document,
        scored.passages,
        scored.probs,
        scored.applies,
        scored.spreads,
        scored.review_below,
    )
    tried = []
    for i, d in candidates(basis, scored.rated, settings):
        passage = scored.passages[i]
        item = item_of(scored.items, passage.start, passage.end)
        found = rewrites(passage.text, d, context, item)
        if found:
            tried.append((i, d, found))
    chosen = rank(measure(basis, tried, model), settings)
    return [_item(m, scored, highlights, bank) for m in chosen]


def _reason(m: Measured, passage: Passage, highlights: Sequence[Highlight]) -> str:
    """Why the passage holds its rating back: the weakness highlight on it, if shown."""
    dimension = DIMENSIONS[m.dimension]
    for highlight in highlights:
        if (
            highlight.dimension == dimension
            and highlight.polarity == "weakness"
            and highlight.start < passage.end
            and passage.start < highlight.end
        ):
            return highlight.reason
    return WEAK_REASONS[dimension]


def _item(
    m: Measured,
    scored: Scored,
    highlights: Sequence[Sequence[Highlight]],
    bank: ExemplarBank | None,
) -> FixFirst:
    passage = scored.passages[m.passage]
    section = scored.document.sections[passage.section]
    dimension = DIMENSIONS[m.dimension]
    embedding = scored.embeddings[m.passage] if scored.embeddings is not None else None
    heading = section.heading
    return FixFirst(
        dimension=cast(Dimension, dimension),
        section=passage.section,
        heading=heading[:999] + "…" if heading and len(heading) > 1000 else heading,
        start=passage.start,
        end=passage.end,
        text=passage.text,
        page=scored.document.page_at(passage.start),
        reason=_reason(m, passage, highlights[passage.section])[:400],
        suggestion=m.rewrite.suggestion[:600],
        rewrite=m.rewrite.text[:6000],
        passage_before=round(min(3.0, max(0.0, m.passage_before)), 3),
        passage_after=round(min(3.0, max(0.0, m.passage_after)), 3),
        section_before=m.section_before,
        section_after=m.section_after,
        report_before=m.report_before,
        report_after=m.report_after,
        gain=round(m.gain, 3),
        exemplar=exemplar_ref(bank, embedding, dimension, section.kind),
    )
