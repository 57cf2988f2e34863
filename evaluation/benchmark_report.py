"""End-to-end benchmark: score a 100-page fictional report and print where the time goes.

The report is assembled from the project's own written corpus (training/data/written),
rendered to PDF with running headers and page numbers, then scored in a fresh process that
loads only the serving stack, as `scrutiny serve` would. Prints ingest, model and total
time, passages per second, and the peak resident memory of the serving process (and,
separately, of the isolated parser process).

    python -m evaluation.benchmark_report [--pages 100] [--model models/scrutiny-minilm-v1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WRITTEN = REPO / "training" / "data" / "written"
# The order sections of a synthetic report follow (also the archive benchmark's).
SECTION_ORDER = (
    "background",
    "methodology",
    "chronology",
    "analysis",
    "findings",
    "child_voice",
    "recommendations",
)


def _sections_from_corpus() -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) in report order, from every written report of the corpus."""
    reports: dict[str, dict[str, tuple[str, list[str]]]] = defaultdict(dict)
    for path in sorted(WRITTEN.glob("*/*.jsonl")):
        for line in path.open(encoding="utf-8"):
            if line.strip():
                row = json.loads(line)
                sections = reports[row["report_id"]]
                _heading, paragraphs = sections.setdefault(
                    row["section_kind"], (row["section_heading"], [])
                )
                paragraphs.append(row["text"])
    ordered = []
    for report_id in sorted(reports):
        for kind in SECTION_ORDER:
            if kind in reports[report_id]:
                ordered.append(reports[report_id][kind])
    return ordered


def build_pdf(pages: int, target: Path, sections: list[tuple[str, list[str]]] | None = None) -> int:
    """Write a PDF of at least ``pages`` pages from ``sections`` (heading, paragraphs), repeated
    as needed (default: the whole written corpus); returns the number of pages written."""
    try:
        from fpdf import FPDF
    except ImportError as error:  # pragma: no cover - dev extra
        raise SystemExit("the benchmark needs the dev extra: pip install -e '.[dev]'") from error

    class Report(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, "Child R SCR - Final", align="C")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, f"Page {self.page_no()}", align="C")

    pdf = Report(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    sections = _sections_from_corpus() if sections is None else sections
    if not sections:
        raise SystemExit("no written corpus found under training/data/written")
    number = 0
    while pdf.page_no() < pages:
        heading, paragraphs = sections[number % len(sections)]
        number += 1
        pdf.set_font("Helvetica", style="B", size=14)
        title = heading.split(". ", 1)[-1] if heading[:1].isdigit() else heading
        pdf.multi_cell(0, 8, f"{number}. {title}".encode("latin-1", "replace").decode("latin-1"))
        pdf.ln(2)
        pdf.set_font("Helvetica", size=11)
        for i, paragraph in enumerate(paragraphs, 1):
            text = f"{number}.{i} {paragraph}".encode("latin-1", "replace").decode("latin-1")
            pdf.multi_cell(0, 5.5, text)
            pdf.ln(2)
    pdf.output(str(target))
    return pdf.page_no()


_SCORER = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from service.model.runtime import QualityModel
from service.passages.build import build_passages
from service.scoring import score_path
model = QualityModel.load(Path(sys.argv[2]))
load_s = time.perf_counter() - t0
result = score_path(Path(sys.argv[1]), model)
from service.ingest import read_document
passages = len(build_passages(read_document(Path(sys.argv[1]))))
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"load_s": load_s, "timings_ms": result.timings_ms.model_dump(),
    "pages": result.document.pages, "characters": result.document.characters,
    "sections": len(result.sections), "passages": passages,
    "highlights": sum(len(s.highlights) for s in result.sections),
    "recommendations": len(result.recommendations),
    "torch_loaded": "torch" in sys.modules,
    "rss_self_mb": self_kb / 1024}))
"""

# The isolated parser runs in a forkserver child that is not ours to wait on, so its peak is
# measured by parsing the same file in a process of its own.
_PARSER = r"""
import json, resource, sys
from pathlib import Path
from service.ingest import read_document
from service.settings import IngestLimits
read_document(Path(sys.argv[1]), limits=IngestLimits(isolate=False))
print(json.dumps({"rss_parser_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--model", type=Path, default=REPO / "models" / "scrutiny-minilm-v1")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "benchmark-report.pdf"
        pages = build_pdf(args.pages, pdf)
        run = subprocess.run(
            [sys.executable, "-c", _SCORER, str(pdf), str(args.model)],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
        parse = subprocess.run(
            [sys.executable, "-c", _PARSER, str(pdf)],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
    for step in (run, parse):
        if step.returncode != 0:
            print(step.stderr, file=sys.stderr)
            return step.returncode
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    figures.update(json.loads(parse.stdout.strip().splitlines()[-1]))
    timings = figures["timings_ms"]
    print(
        f"report: {pages} pages written, {figures['pages']} read, {figures['characters']:,} characters, "
        f"{figures['sections']} sections, {figures['passages']} passages"
    )
    print(f"model load (once per process): {figures['load_s']:.2f} s")
    print(f"ingest: {timings['ingest'] / 1000:.2f} s")
    print(f"model (ratings + highlights): {timings['model'] / 1000:.2f} s")
    print(f"total: {timings['total'] / 1000:.2f} s   (target: at most 10 s)")
    print(
        f"passages per second (end to end): {figures['passages'] / (timings['total'] / 1000):.1f}"
    )
    print(
        f"peak resident memory, serving process: {figures['rss_self_mb']:.0f} MB   (target: under 300 MB)"
    )
    print(
        f"peak resident memory, parser (in a process of its own): {figures['rss_parser_mb']:.0f} MB"
    )
    print(
        f"highlights: {figures['highlights']}, recommendations: {figures['recommendations']}, "
        f"torch imported: {figures['torch_loaded']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
