"""Small archives for the batch tests: good documents of every type, and broken ones.

Every report here is fictional. The shipped model scores them (a few seconds each run).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from service.batch.worker import Task
from tests.fixtures.reports import Rendered, ReportSpec

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "models" / "scrutiny-minilm-v1"
EXAMPLE_DOCX = REPO / "examples" / "child-t-review.docx"
EXAMPLE_MD = REPO / "examples" / "child-t-review.md"
MAX_BYTES = 1_500_000  # SCRUTINY_INGEST_MAX_BYTES in tests with a too-big file

HTML_REVIEW = """<!doctype html><html><head><title>Child V: Rapid Review</title></head><body>
<h1>Child V: Rapid Review</h1>
<h2>1. Introduction</h2>
<p>Child V was seven months old when he was taken to hospital with a head injury. He lived
with his father and his father's partner in a rented house in the fictional town of Ashby
Marsh.</p>
<h2>2. Analysis</h2>
<p>The health visitor saw a bruise on Child V's ear at the six-week check and accepted the
father's account without asking how a baby who could not roll had been hurt. The service had
no guidance on bruising in non-mobile babies, and the visitor was covering two caseloads
that month, so the check was shortened.</p>
<p>Nobody asked what a day was like for Child V, who spent long hours in a car seat in the
front room while the adults slept.</p>
<h2>3. Recommendations</h2>
<p>3.1 The health visiting service should publish guidance on bruising in non-mobile babies
by March, and audit its use at six-week checks within twelve months.</p>
<p>3.2 The safeguarding partnership should report to its board within six months on how
caseloads are covered during staff absence.</p>
</body></html>
"""

TEXT_REVIEW = """Child W: Learning Review

1. Background

Child W was twelve when she stopped attending school. Her mother had a long illness and
Child W cared for her and for two younger brothers.

2. Findings

The school recorded forty days of absence as authorised illness without asking who was ill.
The attendance officer post had been vacant since the autumn, so the absences were never
reviewed. Child W later said she thought nobody noticed that she was not there.

3. Recommendations

3.1 The school should review every authorised absence of more than ten days each term,
starting in September, and report the numbers to the governing body.
"""


def write_good_documents(
    folder: Path, rendered: list[tuple[ReportSpec, Rendered, Rendered]]
) -> None:
    """One document of every supported type (nested folder included), all readable."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nested").mkdir(exist_ok=True)
    shutil.copy(rendered[0][1].path, folder / "fixture.pdf")
    shutil.copy(rendered[1][2].path, folder / "nested" / "fixture.docx")
    shutil.copy(EXAMPLE_DOCX, folder / "child-t.docx")
    shutil.copy(EXAMPLE_MD, folder / "nested" / "child-t.md")
    (folder / "child-v.html").write_text(HTML_REVIEW, encoding="utf-8")
    (folder / "nested" / "child-w.txt").write_text(TEXT_REVIEW, encoding="utf-8")


GOOD_NAMES = {
    "fixture.pdf",
    "fixture.docx",
    "child-t.docx",
    "child-t.md",
    "child-v.html",
    "child-w.txt",
}


def write_ignored_files(folder: Path) -> None:
    """Files a folder scan must skip: hidden ones, and suffixes that are not documents."""
    (folder / ".hidden").mkdir(exist_ok=True)
    (folder / ".hidden" / "secret.md").write_text("# Hidden\n\nNot to be scored.\n")
    (folder / ".draft.txt").write_text("A hidden draft.\n")
    (folder / "notes.json").write_text("{}\n")


def _small_pdf(*, encrypted: bool) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 6, "1 Introduction\n\nChild Z was seen by the health visitor in May.")
    if encrypted:
        pdf.set_encryption(owner_password="owner", user_password="secret")  # type: ignore[arg-type]
    return bytes(pdf.output())


# Broken file name -> the error code its failed row must carry.
BROKEN = {
    "encrypted.pdf": "encrypted_pdf",
    "corrupt.pdf": "corrupt",
    "empty.txt": "empty",
    "pdf-named.docx": "type_mismatch",
    "too-big.txt": "too_large",
}


def write_broken_documents(folder: Path) -> None:
    """One file per failure the batch must record and survive (see ``BROKEN``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "encrypted.pdf").write_bytes(_small_pdf(encrypted=True))
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "pdf-named.docx").write_bytes(_small_pdf(encrypted=False))
    (folder / "too-big.txt").write_text("The child was seen at home. " * (MAX_BYTES // 25))


def read_rows(out: Path, table: str) -> list[dict[str, Any]]:
    """The rows of one output table."""
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = pq.read_table(out / f"{table}.parquet").to_pylist()
    return rows


def csv_rows(out: Path, table: str) -> int:
    """Data rows of one CSV output (quoted newlines included, as a CSV reader counts them)."""
    import csv

    with (out / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def tasks_of(*paths: Path) -> list[Task]:
    """Engine tasks for ``paths`` (no metadata), as ``scrutiny batch`` builds them."""
    return [Task(str(p), hashlib.sha256(p.read_bytes()).hexdigest()) for p in paths]


def levels(rows: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """Each ok report's four report-level ratings, by sha256."""
    dims = ("clarity", "root_cause", "child_focus", "recommendations")
    return {
        row["sha256"]: tuple(row[f"{d}_level"] for d in dims)
        for row in rows
        if row["status"] == "ok"
    }


@pytest.fixture(scope="session")
def good_folder(
    tmp_path_factory: pytest.TempPathFactory,
    rendered_reports: list[tuple[ReportSpec, Rendered, Rendered]],
) -> Path:
    """A folder of readable documents of every supported type."""
    folder = tmp_path_factory.mktemp("good")
    write_good_documents(folder, rendered_reports)
    return folder


@pytest.fixture(scope="session")
def local_out(good_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``good_folder`` scored once by the local engine (one worker): the reference output."""
    from service.cli import main

    out = tmp_path_factory.mktemp("local-out")
    assert (
        main(["batch", str(good_folder), "--out", str(out), "--model", str(MODEL), "--quiet"]) == 0
    )
    return out
