"""The Ray engine: the same job on Ray Data, on this machine or on a cluster.

The inputs become a ``ray.data`` dataset (one input per block, so actors share the work
evenly); ``map_batches`` runs them through a fixed pool of actors, each holding one ONNX
session (the same ``Scorer`` as the local engine's workers) and reserving as many CPUs as it
runs onnxruntime threads. Outcomes stream back to the driver, which writes them through
the same chunk store as the local engine. Ray is imported here only (the ``ray`` extra).

Without ``ray_address`` a local Ray instance is started (no dashboard, quiet logs) and shut
down at the end; with one (``auto`` or ``host:port``) the job joins that cluster, whose
every node must reach the model folder and the input paths.

An actor that dies (killed for memory, a crash in a native library) is restarted, and the
input it held is tried again: ``CRASH_ATTEMPTS`` tries in all, as with the local engine,
then the input gets a ``failed`` row and the job goes on. (Ray Data's own default retries
such an input forever, so one document that always kills its worker would hang the job.)
An input's block is what Ray drops after the last try, so inputs sharing a block with it
(only past ``ray_max_blocks`` inputs) get a failed row too; a rerun retries them.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any, ClassVar

from service.batch.settings import batch_settings
from service.batch.worker import (
    CRASH_ATTEMPTS,
    Outcome,
    Scorer,
    Task,
    WorkerConfig,
    crashed_outcome,
    usable_cpus,
)

RAY_EXTRA = "pip install -e '.[ray]'"
_QUIET = logging.ERROR


def _ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError as error:
        raise ImportError(f"--engine ray needs Ray: {RAY_EXTRA}") from error
    return ray


def _bounded_retries() -> dict[str, Any]:
    """Actor options: a dead actor is always replaced (the pool keeps its size), but the
    input it held is tried ``CRASH_ATTEMPTS`` times in all, not Ray Data's default forever."""
    return {"max_restarts": -1, "max_task_retries": CRASH_ATTEMPTS - 1}


class _ScoringActor:
    """A Ray Data actor: one ``Scorer``, each batch of inputs to a column of outcomes."""

    config: ClassVar[dict[str, Any]] = {}  # set on the per-run subclass (see ``RayEngine.run``)

    def __init__(self) -> None:
        self.scorer = Scorer.load(WorkerConfig(**self.config))

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        outcomes = [
            self.scorer.score(Task(path, sha256, json.loads(metadata))).to_json()
            for path, sha256, metadata in zip(
                batch["path"], batch["sha256"], batch["metadata"], strict=True
            )
        ]
        return {"index": batch["index"], "outcome": np.array(outcomes, dtype=object)}


class RayEngine:
    """Score tasks on Ray Data with ``workers`` actors of ``config.threads`` CPUs each."""

    name = "ray"

    def __init__(
        self,
        config: WorkerConfig,
        workers: int,
        model_version: str,
        address: str | None = None,
        actor: type[_ScoringActor] = _ScoringActor,
    ) -> None:
        _ray()  # a missing extra is a usage error before any work, not a failure halfway
        self.config = config
        self.model_version = model_version
        self.actor = actor  # tests pass one that fails on purpose
        self.workers = workers
        self.address = address
        self._started_here = False

    def start(self) -> None:
        """Join the cluster at ``address``, or start a local Ray instance (unless one runs)."""
        ray = _ray()
        for name in ("ray", "ray.data"):
            logging.getLogger(name).setLevel(_QUIET)
        if ray.is_initialized():
            return
        options: dict[str, Any] = {"logging_level": _QUIET, "log_to_driver": False}
        if self.address:
            ray.init(address=self.address, **options)
        else:
            ray.init(
                num_cpus=max(usable_cpus(), self.workers * self.config.threads),
                include_dashboard=False,
                **options,
            )
        self._started_here = True

    def stop(self) -> None:
        """Shut down the Ray instance this engine started (one it joined is left running)."""
        if self._started_here:
            _ray().shutdown()
            self._started_here = False

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        """Outcomes of ``tasks``, in the order they finish."""
        if not tasks:
            return
        ray = _ray()
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        items = [
            {"index": i, "path": t.path, "sha256": t.sha256, "metadata": json.dumps(t.metadata)}
            for i, t in enumerate(tasks)
        ]
        # The configuration rides on a subclass, not in constructor arguments, so no actor
        # depends on an object-store entry to restart.
        actor = type("ScoringActor", (self.actor,), {"config": asdict(self.config)})
        pending = set(range(len(tasks)))
        saved = context.max_errored_blocks
        # A block whose input exhausted its tries is dropped, not the end of the job (a
        # dataset takes the setting when it is created).
        context.max_errored_blocks = -1
        try:
            with warnings.catch_warnings():
                # Deprecated from Ray 2.60 with no replacement yet; pyproject pins Ray < 2.64.
                warnings.filterwarnings("ignore", message="`ray_remote_args_fn` is deprecated")
                dataset = ray.data.from_items(
                    items, override_num_blocks=min(len(items), batch_settings().ray_max_blocks)
                ).map_batches(
                    actor,
                    batch_size=1,
                    batch_format="numpy",
                    # One input at a time per actor, so an actor that dies takes only the
                    # input it was scoring with it, not others queued behind it.
                    compute=ray.data.ActorPoolStrategy(
                        size=self.workers, max_tasks_in_flight_per_actor=1
                    ),
                    num_cpus=self.config.threads,
                    ray_remote_args_fn=_bounded_retries,
                )
            for batch in dataset.iter_batches(batch_size=1, batch_format="numpy"):
                for index, text in zip(batch["index"], batch["outcome"], strict=True):
                    pending.discard(int(index))
                    yield Outcome.from_json(str(text))
        finally:
            context.max_errored_blocks = saved
        for index in sorted(pending):
            yield crashed_outcome(tasks[index], self.model_version)
