"""The model runtime: verified loading, refusal of altered folders, batched prediction."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from service.model.dimensions import DIMENSIONS, LEVELS
from service.model.manifest import ModelIntegrityError, parse_manifest
from service.model.runtime import QualityModel, expected_scores


@pytest.fixture(scope="module")
def model(tiny_model_dir: Path) -> QualityModel:
    return QualityModel.load(tiny_model_dir, threads=1, batch_size=3)


def _copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(tiny_model_dir, target)
    return target


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_predict_shape_and_probabilities(model: QualityModel) -> None:
    texts = ["The child was seen.", "", "A much longer passage " * 40, "Short.", "Why? Because."]
    probs = model.predict(texts)
    assert probs.shape == (len(texts), len(DIMENSIONS), LEVELS)
    assert np.allclose(probs.sum(axis=-1), 1.0)
    assert (probs >= 0).all()
    scores = expected_scores(probs)
    assert ((scores >= 0) & (scores <= LEVELS - 1)).all()


def test_batching_and_sorting_keep_input_order(tiny_model_dir: Path) -> None:
    texts = [f"Passage {i}: " + "word " * (i * 7 % 23) for i in range(11)]
    single = QualityModel.load(tiny_model_dir, threads=1, batch_size=1)
    one_by_one = np.concatenate([single.predict([t]) for t in texts])
    # Sorted by length, one per batch, then put back: exactly the one-by-one result.
    assert np.allclose(single.predict(texts), one_by_one, atol=1e-6)
    # Batched: activation scales are fixed at export, so a passage's probabilities do not
    # depend on its batch neighbours or their padding.
    batched = QualityModel.load(tiny_model_dir, threads=1, batch_size=4).predict(texts)
    assert np.abs(batched - one_by_one).max() < 1e-5


def test_whitespace_is_normalised_like_training(model: QualityModel) -> None:
    assert np.allclose(model.predict(["a  b\n\nc "]), model.predict(["a b c"]))


def test_identity_from_manifest(model: QualityModel, tiny_model_dir: Path) -> None:
    data = (tiny_model_dir / "manifest.json").read_bytes()
    assert model.sha256 == hashlib.sha256(data).hexdigest()
    assert model.name == json.loads(data)["name"]


def test_refuses_altered_model_file(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_model_dir, tmp_path)
    with (folder / "model.onnx").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelIntegrityError, match=r"model\.onnx does not match"):
        QualityModel.load(folder)


def test_refuses_altered_tokenizer(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_model_dir, tmp_path)
    (folder / "tokenizer.json").write_text("{}")
    with pytest.raises(ModelIntegrityError, match=r"tokenizer\.json does not match"):
        QualityModel.load(folder)


def test_refuses_missing_file(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_model_dir, tmp_path)
    (folder / "tokenizer.json").unlink()
    with pytest.raises(ModelIntegrityError, match=r"missing: tokenizer\.json"):
        QualityModel.load(folder)


def test_refuses_unlisted_model_file(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_model_dir, tmp_path)
    manifest = _manifest(folder)
    del manifest["files"]["model.onnx"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelIntegrityError, match=r"does not list model\.onnx"):
        QualityModel.load(folder)


def test_refuses_missing_folder_and_manifest(tmp_path: Path) -> None:
    with pytest.raises(ModelIntegrityError, match="not found"):
        QualityModel.load(tmp_path / "absent")
    with pytest.raises(ModelIntegrityError, match=r"no manifest\.json"):
        QualityModel.load(tmp_path)


def _valid() -> dict:
    return {
        "name": "m",
        "version": "1",
        "files": {"model.onnx": "a" * 64, "tokenizer.json": "b" * 64},
        "dimensions": list(DIMENSIONS),
        "levels": LEVELS,
        "head": "cumulative_logits",
        "output": "logits",
        "max_length": 256,
        "temperatures": {"clarity": 1.5},
    }


def test_manifest_temperatures_in_dimension_order() -> None:
    manifest = parse_manifest(json.dumps(_valid()).encode())
    assert manifest.temperatures == (1.5, 1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dimensions": ["clarity"]}, "dimensions"),
        ({"levels": 5}, "levels"),
        ({"head": "softmax"}, "head"),
        ({"files": {"../model.onnx": "a" * 64, "tokenizer.json": "b" * 64}}, "outside"),
        ({"files": {"model.onnx": "xyz", "tokenizer.json": "b" * 64}}, "sha256"),
        ({"max_length": 2}, "max_length"),
        ({"temperatures": {"clarity": 0}}, "temperature"),
    ],
)
def test_manifest_rejects_what_the_service_cannot_use(change: dict, message: str) -> None:
    with pytest.raises(ModelIntegrityError, match=message):
        parse_manifest(json.dumps({**_valid(), **change}).encode())


def test_manifest_rejects_non_json() -> None:
    with pytest.raises(ModelIntegrityError, match="not valid JSON"):
        parse_manifest(b"\xff{")
