"""A reference to the exemplar nearest a passage, as the API returns it."""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from service.exemplars.bank import ExemplarBank
from service.schemas import Dimension, ExemplarRef


def exemplar_ref(
    bank: ExemplarBank | None,
    embedding: npt.NDArray[np.floating] | None,
    dimension: str,
    topic: str | None = None,
) -> ExemplarRef | None:
    """The strong passage of ``dimension`` (and ``topic``, the section kind, where the bank
    has one) nearest ``embedding``; None without a bank, an embedding or an exemplar of
    that dimension."""
    if bank is None or embedding is None:
        return None
    found = bank.nearest(embedding, dimension, topic)
    if found is None:
        return None
    exemplar, similarity = found
    return ExemplarRef(
        id=exemplar.id,
        dimension=cast(Dimension, exemplar.dimension),
        topic=exemplar.topic,
        heading=exemplar.heading[:300],
        text=exemplar.text[:4000],
        similarity=round(min(1.0, max(-1.0, similarity)), 3),
    )
