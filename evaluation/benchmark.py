"""Throughput: the same model through a ``transformers`` text-classification pipeline
(PyTorch fp32) and through our ONNX int8 onnxruntime session, on the same passages, one run.

    python -m evaluation.benchmark [--run training/runs/scrutiny-minilm-v1]
                                   [--model models/scrutiny-minilm-v1] [--passages 200]

Both sides use the same number of threads (default 2), batch size and passages (the test
split's, in corpus order). Prints passages/second for each, their ratio and the share of
(passage, dimension) levels on which they agree (labelled dimensions only).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.model.dimensions import DIMENSIONS, LEVELS, cumulative_logits_to_probs, shown_level
from service.passages.build import model_text
from training.config import DEFAULT_MODEL_DIR, DEFAULT_RUN_DIR


def pipeline_logits(outputs: Any) -> npt.NDArray[np.float64]:
    """Rebuild ``[n, 4, 3]`` cumulative logits from the pipeline's labelled raw scores."""
    from training.model import label_names

    index = {name: i for i, name in enumerate(label_names())}
    flat = np.zeros((len(outputs), len(index)))
    for row, scores in enumerate(outputs):
        for item in scores:
            flat[row, index[item["label"]]] = item["score"]
    return flat.reshape(len(outputs), len(DIMENSIONS), LEVELS - 1)


def run_pipeline(
    run_dir: Path, texts: list[str], max_length: int, batch_size: int, threads: int
) -> tuple[float, npt.NDArray[np.float64]]:
    """Seconds and cumulative logits for ``texts`` through a PyTorch fp32 pipeline."""
    import torch
    from transformers import PreTrainedTokenizerFast, pipeline

    from training.config import base_model_dir
    from training.model import load_model
    from training.pipeline import quiet_transformers

    quiet_transformers()
    torch.set_num_threads(threads)
    model = load_model(str(run_dir / "torch")).eval()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(base_model_dir() / "tokenizer.json"),
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    classifier = pipeline("text-classification", model=model, tokenizer=tokenizer, device=-1)
    kwargs = {
        "top_k": None,
        "function_to_apply": "none",
        "truncation": True,
        "max_length": max_length,
        "batch_size": batch_size,
    }
    classifier(texts[:batch_size], **kwargs)  # warm-up, not timed
    started = time.perf_counter()
    outputs = classifier(texts, **kwargs)
    return time.perf_counter() - started, pipeline_logits(outputs)


def run_onnx(
    model_dir: Path, texts: list[str], batch_size: int, threads: int
) -> tuple[float, npt.NDArray[np.float64], Any]:
    """Seconds and calibrated probabilities for ``texts`` through the service's ONNX session."""
    from service.model.runtime import QualityModel

    model = QualityModel.load(model_dir, threads=threads, batch_size=batch_size)
    model.predict(texts[:batch_size])  # warm-up, not timed
    started = time.perf_counter()
    probs = model.predict(texts)
    return time.perf_counter() - started, probs, model


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", default=str(DEFAULT_RUN_DIR), help="PyTorch checkpoint folder")
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR), help="ONNX model folder")
    parser.add_argument(
        "--passages", type=int, default=0, help="at most this many (0: all test passages)"
    )
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    from training.pipeline import load_parts
    from training.train import label_matrix

    if not (Path(args.run) / "torch").is_dir():
        # Checkpoints are not committed (about 100 MB); the exported model is.
        print(
            f"benchmark: no PyTorch checkpoint in {args.run}; run `scrutiny train` first "
            "(about 20 minutes on 2 CPU cores), or pass --run",
            file=sys.stderr,
        )
        return 2
    from training.config import shared_data_dir

    # Real passages where the public data is at hand; the written ones alone otherwise.
    real = (shared_data_dir() / "pfd").is_dir()
    _, parts = load_parts(real=real)
    records = parts["test"][: args.passages or None]
    print(f"test-split passages: {'real and written' if real else 'written only (no public data)'}")
    texts = [model_text(r.text) for r in records]
    model_dir = Path(args.model)
    onnx_s, onnx_probs, model = run_onnx(model_dir, texts, args.batch_size, args.threads)
    torch_s, torch_logits = run_pipeline(
        Path(args.run), texts, model.manifest.max_length, args.batch_size, args.threads
    )
    torch_probs = cumulative_logits_to_probs(torch_logits, np.array(model.manifest.temperatures))
    labelled = label_matrix(records) >= 0
    agreement = float((shown_level(onnx_probs) == shown_level(torch_probs))[labelled].mean())
    figures = {
        "passages": len(texts),
        "pipeline_pps": round(len(texts) / torch_s, 1),
        "onnx_pps": round(len(texts) / onnx_s, 1),
        "ratio": round(torch_s / onnx_s, 2),
        "level_agreement": round(agreement, 4),
        "batch_size": args.batch_size,
        "threads": args.threads,
        "machine": f"{platform.machine()}, {args.threads} threads",
    }
    print(f"passages: {len(texts)}  (batch {args.batch_size}, {args.threads} threads)")
    print(f"transformers pipeline, PyTorch fp32: {figures['pipeline_pps']:8.1f} passages/s")
    print(f"onnxruntime, int8 fused:             {figures['onnx_pps']:8.1f} passages/s")
    print(f"throughput ratio (ONNX int8 / pipeline): {figures['ratio']:.2f}x")
    print(f"level agreement: {agreement:.4f}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
