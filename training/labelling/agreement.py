"""Agreement between the first labels and a blind second annotation of the same passages.

    python -m training.labelling.agreement

The second annotator worked from the guide and the text alone, on whole reports drawn from
every first annotator's share (``plan_batches``), never seeing the first labels. Their
agreement per dimension (quadratic weighted kappa) is the ceiling the model is judged
against: a model cannot be expected to agree with one person better than two people agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.model.dimensions import DIMENSIONS
from training.labelling.pfd_source import LABELS_PATH

SECOND_PATH = LABELS_PATH.parent / "second_annotator.jsonl"


def _read(path: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return {row["id"]: row for row in rows}


def agreement(first: Path = LABELS_PATH, second: Path = SECOND_PATH) -> dict[str, Any]:
    """Per dimension: passages both labelled, QWK and exact agreement; and section kinds."""
    from evaluation.metrics import quadratic_weighted_kappa

    one, two = _read(first), _read(second)
    shared = sorted(set(one) & set(two))
    out: dict[str, Any] = {
        "passages": len(shared),
        "reports": len({two[i]["report_id"] for i in shared}),
    }
    for dimension in DIMENSIONS:
        pairs = [
            (one[i]["labels"][dimension], two[i]["labels"][dimension])
            for i in shared
            if one[i]["labels"][dimension] is not None and two[i]["labels"][dimension] is not None
        ]
        a = [p[0] for p in pairs]
        b = [p[1] for p in pairs]
        out[dimension] = {
            "n": len(pairs),
            "qwk": round(quadratic_weighted_kappa(a, b), 4) if len(pairs) >= 2 else float("nan"),
            "exact": round(sum(x == y for x, y in pairs) / len(pairs), 4)
            if pairs
            else float("nan"),
        }
    out["section_kind_exact"] = round(
        sum(one[i]["section_kind"] == two[i]["section_kind"] for i in shared) / max(1, len(shared)),
        4,
    )
    return out


if __name__ == "__main__":
    print(json.dumps(agreement(), indent=1))
