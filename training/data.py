"""Tokenisation and batching shared by training, calibration, export checks and evaluation.

The tokenizer is the base model's ``tokenizer.json`` with truncation to ``max_length`` and
no padding, exactly as the service sets it; batches pad only to their own longest member
and hold passages of similar length (sort-by-length), which keeps CPU training fast.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.passages.build import model_text
from training.config import base_model_dir


def load_tokenizer(max_length: int, path: Path | None = None) -> Any:
    """The fast tokenizer with explicit truncation and padding switched off."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path or base_model_dir() / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.no_padding()
    return tokenizer


def encode(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    """Token ids for each text, after the shared ``model_text`` normalisation."""
    return [e.ids for e in tokenizer.encode_batch([model_text(t) for t in texts])]


@dataclass(frozen=True, slots=True)
class Batch:
    """Padded arrays for one step; ``index`` maps rows back to the input order."""

    index: npt.NDArray[np.int64]
    input_ids: npt.NDArray[np.int64]
    attention_mask: npt.NDArray[np.int64]


def pad(
    ids: Sequence[Sequence[int]], pad_id: int = 0
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Right-pad to the longest sequence; returns ``input_ids`` and ``attention_mask``."""
    width = max(len(s) for s in ids)
    input_ids = np.full((len(ids), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(ids), width), dtype=np.int64)
    for row, seq in enumerate(ids):
        input_ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return input_ids, mask


def length_batches(
    ids: Sequence[Sequence[int]], batch_size: int, seed: int | None = None
) -> Iterator[Batch]:
    """Batches of similar-length sequences; shuffled order of batches when ``seed`` is given.

    With a seed, lengths are jittered a little before sorting so the batches differ from
    epoch to epoch while still padding little.
    """
    order = np.arange(len(ids))
    lengths = np.array([len(s) for s in ids], dtype=np.float64)
    if seed is not None:
        rng = np.random.default_rng(seed)
        lengths = lengths + rng.uniform(0, 8, size=len(ids))
    order = order[np.argsort(lengths, kind="stable")]
    chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if seed is not None:
        random.Random(seed).shuffle(chunks)
    for chunk in chunks:
        input_ids, mask = pad([ids[i] for i in chunk])
        yield Batch(chunk.astype(np.int64), input_ids, mask)
