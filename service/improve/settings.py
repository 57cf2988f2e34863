"""Typed settings of fix first, read from ``SCRUTINY_IMPROVE_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ImproveSettings(BaseSettings):
    """How many changes fix first weighs and shows, and what counts as worth showing."""

    model_config = SettingsConfigDict(env_prefix="SCRUTINY_IMPROVE_", extra="ignore")

    fix_first_items: int = Field(5, ge=0, le=20, description="Most changes shown in fix first.")
    candidates: int = Field(
        16,
        ge=0,
        le=200,
        description="Weak passages re-scored per document (those with the most room to raise "
        "the report rating first); each costs one to three model passes.",
    )
    weak_level: int = Field(
        1, ge=0, le=2, description="Passages at or below this level are candidates."
    )
    min_passage_gain: float = Field(
        0.25,
        ge=0.0,
        le=3.0,
        description="Smallest rise of the rewritten passage's score (in levels) worth showing.",
    )


@lru_cache(maxsize=1)
def improve_settings() -> ImproveSettings:
    """Process-wide fix-first settings (environment read once)."""
    return ImproveSettings()
