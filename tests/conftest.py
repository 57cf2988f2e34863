"""Shared session fixtures.

``needs_public_data``: skip, naming ``scrutiny data fetch``, when a public data set is absent.

``tiny_model_dir``: a real but tiny model folder (a few training steps on a handful of corpus
passages, exported to ONNX, attention fused, int8-quantised, with manifest), built once per
test session. Service tests load it with onnxruntime exactly as they load the shipped model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def needs_public_data(*names: str) -> Path:
    """The public data folder, or a skip naming the command that fetches what is missing.

    Tests of the project's own code and written corpus never call this: they run from the
    repository alone. Only tests about the public data sets themselves (real PFD labels,
    real-text evaluation, auxiliary tasks) need it.
    """
    from training.config import shared_data_dir

    root = shared_data_dir()
    missing = [name for name in names if not (root / name).is_dir()]
    if missing:
        pytest.skip(
            f"needs the public data set(s) {', '.join(missing)} in {root}: "
            "run `scrutiny data fetch` (or set SCRUTINY_SHARED_DATA)"
        )
    return root


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny trained, exported, quantised model folder (built once per session)."""
    pytest.importorskip("torch", reason="needs the train extra: pip install -e '.[train]'")
    from training.pipeline import build_tiny_model

    root = tmp_path_factory.mktemp("tiny-model")
    return build_tiny_model(root / "scrutiny-tiny", root / "run")
