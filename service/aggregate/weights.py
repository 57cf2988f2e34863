"""Which dimensions apply to which section kinds, and how much each kind counts in the report.

``None`` means the dimension does not apply to that kind of section: the section's rating is
``null`` and its passages do not enter the report rating. A number is the weight of the
section's text in the report rating (1 = counts as much per word as an ordinary section).

Why these values (``docs/aggregation.md`` has the full argument):
- glossary: a list of definitions is neither prose to read nor analysis; nothing applies.
- methodology and appendix: how the review was run, or supporting material; child focus
  does not apply (a method section is not marked down for not centring the child), and
  root-cause depth counts little.
- chronology and background: descriptive by nature; they count for clarity and child focus
  in full but only half for root-cause depth, which is judged mainly where the review
  analyses (analysis, findings count 1.5).
- child_voice: the section written from the child's side counts 1.5 for child focus.
- recommendations (the dimension): rated only on recommendation text, whatever the kind
  (see ``service.aggregate.combine``); weight 1 wherever it applies.
"""

from __future__ import annotations

from service.model.dimensions import DIMENSIONS

# kind -> (clarity, root_cause, child_focus); the recommendations dimension is handled apart.
_TABLE: dict[str, tuple[float | None, float | None, float | None]] = {
    "background": (1.0, 0.5, 1.0),
    "methodology": (1.0, 0.25, None),
    "chronology": (1.0, 0.5, 1.0),
    "analysis": (1.0, 1.5, 1.0),
    "findings": (1.0, 1.5, 1.0),
    "recommendations": (1.0, 0.5, 0.5),
    "child_voice": (1.0, 0.5, 1.5),
    "glossary": (None, None, None),
    "appendix": (0.25, 0.25, None),
    "other": (1.0, 1.0, 1.0),
}
RECOMMENDATIONS = DIMENSIONS.index("recommendations")


def kind_weight(kind: str, dimension: int) -> float | None:
    """Report weight of a section ``kind`` for ``dimension`` (index), or None if it does not apply."""
    row = _TABLE.get(kind, _TABLE["other"])
    if dimension == RECOMMENDATIONS:
        return None if kind == "glossary" else 1.0
    return row[dimension]
