"""The batch output the analysis tests read, built once per session (see ``builder.py``)."""

from __future__ import annotations

import pytest

from tests.service.analysis.builder import Batch, build_batch


@pytest.fixture(scope="session")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Five reports scored with the shipped model (with highlights) and one failed input."""
    pytest.importorskip("pyarrow", reason="needs the archive extra: pip install -e '.[archive]'")
    return build_batch(tmp_path_factory.mktemp("inputs"), tmp_path_factory.mktemp("batch") / "out")
