"""Typed settings of ``scrutiny batch``, read from ``SCRUTINY_BATCH_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BatchSettings(BaseSettings):
    """How a batch run commits its results, reports progress and feeds its workers."""

    model_config = SettingsConfigDict(env_prefix="SCRUTINY_BATCH_", extra="ignore")

    workers: int = Field(1, gt=0, le=256, description="Worker processes (or Ray actors).")
    chunk_documents: int = Field(
        25,
        gt=0,
        description="Documents per committed chunk: at most this much work is redone "
        "after an interruption.",
    )
    commit_seconds: float = Field(
        30.0, gt=0, description="Commit what has been scored at least this often."
    )
    in_flight_per_worker: int = Field(
        2,
        gt=0,
        le=64,
        description="Inputs queued per local worker (keeps every worker busy "
        "without holding the whole archive in flight).",
    )
    progress_interval_s: float = Field(
        5.0, gt=0, description="Seconds between progress lines when stderr is not a terminal."
    )
    progress_refresh_s: float = Field(
        0.2, gt=0, description="Seconds between redraws of the progress bar on a terminal."
    )
    ray_max_blocks: int = Field(
        10_000,
        gt=0,
        description="Most Ray Data blocks the inputs are split into (one input "
        "per block below this, so actors share the work evenly).",
    )


@lru_cache(maxsize=1)
def batch_settings() -> BatchSettings:
    """Process-wide batch settings (environment read once)."""
    return BatchSettings()
