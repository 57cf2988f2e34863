"""ONNX export: legacy TorchScript exporter → onnxruntime BERT optimiser (fused attention)
→ int8 dynamic quantisation (per channel), plus the PyTorch/ONNX parity check.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.model.dimensions import DIMENSIONS, LEVELS, cumulative_logits_to_probs, shown_level
from training.data import length_batches

log = logging.getLogger("scrutiny.export")
OPSET = 17
OUTPUTS = ("logits", "explains_why")
# The mean-pooled passage embedding, exposed by ``add_pooled_output`` (exemplar search).
POOLED = "pooled"
POOLED_DESCRIPTION = (
    "mean-pooled passage embedding [batch, hidden] of the fine-tuned encoder (the ordinal "
    "heads' input), for nearest-exemplar search"
)
# The node of the ordinal heads whose first input is the pooled embedding.
_ORDINAL_HEAD = "/ordinal_weight/MatMul"


def export_fp32(model: Any, path: Path, max_length: int) -> None:
    """Trace ``model`` (eager attention) to ONNX with dynamic batch and sequence axes."""
    import torch

    from training.model import build_model_class

    _, graph_class = build_model_class()
    model.eval()
    graph = graph_class(model).eval()
    outputs = list(OUTPUTS) if graph.with_aux else [OUTPUTS[0]]
    seq = min(16, max_length)
    dummy_ids = torch.full((2, seq), 1000, dtype=torch.int64)
    dummy_mask = torch.ones((2, seq), dtype=torch.int64)
    dummy_mask[1, seq // 2 :] = 0
    axes = {0: "batch", 1: "sequence"}
    # The tracer warns about Python-side shape checks in transformers' mask helpers; with
    # the mask as long as the sequence they are constant, and parity tests prove the graph.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph,
            (dummy_ids, dummy_mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=outputs,
            dynamic_axes={"input_ids": axes, "attention_mask": axes}
            | {name: {0: "batch"} for name in outputs},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,  # the TorchScript exporter gives the graph the BERT fuser recognises
        )


def optimise(src: Path, dst: Path, num_heads: int, hidden_size: int) -> dict[str, int]:
    """Fuse attention, LayerNorm and GELU with onnxruntime's transformer optimiser.

    Returns the count of fused operator types; raises if no ``Attention`` node was fused.
    """
    from onnxruntime.transformers.optimizer import optimize_model

    optimised = optimize_model(
        str(src), model_type="bert", num_heads=num_heads, hidden_size=hidden_size, opt_level=1
    )
    optimised.save_model_to_file(str(dst))
    counts = Counter(node.op_type for node in optimised.model.graph.node)
    fused = {
        op: counts.get(op, 0)
        for op in (
            "Attention",
            "MultiHeadAttention",
            "SkipLayerNormalization",
            "Gelu",
            "FastGelu",
            "BiasGelu",
            "EmbedLayerNormalization",
        )
    }
    if fused["Attention"] + fused["MultiHeadAttention"] == 0:
        raise RuntimeError("the optimiser fused no attention nodes; check the export")
    return fused


# Fused encoder operators; everything else in the graph is the heads and the lexical half.
_ENCODER_OPS = frozenset({"Attention", "EmbedLayerNormalization", "SkipLayerNormalization"})


def float_nodes(path: Path) -> list[str]:
    """Nodes left in float32: the embedding lookup, the first encoder layer's feed-forward
    block, and everything outside the encoder (ordinal heads, n-gram table, blend)."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph

    def first_feed_forward(node: Any) -> bool:
        return node.name.startswith(
            ("/bert/encoder/layer.0/intermediate/", "/bert/encoder/layer.0/output/")
        )

    return [
        node.name
        for node in graph.node
        if node.op_type == "EmbedLayerNormalization"
        or first_feed_forward(node)
        or ("/bert/" not in node.name and node.op_type not in _ENCODER_OPS)
    ]


def quantise(src: Path, dst: Path) -> None:
    """Int8 dynamic quantisation of the encoder's matrix products, per output channel.

    Lookups stay float32. A quantised Gather has one scale for its whole table, so int8
    would round most of the n-gram table's small weights to zero and blur the word
    embeddings; lookups do no arithmetic, so int8 there saves memory, not time. The first
    layer's feed-forward block stays float32 too: rounding errors made there travel through
    the other five layers. Dev split, 1.3.0 checkpoint, int8/PyTorch level agreement and
    ONNX passages/s: whole encoder int8 99.19% (204/s); first layer float32 99.39% (166/s);
    first layer's attention only 99.15% (190/s); its feed-forward only 99.43% (182/s, kept).
    """
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(src),
        str(dst),
        per_channel=True,
        weight_type=QuantType.QInt8,
        nodes_to_exclude=float_nodes(src),
        # Shape inference cannot type the outputs of fused contrib ops (Attention); they are
        # float32, so say so rather than let the quantiser give up.
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )


def pooled_tensor(graph: Any) -> str:
    """Name of the mean-pooled embedding in an exported graph: the first input of the
    ordinal heads' MatMul, produced by the pooling ``Div`` (masked sum / token count).

    Raises ValueError when the graph has no such node (not a graph of ``training.model``).
    """
    producers = {output: node for node in graph.node for output in node.output}
    heads = [node for node in graph.node if node.name == _ORDINAL_HEAD]
    if len(heads) != 1:
        raise ValueError(f"the graph has no single {_ORDINAL_HEAD} node to find the pooling in")
    tensor = heads[0].input[0]
    producer = producers.get(tensor)
    if producer is None or producer.op_type != "Div":
        found = producer.op_type if producer is not None else "a graph input"
        raise ValueError(f"the ordinal heads' input comes from {found}, not the mean pooling")
    return str(tensor)


def add_pooled_output(src: Path, dst: Path | None = None) -> bool:
    """Give the exported graph at ``src`` a ``pooled`` output (the mean-pooled embedding),
    written to ``dst`` (default: in place). Nothing is recomputed: the output is the tensor
    the heads already read, so the logits are unchanged. Returns False when ``src`` already
    has the output (``dst``, if another file, is then a copy).
    """
    import onnx
    from onnx import TensorProto, helper

    dst = src if dst is None else dst
    model = onnx.load(str(src))
    graph = model.graph
    if any(output.name == POOLED for output in graph.output):
        if Path(dst).resolve() != Path(src).resolve():
            onnx.save(model, str(dst))
        return False
    tensor = pooled_tensor(graph)
    hidden = _hidden_size(graph)
    graph.node.append(helper.make_node("Identity", [tensor], [POOLED], name="pooled_output"))
    graph.output.append(helper.make_tensor_value_info(POOLED, TensorProto.FLOAT, ["batch", hidden]))
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))
    return True


def _hidden_size(graph: Any) -> int:
    """Width of the pooled embedding: the rows of the ordinal heads' weight matrix."""
    from onnx import numpy_helper

    head = next(node for node in graph.node if node.name == _ORDINAL_HEAD)
    weights = {init.name: init for init in graph.initializer}
    weight = weights.get(head.input[1])
    if weight is None:
        raise ValueError("the ordinal heads' weight is not an initializer of the graph")
    return int(numpy_helper.to_array(weight).shape[0])


def export_model(model: Any, out: Path, max_length: int) -> dict[str, Any]:
    """Write ``out`` (model.onnx, int8, fused, with the pooled embedding as an output);
    returns export facts for the manifest."""
    config = model.config
    with tempfile.TemporaryDirectory() as tmp:
        raw, fused = Path(tmp) / "raw.onnx", Path(tmp) / "fused.onnx"
        export_fp32(model, raw, max_length)
        counts = optimise(raw, fused, config.num_attention_heads, config.hidden_size)
        quantise(fused, out)
    # Fixed activation scales: a passage's score must not depend on its batch neighbours.
    from training.activation_scales import (
        CALIBRATION_PASSAGES,
        QUANTISATION_NOTE,
        calibration_ids,
        freeze_file,
    )
    from training.config import base_model_dir

    calibration = calibration_ids(
        base_model_dir() / "tokenizer.json", max_length, CALIBRATION_PASSAGES
    )
    freeze_file(out, calibration)
    add_pooled_output(out)
    log.info("exported %s: fused %s", out.name, counts)
    from training.model import explains_why_trained

    extra = (
        {"explains_why": "P(sentence explains why), head trained on the Causal News Corpus"}
        if explains_why_trained(model)
        else {}
    ) | {POOLED: POOLED_DESCRIPTION}
    return {
        "opset": OPSET,
        "fused_ops": counts,
        "quantisation": "dynamic int8, per channel (QInt8), encoder except layer 1 feed-forward; embeddings, layer 1 feed-forward and heads float32; "
        + QUANTISATION_NOTE.format(n=len(calibration)),
        "extra_outputs": extra,
    }


def onnx_session(path: Path | bytes, threads: int = 2) -> Any:
    """An onnxruntime CPU session configured like the service's (no spinning threads)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    source = path if isinstance(path, bytes) else str(path)
    return ort.InferenceSession(source, sess_options=options, providers=["CPUExecutionProvider"])


def onnx_logits(
    session: Any, ids: list[list[int]], batch_size: int = 8
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Cumulative logits ``[n, 4, 3]`` and "explains why" probabilities ``[n]`` from ONNX.

    The second array is NaN when the graph has no ``explains_why`` output.
    """
    names = [o.name for o in session.get_outputs() if o.name in OUTPUTS]
    ordinal = np.zeros((len(ids), len(DIMENSIONS), LEVELS - 1))
    aux = np.full(len(ids), np.nan)
    for batch in length_batches(ids, batch_size):
        out = session.run(
            names, {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask}
        )
        ordinal[batch.index] = out[0]
        if len(out) > 1:
            aux[batch.index] = out[1]
    return ordinal, aux


def level_agreement(
    a: npt.NDArray[np.floating],
    b: npt.NDArray[np.floating],
    labels: npt.NDArray[np.int64] | None = None,
    temperatures: npt.NDArray[np.floating] | None = None,
) -> float:
    """Share of (passage, dimension) levels on which two sets of cumulative logits agree.

    With ``labels`` only labelled dimensions count (recommendations outside recommendations
    sections are not rated, so they are not compared).
    """
    la = shown_level(cumulative_logits_to_probs(a, temperatures))
    lb = shown_level(cumulative_logits_to_probs(b, temperatures))
    mask = np.ones(la.shape, dtype=bool) if labels is None else labels >= 0
    return float((la == lb)[mask].mean()) if mask.any() else float("nan")
