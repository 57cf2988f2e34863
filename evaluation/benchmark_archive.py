"""Archive benchmark: ``scrutiny batch`` throughput against the model's raw throughput.

Builds a synthetic archive in a temporary folder from the project's own written corpus
(``training/data/written``): passages grouped into report-like PDF, DOCX and Markdown
documents of about ``--pages`` pages each (nothing is committed). Then prints the CPU model
and flags and:
- the model's raw passage throughput (``QualityModel.predict``, 2 threads, on the passages
  the archive's documents are cut into);
- ratings-only batch throughput of the local engine with 1 worker x 2 threads and 2 workers
  x 1 thread, and of the Ray engine with 2 actors x 1 thread (reports/hour, pages/s,
  passages/s), timed from the engine's start (a local Ray instance's start-up is shown
  apart: joining a running cluster does not pay it);
- the peak resident memory of any worker, and the ratios against their targets.

    python -m evaluation.benchmark_archive [--reports 20] [--pages 50] [--keep DIR]
                                           [--seed 0] [--json FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.benchmark_report import SECTION_ORDER, build_pdf

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = REPO / "models" / "scrutiny-minilm-v1"
# build_pdf's A4 pages hold about 620 corpus words; DOCX and Markdown get page breaks (or a
# page count) at the same density.
WORDS_PER_PAGE = 600
RAW_THREADS = 2
FORMATS = ("pdf", "docx", "md")
# (name, engine, workers, threads) of every batch run.
RUNS = (
    ("local_1x2", "local", 1, 2),
    ("local_2x1", "local", 2, 1),
    ("ray_2x1", "ray", 2, 1),
)
# (figure, target, description): a ratio or figure and the bound it must meet.
TARGETS = (
    ("batch_vs_raw", 0.9, "batch (local 1x2) / raw passage throughput >= 0.9"),
    ("workers_2_vs_1", 1.0, "local 2 workers / 1 worker >= 1.0"),
    ("ray_vs_local", 0.85, "Ray / local (2x1) >= 0.85"),
    ("peak_local_worker_mb", 300.0, "peak resident memory per local worker <= 300 MB"),
    ("peak_ray_actor_mb", 300.0, "peak resident memory per Ray actor <= 300 MB"),
)
_SIMD = re.compile(r"^(sse4_2|avx|avx2|fma|f16c|avx512\w*|avx_vnni\w*|amx\w*|vnni\w*)$")

Section = tuple[str, list[str]]


def cpu_info() -> dict[str, Any]:
    """The CPU model, logical CPUs usable here, and the SIMD flags onnxruntime cares about."""
    model = platform.processor() or platform.machine()
    flags: list[str] = []
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            model = value.strip()
        elif key.strip() in ("flags", "Features") and not flags:
            flags = [flag for flag in value.split() if _SIMD.match(flag)]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"model": model, "cpus": cpus, "simd_flags": flags}


def corpus_reports() -> list[list[tuple[str, Section]]]:
    """The written corpus as reports, each a list of (section kind, (heading, paragraphs))."""
    from training.corpus import load_written

    sections: dict[str, dict[str, tuple[str, Section]]] = defaultdict(dict)
    for record in load_written():
        heading = record.section.split("/", 1)[-1]
        _kind, (_heading, paragraphs) = sections[record.report_id].setdefault(
            heading, (record.section_kind, (heading, []))
        )
        paragraphs.append(record.text)
    return [list(sections[report].values()) for report in sorted(sections)]


def _words(section: Section) -> int:
    return sum(len(paragraph.split()) for paragraph in section[1])


def report_sections(
    reports: list[list[tuple[str, Section]]], rng: random.Random, words: int
) -> list[Section]:
    """Sections of corpus reports picked at random until ``words`` words, in report order."""
    picked: list[tuple[str, Section]] = []
    total = 0
    for report in rng.sample(reports, len(reports)):
        picked += report
        total += sum(_words(section) for _, section in report)
        if total >= words:
            break
    picked.sort(key=lambda item: SECTION_ORDER.index(item[0]) if item[0] in SECTION_ORDER else 99)
    return [section for _, section in picked]


def _numbered(number: int, heading: str) -> str:
    title = heading.split(". ", 1)[-1] if heading[:1].isdigit() else heading
    return f"{number}. {title}"


def write_docx(title: str, sections: list[Section], target: Path) -> int:
    """A DOCX with a page break every ``WORDS_PER_PAGE`` words; returns its page count."""
    from docx import Document

    document = Document()
    document.add_heading(title, 0)
    pages, on_page = 1, 0
    for number, (heading, paragraphs) in enumerate(sections, 1):
        document.add_heading(_numbered(number, heading), 1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
            on_page += len(paragraph.split())
            if on_page >= WORDS_PER_PAGE:
                document.add_page_break()
                pages, on_page = pages + 1, 0
    document.save(str(target))
    return pages


def write_markdown(title: str, sections: list[Section], target: Path) -> int:
    """A Markdown report; returns its length in pages of ``WORDS_PER_PAGE`` words."""
    lines = [f"# {title}", ""]
    for number, (heading, paragraphs) in enumerate(sections, 1):
        lines += [f"## {_numbered(number, heading)}", ""]
        for paragraph in paragraphs:
            lines += [paragraph, ""]
    target.write_text("\n".join(lines), encoding="utf-8")
    return max(1, math.ceil(sum(_words(s) for s in sections) / WORDS_PER_PAGE))


@dataclass(frozen=True)
class ArchiveDocument:
    """One document of the synthetic archive and its length in pages."""

    path: Path
    pages: int


def build_archive(folder: Path, reports: int, pages: int, seed: int) -> list[ArchiveDocument]:
    """Write ``reports`` documents of about ``pages`` pages (PDF, DOCX, Markdown in turn)."""
    corpus = corpus_reports()
    if not corpus:
        raise SystemExit("no written corpus found under training/data/written")
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    documents = []
    for index in range(reports):
        sections = report_sections(corpus, rng, pages * WORDS_PER_PAGE)
        kind = FORMATS[index % len(FORMATS)]
        target = folder / f"review-{index + 1:03d}.{kind}"
        title = f"Serious case review: Child {chr(ord('A') + index % 26)} ({index + 1})"
        if kind == "pdf":
            written = build_pdf(pages, target, sections)
        elif kind == "docx":
            written = write_docx(title, sections, target)
        else:
            written = write_markdown(title, sections, target)
        documents.append(ArchiveDocument(target, written))
    return documents


def archive_passages(documents: list[ArchiveDocument]) -> list[str]:
    """The passages the scorer cuts the archive's documents into (the model's input)."""
    from service.ingest import read_document
    from service.passages.build import build_passages

    texts: list[str] = []
    for document in documents:
        texts += [p.text for p in build_passages(read_document(document.path))]
    return texts


def raw_throughput(model_dir: Path, texts: list[str]) -> dict[str, float]:
    """Passages per second through ``QualityModel.predict`` alone (after a warm-up)."""
    from service.model.runtime import QualityModel
    from service.settings import service_settings

    model = QualityModel.load(
        model_dir, threads=RAW_THREADS, batch_size=service_settings().batch_size
    )
    model.predict(texts[:16])
    started = time.perf_counter()
    model.predict(texts)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "passages_per_s": round(len(texts) / seconds, 1)}


def batch_run(
    archive: Path, out: Path, model_dir: Path, engine: str, workers: int, threads: int
) -> dict[str, Any]:
    """One ratings-only ``scrutiny batch`` run over the archive into a fresh folder."""
    from service.batch.job import BatchOptions, run_batch

    summary = run_batch(
        BatchOptions(
            inputs=(str(archive),),
            out=out,
            model_dir=model_dir,
            workers=workers,
            threads=threads,
            engine=engine,
            quiet=True,
        )
    )
    return {
        "engine": engine,
        "workers": workers,
        "threads": threads,
        "ok": summary.ok,
        "failed": summary.failed,
        "startup_s": round(summary.startup_seconds, 2),
        "run_s": round(summary.run_seconds, 2),
        "total_s": round(summary.seconds, 2),
        "peak_worker_mb": round(summary.peak_worker_mb, 1),
    }


def _rates(run: dict[str, Any], reports: int, pages: int, passages: int) -> None:
    seconds = max(run["run_s"], 1e-9)
    run["reports_per_hour"] = round(reports / seconds * 3600, 1)
    run["pages_per_s"] = round(pages / seconds, 2)
    run["passages_per_s"] = round(passages / seconds, 1)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def _peak(runs: dict[str, dict[str, Any]], engine: str) -> float | None:
    peaks = [run["peak_worker_mb"] for run in runs.values() if run["engine"] == engine]
    return max(peaks) if peaks else None


def evaluate_targets(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target's value and whether it passes (None where it could not be measured)."""
    runs, raw = figures["runs"], figures["raw"]

    def pps(name: str) -> float | None:
        return runs[name]["passages_per_s"] if name in runs else None

    values = {
        "batch_vs_raw": _ratio(pps("local_1x2"), raw["passages_per_s"]),
        "workers_2_vs_1": _ratio(pps("local_2x1"), pps("local_1x2")),
        "ray_vs_local": _ratio(pps("ray_2x1"), pps("local_2x1")),
        "peak_local_worker_mb": _peak(runs, "local"),
        "peak_ray_actor_mb": _peak(runs, "ray"),
    }
    results = {}
    for name, target, description in TARGETS:
        value = values[name]
        passed = None
        if value is not None:
            passed = value <= target if name.endswith("_mb") else value >= target
        results[name] = {
            "value": value,
            "target": target,
            "pass": passed,
            "description": description,
        }
    return results


def _verdict(passed: bool | None) -> str:
    return "n/a" if passed is None else ("PASS" if passed else "FAIL")


def print_figures(figures: dict[str, Any]) -> None:
    """The benchmark's figures as text."""
    cpu, archive, raw = figures["cpu"], figures["archive"], figures["raw"]
    print(f"CPU: {cpu['model']}, {cpu['cpus']} logical CPUs usable")
    print(f"CPU flags (SIMD): {' '.join(cpu['simd_flags']) or 'none found'}")
    print(
        f"archive: {archive['reports']} reports ({', '.join(FORMATS)} in turn), "
        f"{archive['pages']} pages, {archive['passages']} passages, seed {archive['seed']}"
    )
    print(f"raw model ({RAW_THREADS} threads): {raw['passages_per_s']:8.1f} passages/s")
    for name, run in figures["runs"].items():
        if "skipped" in run:
            print(f"{name}: skipped ({run['skipped']})")
            continue
        start = f", engine start {run['startup_s']:.1f} s apart" if run["startup_s"] >= 0.5 else ""
        print(
            f"{name} ({run['engine']}, {run['workers']} x {run['threads']} threads): "
            f"{run['reports_per_hour']:8.1f} reports/h {run['pages_per_s']:7.2f} pages/s "
            f"{run['passages_per_s']:8.1f} passages/s  peak worker {run['peak_worker_mb']:.0f} MB"
            f"{start}" + (f"  ({run['failed']} FAILED inputs)" if run["failed"] else "")
        )
    for name, result in figures["targets"].items():
        value = result["value"]
        shown = (
            "n/a"
            if value is None
            else (f"{value:.0f} MB" if name.endswith("_mb") else f"{value:.3f}")
        )
        print(f"{name}: {shown}   {_verdict(result['pass'])}  ({result['description']})")


def run_benchmark(
    archive: Path, work: Path, model_dir: Path, reports: int, pages: int, seed: int
) -> dict[str, Any]:
    """Build the archive in ``archive``, run every measurement (outputs under ``work``)."""
    documents = build_archive(archive, reports, pages, seed)
    texts = archive_passages(documents)
    total_pages = sum(d.pages for d in documents)
    figures: dict[str, Any] = {
        "cpu": cpu_info(),
        "archive": {
            "reports": len(documents),
            "pages": total_pages,
            "passages": len(texts),
            "seed": seed,
            "pages_per_report": pages,
        },
        "raw": {"threads": RAW_THREADS, **raw_throughput(model_dir, texts)},
        "runs": {},
    }
    ray_installed = importlib.util.find_spec("ray") is not None
    for name, engine, workers, threads in RUNS:
        if engine == "ray" and not ray_installed:
            figures["runs"][name] = {"skipped": "Ray not installed: pip install -e '.[ray]'"}
            continue
        run = batch_run(archive, work / name, model_dir, engine, workers, threads)
        _rates(run, len(documents), total_pages, len(texts))
        figures["runs"][name] = run
    measured = {k: v for k, v in figures["runs"].items() if "skipped" not in v}
    figures["targets"] = evaluate_targets({**figures, "runs": measured})
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the archive benchmark and print its figures (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=20, help="documents in the archive")
    parser.add_argument("--pages", type=int, default=50, help="pages per document (about)")
    parser.add_argument("--seed", type=int, default=0, help="which passages go where")
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.reports < 1 or args.pages < 1:
        parser.error("--reports and --pages must be at least 1")
    with tempfile.TemporaryDirectory(prefix="scrutiny-archive-") as tmp:
        archive = args.keep or Path(tmp) / "archive"
        figures = run_benchmark(
            archive, Path(tmp) / "out", args.model, args.reports, args.pages, args.seed
        )
    print_figures(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    failed = sum(run.get("failed", 0) for run in figures["runs"].values())
    if failed:
        print(f"benchmark: {failed} archive documents failed to score", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
