"""The pooled embedding output: one function adds it to an exported graph; it is the masked
mean of the last hidden states; it never changes the logits; the shipped graph is exactly
the export plus that function (and, from 1.6.0, plus the embedding head)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="needs the train extra: pip install -e '.[train]'")

from onnx import numpy_helper  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

from service.ingest import read_document  # noqa: E402
from service.model.runtime import QualityModel  # noqa: E402
from service.passages.build import build_passages, model_text  # noqa: E402
from service.scoring import score_document  # noqa: E402
from training.data import length_batches  # noqa: E402
from training.embedding_head import BASE_LOGITS, EmbeddingHead, attach, has_head  # noqa: E402
from training.export import POOLED, add_pooled_output, onnx_session, pooled_tensor  # noqa: E402
from training.package import finalise, read_manifest  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "scrutiny-minilm-v1"
EXAMPLE = REPO / "examples" / "child-t-review.docx"


def _strip_pooled(src: Path, dst: Path) -> None:
    """The graph as exported before the output existed: no ``pooled`` output or node."""
    model = onnx.load(str(src))
    graph = model.graph
    outputs = [o for o in graph.output if o.name != POOLED]
    nodes = [n for n in graph.node if POOLED not in n.output]
    del graph.output[:]
    graph.output.extend(outputs)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.save(model, str(dst))


@pytest.fixture(scope="module")
def stripped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "stripped.onnx"
    _strip_pooled(MODEL / "model.onnx", path)
    return path


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [model_text(p.text) for p in build_passages(read_document(EXAMPLE))]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _strip_head(src: Path, dst: Path) -> EmbeddingHead | None:
    """The graph as exported, before ``training.embedding_head`` (and the head it had)."""
    model = onnx.load(str(src))
    graph = model.graph
    if not has_head(src):
        onnx.save(model, str(dst))
        return None
    ours = [i for i in graph.initializer if i.name.startswith("embedding_head/")]
    values = {i.name.split("/", 1)[1]: numpy_helper.to_array(i) for i in ours}
    nodes = [n for n in graph.node if not n.name.startswith("embedding_head/")]
    for node in nodes:
        node.output[:] = ["logits" if o == BASE_LOGITS else o for o in node.output]
    kept = [i for i in graph.initializer if not i.name.startswith("embedding_head/")]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.save(model, str(dst))
    return EmbeddingHead(
        weight=values["weight"],
        bias=values["bias"],
        mix=values["share"].ravel(),
        base_temperatures=values["temperatures"].ravel(),
    )


def test_the_shipped_graph_is_the_export_plus_the_pooled_output_and_the_head(
    tmp_path: Path,
) -> None:
    exported = tmp_path / "exported.onnx"
    head = _strip_head(MODEL / "model.onnx", tmp_path / "headless.onnx")
    _strip_pooled(tmp_path / "headless.onnx", exported)
    assert add_pooled_output(exported, tmp_path / "pooled.onnx") is True
    # A graph that has the output is left as it is.
    assert add_pooled_output(tmp_path / "pooled.onnx") is False
    again = tmp_path / "pooled.onnx"
    if head is not None:
        attach(again, tmp_path / "again.onnx", head)
        again = tmp_path / "again.onnx"
    assert _sha(again) == _sha(MODEL / "model.onnx")


def test_the_pooled_output_is_the_masked_mean_of_the_last_hidden_states(
    tmp_path: Path, texts: list[str]
) -> None:
    model = onnx.load(str(MODEL / "model.onnx"))
    graph = model.graph
    producers = {out: node for node in graph.node for out in node.output}
    division = producers[pooled_tensor(graph)]
    summed = producers[division.input[0]]
    masked = producers[summed.input[0]]
    hidden = masked.input[0]
    graph.node.append(onnx.helper.make_node("Identity", [hidden], ["hidden"]))
    graph.output.append(onnx.helper.make_tensor_value_info("hidden", onnx.TensorProto.FLOAT, None))
    onnx.save(model, str(tmp_path / "hidden.onnx"))
    session = onnx_session(tmp_path / "hidden.onnx", threads=1)
    tokenizer = Tokenizer.from_file(str(MODEL / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=256)
    encodings = tokenizer.encode_batch(texts[:4])
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = 1
    states, pooled = session.run(["hidden", POOLED], {"input_ids": ids, "attention_mask": mask})
    mean = (states * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    assert pooled.shape == (len(encodings), 384)
    assert np.allclose(pooled, mean, atol=1e-5)


def test_logits_and_levels_are_unchanged_by_the_output(
    stripped: Path, tmp_path: Path, texts: list[str]
) -> None:
    with_output = onnx_session(MODEL / "model.onnx", threads=1)
    without = onnx_session(stripped, threads=1)
    tokenizer = Tokenizer.from_file(str(MODEL / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=256)
    ids = [e.ids for e in tokenizer.encode_batch(texts)]
    for batch in length_batches(ids, 8):
        feeds = {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask}
        a = with_output.run(["logits", "explains_why"], feeds)
        b = without.run(["logits", "explains_why"], feeds)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])

    # The whole pipeline on the example: a folder whose graph lacks the output (and so has
    # no exemplar bank) rates every section and the report exactly as the shipped folder.
    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copyfile(stripped, folder / "model.onnx")
    shutil.copyfile(MODEL / "tokenizer.json", folder / "tokenizer.json")
    manifest = read_manifest(MODEL)
    manifest.pop("exemplars")
    manifest["extra_outputs"].pop(POOLED)
    finalise(folder, manifest)
    old = QualityModel.load(folder, threads=1)
    new = QualityModel.load(MODEL, threads=1)
    assert old.exemplars is None and not old.has_embeddings
    assert new.exemplars is not None and new.has_embeddings
    document = read_document(EXAMPLE)
    before = score_document(document, old, explain=False)
    after = score_document(document, new, explain=False)
    assert before.ratings == after.ratings
    assert [s.ratings for s in before.sections] == [s.ratings for s in after.sections]
