"""Baselines fit and predict four-level probabilities; lexicon signals read what they claim."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.lexicon import FEATURES, causal_cue, features

pytest.importorskip("sklearn")


def test_lexicon_signals() -> None:
    dense = dict(
        zip(FEATURES, features("ICPC held; CIN plan ended; MASH NFA on 3 May 2019."), strict=True)
    )
    plain = dict(
        zip(FEATURES, features("Amy told her teacher she was scared to go home."), strict=True)
    )
    assert dense["acronym_density"] > plain["acronym_density"]
    assert plain["voice"] > 0 and plain["child"] > 0
    assert causal_cue("The referral stalled because the team had been disbanded.")
    assert not causal_cue("The health visitor visited on Tuesday.")


def test_every_baseline_predicts_probabilities_over_four_levels() -> None:
    from evaluation.baselines import BASELINES

    texts = [
        f"passage {i} because of workload" if i % 2 else f"visit {i} on Monday" for i in range(40)
    ]
    labels = np.array([i % 4 for i in range(40)])
    for name, factory in BASELINES.items():
        probs = factory(texts, labels)(texts[:5])
        assert probs.shape == (5, 4), name
        assert np.allclose(probs.sum(1), 1.0), name
