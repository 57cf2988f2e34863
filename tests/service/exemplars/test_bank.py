"""The exemplar bank: built from the project's own written passages only, pinned by the
manifest, refused when altered or built with another graph, searched by embedding."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from service.aggregate.policy import applies
from service.exemplars.bank import BANK_JSON, BANK_VECTORS, TOPIC_TITLES, ExemplarBank
from service.model.dimensions import DIMENSIONS
from service.model.manifest import ModelIntegrityError
from service.model.runtime import QualityModel
from training.corpus import Record, load_written
from training.exemplars import MIN_CLARITY, PER_GROUP, build_bank, candidates, select

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "scrutiny-minilm-v1"


@pytest.fixture(scope="module")
def model() -> QualityModel:
    return QualityModel.load(MODEL, threads=1, batch_size=8)


@pytest.fixture(scope="module")
def bank(model: QualityModel) -> ExemplarBank:
    assert model.exemplars is not None, "the shipped model carries its exemplar bank"
    return model.exemplars


def _folder_copy(tmp_path: Path) -> Path:
    """A model folder beside the shipped one: small files copied, the graph linked."""
    folder = tmp_path / "model"
    folder.mkdir()
    for path in MODEL.iterdir():
        if path.name == "model.onnx":
            (folder / path.name).symlink_to(path)
        else:
            shutil.copyfile(path, folder / path.name)
    return folder


def _rehash(folder: Path, name: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_every_exemplar_is_a_strong_written_passage(bank: ExemplarBank) -> None:
    written = {r.id: r for r in load_written()}
    for exemplar in bank.exemplars:
        # Written passages only (w<author>-r<report>-p<passage>), never real PFD text.
        assert re.fullmatch(r"w\d+-r\d+-p\d+", exemplar.passage), exemplar.passage
        record = written[exemplar.passage]
        assert exemplar.text == record.text
        assert record.labels[exemplar.dimension] == 3
        assert (record.labels["clarity"] or 0) >= MIN_CLARITY
        assert exemplar.topic == record.section_kind in TOPIC_TITLES
        assert applies(exemplar.topic, DIMENSIONS.index(exemplar.dimension))
        assert exemplar.score > 2.5  # the model rates it strong too
    groups = Counter((e.dimension, e.topic) for e in bank.exemplars)
    assert max(groups.values()) <= PER_GROUP
    assert {d for d, _ in groups} == set(DIMENSIONS)


def test_the_manifest_pins_the_bank_and_the_graph_it_was_built_with(bank: ExemplarBank) -> None:
    manifest = json.loads((MODEL / "manifest.json").read_text())
    for name in (BANK_JSON, BANK_VECTORS):
        digest = hashlib.sha256((MODEL / name).read_bytes()).hexdigest()
        assert manifest["files"][name] == digest
    assert bank.graph_sha256 == manifest["files"]["model.onnx"]
    assert manifest["exemplars"]["exemplars"] == len(bank.exemplars)
    assert "pooled" in manifest["extra_outputs"]
    assert "## Exemplar bank" in (MODEL / "MODEL_CARD.md").read_text()


def test_an_exemplar_is_its_own_nearest_neighbour(model: QualityModel, bank: ExemplarBank) -> None:
    chosen = [bank.exemplars[i] for i in range(0, len(bank.exemplars), 97)]
    embeddings = model.embed([e.text for e in chosen])
    for exemplar, embedding in zip(chosen, embeddings, strict=True):
        found = bank.nearest(embedding, exemplar.dimension, exemplar.topic)
        assert found is not None
        nearest, similarity = found
        assert nearest.passage == exemplar.passage and similarity > 0.99
    # Without a topic the whole dimension is searched; an unknown dimension has none.
    assert bank.nearest(embeddings[0], chosen[0].dimension) is not None
    assert bank.nearest(embeddings[0], "no-such-dimension") is None
    assert bank.nearest(np.zeros(384), "clarity") is None


def test_an_altered_bank_is_refused(tmp_path: Path) -> None:
    folder = _folder_copy(tmp_path)
    data = json.loads((folder / BANK_JSON).read_text())
    data["exemplars"][0]["text"] = "Altered."
    (folder / BANK_JSON).write_text(json.dumps(data))
    with pytest.raises(ModelIntegrityError, match="does not match its manifest sha256"):
        QualityModel.load(folder, threads=1)


def test_a_bank_built_with_another_graph_is_left_unused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _folder_copy(tmp_path)
    data = json.loads((folder / BANK_JSON).read_text())
    data["graph_sha256"] = "0" * 64
    (folder / BANK_JSON).write_text(json.dumps(data))
    _rehash(folder, BANK_JSON)
    with caplog.at_level("WARNING", logger="scrutiny.exemplars"):
        loaded = QualityModel.load(folder, threads=1)
    assert loaded.exemplars is None  # the model still scores; the bank waits to be rebuilt
    assert "rebuild it with `scrutiny exemplars`" in caplog.text


def test_a_malformed_bank_is_refused(tmp_path: Path) -> None:
    folder = _folder_copy(tmp_path)
    (folder / BANK_JSON).write_text(json.dumps({"format": 1, "exemplars": [{"id": "x"}]}))
    _rehash(folder, BANK_JSON)
    with pytest.raises(ModelIntegrityError, match="lacks or mistypes a field"):
        QualityModel.load(folder, threads=1)


def _record(pid: str, report: str, kind: str, **labels: int | None) -> Record:
    full = {d: labels.get(d) for d in DIMENSIONS}
    return Record(pid, report, "written", kind, "word " * 40, full, f"{report}/1. Heading")


def test_selection_caps_groups_and_prefers_one_passage_per_report() -> None:
    records = [
        _record(f"w1-r1-p{i}", "w1-r1", "analysis", clarity=3, root_cause=3) for i in range(4)
    ] + [_record(f"w1-r2-p{i}", "w1-r2", "analysis", clarity=3, root_cause=3) for i in range(2)]
    records.append(_record("w1-r3-p0", "w1-r3", "analysis", clarity=1, root_cause=3))  # unclear
    pairs = candidates(records)
    assert all(r.id != "w1-r3-p0" for r, _ in pairs)
    strong = np.zeros((4, 4))
    strong[:, 3] = 1.0
    probs = {r.id: strong.copy() for r in records}
    probs["w1-r1-p0"][1] = [0, 1, 0, 0]  # the model does not rate it strong on root cause
    chosen = select(pairs, probs, per_group=3)
    root = [r.id for r, d, _ in chosen if d == "root_cause"]
    assert len(root) == 3 and "w1-r1-p0" not in root
    assert {r.split("-p")[0] for r in root[:2]} == {"w1-r1", "w1-r2"}  # one per report first


def test_build_bank_writes_verified_files(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(MODEL, folder)
    written = load_written()
    records = [r for r in written if r.report_id in {"w1-r01", "w2-r01", "w3-r01", "w4-r01"}]
    entry = build_bank(folder, records=records, per_group=2, threads=1)
    assert entry["exemplars"] > 0 and entry["per_group"] == 2
    loaded = QualityModel.load(folder, threads=1)
    assert loaded.exemplars is not None
    assert len(loaded.exemplars.exemplars) == entry["exemplars"]
    assert {e.passage for e in loaded.exemplars.exemplars} <= {r.id for r in records}
    assert (
        loaded.exemplars.graph_sha256
        == json.loads((folder / "manifest.json").read_text())["files"]["model.onnx"]
    )
