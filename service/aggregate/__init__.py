"""Aggregation: passage level probabilities → section ratings → report ratings.

See ``service.aggregate.combine`` for the method and ``service.aggregate.weights`` for which
dimensions apply to which section kinds.
"""

from service.aggregate.combine import Aggregation, aggregate, rate

__all__ = ["Aggregation", "aggregate", "rate"]
