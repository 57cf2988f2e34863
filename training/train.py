"""Fine-tuning: shared encoder, CORAL ordinal loss per dimension (missing labels masked),
optional "explains why" auxiliary loss on the Causal News Corpus, best epoch kept by dev QWK.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.model.dimensions import DIMENSIONS, LEVELS, cumulative_logits_to_probs
from training.config import TrainingConfig
from training.corpus import Record
from training.data import encode, length_batches, load_tokenizer
from training.selection import SelectionData, selection_figures

log = logging.getLogger("scrutiny.train")


def _torch() -> Any:
    try:
        import torch
    except ImportError as error:  # pragma: no cover
        raise RuntimeError("training needs torch: pip install -e '.[train]'") from error
    return torch


def seed_everything(seed: int, threads: int) -> None:
    """Fixed seeds for Python, NumPy and torch; torch limited to ``threads`` threads."""
    torch = _torch()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)


def label_matrix(records: list[Record]) -> npt.NDArray[np.int64]:
    """``[n, 4]`` labels in ``DIMENSIONS`` order, -1 where a dimension does not apply."""
    return np.array([r.label_vector() for r in records], dtype=np.int64).reshape(
        -1, len(DIMENSIONS)
    )


def ordinal_loss(logits: Any, labels: Any, weights: Any, dimension_weights: Any = None) -> Any:
    """CORAL loss: binary cross-entropy of each ``P(level > k)``; label -1 masks a dimension.

    ``weights`` weighs passages, ``dimension_weights`` (optional, one per dimension) weighs
    dimensions.
    """
    torch = _torch()
    ks = torch.arange(LEVELS - 1, device=logits.device)
    targets = (labels.unsqueeze(-1) > ks).to(logits.dtype)
    mask = (labels >= 0).unsqueeze(-1).expand_as(logits).to(logits.dtype) * weights[:, None, None]
    if dimension_weights is not None:
        mask = mask * dimension_weights[None, :, None]
    losses = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    return (losses * mask).sum() / mask.sum().clamp(min=1.0)


def predict_batched(
    function: Any, ids: list[list[int]], batch_size: int = 32
) -> list[npt.NDArray[np.float64]]:
    """Run ``function(input_ids, attention_mask)`` (torch tensors in, a tuple of tensors out)
    over length-sorted batches; returns one array per output, rows in input order."""
    torch = _torch()
    outputs: list[npt.NDArray[np.float64]] = []
    with torch.inference_mode():
        for batch in length_batches(ids, batch_size):
            result = function(
                torch.from_numpy(batch.input_ids), torch.from_numpy(batch.attention_mask)
            )
            if not outputs:
                outputs = [np.zeros((len(ids), *r.shape[1:])) for r in result]
            for out, r in zip(outputs, result, strict=True):
                out[batch.index] = r.numpy()
    return outputs


def predict_logits(
    model: Any, ids: list[list[int]], batch_size: int = 32
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The model's cumulative logits ``[n, 4, 3]`` (blended when fitted) and "explains why"
    logits ``[n]``, in input order."""
    model.eval()
    if not ids:
        return np.zeros((0, len(DIMENSIONS), LEVELS - 1)), np.zeros(0)
    ordinal, aux = predict_batched(model.cumulative, ids, batch_size)
    return ordinal, aux


def add_quantisation_noise(model: Any) -> list[Any]:
    """In training mode, add to the input of every encoder linear layer uniform noise of one
    int8 step of that input's range, the rounding error dynamic quantisation will add.

    Why: the shipped graph quantises these inputs to uint8 per tensor at run time; a model
    that learned to ignore that much noise gives the same levels in int8 as in float32.
    Returns the hook handles (``remove()`` them after training).
    """
    torch = _torch()

    def hook(module: Any, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        if not module.training:
            return None
        (x, *rest) = args
        with torch.no_grad():
            step = (x.amax() - x.amin()) / 255.0
        return (x + (torch.rand_like(x) - 0.5) * step, *rest)

    return [
        module.register_forward_pre_hook(hook)
        for module in model.bert.encoder.modules()
        if isinstance(module, torch.nn.Linear)
    ]


def _ose_batches(
    config: TrainingConfig, simpler: list[list[int]], harder: list[list[int]], epoch: int
) -> list[tuple[str, Any]]:
    """This epoch's OneStopEnglish ranking batches: a fresh sample of pairs each epoch."""
    if not simpler:
        return []
    rng = random.Random(config.seed + 200 + epoch)
    chosen = rng.sample(range(len(simpler)), min(len(simpler), config.ose_pairs_per_epoch))
    return [
        ("ose", ([simpler[i] for i in part], [harder[i] for i in part]))
        for part in (
            chosen[i : i + config.batch_size] for i in range(0, len(chosen), config.batch_size)
        )
    ]


def _ranking_loss(model: Any, batch: Any, margin: float) -> Any:
    """Pairwise logistic loss: the simpler version's clarity score above the harder one's."""
    torch = _torch()
    from training.data import pad

    simpler, harder = batch
    scores = []
    for side in (simpler, harder):
        ids, mask = pad(side)
        score, _ = model.scores(torch.from_numpy(ids), torch.from_numpy(mask))
        scores.append(score[:, DIMENSIONS.index("clarity")])
    return torch.nn.functional.softplus(margin - (scores[0] - scores[1])).mean()


def torch_scorer(
    model: Any, tokenizer: Any, temperatures: npt.NDArray[np.float64] | None = None
) -> Any:
    """A ``selection.Scorer`` over the PyTorch model: texts to (level probabilities under
    ``temperatures``, explains-why logits, NaN when that head is untrained)."""
    from training.model import explains_why_trained

    def score(texts: list[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        logits, why = predict_logits(model, encode(tokenizer, texts))
        if not explains_why_trained(model):
            why = np.full(len(texts), np.nan)
        return cumulative_logits_to_probs(logits, temperatures), why

    return score


@dataclass
class TrainResult:
    """What a run produced: the model, its dev scores per epoch, and timings."""

    model: Any
    history: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0
    aux_examples: int = 0


def _aux_sentences(config: TrainingConfig) -> tuple[list[str], list[int]]:
    from training.aux_data import cnc_parts, load_cnc

    train = cnc_parts(load_cnc())["train"]
    return [s.text for s in train], [s.label for s in train]


def _ose_pairs(config: TrainingConfig) -> tuple[list[str], list[str]]:
    from training.aux_data import load_onestopenglish, ose_pairs, ose_parts

    paragraphs = load_onestopenglish()
    pairs = ose_pairs(paragraphs, ose_parts(paragraphs)["train"])
    return [p.simpler for p in pairs], [p.harder for p in pairs]


def adult_records(config: TrainingConfig, records: list[Record]) -> list[Record]:
    """Weakly labelled real passages (``training.aux_data.adult_passages``) from reports that
    are in no split or in train, never from a dev or test report."""
    from training.aux_data import adult_passages
    from training.splits import split_of_report

    if not config.aux_adult:
        return []
    labelled = {r.id for r in records}

    def keep(report_id: str) -> bool:
        return split_of_report(report_id) == "train"

    out = []
    for weak in adult_passages(labelled, keep, config.aux_adult_limit, config.seed):
        labels: dict[str, int | None] = {d: None for d in DIMENSIONS}
        labels["child_focus"] = weak.child_focus
        out.append(
            Record(weak.id, weak.report_id, "weak", weak.section_kind, weak.text, labels, "")
        )
    return out


def train(
    config: TrainingConfig, train_records: list[Record], dev_records: list[Record]
) -> TrainResult:
    """Fine-tune a fresh model on ``train_records``; keep the epoch with the best dev QWK."""
    torch = _torch()
    from transformers import get_linear_schedule_with_warmup

    from training.model import new_model

    seed_everything(config.seed, config.threads)
    started = time.perf_counter()
    records = [r for r in train_records if r.source in config.train_sources]
    if config.limit_examples:
        records = random.Random(config.seed).sample(
            records, min(config.limit_examples, len(records))
        )
    records += adult_records(config, records)[: config.limit_examples or None]
    tokenizer = load_tokenizer(config.max_length)
    ids = encode(tokenizer, [r.text for r in records])
    labels = torch.from_numpy(label_matrix(records))
    weights = torch.tensor(
        [config.pfd_weight if r.source != "written" else 1.0 for r in records],
        dtype=torch.float32,
    )

    aux_ids: list[list[int]] = []
    aux_labels = torch.zeros(0)
    if config.aux_causal:
        texts, ys = _aux_sentences(config)
        if config.limit_examples:
            texts, ys = texts[: config.limit_examples], ys[: config.limit_examples]
        aux_ids = encode(tokenizer, texts)
        aux_labels = torch.tensor(ys, dtype=torch.float32)
    simpler_ids: list[list[int]] = []
    harder_ids: list[list[int]] = []
    if config.aux_ose:
        simpler, harder = _ose_pairs(config)
        if config.limit_examples:
            simpler, harder = simpler[: config.limit_examples], harder[: config.limit_examples]
        simpler_ids, harder_ids = encode(tokenizer, simpler), encode(tokenizer, harder)
    selection = SelectionData.load(
        dev_records, with_aux=config.aux_causal or config.aux_ose, limit=config.limit_examples
    )

    if config.init_from:
        from training.model import load_model

        # Continue from an earlier run's encoder and heads; its blend is refitted afterwards,
        # so until then the output is the encoder's own.
        model = load_model(config.init_from)
        model.config.blend_fitted = False
        explained_before = bool(getattr(model.config, "explains_why_trained", False))
    else:
        model = new_model(
            head_dropout=config.dropout,
            wide_bag=config.wide_lr > 0,
            ngram_buckets=config.ngram_buckets,
            encoder_from=config.encoder_from,
        )
        explained_before = False
    model.config.explains_why_trained = bool(aux_ids) or explained_before
    noise_hooks = add_quantisation_noise(model) if config.quantisation_noise else []
    head_names = ("ordinal_weight", "ordinal_bias", "explains_why")
    decay, no_decay, heads, wide = [], [], [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:  # the lexical half is fitted after fine-tuning
            continue
        if name.startswith("wide."):
            wide.append(parameter)
        elif name.startswith(head_names):
            heads.append(parameter)
        elif parameter.ndim < 2 or "LayerNorm" in name:
            no_decay.append(parameter)
        else:
            decay.append(parameter)
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "lr": config.encoder_lr, "weight_decay": config.weight_decay},
            {"params": no_decay, "lr": config.encoder_lr, "weight_decay": 0.0},
            {"params": heads, "lr": config.head_lr, "weight_decay": 0.0},
        ]
        + ([{"params": wide, "lr": config.wide_lr, "weight_decay": 0.0}] if wide else [])
    )
    dimension_weights = torch.tensor(config.dimension_weights, dtype=torch.float32)
    steps_per_epoch = math.ceil(len(ids) / config.batch_size)
    aux_per_epoch = math.ceil(len(aux_ids) / (config.batch_size * 2)) if aux_ids else 0
    ose_per_epoch = (
        math.ceil(min(len(simpler_ids), config.ose_pairs_per_epoch) / config.batch_size)
        if simpler_ids
        else 0
    )
    total = (steps_per_epoch + aux_per_epoch + ose_per_epoch) * config.epochs
    if config.max_steps:
        total = min(total, config.max_steps)
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(total * config.warmup_ratio), max(total, 1)
    )

    result = TrainResult(model=model, aux_examples=len(aux_ids))
    best_state: dict[str, Any] | None = None
    best_score = -math.inf
    step = 0
    for epoch in range(config.epochs):
        model.train()
        main = [
            ("main", b) for b in length_batches(ids, config.batch_size, seed=config.seed + epoch)
        ]
        extra = (
            [
                ("aux", b)
                for b in length_batches(
                    aux_ids, config.batch_size * 2, seed=config.seed + 100 + epoch
                )
            ]
            if aux_ids
            else []
        )
        plan = main + extra + _ose_batches(config, simpler_ids, harder_ids, epoch)
        random.Random(config.seed + epoch).shuffle(plan)
        losses: list[float] = []
        for kind, batch in plan:
            if config.max_steps and step >= config.max_steps:
                break
            if kind == "ose":
                loss = config.ose_weight * _ranking_loss(model, batch, config.ose_margin)
            else:
                index = torch.from_numpy(batch.index)
                ordinal, aux = model.heads(
                    torch.from_numpy(batch.input_ids), torch.from_numpy(batch.attention_mask)
                )
                if kind == "main":
                    loss = ordinal_loss(ordinal, labels[index], weights[index], dimension_weights)
                else:
                    loss = config.aux_weight * torch.nn.functional.binary_cross_entropy_with_logits(
                        aux, aux_labels[index]
                    )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            if kind == "main":
                losses.append(float(loss.detach()))
        figures = (
            selection_figures(torch_scorer(model, tokenizer), selection) if dev_records else {}
        )
        entry = {
            "epoch": epoch + 1,
            "steps": step,
            "train_loss": round(float(np.mean(losses)) if losses else float("nan"), 4),
            "selection": figures,
            "elapsed_s": round(time.perf_counter() - started, 1),
        }
        result.history.append(entry)
        log.info("epoch %s", json.dumps(entry))
        value = float(figures.get("composite", float("nan")))
        score = value if not math.isnan(value) else -math.inf + 1
        if best_state is None or score > best_score:
            best_score, result.best_epoch = score, epoch + 1
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if config.max_steps and step >= config.max_steps:
            break
        if config.stop_after_epoch and epoch + 1 >= config.stop_after_epoch:
            break
    for hook in noise_hooks:
        hook.remove()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    result.seconds = round(time.perf_counter() - started, 1)
    return result


def save_checkpoint(
    result: TrainResult, config: TrainingConfig, out_dir: Path, extra: dict[str, Any]
) -> None:
    """Write the trained model (``save_pretrained``) and the run record to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result.model.save_pretrained(str(out_dir / "torch"))
    record = {
        "config": config.to_dict(),
        "history": result.history,
        "best_epoch": result.best_epoch,
        "train_seconds": result.seconds,
        "aux_examples": result.aux_examples,
        **extra,
    }
    (out_dir / "run.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
