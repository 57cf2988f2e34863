"""How a rating moved between two drafts."""

from __future__ import annotations

from service.compare.schemas import Direction, RatingChange, RatingChanges
from service.model.dimensions import DIMENSIONS
from service.schemas import Rating, Ratings

# A score that moved less than this (in levels) is "unchanged": dynamic int8 quantisation
# alone moves a passage's score by up to about 0.04 with its batch neighbours.
CHANGE_THRESHOLD = 0.05


def rating_change(before: Rating | None, after: Rating | None) -> RatingChange:
    """The change from ``before`` to ``after`` (either may be None: not rated)."""
    if before is None or after is None:
        direction: Direction | None = (
            None
            if before is None and after is None
            else "now rated"
            if before is None
            else "no longer rated"
        )
        return RatingChange(before=before, after=after, change=None, direction=direction)
    change = round(after.score - before.score, 3)
    if change >= CHANGE_THRESHOLD:
        direction = "improved"
    elif change <= -CHANGE_THRESHOLD:
        direction = "worse"
    else:
        direction = "unchanged"
    return RatingChange(before=before, after=after, change=change, direction=direction)


def rating_changes(before: Ratings | None, after: Ratings | None) -> RatingChanges:
    """The change of every dimension (a missing side counts as not rated)."""
    return RatingChanges(
        **{
            d: rating_change(
                getattr(before, d) if before is not None else None,
                getattr(after, d) if after is not None else None,
            )
            for d in DIMENSIONS
        }
    )
