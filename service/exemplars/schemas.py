"""The JSON of ``GET /exemplars`` (with ``Accept: application/json``) and
``GET /exemplars/{id}``."""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel, ConfigDict, Field

from service.exemplars.bank import TOPIC_TITLES, Exemplar, ExemplarBank
from service.model.dimensions import DIMENSION_TITLES
from service.schemas import Dimension, ModelInfo


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExemplarOut(_Frozen):
    """One strong passage, as written by the project, with its annotators' labels."""

    id: str
    dimension: Dimension
    topic: str
    heading: str
    text: str
    labels: dict[str, int | None] = Field(description="The annotators' level per dimension.")
    score: float = Field(ge=0.0, le=3.0, description="The model's expected level on it.")

    @classmethod
    def of(cls, exemplar: Exemplar) -> ExemplarOut:
        """The API form of a bank entry."""
        return cls(
            id=exemplar.id,
            dimension=cast(Dimension, exemplar.dimension),
            topic=exemplar.topic,
            heading=exemplar.heading,
            text=exemplar.text,
            labels=exemplar.labels,
            score=min(3.0, max(0.0, exemplar.score)),
        )


class TopicGroup(_Frozen):
    topic: str
    title: str
    exemplars: list[ExemplarOut]


class DimensionGroup(_Frozen):
    dimension: Dimension
    title: str
    topics: list[TopicGroup]


class ExemplarsResponse(_Frozen):
    """The whole bank, by dimension then topic, the model's most certain first."""

    model: ModelInfo
    count: int = Field(ge=0)
    dimensions: list[DimensionGroup]

    @classmethod
    def of(cls, bank: ExemplarBank, model: ModelInfo) -> ExemplarsResponse:
        """The API form of a bank."""
        return cls(
            model=model,
            count=len(bank.exemplars),
            dimensions=[
                DimensionGroup(
                    dimension=cast(Dimension, dimension),
                    title=DIMENSION_TITLES[dimension],
                    topics=[
                        TopicGroup(
                            topic=topic,
                            title=TOPIC_TITLES.get(topic, topic),
                            exemplars=[ExemplarOut.of(e) for e in members],
                        )
                        for topic, members in topics.items()
                    ],
                )
                for dimension, topics in bank.grouped().items()
                if topics
            ],
        )
