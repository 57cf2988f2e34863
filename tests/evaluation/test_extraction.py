"""Recommendation extraction against the project's format sets and the PFD receivers."""

from __future__ import annotations

import pytest

from evaluation.extraction import (
    DATA,
    FIELDS,
    TARGET_F1,
    TARGET_RECEIVER_RECALL,
    Counts,
    align,
    evaluate_set,
    load_set,
    receiver_recall,
    token_f1,
)
from service.recommendations import RecommendationItem


def _item(text: str) -> RecommendationItem:
    return RecommendationItem(0, len(text), text, 0, (), None, None, None, None)


def test_token_f1() -> None:
    assert token_f1("the ICB", "ICB") == 1.0
    assert token_f1("within six months", "within 6 months") == pytest.approx(2 / 3)
    assert token_f1(None, "x") == 0.0


def test_counts_f1() -> None:
    assert Counts(tp=9, fp=1, fn=1).f1 == pytest.approx(0.9)
    assert Counts().f1 == 1.0  # nothing to find and nothing found


def test_alignment_keeps_order_and_skips_extra_items() -> None:
    golds = [
        {"addressees": ["ICB"], "action": "review the neglect strategy"},
        {"addressees": ["Police"], "action": "train call handlers on coercive control"},
    ]
    items = [
        _item("Introduction to the recommendations"),
        _item("The ICB should review the neglect strategy."),
        _item("The Police should train call handlers on coercive control."),
    ]
    assert align(golds, items) == [(0, 1), (1, 2)]


@pytest.mark.parametrize("name", ["dev", "test"])
def test_format_sets_cover_ten_formats_with_exact_labels(name: str) -> None:
    records = load_set(DATA / f"recommendation_formats_{name}.jsonl")
    assert len({r["format"] for r in records}) >= 10
    for record in records:
        for item in record["items"]:
            for field in ("action", "timescale", "measure"):
                assert item.get(field) is None or item[field] in record["text"], record["id"]
    if name == "test":
        assert sum(len(r["items"]) for r in records) >= 150


@pytest.mark.slow
def test_field_f1_on_the_format_test_set() -> None:
    result = evaluate_set(load_set(DATA / "recommendation_formats_test.jsonl"))
    scores = {name: result.overall.fields[name].f1 for name in FIELDS}
    assert all(score >= TARGET_F1 for score in scores.values()), scores


@pytest.mark.slow
def test_receivers_named_in_pfd_concerns_are_found() -> None:
    from training.config import shared_data_dir

    folder = shared_data_dir() / "pfd"
    csvs = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not csvs:
        pytest.skip(f"no PFD reports in {folder}: run `scrutiny data fetch` to download them")
    result = receiver_recall(csvs)
    assert result.named >= 50
    assert result.recall >= TARGET_RECEIVER_RECALL, (result.found, result.named)
