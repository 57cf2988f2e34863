"""Fixture reports rendered once per test session into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def hazard_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every hazardous file, written once."""
    from tests.fixtures.hazards import write_hazards

    folder = tmp_path_factory.mktemp("hazards")
    write_hazards(folder)
    return folder
