"""The one table of section-kind policy: which dimensions each kind of section is rated on,
how much its text weighs in the report rating, and whether the child is expected in it.

Every stage reads this table and nothing else: aggregation (which passages count, with what
weight), signals and highlights (where "child not mentioned" is a weakness), and training and
evaluation (a label on a dimension that does not apply to its section kind is masked, so the
model never learns, and is never judged on, a rating the service will not show).

``None`` means the dimension does not apply to that kind: the section's rating is ``null``
and its passages do not enter the report rating. A number is the weight of the section's
text in the report rating (1 = counts as much per word as an ordinary section).

Why these values (``docs/aggregation.md`` has the full argument):
- glossary: a list of definitions is neither prose to read nor analysis; nothing applies.
- methodology and appendix: how the review was run, or supporting material; child focus
  does not apply (a method section is not marked down for not centring the child), and
  root-cause depth counts little.
- chronology and background: descriptive by nature; they count for clarity and child focus
  in full but only half for root-cause depth, which is judged mainly where the review
  analyses (analysis, findings count 1.5).
- child_voice: the section written from the child's side counts 1.5 for child focus.
- recommendations (the dimension): rated only on recommendation text (see
  ``service.scoring.recommendation_mask``), whatever the kind but glossary; weight 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.model.dimensions import DIMENSIONS

CLARITY, ROOT_CAUSE, CHILD_FOCUS, RECOMMENDATIONS = range(len(DIMENSIONS))


@dataclass(frozen=True, slots=True)
class KindPolicy:
    """How one section kind is treated: a report weight per dimension (None: not rated) and
    whether a passage of it that never mentions the child is a weakness worth showing."""

    weights: tuple[float | None, float | None, float | None, float | None]
    child_expected: bool


SECTION_POLICY: dict[str, KindPolicy] = {
    "background": KindPolicy((1.0, 0.5, 1.0, 1.0), child_expected=True),
    "methodology": KindPolicy((1.0, 0.25, None, 1.0), child_expected=False),
    "chronology": KindPolicy((1.0, 0.5, 1.0, 1.0), child_expected=True),
    "analysis": KindPolicy((1.0, 1.5, 1.0, 1.0), child_expected=True),
    "findings": KindPolicy((1.0, 1.5, 1.0, 1.0), child_expected=True),
    "recommendations": KindPolicy((1.0, 0.5, 0.5, 1.0), child_expected=False),
    "child_voice": KindPolicy((1.0, 0.5, 1.5, 1.0), child_expected=True),
    "glossary": KindPolicy((None, None, None, None), child_expected=False),
    "appendix": KindPolicy((0.25, 0.25, None, 1.0), child_expected=False),
    "other": KindPolicy((1.0, 1.0, 1.0, 1.0), child_expected=True),
}


def policy(kind: str) -> KindPolicy:
    """The policy of a section kind (an unknown kind is treated as ``other``)."""
    return SECTION_POLICY.get(kind, SECTION_POLICY["other"])


def kind_weight(kind: str, dimension: int) -> float | None:
    """Report weight of a section ``kind`` for ``dimension`` (index), or None if it does not apply."""
    return policy(kind).weights[dimension]


def applies(kind: str, dimension: int) -> bool:
    """Whether ``dimension`` (index) is rated on passages of a section ``kind``."""
    return kind_weight(kind, dimension) is not None


def child_expected(kind: str) -> bool:
    """Whether a passage of this kind that never mentions the child is a weakness."""
    return policy(kind).child_expected
