"""Which inputs a run scores: hash every input, skip what is already scored.

A rerun skips an input whose bytes (sha256) were already scored ``ok`` at the same path by
the same model version. Every input gets its own row: the same bytes at two paths (a copy,
or a moved file) are scored for each path, since each path is an input the user listed.
The same path given twice is scored once. A path the operating system refuses becomes a
``failed`` outcome here, before any worker starts.
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
    skipped: int = 0  # already scored ok at this path by this model version, or listed twice


def plan_tasks(
    inputs: Sequence[BatchInput], done: Iterable[tuple[str, str]], model_version: str
) -> Plan:
    """Hash ``inputs``; skip those whose (sha256, path) is in ``done`` or seen earlier."""
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
        if (sha256, item.path) in seen:
            plan.skipped += 1
            continue
        seen.add((sha256, item.path))
        plan.tasks.append(Task(item.path, sha256, item.metadata))
    return plan
