"""The tiny end-to-end run: a few training steps, export, fusion, quantisation, parity."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from service.model.dimensions import DIMENSIONS
from service.model.manifest import read_verified
from tests.conftest import needs_public_data

pytestmark = pytest.mark.slow
torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    from training.corpus import load_written

    records = load_written()
    # Mixed lengths so padding inside a batch is exercised.
    return [r.text for r in records[:: max(1, len(records) // 24)]][:24]


def test_manifest_lists_and_pins_every_file(tiny_model_dir: Path) -> None:
    manifest, files = read_verified(tiny_model_dir)
    raw = manifest.raw
    for key in ("name", "version", "created", "base_model", "files", "dimensions", "levels", "head",
                "output", "max_length", "temperatures", "corpus_sha256", "splits",
                "hyperparameters", "versions", "metrics"):  # fmt: skip
        assert key in raw, key
    assert raw["dimensions"] == list(DIMENSIONS)
    assert raw["head"] == "cumulative_logits" and raw["output"] == "logits"
    assert set(raw["files"]) == {"model.onnx", "tokenizer.json", "MODEL_CARD.md"}
    assert set(raw["versions"]) >= {"torch", "transformers", "onnxruntime", "onnx", "tokenizers"}
    assert "model.onnx" in files


def test_graph_is_fused_quantised_with_the_agreed_interface(tiny_model_dir: Path) -> None:
    graph = onnx.load(str(tiny_model_dir / "model.onnx")).graph
    assert [i.name for i in graph.input] == ["input_ids", "attention_mask"]
    assert [o.name for o in graph.output] == ["logits", "pooled"]
    ops = Counter(node.op_type for node in graph.node)
    # Six fused attention layers, all quantised (only the first feed-forward block stays float32).
    assert ops["Attention"] == 0 and ops["QAttention"] == 6
    assert ops["MatMulIntegerToFloat"] > 0  # int8 weights, each product with its rescaling
    # Activation scales are fixed at export: no quantiser depends on the batch.
    assert ops["DynamicQuantizeLinear"] == 0 and ops["QuantizeLinear"] > 0
    # The n-gram table of the lexical half stays float32 (one int8 scale would zero it).
    from training.config import TrainingConfig

    rows = 30522 + TrainingConfig.tiny().ngram_buckets
    tables = [t for t in graph.initializer if list(t.dims) == [rows, 16]]
    assert len(tables) == 1 and tables[0].data_type == onnx.TensorProto.FLOAT
    for tensor in graph.input:
        assert tensor.type.tensor_type.elem_type == onnx.TensorProto.INT64
        dims = tensor.type.tensor_type.shape.dim
        assert dims[0].dim_param and dims[1].dim_param  # dynamic batch and sequence


def test_int8_graph_agrees_with_pytorch(tiny_model_dir: Path, texts: list[str]) -> None:
    from training.data import encode, load_tokenizer
    from training.export import level_agreement, onnx_logits, onnx_session
    from training.model import load_model
    from training.train import predict_logits

    manifest = json.loads((tiny_model_dir / "manifest.json").read_text())
    model = load_model(str(tiny_model_dir.parent / "run" / "torch"))
    ids = encode(load_tokenizer(manifest["max_length"]), texts)
    reference, _ = predict_logits(model, ids)
    quantised, aux = onnx_logits(onnx_session(tiny_model_dir / "model.onnx"), ids)
    assert quantised.shape == (len(texts), 4, 3)
    # The tiny run does not train the auxiliary head, so the graph has no explains_why output.
    assert np.isnan(aux).all()
    # int8 rounding moves logits by a few hundredths; levels of a barely trained model sit
    # close to their thresholds, so the level check is loose here and strict on the real model.
    assert np.abs(reference - quantised).max() < 0.1
    assert level_agreement(reference, quantised) >= 0.85
    assert manifest["export"]["parity"]["level_agreement"] >= 0.85


def test_fp32_export_matches_pytorch_exactly_with_padding(
    tiny_model_dir: Path, texts: list[str], tmp_path: Path
) -> None:
    from training.data import encode, load_tokenizer
    from training.export import export_fp32, onnx_logits, onnx_session
    from training.model import load_model
    from training.train import predict_logits

    model = load_model(str(tiny_model_dir.parent / "run" / "torch"))
    export_fp32(model, tmp_path / "fp32.onnx", 64)
    ids = encode(load_tokenizer(64), texts)
    reference, _ = predict_logits(model, ids, batch_size=5)
    exported, _ = onnx_logits(onnx_session(tmp_path / "fp32.onnx"), ids, batch_size=7)
    assert np.abs(reference - exported).max() < 1e-3


def test_service_loads_the_tiny_model(tiny_model_dir: Path) -> None:
    from service.model.runtime import QualityModel

    model = QualityModel.load(tiny_model_dir, threads=1, batch_size=2)
    probs = model.predict(
        ["The health visitor saw the baby.", "Nobody asked why the referral stalled."]
    )
    assert probs.shape == (2, 4, 4)
    assert np.allclose(probs.sum(-1), 1.0)


def test_model_forward_feeds_a_text_classification_pipeline(tiny_model_dir: Path) -> None:
    from evaluation.benchmark import pipeline_logits
    from training.model import label_names, load_model

    model = load_model(str(tiny_model_dir.parent / "run" / "torch"))
    from transformers import PreTrainedTokenizerFast, pipeline

    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(tiny_model_dir / "tokenizer.json"), pad_token="[PAD]"
    )
    classifier = pipeline("text-classification", model=model, tokenizer=tokenizer, device=-1)
    out = classifier(["A short passage."], top_k=None, function_to_apply="none")
    assert {item["label"] for item in out[0]} == set(label_names())
    assert pipeline_logits(out).shape == (1, 4, 3)


def test_auxiliary_head_is_exported_only_when_trained(tmp_path: Path) -> None:
    from dataclasses import replace

    from training.config import TrainingConfig
    from training.corpus import load_written
    from training.export import export_fp32
    from training.pipeline import quiet_transformers
    from training.train import train

    needs_public_data("causal_news_corpus")
    quiet_transformers()
    records = load_written()[:8]
    config = replace(TrainingConfig.tiny(), aux_causal=True, limit_examples=8, max_steps=2)
    result = train(config, records, [])
    assert result.aux_examples > 0 and result.model.config.explains_why_trained
    export_fp32(result.model, tmp_path / "aux.onnx", config.max_length)
    graph = onnx.load(str(tmp_path / "aux.onnx")).graph
    assert [o.name for o in graph.output] == ["logits", "explains_why"]
