"""Every highlight gets a concrete suggestion, and every weakness the nearest exemplar of its
dimension (by the model's embedding of the passage the highlight lies in)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from service.exemplars.bank import ExemplarBank
from service.exemplars.refs import exemplar_ref
from service.improve.context import WritingContext
from service.improve.locate import item_of, passage_of
from service.improve.rewrite import suggestion_for
from service.model.dimensions import DIMENSIONS
from service.passages.build import Passage
from service.recommendations.extract import RecommendationItem
from service.schemas import Highlight


def annotate(
    highlights: Sequence[Sequence[Highlight]],
    passages: Sequence[Passage],
    kinds: Sequence[str],
    items: Sequence[RecommendationItem],
    embeddings: npt.NDArray[np.float32] | None,
    bank: ExemplarBank | None,
    context: WritingContext,
) -> list[list[Highlight]]:
    """``highlights`` (per section) with ``suggestion`` and, for weaknesses, ``exemplar``
    (of the section's kind where the bank has one; ``kinds``: each section's kind)."""
    annotated: list[list[Highlight]] = []
    for section in highlights:
        out = []
        for highlight in section:
            dimension = DIMENSIONS.index(highlight.dimension)
            item = item_of(items, highlight.start, highlight.end)
            update: dict[str, object] = {
                "suggestion": suggestion_for(
                    highlight.text, dimension, highlight.polarity, context, item
                )[:600]
            }
            if highlight.polarity == "weakness" and embeddings is not None:
                index = passage_of(passages, highlight.start, highlight.end)
                if index is not None:
                    update["exemplar"] = exemplar_ref(
                        bank,
                        embeddings[index],
                        highlight.dimension,
                        kinds[passages[index].section],
                    )
            out.append(highlight.model_copy(update=update))
        annotated.append(out)
    return annotated
