"""The quality model at scoring time: onnxruntime and ``tokenizers`` only, never torch.

``QualityModel.load`` verifies every file against the manifest before anything is parsed,
then ``predict`` turns passage texts into calibrated level probabilities, batched, with the
texts sorted by token length so each batch pads only to its own longest member. On request
(``outputs``, ``embed``) the same run also returns each passage's mean-pooled embedding,
the graph's ``pooled`` output, with which the exemplar bank (``service.exemplars``) is
searched; asking for it never changes the probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.exemplars.bank import ExemplarBank, load_bank
from service.model.dimensions import DIMENSIONS, LEVELS, cumulative_logits_to_probs
from service.model.manifest import Manifest, ModelIntegrityError, read_verified
from service.passages.build import model_text

_INPUTS = ("input_ids", "attention_mask")
_EXPLAINS_WHY = "explains_why"
_POOLED = "pooled"


@dataclass(frozen=True, slots=True)
class Outputs:
    """What one run of the graph gives for a list of texts, each in input order."""

    probs: npt.NDArray[np.float64]  # (texts, dimensions, levels), calibrated
    explains_why: npt.NDArray[np.float64] | None  # (texts,) where asked for and present
    embeddings: npt.NDArray[np.float32] | None  # (texts, hidden) where asked for


@dataclass
class QualityModel:
    """A loaded, verified model. Thread-safe: onnxruntime sessions allow concurrent ``run``."""

    manifest: Manifest
    session: Any  # onnxruntime.InferenceSession (imported lazily, so typed loosely)
    tokenizer: Any  # tokenizers.Tokenizer
    batch_size: int = 8
    pad_id: int = 0
    _input_names: tuple[str, ...] = field(default=())
    _output_names: tuple[str, ...] = field(default=())
    exemplars: ExemplarBank | None = None  # the bank shipped in the folder, if any

    @property
    def name(self) -> str:
        """Model name from the manifest."""
        return self.manifest.name

    @property
    def version(self) -> str:
        """Model version from the manifest."""
        return self.manifest.version

    @property
    def sha256(self) -> str:
        """sha256 of the manifest, which pins the hash of every model file."""
        return self.manifest.sha256

    @classmethod
    def load(
        cls, model_dir: Path | str, *, threads: int | None = None, batch_size: int | None = None
    ) -> QualityModel:
        """Verify and load the model in ``model_dir``; raise ModelIntegrityError if unfit.

        ``threads`` and ``batch_size`` default to ``ServiceSettings``.
        """
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from service.settings import service_settings

        settings = service_settings()
        threads = settings.threads if threads is None else threads
        batch_size = settings.batch_size if batch_size is None else batch_size
        if threads < 1 or batch_size < 1:
            raise ValueError("threads and batch_size must be at least 1")

        manifest, files = read_verified(Path(model_dir))
        # onnxruntime is given the verified file's path, not its bytes: parsing from a buffer
        # keeps the buffer alive beside onnxruntime's own copy, about 80 MB more peak memory
        # for the 70 MB graph. The folder is read-only in the image, so the file checked is
        # the file loaded.
        del files["model.onnx"]
        try:
            tokenizer = Tokenizer.from_str(files["tokenizer.json"].decode("utf-8"))
        except Exception as error:  # tokenizers raises plain Exception subclasses
            raise ModelIntegrityError(f"tokenizer.json cannot be loaded: {error}") from None
        # Explicit: truncate to the trained length; pad per batch ourselves (see predict).
        tokenizer.enable_truncation(max_length=manifest.max_length)
        tokenizer.no_padding()
        pad_id = tokenizer.token_to_id("[PAD]")

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Spinning threads burn idle CPU between requests and fight the web server for cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            session = ort.InferenceSession(
                str(Path(model_dir) / "model.onnx"),
                sess_options=options,
                providers=["CPUExecutionProvider"],
            )
        except Exception as error:
            raise ModelIntegrityError(f"model.onnx cannot be loaded: {error}") from None
        inputs = tuple(i.name for i in session.get_inputs())
        outputs = [o.name for o in session.get_outputs()]
        missing = [name for name in _INPUTS if name not in inputs]
        if missing:
            raise ModelIntegrityError(f"model.onnx lacks the inputs {missing}")
        if manifest.output not in outputs:
            raise ModelIntegrityError(f"model.onnx has no output {manifest.output!r}")
        pooled = [o.shape[-1] for o in session.get_outputs() if o.name == _POOLED]
        hidden = pooled[0] if pooled and isinstance(pooled[0], int) else None
        bank = load_bank(files, manifest.files["model.onnx"], hidden)
        return cls(
            manifest=manifest,
            session=session,
            tokenizer=tokenizer,
            batch_size=batch_size,
            pad_id=0 if pad_id is None else int(pad_id),
            _input_names=inputs,
            _output_names=tuple(outputs),
            exemplars=bank,
        )

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Level probabilities, shape ``(len(texts), len(DIMENSIONS), LEVELS)``, in input order.

        Each text goes through ``model_text`` first, exactly as at training time. Batches
        hold texts of similar token length. The int8 graph's activation scales are fixed at
        export (``training.activation_scales``), so a text's probabilities do not depend on
        its batch neighbours (a graph with dynamic scales would shift them by up to ~0.1).
        """
        return self.outputs(texts).probs

    @property
    def has_explains_why(self) -> bool:
        """Whether the graph has the "explains why" output (CNC-trained head)."""
        return _EXPLAINS_WHY in self._output_names

    @property
    def has_embeddings(self) -> bool:
        """Whether the graph has the ``pooled`` output (passage embeddings)."""
        return _POOLED in self._output_names

    def predict_all(
        self, texts: Sequence[str], *, explains_why: bool = True
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64] | None]:
        """``predict``'s probabilities and, where the graph has one and it is asked for, the
        "explains why" probability of each text (None otherwise): one code path for both."""
        ran = self.outputs(texts, explains_why=explains_why)
        return ran.probs, ran.explains_why

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The mean-pooled embedding of each text, ``(len(texts), hidden)``; only the encoder
        runs. Raises ModelIntegrityError when the graph has no ``pooled`` output."""
        embeddings = self.outputs(texts, embeddings=True, probabilities=False).embeddings
        assert embeddings is not None
        return embeddings

    def outputs(
        self,
        texts: Sequence[str],
        *,
        explains_why: bool = False,
        embeddings: bool = False,
        probabilities: bool = True,
    ) -> Outputs:
        """One batched run for ``texts`` returning the outputs asked for: the calibrated
        probabilities (zeros when ``probabilities`` is False), the "explains why"
        probabilities where the graph has them, the pooled embeddings (ModelIntegrityError
        when the graph has none). Extra outputs are read from the same run, so they never
        change the probabilities."""
        if embeddings and not self.has_embeddings:
            raise ModelIntegrityError(
                "model.onnx has no 'pooled' output; add it with `scrutiny exemplars`"
            )
        result = np.zeros((len(texts), len(DIMENSIONS), LEVELS), dtype=np.float64)
        wanted = explains_why and self.has_explains_why
        why = np.zeros(len(texts), dtype=np.float64) if wanted else None
        pooled: npt.NDArray[np.float32] | None = None
        if not texts:
            if embeddings:
                pooled = np.zeros((0, 0), dtype=np.float32)
            return Outputs(result, why, pooled)
        outputs = (
            ([self.manifest.output] if probabilities else [])
            + ([_EXPLAINS_WHY] if why is not None else [])
            + ([_POOLED] if embeddings else [])
        )
        encodings = self.tokenizer.encode_batch([model_text(t) for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        temperatures = np.asarray(self.manifest.temperatures)
        for begin in range(0, len(order), self.batch_size):
            chunk = order[begin : begin + self.batch_size]
            width = int(lengths[chunk].max())
            ids = np.full((len(chunk), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, index in enumerate(chunk):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            ran = dict(zip(outputs, self.session.run(outputs, feeds), strict=True))
            if probabilities:
                result[chunk] = cumulative_logits_to_probs(ran[self.manifest.output], temperatures)
            if why is not None:
                why[chunk] = np.asarray(ran[_EXPLAINS_WHY], dtype=np.float64).reshape(-1)
            if embeddings:
                vectors = np.asarray(ran[_POOLED], dtype=np.float32)
                if pooled is None:
                    pooled = np.zeros((len(texts), vectors.shape[-1]), dtype=np.float32)
                pooled[chunk] = vectors
        return Outputs(result, why, pooled)


def expected_scores(probs: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Expected level (in [0, LEVELS-1]) of each probability vector on the last axis."""
    return np.asarray(probs, dtype=np.float64) @ np.arange(LEVELS, dtype=np.float64)
