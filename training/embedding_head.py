"""A second head on the served encoder's pooled embedding, mixed into the graph's output.

    python -m training.embedding_head --model models/scrutiny-minilm-v1 --version 1.6.0

Why: the ordinal heads were fitted together with the encoder, and the blend after them was
fitted on dev, both dominated by the project-written passages' wording. On real (PFD) dev
passages, a multinomial logistic regression per dimension on the same pooled embedding,
fitted on the train split with real and written passages weighing the same in total,
separates the levels better (child focus above all): the information is in the embedding,
the old heads do not use it for real text. So the stage

1. embeds the train and dev splits through the serving runtime (the verified int8 graph,
   exactly as the service runs it) and reads the graph's calibrated level probabilities;
2. fits the head on train (``EmbeddingHeadFit``), for each inverse L2 strength of
   ``TrainingConfig.embedding_head_c``;
3. mixes it into the existing probabilities with one weight per dimension, chosen on dev
   (real and written dev QWK weighted as in the selection composite, the smaller weight
   on a tie) among the weights that keep each dimension's written dev QWK within
   ``TrainingConfig.embedding_head_written_drop`` of the graph without the head (real
   recommendation passages are few, nearly all at level 1, so on them alone a mix could
   be chosen by noise at written text's expense), and keeps the strength with the best
   weighted dev QWK;
4. writes the head and the mix into the graph (float32 nodes after ``pooled``; the graph's
   ``logits`` output stays cumulative logits, so the service is unchanged), refits the
   temperatures and section spread on dev, and records the decision with the dev
   composite of the graph before and after (``training/decisions.json``).

The exemplar bank belongs to the graph it was built with: rebuild it afterwards
(``scrutiny exemplars``), then ``scrutiny evaluate``.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.model.dimensions import DIMENSIONS, LEVELS, shown_level

log = logging.getLogger("scrutiny.embedding_head")

# Graph names of the head (its presence marks a graph that already has one).
BASE_LOGITS = "logits_before_embedding_head"
_PREFIX = "embedding_head"
# Smallest probability mass the cumulative logits are taken of (float32-safe).
_EPS = 1e-12
DECISION = "embedding head: a second head on the pooled embedding, mixed into the output"


@dataclass(frozen=True)
class EmbeddingHead:
    """The fitted head and its mix: ``weight [hidden, dims*LEVELS]`` and ``bias
    [dims*LEVELS]`` give the level logits of dimension ``d`` in columns
    ``d*LEVELS:(d+1)*LEVELS`` (feature standardisation folded in); ``mix[d]`` is the head's
    share of dimension ``d``'s level probabilities (0 leaves the dimension as it was)."""

    weight: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    mix: npt.NDArray[np.float32]
    base_temperatures: npt.NDArray[np.float32]  # the graph's manifest temperatures before

    def probs(self, embeddings: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        """The head's own level probabilities ``[n, dims, LEVELS]``."""
        logits = np.asarray(embeddings, dtype=np.float64) @ self.weight + self.bias
        logits = logits.reshape(len(logits), len(DIMENSIONS), LEVELS)
        logits -= logits.max(axis=-1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=-1, keepdims=True), dtype=np.float64)


def mixed_probs(
    base: npt.NDArray[np.floating],
    head: npt.NDArray[np.floating],
    mix: npt.NDArray[np.floating],
) -> npt.NDArray[np.float64]:
    """``(1 - mix[d]) * base + mix[d] * head`` per dimension, ``[n, dims, LEVELS]``."""
    share = np.asarray(mix, dtype=np.float64)[None, :, None]
    return np.asarray((1.0 - share) * base + share * head, dtype=np.float64)


def cumulative_logits(probs: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Level probabilities ``[..., LEVELS]`` → cumulative logits ``log P(>k) - log P(<=k)``,
    the graph's output form (the NumPy twin of the nodes ``attach`` writes)."""
    p = np.asarray(probs, dtype=np.float64)
    above = np.stack([p[..., k + 1 :].sum(-1) for k in range(LEVELS - 1)], axis=-1)
    below = np.stack([p[..., : k + 1].sum(-1) for k in range(LEVELS - 1)], axis=-1)
    return np.asarray(np.log(np.maximum(above, _EPS)) - np.log(np.maximum(below, _EPS)))


def fit_head(
    embeddings: npt.NDArray[np.floating],
    labels: npt.NDArray[np.int64],
    sample_weight: npt.NDArray[np.float64],
    c: float,
    seed: int,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Per-dimension multinomial logistic regressions on standardised embeddings, returned
    with the standardisation folded in: ``(weight [hidden, dims*LEVELS], bias)``."""
    from training.lexical import _multinomial

    x = np.asarray(embeddings, dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    weight = np.zeros((x.shape[1], len(DIMENSIONS) * LEVELS), dtype=np.float64)
    bias = np.zeros(len(DIMENSIONS) * LEVELS, dtype=np.float64)
    for d in range(len(DIMENSIONS)):
        valid = labels[:, d] >= 0
        columns = slice(d * LEVELS, (d + 1) * LEVELS)
        if len(np.unique(labels[valid, d])) < 2:
            continue  # nothing to learn; the mix for it stays 0
        w, b = _multinomial(z[valid], labels[valid, d], c, seed, sample_weight[valid])
        weight[:, columns] = (w / scale[None]).T
        bias[columns] = b - w @ (mean / scale)
    return weight.astype(np.float32), bias.astype(np.float32)


def weighted_dev_qwk(
    probs: npt.NDArray[np.floating], labels: npt.NDArray[np.int64], real: npt.NDArray[np.bool_]
) -> dict[str, dict[str, float]]:
    """Per dimension: real dev QWK, written dev QWK and their mean weighted as in the
    selection composite (``COMPOSITE_WEIGHTS``)."""
    from evaluation.metrics import quadratic_weighted_kappa
    from training.selection import COMPOSITE_WEIGHTS

    w_real, w_written = COMPOSITE_WEIGHTS["real_dev_qwk"], COMPOSITE_WEIGHTS["written_dev_qwk"]
    levels = shown_level(probs)
    out: dict[str, dict[str, float]] = {}
    for d, dimension in enumerate(DIMENSIONS):
        figures: dict[str, float] = {}
        for name, part in (("real", real), ("written", ~real)):
            keep = part & (labels[:, d] >= 0)
            if keep.sum() >= 2:
                figures[name] = quadratic_weighted_kappa(labels[keep, d], levels[keep, d])
        weights = {"real": w_real, "written": w_written}
        present = {k: weights[k] for k in figures}
        total = sum(present.values())
        figures["weighted"] = (
            sum(present[k] * figures[k] for k in present) / total if total else float("nan")
        )
        out[dimension] = {k: round(v, 4) for k, v in figures.items()}
    return out


def head_dev_figures(
    train_x: npt.NDArray[np.floating],
    train_y: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    dev_x: npt.NDArray[np.floating],
    dev_y: npt.NDArray[np.int64],
    dev_real: npt.NDArray[np.bool_],
    c: float,
    seed: int,
) -> dict[str, dict[str, float]]:
    """Dev QWK per dimension (real, written, weighted) of the head alone (no mix), fitted
    on the passages with weight above 0: how much the inputs hold, for probes and curves."""
    keep = weights > 0
    weight, bias = fit_head(train_x[keep], train_y[keep], weights[keep], c, seed)
    ones = np.ones(len(DIMENSIONS), np.float32)
    probs = EmbeddingHead(weight, bias, ones, ones).probs(dev_x)
    return weighted_dev_qwk(probs, dev_y, dev_real)


def choose_mix(
    base: npt.NDArray[np.float64],
    head: npt.NDArray[np.float64],
    labels: npt.NDArray[np.int64],
    real: npt.NDArray[np.bool_],
    grid: tuple[float, ...],
    written_drop: float,
) -> tuple[npt.NDArray[np.float32], dict[str, dict[str, dict[str, float]]]]:
    """Per dimension, the mix on ``grid`` with the best weighted dev QWK (the smaller on a
    tie, so a head that does not help is left out) among those that keep written dev QWK
    within ``written_drop`` of the graph without the head; also every grid point's figures.
    """
    table: dict[str, dict[str, dict[str, float]]] = {d: {} for d in DIMENSIONS}
    chosen = np.zeros(len(DIMENSIONS), dtype=np.float32)
    best = np.full(len(DIMENSIONS), -np.inf)
    floor = {
        dimension: figures.get("written", float("nan")) - written_drop
        for dimension, figures in weighted_dev_qwk(base, labels, real).items()
    }
    for share in sorted({0.0, *grid}):
        mix = np.full(len(DIMENSIONS), share)
        figures = weighted_dev_qwk(mixed_probs(base, head, mix), labels, real)
        for d, dimension in enumerate(DIMENSIONS):
            table[dimension][f"{share:g}"] = figures[dimension]
            score = figures[dimension]["weighted"]
            # NaN compares False: a dimension without written labels has no floor.
            if figures[dimension].get("written", np.inf) < floor[dimension]:
                continue
            if score == score and score > best[d] + 1e-9:
                best[d], chosen[d] = score, share
    return chosen, table


@dataclass(frozen=True)
class HeadData:
    """What the head is fitted and judged on: its inputs for the train and dev passages, the
    labels, the train passages' weights, the graph's dev probabilities, which dev passages
    are real, and the graph's temperatures (the head's ``base_temperatures``)."""

    train_inputs: npt.NDArray[np.floating]
    dev_inputs: npt.NDArray[np.floating]
    train_labels: npt.NDArray[np.int64]
    train_weight: npt.NDArray[np.float64]
    dev_probs: npt.NDArray[np.float64]
    dev_labels: npt.NDArray[np.int64]
    real: npt.NDArray[np.bool_]
    temperatures: npt.NDArray[np.float32]


def best_over_c(data: HeadData, config: Any) -> tuple[float, str, EmbeddingHead, dict[str, Any]]:
    """Fit the head on ``data.train_inputs`` for each C of ``config.embedding_head_c``,
    choose each one's mix on dev; return the best mean weighted dev QWK, its C, its head,
    and every candidate's figures."""
    candidates: dict[str, Any] = {}
    best: tuple[float, str, EmbeddingHead] | None = None
    for c in config.embedding_head_c:
        weight, bias = fit_head(
            data.train_inputs, data.train_labels, data.train_weight, c, config.seed
        )
        head_probs = EmbeddingHead(
            weight, bias, np.zeros(len(DIMENSIONS), np.float32), data.temperatures
        ).probs(data.dev_inputs)
        mix, table = choose_mix(
            data.dev_probs,
            head_probs,
            data.dev_labels,
            data.real,
            config.embedding_head_mix,
            config.embedding_head_written_drop,
        )
        mixed = mixed_probs(data.dev_probs, head_probs, mix)
        figures = weighted_dev_qwk(mixed, data.dev_labels, data.real)
        mean = float(np.mean([figures[d]["weighted"] for d in DIMENSIONS]))
        name = f"C={c:g}"
        candidates[name] = {
            "mix": dict(zip(DIMENSIONS, mix.round(2).tolist(), strict=True)),
            "weighted_dev_qwk": round(mean, 4),
            "by_dimension": figures,
            "by_mix": table,
        }
        if best is None or mean > best[0] + 1e-9:
            best = (mean, name, EmbeddingHead(weight, bias, mix, data.temperatures))
    assert best is not None
    return best[0], best[1], best[2], candidates


def has_head(model_path: Path) -> bool:
    """Whether the graph at ``model_path`` already carries an embedding head."""
    import onnx

    graph = onnx.load(str(model_path), load_external_data=False).graph
    return any(BASE_LOGITS in node.output for node in graph.node)


def attach(src: Path, dst: Path, head: EmbeddingHead, output: str = "logits") -> None:
    """Write ``src``'s graph to ``dst`` with the head mixed into ``output``.

    The old output is renamed ``BASE_LOGITS``; the new nodes compute, in float32,
    ``cumulative_logits(mixed_probs(levels(BASE_LOGITS / base_temperatures),
    head.probs(pooled), head.mix))``: the same formula as the NumPy twins above.
    """
    import onnx
    from onnx import helper, numpy_helper

    from training.export import pooled_tensor

    model = onnx.load(str(src))
    graph = model.graph
    if any(BASE_LOGITS in node.output for node in graph.node):
        raise ValueError(f"{src} already has an embedding head; start from the exported graph")
    producers = [node for node in graph.node if output in node.output]
    if len(producers) != 1:
        raise ValueError(f"{src} has no single node producing {output!r}")
    for i, name in enumerate(producers[0].output):
        if name == output:
            producers[0].output[i] = BASE_LOGITS
    # The tensor the ordinal heads read (not the ``pooled`` output's Identity), so the head
    # does not depend on whether the graph exposes the embedding.
    pooled = pooled_tensor(graph)
    dims = len(DIMENSIONS)
    # P(level = j) from P(level > k): [1 - g0, g0 - g1, g1 - g2, g2] = g @ DIFF + FIRST.
    diff = np.zeros((LEVELS - 1, LEVELS), dtype=np.float32)
    for k in range(LEVELS - 1):
        diff[k, k], diff[k, k + 1] = -1.0, 1.0
    first = np.zeros(LEVELS, dtype=np.float32)
    first[0] = 1.0
    above = np.array([[1.0 if j > k else 0.0 for k in range(LEVELS - 1)] for j in range(LEVELS)])
    share = np.asarray(head.mix, dtype=np.float32).reshape(dims, 1)
    constants: dict[str, npt.NDArray[Any]] = {
        "temperatures": np.asarray(head.base_temperatures, dtype=np.float32).reshape(dims, 1),
        "weight": np.asarray(head.weight, dtype=np.float32),
        "bias": np.asarray(head.bias, dtype=np.float32),
        "shape": np.array([-1, dims, LEVELS], dtype=np.int64),
        "diff": diff,
        "first": first,
        "above": above.astype(np.float32),
        "below": (1.0 - above).astype(np.float32),
        "share": share,
        "keep": (1.0 - share).astype(np.float32),
        "zero": np.array(0.0, dtype=np.float32),
        "eps": np.array(_EPS, dtype=np.float32),
    }
    for name, value in constants.items():
        graph.initializer.append(numpy_helper.from_array(value, f"{_PREFIX}/{name}"))

    def n(name: str) -> str:
        return f"{_PREFIX}/{name}"

    nodes = [
        ("Div", [BASE_LOGITS, n("temperatures")], n("scaled")),
        ("Sigmoid", [n("scaled")], n("greater")),
        ("MatMul", [n("greater"), n("diff")], n("base_levels_raw")),
        ("Add", [n("base_levels_raw"), n("first")], n("base_levels_signed")),
        ("Max", [n("base_levels_signed"), n("zero")], n("base_levels")),
        ("MatMul", [pooled, n("weight")], n("head_flat_raw")),
        ("Add", [n("head_flat_raw"), n("bias")], n("head_flat")),
        ("Reshape", [n("head_flat"), n("shape")], n("head_logits")),
        ("Softmax", [n("head_logits")], n("head_levels")),
        ("Mul", [n("base_levels"), n("keep")], n("base_part")),
        ("Mul", [n("head_levels"), n("share")], n("head_part")),
        ("Add", [n("base_part"), n("head_part")], n("levels")),
        ("MatMul", [n("levels"), n("above")], n("above_mass_raw")),
        ("MatMul", [n("levels"), n("below")], n("below_mass_raw")),
        ("Max", [n("above_mass_raw"), n("eps")], n("above_mass")),
        ("Max", [n("below_mass_raw"), n("eps")], n("below_mass")),
        ("Log", [n("above_mass")], n("log_above")),
        ("Log", [n("below_mass")], n("log_below")),
        ("Sub", [n("log_above"), n("log_below")], output),
    ]
    for index, (op, inputs, out) in enumerate(nodes):
        node = helper.make_node(op, inputs, [out], name=f"{_PREFIX}/{index}_{op}")
        if op == "Softmax":
            node.attribute.append(helper.make_attribute("axis", -1))
        graph.node.append(node)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))


def _runtime_outputs(model: Any, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    ran = model.outputs(texts, embeddings=True)
    assert ran.embeddings is not None
    return ran.probs, ran.embeddings


def build(
    model_dir: Path,
    parts: dict[str, list[Any]],
    *,
    version: str,
    record: bool = True,
) -> dict[str, Any]:
    """Fit, choose and attach the head to ``model_dir`` in place (see the module docstring);
    returns the decision entry. ``parts`` holds at least the train and dev records."""
    import shutil
    import tempfile

    from evaluation.evaluate import load_runtime
    from training.calibrate import (
        fit_section_spread,
        fit_temperatures,
        labelled_sections,
        source_balance,
    )
    from training.config import TrainingConfig
    from training.exemplars import ensure_pooled_output, remove_bank
    from training.package import finalise, read_manifest
    from training.selection import SelectionData, runtime_scorer, selection_figures
    from training.train import label_matrix

    config = TrainingConfig()
    graph = model_dir / "model.onnx"
    if has_head(graph):
        raise ValueError(f"{graph} already has an embedding head; export the run again first")
    ensure_pooled_output(model_dir)
    train, dev = parts["train"], parts["dev"]
    if not train or not dev:
        raise ValueError("the head is fitted on train and its mix chosen on dev: both needed")
    base_model = load_runtime(model_dir)
    selection = SelectionData.load(dev)
    before = selection_figures(runtime_scorer(base_model), selection)
    _, train_embeddings = _runtime_outputs(base_model, [r.text for r in train])
    dev_probs, dev_embeddings = _runtime_outputs(base_model, [r.text for r in dev])
    train_labels, dev_labels = label_matrix(train), label_matrix(dev)
    data = HeadData(
        train_inputs=train_embeddings,
        dev_inputs=dev_embeddings,
        train_labels=train_labels,
        train_weight=source_balance(train),
        dev_probs=dev_probs,
        dev_labels=dev_labels,
        real=np.array([r.source == "pfd" for r in dev]),
        temperatures=np.asarray(base_model.manifest.temperatures, dtype=np.float32),
    )
    del base_model
    mean, chosen_c, head, candidates = best_over_c(data, config)
    inputs_entry = _inputs_decision(
        mean, candidates[chosen_c]["by_dimension"], data, train, dev, config
    )

    mixed = mixed_probs(dev_probs, head.probs(dev_embeddings), head.mix)
    manifest = read_manifest(model_dir)
    # Calibrated as the run was (``TrainingConfig.calibration_balance`` of its manifest).
    balanced = bool((manifest.get("hyperparameters") or {}).get("calibration_balance"))
    new_temperatures = fit_temperatures(
        cumulative_logits(mixed), dev_labels, source_balance(dev) if balanced else None
    )
    calibrated = _recalibrated(mixed, new_temperatures)
    spreads = fit_section_spread(calibrated, labelled_sections(dev, dev_labels))
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "model.onnx"
        attach(graph, staged, head)
        shutil.copyfile(staged, graph)
    remove_bank(model_dir)
    manifest.pop("exemplars", None)
    manifest["version"] = version
    manifest["temperatures"] = new_temperatures
    manifest["section_spread"] = spreads
    manifest["embedding_head"] = {
        "input": "pooled",
        "fitted_on": f"train split, {len(train)} passages, real and written weighing the same",
        "c": chosen_c,
        "mix": dict(zip(DIMENSIONS, head.mix.round(2).tolist(), strict=True)),
        "temperatures_before": dict(
            zip(DIMENSIONS, data.temperatures.round(4).tolist(), strict=True)
        ),
        "stage": "python -m training.embedding_head (after export, before exemplars)",
    }
    finalise(model_dir, manifest)
    after = selection_figures(runtime_scorer(load_runtime(model_dir)), selection)
    gain = after["composite"] - before["composite"]
    entry = {
        "decision": DECISION,
        "chosen": f"with the head ({chosen_c}, mix {manifest['embedding_head']['mix']})",
        "why": f"dev composite {before['composite']:.4f} without, {after['composite']:.4f} "
        f"with ({gain:+.4f}); head fitted on train, the mix per dimension and C chosen on "
        "real and written dev QWK weighted as in the composite",
        "figures": {"without the head": before, "with the head": after},
        "candidates": candidates,
    }
    if record:
        from training.decisions import _record

        _record(inputs_entry)
        _record(entry)
    log.info("embedding head attached to %s: %s", model_dir, entry["why"])
    return entry


INPUTS_DECISION = "embedding head inputs: the pooled embedding alone, or with text features"


def _inputs_decision(
    embedding_only: float,
    embedding_figures: dict[str, dict[str, float]],
    data: HeadData,
    train: list[Any],
    dev: list[Any],
    config: Any,
) -> dict[str, Any]:
    """Whether the interpretable features of ``evaluation.lexicon`` (acronym and undefined
    acronym density, sentence length, date density, causal connectives, child references,
    the child's voice, addressees, timescales, ...: case-sensitive, which the uncased
    encoder is not) earn a place beside the embedding. They would need a second input path
    into the graph, so they must beat the embedding alone by more than ``NOISE``."""
    from evaluation.lexicon import feature_matrix
    from training.decisions import NOISE

    with_text = replace(
        data,
        train_inputs=np.hstack([data.train_inputs, feature_matrix([r.text for r in train])]),
        dev_inputs=np.hstack([data.dev_inputs, feature_matrix([r.text for r in dev])]),
    )
    with_features, c, _, candidates = best_over_c(with_text, config)
    gain = with_features - embedding_only
    return {
        "decision": INPUTS_DECISION,
        "chosen": "the pooled embedding alone" if gain <= NOISE else "with text features",
        "why": f"mean weighted dev QWK (0.4 real : 0.3 written, each dimension's mix chosen on "
        f"dev) {embedding_only:.4f} for the embedding alone, {with_features:.4f} with the "
        f"lexicon's features ({c}); a gain of {gain:+.4f} against a noise level of {NOISE}, "
        "for a second input path into the graph",
        "figures": {
            "the pooled embedding alone": {
                "weighted_dev_qwk": round(embedding_only, 4),
                **{f"real_{d}": embedding_figures[d].get("real", float("nan")) for d in DIMENSIONS},
            },
            "with text features": {
                "weighted_dev_qwk": round(with_features, 4),
                **{
                    f"real_{d}": candidates[c]["by_dimension"][d].get("real", float("nan"))
                    for d in DIMENSIONS
                },
            },
        },
    }


def _recalibrated(
    probs: npt.NDArray[np.float64], temperatures: dict[str, float]
) -> npt.NDArray[np.float64]:
    """What the runtime gives for the new graph: its cumulative logits under the temperatures."""
    from service.model.dimensions import cumulative_logits_to_probs

    t = np.array([temperatures[d] for d in DIMENSIONS])
    return cumulative_logits_to_probs(cumulative_logits(probs), t)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m training.embedding_head", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model", required=True, help="model folder (rewritten in place)")
    parser.add_argument("--version", required=True, help="the new model version")
    args = parser.parse_args(argv)
    from training.pipeline import load_parts

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    _, parts = load_parts()
    entry = build(Path(args.model), parts, version=args.version)
    print(f"{entry['decision']}: {entry['chosen']} ({entry['why']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
