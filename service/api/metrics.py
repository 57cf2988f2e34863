"""Prometheus metrics of the API, on a registry of its own (no report content, ever)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "scrutiny_requests_total",
    "HTTP requests by route and status.",
    ["route", "status"],
    registry=REGISTRY,
)
SCORE_SECONDS = Histogram(
    "scrutiny_score_seconds",
    "Time to score one document, by stage.",
    ["stage"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64),
    registry=REGISTRY,
)
DOCUMENT_CHARACTERS = Histogram(
    "scrutiny_document_characters",
    "Characters of text in scored documents.",
    buckets=(1e3, 1e4, 5e4, 1e5, 2.5e5, 5e5, 1e6, 3e6),
    registry=REGISTRY,
)
REJECTED = Counter(
    "scrutiny_rejected_total", "Requests refused, by problem code.", ["code"], registry=REGISTRY
)
MODEL_READY = Gauge(
    "scrutiny_model_ready", "1 once the model is loaded and verified.", registry=REGISTRY
)
IN_FLIGHT = Gauge("scrutiny_scores_in_flight", "Scoring requests running now.", registry=REGISTRY)
QUEUE_LENGTH = Gauge(
    "scrutiny_queue_length", "Scoring requests waiting for a slot now.", registry=REGISTRY
)
QUEUE_WAIT_SECONDS = Histogram(
    "scrutiny_queue_wait_seconds",
    "Time admitted scoring requests waited for a slot.",
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16),
    registry=REGISTRY,
)
ADMISSION_REJECTED = Counter(
    "scrutiny_admission_rejected_total",
    "Scoring requests turned away by admission control, by reason "
    "(queue_full, wait_timeout, rate_limited).",
    ["reason"],
    registry=REGISTRY,
)
