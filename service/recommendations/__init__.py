"""Stage between passages and aggregation: each recommendation of a report as a structured
item (addressees, action, timescale, measure). Aggregation, signals and presentation read
its items; nothing flows back into it."""

from service.recommendations.extract import RecommendationItem, extract_recommendations

__all__ = ["RecommendationItem", "extract_recommendations"]
