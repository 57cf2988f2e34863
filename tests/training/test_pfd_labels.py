"""The PFD labels are references into ../shared/data: each must still resolve exactly."""

from __future__ import annotations

from training.labelling.check_pfd import check
from training.labelling.pfd_source import LABELS_PATH


def test_every_pfd_reference_resolves_to_its_hashed_passage() -> None:
    problems, records = check(LABELS_PATH)
    assert problems == []
    assert len(records) >= 500
