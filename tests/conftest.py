"""Shared session fixtures.

``tiny_model_dir``: a real but tiny model folder (a few training steps on a handful of corpus
passages, exported to ONNX, attention fused, int8-quantised, with manifest), built once per
test session. Service tests load it with onnxruntime exactly as they load the shipped model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny trained, exported, quantised model folder (built once per session)."""
    pytest.importorskip("torch", reason="needs the train extra: pip install -e '.[train]'")
    from training.pipeline import build_tiny_model

    root = tmp_path_factory.mktemp("tiny-model")
    return build_tiny_model(root / "scrutiny-tiny", root / "run")
