"""The quality model: one shared MiniLM encoder, mean pooling, one ordinal head per dimension.

Each dimension's head is CORAL-style: one weight vector and three ordered biases, so
``logits[:, d, k] = w_d · h + b_{d,k}`` is the logit of ``P(level > k)``. With ``wide_bag``
the head also adds a linear bag-of-wordpieces term (one learned weight per vocabulary entry
and dimension, summed over the passage's tokens / sqrt(length)): the "wide" half of a
wide-and-deep model, which remembers exact lexical cues (timescales, named addressees) that
a small mean-pooled encoder smooths away. An optional auxiliary head scores "explains why"
(trained on the Causal News Corpus).

With ``ngram_buckets`` the model also carries the lexical half (``training.lexical``): an
n-gram classifier and a per-dimension blend of it with the ordinal score. Both are fitted
after fine-tuning (``blend_fitted`` in the config says so) and frozen; until then the model's
output is the encoder's ordinal logits alone.

``ScrutinyModel`` is a ``transformers`` ``PreTrainedModel``: its ``forward`` returns the
cumulative logits flattened to ``[batch, 12]`` (labels ``clarity>0`` … ``recommendations>2``)
so a ``text-classification`` pipeline can run it unchanged.
"""

from __future__ import annotations

from typing import Any

from service.model.dimensions import DIMENSIONS, LEVELS


def _torch() -> Any:
    try:
        import torch
    except ImportError as error:  # pragma: no cover - the train extra is missing
        raise RuntimeError("training needs torch: pip install -e '.[train]'") from error
    return torch


def label_names() -> list[str]:
    """Names of the flattened cumulative logits, in output order."""
    return [f"{d}>{k}" for d in DIMENSIONS for k in range(LEVELS - 1)]


def explains_why_trained(model: Any) -> bool:
    """Whether the model's "explains why" head was trained (recorded in its config)."""
    return bool(getattr(model.config, "explains_why_trained", False))


def build_model_class() -> Any:
    """Define ``ScrutinyModel`` lazily so importing this module never imports transformers."""
    torch = _torch()
    from torch import nn
    from transformers import BertModel, BertPreTrainedModel
    from transformers.modeling_outputs import SequenceClassifierOutput

    class ScrutinyModel(BertPreTrainedModel):
        """Shared encoder + mean pooling + CORAL heads (+ optional "explains why" head)."""

        def __init__(self, config: Any) -> None:
            super().__init__(config)
            self.bert = BertModel(config, add_pooling_layer=False)
            self.dropout = nn.Dropout(getattr(config, "head_dropout", 0.1))
            n_dims = len(DIMENSIONS)
            self.ordinal_weight = nn.Linear(config.hidden_size, n_dims, bias=False)
            # Ordered starting thresholds: P(>0) > P(>1) > P(>2) before any training.
            self.ordinal_bias = nn.Parameter(
                torch.tensor([[1.0, 0.0, -1.0]] * n_dims, dtype=torch.float32)
            )
            self.explains_why = nn.Linear(config.hidden_size, 1)
            self.wide = (
                nn.Embedding(config.vocab_size, n_dims)
                if getattr(config, "wide_bag", False)
                else None
            )
            self.ngram_buckets = int(getattr(config, "ngram_buckets", 0))
            if self.ngram_buckets:
                width = 1 + LEVELS  # the ordinal score, then the n-gram level logits
                self.ngram = nn.Embedding(config.vocab_size + self.ngram_buckets, n_dims * LEVELS)
                self.ngram_bias = nn.Parameter(torch.zeros(n_dims, LEVELS))
                self.blend_weight = nn.Parameter(torch.zeros(n_dims, LEVELS, width))
                self.blend_bias = nn.Parameter(torch.zeros(n_dims, LEVELS))
            self.post_init()

        def freeze_lexical(self) -> None:
            """The lexical half is fitted after fine-tuning by convex solvers
            (``training.lexical``), never by gradients; loading may reset the flag."""
            if self.ngram_buckets:
                for parameter in (
                    self.ngram.weight,
                    self.ngram_bias,
                    self.blend_weight,
                    self.blend_bias,
                ):
                    parameter.requires_grad_(False)

        def _init_weights(self, module: Any) -> None:
            super()._init_weights(module)
            wide = getattr(self, "wide", None)
            if wide is not None and module is wide:
                with torch.no_grad():
                    wide.weight.zero_()  # the wide term starts silent
            ngram = getattr(self, "ngram", None)
            if ngram is not None and module is ngram:
                with torch.no_grad():
                    ngram.weight.zero_()
            if module is self:
                with torch.no_grad():
                    self.ordinal_bias.copy_(
                        torch.tensor([[1.0, 0.0, -1.0]] * len(DIMENSIONS), dtype=torch.float32)
                    )

        def pooled(self, input_ids: Any, attention_mask: Any) -> Any:
            """Mean of the last hidden states over real (unpadded) tokens."""
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)

        def scores(self, input_ids: Any, attention_mask: Any) -> tuple[Any, Any]:
            """The encoder's ordinal score per dimension ``[batch, 4]`` and the "explains
            why" logit ``[batch]``."""
            pooled = self.dropout(self.pooled(input_ids, attention_mask))
            score = self.ordinal_weight(pooled)
            if self.wide is not None:
                mask = attention_mask.unsqueeze(-1).to(score.dtype)
                length = mask.sum(dim=1).clamp(min=1.0)
                score = score + (self.wide(input_ids) * mask).sum(dim=1) / length.sqrt()
            return score, self.explains_why(pooled).squeeze(-1)

        def heads(self, input_ids: Any, attention_mask: Any) -> tuple[Any, Any]:
            """The encoder's cumulative logits ``[batch, 4, 3]`` (what fine-tuning trains)
            and the "explains why" logit ``[batch]``."""
            score, aux = self.scores(input_ids, attention_mask)
            return score.unsqueeze(-1) + self.ordinal_bias.unsqueeze(0), aux

        def ngram_logits(self, input_ids: Any, attention_mask: Any) -> Any:
            """Level logits ``[batch, 4, 4]`` of the n-gram classifier (``training.lexical``)."""
            vocab = self.config.vocab_size
            mask = attention_mask.to(torch.float32)
            bigrams = vocab + (input_ids[:, :-1] * vocab + input_ids[:, 1:]) % self.ngram_buckets
            total = (self.ngram(input_ids) * mask.unsqueeze(-1)).sum(dim=1) + (
                self.ngram(bigrams) * (mask[:, :-1] * mask[:, 1:]).unsqueeze(-1)
            ).sum(dim=1)
            length = mask.sum(dim=1, keepdim=True).clamp(min=1.0)
            logits = total / length.sqrt()
            return logits.view(-1, len(DIMENSIONS), LEVELS) + self.ngram_bias.unsqueeze(0)

        def cumulative(self, input_ids: Any, attention_mask: Any) -> tuple[Any, Any]:
            """The model's output: cumulative logits ``[batch, 4, 3]`` (blended once the
            lexical half is fitted) and the "explains why" logit ``[batch]``."""
            if not getattr(self.config, "blend_fitted", False):
                return self.heads(input_ids, attention_mask)
            score, aux = self.scores(input_ids, attention_mask)
            features = torch.cat(
                [score.unsqueeze(-1), self.ngram_logits(input_ids, attention_mask)], dim=-1
            )
            levels = torch.einsum("bdf,dlf->bdl", features, self.blend_weight) + self.blend_bias
            cumulative = [
                torch.logsumexp(levels[..., k + 1 :], dim=-1)
                - torch.logsumexp(levels[..., : k + 1], dim=-1)
                for k in range(LEVELS - 1)
            ]
            return torch.stack(cumulative, dim=-1), aux

        def forward(
            self,
            input_ids: Any = None,
            attention_mask: Any = None,
            token_type_ids: Any = None,
            **_: Any,
        ) -> Any:
            """Flattened cumulative logits ``[batch, 12]`` for pipelines."""
            if attention_mask is None:
                attention_mask = torch.ones_like(input_ids)
            ordinal, _aux = self.cumulative(input_ids, attention_mask)
            return SequenceClassifierOutput(logits=ordinal.flatten(1))

    class OnnxGraph(nn.Module):
        """What gets exported: ``logits`` ``[batch, 4, 3]``, then ``explains_why`` ``[batch]``
        only when the auxiliary head was trained (an untrained head would output noise)."""

        def __init__(self, model: ScrutinyModel) -> None:
            super().__init__()
            self.model = model
            self.with_aux = explains_why_trained(model)

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            ordinal, aux = self.model.cumulative(input_ids, attention_mask)
            return (ordinal, torch.sigmoid(aux)) if self.with_aux else ordinal

    return ScrutinyModel, OnnxGraph


def new_model(
    head_dropout: float = 0.1,
    wide_bag: bool = False,
    ngram_buckets: int = 0,
    encoder_from: str = "",
) -> Any:
    """The model with the base encoder's pre-trained weights (or those saved in
    ``encoder_from``, same architecture) and fresh heads (eager attention)."""
    from transformers import BertConfig

    from training.config import base_model_dir

    model_class, _ = build_model_class()
    base = base_model_dir()
    names = label_names()
    config = BertConfig.from_pretrained(
        str(base),
        num_labels=len(names),
        id2label=dict(enumerate(names)),
        label2id={n: i for i, n in enumerate(names)},
        problem_type="multi_label_classification",
    )
    config.head_dropout = head_dropout
    config.wide_bag = wide_bag
    config.ngram_buckets = ngram_buckets
    config.blend_fitted = False
    weights = encoder_from or str(base)
    model = model_class.from_pretrained(weights, config=config, attn_implementation="eager")
    model.freeze_lexical()
    return model


def load_model(path: str) -> Any:
    """A ``ScrutinyModel`` saved with ``save_pretrained``."""
    model_class, _ = build_model_class()
    model = model_class.from_pretrained(path, attn_implementation="eager")
    model.freeze_lexical()
    return model
