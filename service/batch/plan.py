"""Which inputs a run scores: hash every input, skip what is already scored or seen twice.

Inputs are identified by the sha256 of their bytes, so a rerun skips a document already
scored ``ok`` by the same model version even if it moved, and an archive holding the same
file twice scores it once. A path the operating system refuses becomes a ``failed``
outcome here, before any worker starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from service.batch.inputs import BatchInput
from service.batch.worker import Outcome, Task, failed_outcome, os_error_code

_BLOCK = 1 << 20


def file_sha256(path: str) -> str:
    """sha256 hex digest of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Plan:
    """The tasks to score, the outcomes known without scoring, and how many were skipped."""

    tasks: list[Task] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    skipped: int = 0  # already scored ok by this model version, or the same bytes as another input


def plan_tasks(inputs: Sequence[BatchInput], done: Iterable[str], model_version: str) -> Plan:
    """Hash ``inputs``; skip those whose sha256 is in ``done`` (scored ok) or seen earlier."""
    plan = Plan()
    seen = set(done)
    for item in inputs:
        try:
            sha256 = file_sha256(item.path)
        except OSError as error:
            code, message = os_error_code(error)
            plan.failed.append(
                failed_outcome(
                    item.path, None, model_version, code, message, metadata=item.metadata
                )
            )
            continue
        if sha256 in seen:
            plan.skipped += 1
            continue
        seen.add(sha256)
        plan.tasks.append(Task(item.path, sha256, item.metadata))
    return plan
