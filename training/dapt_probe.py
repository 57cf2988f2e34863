"""Domain-adaptive pretraining (DAPT), measured before a full run: a linear-probe check.

    python -m training.dapt_probe [--epochs 2] [--record] [--save DIR] [--no-probe]

A full fine-tuning run takes 45-70 minutes on two cores, so before spending one on a
domain-adapted encoder this asks the cheaper question first: does masked-language-model
training on the unlabelled real text make the *base* encoder's passage embeddings more
useful for the rubric on real text? It

1. continues the base encoder's pretraining (masked language modelling, 15% of tokens) on
   the coroners' report fields of **train-split reports only** (labelled or not; dev and
   test reports' text is never read, so the check cannot leak them);
2. embeds the train and dev passages with the base encoder and with the adapted one (mean
   pooling, the service's ``model_text`` and truncation);
3. fits the same probe on each (``training.embedding_head.fit_head``: per dimension a
   multinomial logistic regression, real and written train passages weighing the same)
   and compares dev QWK, real and written, per dimension.

Only if the adapted encoder's probe is clearly better on real dev is a full run from it
worth its cost. The base package has no masked-language head, so one starts from random
weights and the first epoch mostly trains it; and the probe's written figures say how much
of a gain comes from masked-language training in general rather than from the domain. ``--record`` writes the figures as a decision in ``training/decisions.json``.
Nothing here is shipped; the encoder is not saved.
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

import numpy as np

from service.model.dimensions import DIMENSIONS

log = logging.getLogger("scrutiny.dapt_probe")
DECISION = "domain-adaptive pretraining on unlabelled real text: linear-probe check"
PROBE_C = 0.1
CHUNK_TOKENS = 128


def train_split_texts() -> list[str]:
    """Every non-empty report field of the PFD reports whose split is train, leaving out any
    field whose text is also a field of a dev or test report (some inquests appear under
    two ids, one of them held out)."""
    from training.labelling.pfd_source import FIELDS, FILES, load_reports, report_id
    from training.splits import split_of_report

    train: list[str] = []
    held_out: set[str] = set()
    for file in FILES:
        for record_id, row in load_reports(file).items():
            fields = [t for f in FIELDS if (t := (row.get(f) or "").strip())]
            if split_of_report(report_id(record_id)) == "train":
                train.extend(fields)
            else:
                held_out.update(fields)
    # The same id in both files is the same inquest: read its text once.
    return list(dict.fromkeys(t for t in train if t not in held_out))


def chunks(tokenizer: Any, texts: list[str], size: int = CHUNK_TOKENS) -> list[list[int]]:
    """The texts' token ids run together and cut into pieces of ``size`` (with [CLS]/[SEP])."""
    from service.passages.build import model_text

    stream: list[int] = []
    for text in texts:
        stream.extend(tokenizer(model_text(text), add_special_tokens=False)["input_ids"])
    body = size - 2
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    return [[cls, *stream[i : i + body], sep] for i in range(0, len(stream) - body + 1, body)]


def adapt(texts: list[str], epochs: int, seed: int, threads: int) -> tuple[Any, Any, float]:
    """The base encoder after masked-language-model training on ``texts``; seconds taken."""
    import torch
    from transformers import (
        AutoModelForMaskedLM,
        AutoTokenizer,
        DataCollatorForLanguageModeling,
    )

    from training.config import base_model_dir

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_dir()))
    model = AutoModelForMaskedLM.from_pretrained(str(base_model_dir()))
    pieces = chunks(tokenizer, texts)
    collate = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
    optimiser = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    model.train()
    for epoch in range(epochs):
        order = rng.permutation(len(pieces))
        total, steps = 0.0, 0
        for begin in range(0, len(order), 16):
            batch = collate([{"input_ids": pieces[i]} for i in order[begin : begin + 16]])
            loss = model(**batch).loss
            loss.backward()
            optimiser.step()
            optimiser.zero_grad()
            total, steps = total + float(loss.detach()), steps + 1
        log.info("epoch %d: mean MLM loss %.3f over %d steps", epoch + 1, total / steps, steps)
    return model.base_model, tokenizer, time.perf_counter() - started


def embed(encoder: Any, tokenizer: Any, texts: list[str], max_length: int = 256) -> np.ndarray:
    """Mean-pooled embeddings of ``texts`` (the service's normalisation and truncation)."""
    import torch

    from service.passages.build import model_text

    encoder.eval()
    order = np.argsort([len(t) for t in texts])
    out = np.zeros((len(texts), encoder.config.hidden_size), dtype=np.float32)
    with torch.no_grad():
        for begin in range(0, len(order), 32):
            index = order[begin : begin + 32]
            batch = tokenizer(
                [model_text(texts[i]) for i in index],
                truncation=True,
                max_length=max_length,
                padding=True,
                return_tensors="pt",
            )
            hidden = encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            out[index] = ((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).numpy()
    return out


def probe(
    train_x: np.ndarray,
    dev_x: np.ndarray,
    parts: dict[str, list[Any]],
    seed: int,
) -> dict[str, float]:
    """Dev QWK per dimension and source of the linear probe fitted on train (the embedding
    head's own fitting and scoring: ``head_dev_figures``)."""
    from training.calibrate import source_balance
    from training.embedding_head import head_dev_figures
    from training.train import label_matrix

    train, dev = parts["train"], parts["dev"]
    real = np.array([r.source == "pfd" for r in dev])
    by_dimension = head_dev_figures(
        train_x, label_matrix(train), source_balance(train), dev_x, label_matrix(dev), real,
        PROBE_C, seed,
    )  # fmt: skip
    figures: dict[str, float] = {}
    for source in ("real", "written"):
        values = [by_dimension[d][source] for d in DIMENSIONS]
        figures.update({f"{source}_{d}": v for d, v in zip(DIMENSIONS, values, strict=True)})
        figures[f"{source}_mean"] = round(float(np.mean(values)), 4)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m training.dapt_probe", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--epochs", type=int, default=2, help="MLM passes over the text")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--record", action="store_true", help="record in decisions.json")
    parser.add_argument(
        "--save",
        metavar="DIR",
        help="also save the adapted encoder there (for TrainingConfig.encoder_from)",
    )
    parser.add_argument(
        "--no-probe", action="store_true", help="only adapt (and --save); skip the probe"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from transformers import AutoModel, AutoTokenizer

    from training.config import base_model_dir
    from training.pipeline import load_parts, quiet_transformers

    quiet_transformers()
    texts = train_split_texts()
    if args.no_probe:
        adapted, tokenizer, seconds = adapt(texts, args.epochs, args.seed, args.threads)
        if args.save:
            adapted.save_pretrained(args.save)
        print(f"adapted on {len(texts)} report fields in {seconds:.0f} s; saved to {args.save}")
        return 0
    _, parts = load_parts()
    passages = {s: [r.text for r in parts[s]] for s in ("train", "dev")}
    base = AutoModel.from_pretrained(str(base_model_dir()))
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_dir()))
    before = probe(
        embed(base, tokenizer, passages["train"]), embed(base, tokenizer, passages["dev"]),
        parts, args.seed,
    )  # fmt: skip
    adapted, tokenizer, seconds = adapt(texts, args.epochs, args.seed, args.threads)
    after = probe(
        embed(adapted, tokenizer, passages["train"]), embed(adapted, tokenizer, passages["dev"]),
        parts, args.seed,
    )  # fmt: skip
    if args.save:
        adapted.save_pretrained(args.save)
    gain = after["real_mean"] - before["real_mean"]
    entry: dict[str, Any] = {
        "decision": DECISION,
        "chosen": "no full run from the adapted encoder"
        if gain < 0.02
        else "worth a full fine-tuning run from the adapted encoder (not run by this check)",
        "why": f"linear probe (C={PROBE_C}) on frozen mean-pooled embeddings, real dev mean "
        f"QWK {before['real_mean']:.4f} for the base encoder and {after['real_mean']:.4f} after "
        f"{args.epochs} MLM epochs ({len(texts)} train-split report fields, {seconds:.0f} s) "
        f"({gain:+.4f}; a full run is worth its 45-70 minutes at +0.02 or more); written dev "
        f"mean {before['written_mean']:.4f} -> {after['written_mean']:.4f}, so part of the gain "
        "may come from masked-language training itself rather than from the domain",
        "figures": {"base encoder": before, "adapted encoder": after},
    }
    if args.record:
        from training.decisions import _record

        _record(entry)
    print(f"{entry['decision']}: {entry['chosen']} ({entry['why']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
