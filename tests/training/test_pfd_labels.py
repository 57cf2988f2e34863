"""The PFD labels are references into ../shared/data: each must still resolve exactly."""

from __future__ import annotations

import pytest

from tests.conftest import needs_public_data
from training.labelling.check_pfd import check
from training.labelling.pfd_source import LABELS_PATH


@pytest.fixture(autouse=True)
def _pfd_reports() -> None:
    needs_public_data("pfd")


def test_every_pfd_reference_resolves_to_its_hashed_passage() -> None:
    problems, records = check(LABELS_PATH)
    assert problems == []
    assert len(records) >= 500


def test_second_annotation_is_present_blind_and_agreement_is_computed() -> None:
    from training.labelling.agreement import SECOND_PATH, agreement

    problems, second = check(SECOND_PATH)
    assert problems == []
    assert len(second) >= 300
    result = agreement()
    assert result["passages"] >= 300  # every second label has a first label to compare with
    for dimension in ("clarity", "root_cause", "child_focus"):
        figures = result[dimension]
        assert figures["n"] >= 300 and -1.0 <= figures["qwk"] <= 1.0


def test_real_labels_reach_the_issue_counts() -> None:
    from training.splits import split_of_report

    _problems, records = check(LABELS_PATH)
    assert len(records) >= 2500
    test = [r for r in records if split_of_report(str(r["report_id"])) == "test"]
    assert len(test) >= 400
    assert sum(r["labels"]["recommendations"] is not None for r in test) >= 60  # type: ignore[index]
