"""Typed settings for the service, read from ``SCRUTINY_*`` environment variables.

Defaults are the safe choice: limits are tight enough that one hostile file cannot take the
service down, and API keys are off only until an operator sets them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.model.dimensions import REVIEW_BELOW

REPO_ROOT = Path(__file__).resolve().parent.parent


class IngestLimits(BaseSettings):
    """Bounds on what the reading stage accepts and how long/large parsing may get."""

    model_config = SettingsConfigDict(env_prefix="SCRUTINY_INGEST_", extra="ignore")

    max_bytes: int = Field(25 * 1024 * 1024, gt=0, description="Largest file accepted.")
    max_pages: int = Field(400, gt=0, description="Most pages read from a PDF.")
    max_characters: int = Field(3_000_000, gt=0, description="Most characters of text kept.")
    max_unpacked_bytes: int = Field(
        150 * 1024 * 1024, gt=0, description="Largest total unpacked size of a DOCX archive."
    )
    max_compression_ratio: float = Field(
        100.0, gt=1, description="Largest unpacked/packed ratio of any DOCX archive member."
    )
    parse_timeout_s: float = Field(60.0, gt=0, description="Wall-clock limit on one parse.")
    parse_memory_mb: int = Field(
        1536, gt=64, description="Address-space limit of the parser process."
    )
    isolate: bool = Field(
        True, description="Parse in a separate process with time and memory limits."
    )


@lru_cache(maxsize=1)
def ingest_limits() -> IngestLimits:
    """Process-wide ingestion limits (environment read once)."""
    return IngestLimits()


class ApiSettings(BaseSettings):
    """The HTTP API: who may call it, how often, and how much at once."""

    model_config = SettingsConfigDict(env_prefix="SCRUTINY_API_", extra="ignore")

    api_key_hashes: list[str] = Field(
        default_factory=list,
        description="sha256 hex digests of accepted API keys; empty means no key is required.",
    )
    max_request_bytes: int = Field(
        26 * 1024 * 1024, gt=0, description="Largest request body, checked before parsing."
    )
    max_text_characters: int = Field(
        2_000_000, gt=0, description="Longest text accepted by /v1/score."
    )
    rate_limit_per_minute: int = Field(
        60,
        ge=0,
        description="Scoring requests per minute per client (API key, else remote address); "
        "0 turns the limit off. Over it: 429 with Retry-After.",
    )
    rate_limit_burst: int = Field(
        0,
        ge=0,
        description="Requests a client may send at once before the per-minute rate applies "
        "(the token bucket's size); 0 means as many as the per-minute rate.",
    )
    max_concurrent_scores: int = Field(
        2, gt=0, description="Scoring requests run at once; more wait in the queue."
    )
    # A 40-page report holds a slot for 10-25 s on two cores: a waiting request must be
    # allowed at least one such scoring, or clients within twice the concurrency see 503s.
    max_queued: int = Field(
        8,
        ge=0,
        description="Scoring requests that may wait for a slot; beyond it: 503 with Retry-After.",
    )
    queue_wait_seconds: float = Field(
        60.0,
        ge=0,
        description="Longest a request waits for a scoring slot before 503 with Retry-After.",
    )
    shutdown_grace_seconds: float = Field(
        30.0,
        gt=0,
        description="On SIGTERM, how long in-flight requests may take to finish before they "
        "are cut; the listening socket closes at once.",
    )
    metrics_public: bool = Field(
        False,
        description="Serve /metrics without an API key even when keys are configured "
        "(for a scraper on a private network); with keys off it is always open.",
    )
    host: str = Field("127.0.0.1", description="Interface `scrutiny serve` binds by default.")
    port: int = Field(8000, gt=0, lt=65536)


@lru_cache(maxsize=1)
def api_settings() -> ApiSettings:
    """Process-wide API settings (environment read once)."""
    return ApiSettings()


class ServiceSettings(BaseSettings):
    """The scoring engine: which model to load and how hard to drive the CPU."""

    model_config = SettingsConfigDict(
        env_prefix="SCRUTINY_", extra="ignore", protected_namespaces=()
    )

    model_dir: Path = Field(
        default=REPO_ROOT / "models" / "scrutiny-minilm-v1",
        description="Folder holding model.onnx, tokenizer.json and manifest.json.",
    )
    batch_size: int = Field(
        default=8,
        gt=0,
        le=512,
        description="Passages per ONNX run (8 was fastest on 2 cores; 1 makes every "
        "passage's score independent of its neighbours under dynamic int8 quantisation).",
    )
    threads: int = Field(default=2, gt=0, le=256, description="onnxruntime intra-op threads.")
    explain_max_passages: int = Field(
        default=32,
        ge=0,
        le=1000,
        description="Most passages probed sentence by sentence (leave-one-out) per document.",
    )
    needs_review_below: float = Field(
        default=REVIEW_BELOW,
        ge=0.25,
        le=1.0,
        description="A rating whose confidence (the probability its level is right) is below "
        "this is marked needs_review (docs/aggregation.md).",
    )


@lru_cache(maxsize=1)
def service_settings() -> ServiceSettings:
    """Process-wide scoring-engine settings (environment read once)."""
    return ServiceSettings()
