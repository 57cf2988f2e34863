"""Small units of the training side: config, loss masking, calibration, batching, splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.model.dimensions import cumulative_logits_to_probs
from training.calibrate import fit_temperatures
from training.config import TrainingConfig
from training.corpus import Record
from training.data import length_batches, pad
from training.splits import assign_splits, report_point


def _record(report: str, n: int = 0) -> Record:
    labels: dict[str, int | None] = {
        "clarity": 1,
        "root_cause": 2,
        "child_focus": 0,
        "recommendations": None,
    }
    return Record(f"{report}-p{n}", report, "written", "analysis", "Text.", labels)


def test_config_round_trips_and_rejects_unknown_keys() -> None:
    config = TrainingConfig()
    assert TrainingConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown"):
        TrainingConfig.from_dict({"learning_rate": 1.0})


def test_splits_are_stable_when_the_corpus_grows() -> None:
    small = assign_splits([_record(f"w1-r{i:02d}") for i in range(30)])
    large = assign_splits([_record(f"w1-r{i:02d}") for i in range(300)])
    assert all(large[k] == v for k, v in small.items())
    assert 0 <= report_point("w1-r01") < 1
    shares = {s: list(large.values()).count(s) / 300 for s in ("train", "dev", "test")}
    assert 0.6 < shares["train"] < 0.8 and 0.08 < shares["test"] < 0.22


def test_batches_cover_every_row_once_and_pad_right() -> None:
    ids = [[1] * n for n in (5, 2, 9, 3, 3, 7)]
    seen = np.concatenate([b.index for b in length_batches(ids, 4, seed=1)])
    assert sorted(seen.tolist()) == list(range(6))
    input_ids, mask = pad([[5, 6, 7], [8]])
    assert input_ids.tolist() == [[5, 6, 7], [8, 0, 0]] and mask.tolist() == [[1, 1, 1], [1, 0, 0]]


def test_ordinal_loss_ignores_missing_labels() -> None:
    torch = pytest.importorskip("torch")
    from training.train import ordinal_loss

    logits = torch.zeros(2, 4, 3)
    labels = torch.tensor([[0, 1, 2, -1], [3, -1, -1, -1]])
    weights = torch.ones(2)
    base = ordinal_loss(logits, labels, weights)
    changed = logits.clone()
    changed[0, 3] = 50.0  # a masked dimension: any value, same loss
    changed[1, 1:] = -50.0
    assert torch.isclose(base, ordinal_loss(changed, labels, weights))
    assert torch.isclose(base, torch.tensor(np.log(2.0), dtype=torch.float32))


def test_temperature_scaling_undoes_overconfidence() -> None:
    rng = np.random.default_rng(0)
    n = 3000
    labels = rng.integers(0, 4, size=(n, 4))
    true_logits = np.stack([(labels[:, :, None] > k) * 4.0 - 2.0 for k in range(3)], axis=-1)[
        ..., 0, :
    ]
    true_logits = true_logits + rng.normal(0, 1.5, size=true_logits.shape)
    # Sample labels from the true model, then hand the fitter logits three times too large.
    probs = cumulative_logits_to_probs(true_logits)
    sampled = np.array([[rng.choice(4, p=probs[i, d]) for d in range(4)] for i in range(n)])
    temperatures = fit_temperatures(true_logits * 3.0, sampled)
    for value in temperatures.values():
        assert 2.4 < value < 3.6


def test_policy_masks_labels_serving_never_shows() -> None:
    from service.aggregate.policy import CHILD_FOCUS, applies

    labels: dict[str, int | None] = {
        "clarity": 2,
        "root_cause": 0,
        "child_focus": 0,
        "recommendations": None,
    }
    method = Record("m-p0", "m", "written", "methodology", "Text.", labels)
    analysis = Record("a-p0", "a", "written", "analysis", "Text.", labels)
    assert not applies("methodology", CHILD_FOCUS)
    assert method.label_vector() == [2, 0, -1, -1]  # child focus masked on methodology
    assert analysis.label_vector() == [2, 0, 0, -1]


def test_section_spread_is_fitted_and_sections_get_their_true_level() -> None:
    from training.calibrate import fit_section_spread, labelled_sections

    rng = np.random.default_rng(0)
    records, rows = [], []
    for s in range(40):
        level = s % 4
        for p in range(3):
            labels: dict[str, int | None] = {
                "clarity": level,
                "root_cause": level,
                "child_focus": level,
                "recommendations": None,
            }
            records.append(
                Record(
                    f"r{s}-p{p}", f"r{s}", "written", "analysis", "word " * 20, labels, f"r{s}/a"
                )
            )
            row = rng.dirichlet(np.ones(4) * 0.5)
            row = 0.5 * row + 0.5 * np.eye(4)[level]  # right more often than not
            rows.append(np.tile(row, (4, 1)))
    from training.train import label_matrix

    labels_m = label_matrix(records)
    sections = labelled_sections(records, labels_m)
    assert len({s.section for s in sections}) == 40
    assert all(s.truth == int(s.section[1:].split("/")[0]) % 4 for s in sections)
    spreads = fit_section_spread(np.array(rows), sections)
    assert set(spreads) >= {"clarity", "root_cause", "child_focus"}
    assert all(0.0 <= v <= 1.0 for v in spreads.values())


def test_runs_compare_at_a_matched_epoch(tmp_path: Path) -> None:
    import json

    from training.decisions import compare_runs, epoch_figures

    def history(composites: list[float]) -> list[dict[str, object]]:
        return [
            {"epoch": i + 1, "selection": {"composite": c, "by_dimension": {"x": 1}}}
            for i, c in enumerate(composites)
        ]

    longer = tmp_path / "manifest.json"  # a model folder keeps its run's history here
    longer.write_text(json.dumps({"training": {"history": history([0.60, 0.66, 0.70])}}))
    stopped = tmp_path / "run.json"
    stopped.write_text(json.dumps({"history": history([0.58, 0.6645])}))
    assert epoch_figures(stopped, 2) == {"composite": 0.6645}
    with pytest.raises(ValueError, match="no epoch 3"):
        epoch_figures(stopped, 3)
    entry = compare_runs("init", {"base": longer, "adapted": stopped}, ["base", "adapted"], epoch=2)
    # 0.0045 better is within the noise: the cheaper variant, listed first, is kept.
    assert entry["chosen"] == "base"
