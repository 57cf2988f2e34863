"""Test-split evaluation of an exported model, real text first; writes ``report.md``.

The model is evaluated exactly as the service runs it: through ``QualityModel`` (the
serving runtime class: verified int8 ONNX graph, manifest temperatures, shared tokenisation,
the same batching), section levels through ``service.aggregate`` and levels through
``shown_level``. There is no second inference path. Regenerate with ``scrutiny evaluate``.

Order of the report: real (PFD) test passages against every baseline and the
inter-annotator ceiling; then written test passages; then the real auxiliary checks (child
focus on passages with no child, held-out Causal News Corpus, held-out OneStopEnglish);
then calibration at passage and section level; then how the model was chosen.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from evaluation.baselines import BASELINES
from evaluation.metrics import (
    DimensionScores,
    expected_calibration_error,
    qwk_interval,
    score_dimension,
)
from evaluation.tables import SYSTEMS, comparison_table, fmt
from service.model.dimensions import DIMENSIONS, LEVELS, REVIEW_BELOW, shown_level
from training.corpus import Record

log = logging.getLogger("scrutiny.evaluate")
# Done-when targets of issue 11 (real test QWK); 90% of the inter-annotator ceiling counts
# where the ceiling is below the target.
REAL_TARGETS = {"clarity": 0.70, "root_cause": 0.70, "child_focus": 0.70, "recommendations": 0.60}
# 1.4.0's written test QWK: the written split may not drop more than 0.03 below it.
WRITTEN_BASELINE_140 = {
    "clarity": 0.887,
    "root_cause": 0.928,
    "child_focus": 0.905,
    "recommendations": 0.951,
}


def _labels(records: list[Record]) -> npt.NDArray[np.int64]:
    from training.train import label_matrix

    return label_matrix(records)


def load_runtime(model_dir: Path) -> Any:
    """The serving runtime class on ``model_dir`` (verified like the service does)."""
    from service.model.runtime import QualityModel

    return QualityModel.load(model_dir)


def evaluate_split(
    model_probs: npt.NDArray[np.float64], train: list[Record], test: list[Record]
) -> dict[str, dict[str, DimensionScores]]:
    """Scores per system per dimension on ``test`` (baselines fitted on ``train``)."""
    train_y, test_y = _labels(train), _labels(test)
    train_texts, test_texts = [r.text for r in train], [r.text for r in test]
    results: dict[str, dict[str, DimensionScores]] = {s: {} for s in SYSTEMS}
    for d, dimension in enumerate(DIMENSIONS):
        fit = train_y[:, d] >= 0
        use = test_y[:, d] >= 0
        if use.sum() < 2 or not fit.any():
            continue
        truth = test_y[use, d]
        results["model"][dimension] = score_dimension(truth, model_probs[use, d])
        fit_texts = [t for t, keep in zip(train_texts, fit, strict=True) if keep]
        use_texts = [t for t, keep in zip(test_texts, use, strict=True) if keep]
        for name, factory in BASELINES.items():
            predictor = factory(fit_texts, train_y[fit, d])
            results[name][dimension] = score_dimension(truth, predictor(use_texts))
    return results


def explains_why(model: Any) -> dict[str, Any]:
    """Held-out Causal News Corpus documents (the test part, never trained on or used for
    selection): ROC AUC of the shipped "explains why" signal and of the root-cause score."""
    from sklearn.metrics import roc_auc_score

    from evaluation.lexicon import causal_cue
    from training.aux_data import cnc_parts, load_cnc

    held = cnc_parts(load_cnc())["test"]
    truth = np.array([s.label for s in held])
    probs, why = model.predict_all([s.text for s in held])
    root = probs[:, DIMENSIONS.index("root_cause")] @ np.arange(LEVELS)
    lexicon = np.array([causal_cue(s.text) for s in held], dtype=np.float64)
    out: dict[str, Any] = {
        "sentences": len(held),
        "documents": len({s.document for s in held}),
        "positive_share": round(float(truth.mean()), 3),
        "root_cause_score_auc": round(float(roc_auc_score(truth, root)), 4),
        "lexicon_auc": round(float(roc_auc_score(truth, lexicon)), 4),
    }
    if why is not None:
        out["explains_why_auc"] = round(float(roc_auc_score(truth, why)), 4)
    out["shipped_signal"] = "explains_why" if why is not None else "root_cause_score"
    out["shipped_auc"] = out.get("explains_why_auc", out["root_cause_score_auc"])
    return out


def onestopenglish(model: Any) -> dict[str, Any]:
    """Held-out OneStopEnglish articles: does the elementary version of an article get a
    higher clarity score than the advanced version? An article's score is its section score
    (``service.aggregate.rate``: word-weighted mean expected level of its paragraphs)."""
    from service.aggregate import rate
    from service.aggregate.combine import text_weights
    from training.aux_data import load_onestopenglish, ose_articles, ose_parts

    paragraphs = load_onestopenglish()
    articles = ose_parts(paragraphs)["test"]
    texts = ose_articles(paragraphs)
    clarity = DIMENSIONS.index("clarity")
    wins, margins = 0, []
    for article in articles:
        scores = []
        for level in (0, 2):
            body = texts[article][level]
            rating = rate(model.predict(body)[:, clarity], text_weights(body))
            scores.append(rating.score if rating else float("nan"))
        wins += scores[0] > scores[1]
        margins.append(scores[0] - scores[1])
    return {
        "articles": len(articles),
        "simpler_scores_higher": round(wins / max(1, len(articles)), 4),
        "mean_margin": round(float(np.mean(margins)), 4) if margins else float("nan"),
    }


def no_child_passages(test: list[Record], probs: npt.NDArray[np.float64]) -> dict[str, Any]:
    """Real test passages of adults' inquests that the annotators found have no child in them
    (child focus labelled 0): the distribution of the child-focus level shown."""
    from training.labelling.pfd_source import load_reports
    from training.labelling.plan_batches import is_child_case

    rows = {f: load_reports(f) for f in ("road_traffic.csv", "suicide_sig_reports.csv")}
    child_cases = {
        f"pfd:{rid}" for table in rows.values() for rid, row in table.items() if is_child_case(row)
    }
    d = DIMENSIONS.index("child_focus")
    labels = _labels(test)
    chosen = [
        i
        for i, r in enumerate(test)
        if r.source == "pfd" and labels[i, d] == 0 and r.report_id not in child_cases
    ]
    shown = shown_level(probs[chosen, d]) if chosen else np.zeros(0, dtype=np.int64)
    counts = np.bincount(shown, minlength=LEVELS)
    return {
        "passages": len(chosen),
        "levels": {str(k): int(counts[k]) for k in range(LEVELS)},
        "share_at_most_1": round(float((shown <= 1).mean()), 4) if chosen else float("nan"),
        "mean_score": round(float((probs[chosen, d] @ np.arange(LEVELS)).mean()), 3)
        if chosen
        else float("nan"),
    }


def child_in_passage(test: list[Record], probs: npt.NDArray[np.float64]) -> dict[str, Any]:
    """Real test passages labelled child focus 1 or more, split by whether the passage itself
    shows a child (``evaluation.lexicon.names_a_child``) or only the rest of its report
    does (the annotators read whole reports; the model reads one passage): how many, and
    the share the model shows at 1 or more."""
    from evaluation.lexicon import names_a_child

    d = DIMENSIONS.index("child_focus")
    labels = _labels(test)
    out: dict[str, Any] = {}
    for name, wanted in (("in_passage", True), ("only_in_report", False)):
        chosen = [
            i
            for i, r in enumerate(test)
            if r.source == "pfd" and labels[i, d] >= 1 and names_a_child(r.text) == wanted
        ]
        shown = shown_level(probs[chosen, d]) if chosen else np.zeros(0, dtype=np.int64)
        out[name] = {
            "passages": len(chosen),
            "shown_at_least_1": round(float((shown >= 1).mean()), 4) if chosen else float("nan"),
        }
    return out


def section_calibration(
    records: list[Record], probs: npt.NDArray[np.float64], spreads: list[float]
) -> dict[str, Any]:
    """Section-level ECE per dimension on labelled test sections (real and written): the
    service's section confidence against whether its level equals the section's true level."""
    from training.calibrate import labelled_sections, section_distributions

    labels = _labels(records)
    sections = labelled_sections(records, labels)
    dist = section_distributions(probs, sections, spreads)
    out: dict[str, Any] = {"sections": len({s.section for s in sections})}
    for d, dimension in enumerate(DIMENSIONS):
        idx = [i for i, s in enumerate(sections) if s.dimension == d]
        if not idx:
            continue
        truth = np.array([sections[i].truth for i in idx])
        sub = dist[idx]
        levels = shown_level(sub)
        confidence = sub[np.arange(len(idx)), levels]
        real = np.array([sections[i].source == "pfd" for i in idx])
        out[dimension] = {
            "n": len(idx),
            "real": int(real.sum()),
            "written": int((~real).sum()),
            "ece": round(expected_calibration_error(truth, sub), 4),
            "ece_real": round(expected_calibration_error(truth[real], sub[real]), 4)
            if real.any()
            else float("nan"),
            "accuracy": round(float((levels == truth).mean()), 4),
            "mean_confidence": round(float(confidence.mean()), 4),
            "needs_review_share": round(float((confidence < REVIEW_BELOW).mean()), 4),
            "min_confidence_of_shown": round(float(confidence.min()), 4),
        }
    return out


BENCHMARK_JSON = Path(__file__).resolve().parent / "benchmark.json"


def _benchmark_figures() -> dict[str, Any] | None:
    """The last ``python -m evaluation.benchmark --json evaluation/benchmark.json`` run."""
    if not BENCHMARK_JSON.is_file():
        return None
    return dict(json.loads(BENCHMARK_JSON.read_text(encoding="utf-8")))


def _distribution(records: list[Record]) -> dict[str, list[int]]:
    labels = _labels(records)
    return {
        dimension: np.bincount(labels[labels[:, d] >= 0, d], minlength=LEVELS).tolist()
        for d, dimension in enumerate(DIMENSIONS)
    }


def real_intervals(
    probs: npt.NDArray[np.float64], records: list[Record]
) -> dict[str, tuple[float, float]]:
    """Per dimension, the 95% interval of the model's QWK on ``records``, resampling
    whole reports (``evaluation.metrics.qwk_interval``)."""
    labels = _labels(records)
    levels = shown_level(probs)
    out: dict[str, tuple[float, float]] = {}
    for d, dimension in enumerate(DIMENSIONS):
        use = np.flatnonzero(labels[:, d] >= 0)
        if len(use) >= 2:
            groups = [records[i].report_id for i in use]
            out[dimension] = qwk_interval(labels[use, d], levels[use, d], groups)
    return out


def _as_dicts(
    results: dict[str, dict[str, DimensionScores]],
) -> dict[str, dict[str, dict[str, float]]]:
    return {system: {d: v.as_dict() for d, v in by_d.items()} for system, by_d in results.items()}


def _beats_all(results: dict[str, dict[str, DimensionScores]]) -> bool:
    return all(
        results["model"][d].qwk > results[b][d].qwk
        for d in results["model"]
        for b in BASELINES
        if d in results[b]
    )


def _child_in_passage_lines(figures: dict[str, Any]) -> list[str]:
    shown, hidden = figures["in_passage"], figures["only_in_report"]
    total = shown["passages"] + hidden["passages"]
    if not total:
        return []
    return [
        f"Of the {total} real test passages labelled child focus 1 or more, "
        f"{hidden['passages']} do not show in their own words that anyone in them is a child "
        "(no child noun, school or child service, no age under 18): the annotators knew it "
        "from the rest of the report, while the model reads one passage. The model shows "
        f"level 1 or more for {fmt(shown['shown_at_least_1'])} of the {shown['passages']} "
        f"that do and {fmt(hidden['shown_at_least_1'])} of the {hidden['passages']} that do "
        "not (`evaluation.lexicon.names_a_child`).",
        "",
    ]


def render_report(manifest: dict[str, Any], ev: dict[str, Any]) -> str:
    """The Markdown evaluation report (real text first)."""
    real, written = ev["real"], ev["written"]
    agree = ev["agreement"]
    lines = [
        f"# Evaluation report: {manifest['name']} {manifest['version']}",
        "",
        f"Generated by `scrutiny evaluate` on {dt.date.today().isoformat()}. The model runs "
        "through the service's own runtime class (`QualityModel`: verified int8 ONNX graph, "
        "manifest temperatures, the service's batching); section levels come from "
        "`service.aggregate`. Baselines are fitted on the train split only. The test split is "
        "used for this report and nothing else.",
        "",
        f"Evaluated corpus sha256 `{ev['corpus_sha256']}` (the model was trained on "
        f"`{manifest.get('corpus_sha256')}`"
        + (
            "; the same corpus"
            if ev["corpus_sha256"] == manifest.get("corpus_sha256")
            else "; passages added since are in dev and test reports only"
        )
        + ").",
        "",
        "QWK = quadratic weighted kappa of the level shown (the most probable level).",
        "",
        "## 1. Real text: coroners' Prevention of Future Deaths reports, test split",
        "",
        f"{ev['counts']['real_passages']} real test passages from "
        f"{ev['counts']['real_reports']} reports. The inter-annotator column is the QWK between "
        f"the first labels and a blind second annotation ({agree['passages']} passages, "
        f"{agree['reports']} reports): the ceiling a model can be expected to reach.",
        "",
        *comparison_table(
            _as_dicts(real), ceiling=agree, intervals=ev["real_intervals"], targets=REAL_TARGETS
        ),
        "",
        "The interval is a 95% percentile bootstrap of the model's QWK that resamples whole "
        "reports (2,000 rounds): how far the figure could move on another draw of reports "
        "like these. Where few passages sit away from the most common level (child focus, "
        "recommendations: see the distribution below) it is wide, and a target judged on the "
        "point figure alone would claim more than the data can show.",
        "",
        f"Model beats every baseline on every dimension on real text: "
        f"**{'yes' if _beats_all(real) else 'no'}**.",
        "",
        "Label distribution of the real test passages (levels 0/1/2/3):",
        "",
        *[f"- {d}: {ev['real_distribution'][d]}" for d in DIMENSIONS],
        "",
        "Real coroners' text has few strong passages: child focus above 1 and recommendation "
        "quality above 1 are rare (coroners write about adults far more often than children, "
        "and seldom name an owner, a measure and a timescale), so those dimensions' real QWK "
        "rests on few passages above level 1, and a single disagreement moves it.",
        "",
        *_child_in_passage_lines(ev["child_in_passage"]),
        "## 2. Project-written text, test split",
        "",
        *comparison_table(_as_dicts(written)),
        "",
        "Against 1.4.0's written test QWK (no dimension may drop more than 0.03):",
        "",
        "| dimension | 1.4.0 | this model | change |",
        "|---|---|---|---|",
    ]
    for dimension in DIMENSIONS:
        if dimension in written["model"]:
            now = written["model"][dimension].qwk
            before = WRITTEN_BASELINE_140[dimension]
            lines.append(f"| {dimension} | {before:.3f} | {now:.3f} | {now - before:+.3f} |")
    child = ev["no_child"]
    why = ev["explains_why"]
    ose = ev["onestopenglish"]
    lines += [
        "",
        "## 3. Real auxiliary checks",
        "",
        "**Child focus where there is no child.** Real test passages of adults' inquests "
        "labelled child focus 0 (no child in the passage): "
        f"{child['passages']} passages; levels shown 0/1/2/3: "
        f"{[child['levels'][str(k)] for k in range(LEVELS)]}; at level 0 or 1: "
        f"**{fmt(child['share_at_most_1'])}** (target 0.90); mean score {child['mean_score']}.",
        "",
        f'**"Explains why" on held-out Causal News Corpus documents.** {why["sentences"]} '
        f"sentences from {why['documents']} of the corpus's nine annotation batches (whole "
        "batches of news articles held out), never trained on or used for selection "
        f"({why['positive_share']:.0%} causal). ROC AUC of the shipped signal "
        f"(`{why['shipped_signal']}`): **{fmt(why['shipped_auc'])}** (target 0.80); the "
        f"root-cause score: {fmt(why['root_cause_score_auc'])}; the lexicon's causal "
        f"connectives: {fmt(why['lexicon_auc'])}.",
        "",
        f"**OneStopEnglish, held-out articles.** {ose['articles']} articles never trained on "
        "or used for selection; the elementary version scores higher clarity than the "
        f"advanced version in **{fmt(ose['simpler_scores_higher'])}** of pairs (target 0.90); "
        f"mean margin {ose['mean_margin']} levels.",
        "",
        "## 4. Calibration",
        "",
        "Passage level, test split: ECE of the shown level's probability (10 bins).",
        "",
        "| dimension | real ECE (n) | written ECE (n) |",
        "|---|---|---|",
    ]
    for dimension in DIMENSIONS:
        r = real["model"].get(dimension)
        w = written["model"].get(dimension)
        lines.append(
            f"| {dimension} | {fmt(r.ece if r else None)} ({r.n if r else 0}) | "
            f"{fmt(w.ece if w else None)} ({w.n if w else 0}) |"
        )
    sections = ev["sections"]
    lines += [
        "",
        f"Section level, test split: {sections['sections']} labelled sections (a section's "
        "true level is the band of the word-weighted mean of its passages' labels; the "
        "model's is the most probable level of the propagated distribution, "
        "`docs/aggregation.md`). Spreads (fitted on dev): "
        f"{manifest.get('section_spread')}.",
        "",
        "| dimension | sections (real/written) | ECE | ECE real | accuracy | mean confidence | "
        "needs review | lowest confidence shown |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for dimension in DIMENSIONS:
        s = sections.get(dimension)
        if s:
            lines.append(
                f"| {dimension} | {s['n']} ({s['real']}/{s['written']}) | **{fmt(s['ece'])}** | "
                f"{fmt(s['ece_real'])} | {fmt(s['accuracy'])} | {fmt(s['mean_confidence'])} | "
                f"{s['needs_review_share']:.0%} | {fmt(s['min_confidence_of_shown'])} |"
            )
    lines += [
        "",
        "No rating can show a level with confidence below 1/4: the level shown is the most "
        "probable of four.",
        "",
        "## 5. How the model was chosen",
        "",
        "Every decision was taken on the dev composite of `training/selection.py` "
        "(0.4 real dev QWK + 0.3 written dev QWK + 0.15 CNC dev AUC + 0.15 OneStopEnglish dev "
        "pairs), never on test. Recorded in `training/decisions.json`:",
        "",
    ]
    for decision in ev.get("decisions", []):
        lines.append(f"- **{decision['decision']}**: {decision['chosen']}. {decision['why']}")
        for name, figures in decision.get("figures", {}).items():
            shown = ", ".join(
                f"{k} {v:.3f}" for k, v in figures.items() if isinstance(v, float | int)
            )
            lines.append(f"  - {name}: {shown}")
    training = manifest.get("training", {})
    export = manifest.get("export", {})
    parity = export.get("parity", {})
    balanced = (manifest.get("hyperparameters") or {}).get("calibration_balance")
    balance = ", real and written weighted equally" if balanced else ", every passage alike"
    lines += [
        "",
        "## 6. Export and training",
        "",
        f"- Fused operators: {export.get('fused_ops')}; quantisation: {export.get('quantisation')}.",
        f"- ONNX int8 vs PyTorch level agreement on the test split: **{parity.get('level_agreement')}** "
        f"over {parity.get('passages')} passages (max |logit difference| {parity.get('max_abs_logit_diff')}).",
        f"- Best epoch {training.get('best_epoch')} by dev composite; training time "
        f"{training.get('train_seconds')} s on {manifest.get('hyperparameters', {}).get('threads')} CPU threads.",
        f"- Temperatures (fitted on dev{balance}): {manifest.get('temperatures')}.",
    ]
    head = manifest.get("embedding_head")
    if head:
        lines.append(
            f"- Embedding head ({head.get('stage')}): fitted on the {head.get('fitted_on')}, "
            f"{head.get('c')}, its share of each dimension's level probabilities {head.get('mix')}; "
            "float32 nodes after the int8 encoder, so the PyTorch parity above is the "
            "exported graph's before the head, and `tests/training/test_embedding_head.py` checks "
            "the graph against the head's NumPy twin."
        )
    bench = _benchmark_figures()
    if bench:
        lines.append(
            f"- Last benchmark: pipeline {bench.get('pipeline_pps')} passages/s, ONNX int8 "
            f"{bench.get('onnx_pps')} passages/s, ratio **{bench.get('ratio')}** ({bench.get('machine')})."
        )
    lines += [
        "",
        "## Baselines",
        "",
        "- majority: the train split's most frequent level; its probabilities are the train level shares.",
        "- tfidf_lr: TF-IDF word 1-2 grams (min_df 2, sublinear tf) + logistic regression (C=4).",
        "- lexicon: 17 rubric signals (acronym density, undefined acronyms, sentence length, dates, "
        "jargon, causal connectives, system conditions, blame phrases, child references, child's "
        "voice, quotations, addressees, actions, timescales, measures, vague exhortations, length) "
        "+ standardised logistic regression.",
        "",
    ]
    return "\n".join(lines)


def evaluate(model_dir: Path, report: Path, *, update_manifest: bool = True) -> dict[str, Any]:
    """Evaluate ``model_dir`` on the test split, write ``report``, record metrics in the manifest."""
    from training.config import DECISIONS_PATH
    from training.corpus import corpus_sha256
    from training.labelling.agreement import agreement
    from training.package import finalise, read_manifest
    from training.pipeline import load_parts

    records, parts = load_parts()
    manifest = read_manifest(model_dir)
    model = load_runtime(model_dir)
    test, train = parts["test"], parts["train"]
    probs = model.predict([r.text for r in test])
    by_source = {
        source: [i for i, r in enumerate(test) if r.source == source]
        for source in ("pfd", "written")
    }

    def subset(source: str) -> dict[str, dict[str, DimensionScores]]:
        chosen = by_source[source]
        return evaluate_split(probs[chosen], train, [test[i] for i in chosen])

    real_records = [test[i] for i in by_source["pfd"]]
    ev: dict[str, Any] = {
        "corpus_sha256": corpus_sha256(records),
        "real": subset("pfd"),
        "written": subset("written"),
        "agreement": agreement(),
        "counts": {
            "real_passages": len(real_records),
            "real_reports": len({r.report_id for r in real_records}),
        },
        "real_distribution": _distribution(real_records),
        "real_intervals": real_intervals(probs[by_source["pfd"]], real_records),
        "no_child": no_child_passages(test, probs),
        "child_in_passage": child_in_passage(test, probs),
        "explains_why": explains_why(model),
        "onestopenglish": onestopenglish(model),
        "sections": section_calibration(test, probs, list(model.manifest.section_spread)),
        "decisions": json.loads(DECISIONS_PATH.read_text(encoding="utf-8"))["decisions"]
        if DECISIONS_PATH.is_file()
        else [],
    }
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(render_report(manifest, ev), encoding="utf-8")
    metrics = {
        "split": "test",
        "real": _as_dicts(ev["real"]),
        "written": _as_dicts(ev["written"]),
        "real_model_qwk_interval": {
            d: [round(v, 4) for v in pair] for d, pair in ev["real_intervals"].items()
        },
        "inter_annotator": ev["agreement"],
        "no_child_child_focus": ev["no_child"],
        "child_focus_positives_by_passage_cue": ev["child_in_passage"],
        "explains_why": ev["explains_why"],
        "onestopenglish": ev["onestopenglish"],
        "sections": ev["sections"],
        "parity_level_agreement": manifest.get("export", {})
        .get("parity", {})
        .get("level_agreement"),
    }
    if update_manifest:
        manifest["metrics"] = metrics
        if ev["decisions"]:  # decisions taken after export (quantisation) belong on the card
            manifest.setdefault("training", {})["decisions"] = ev["decisions"]
        finalise(model_dir, manifest)
    return metrics
