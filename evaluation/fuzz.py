"""Hostile input at volume: mutated PDF, DOCX and HTML reports sent through the API.

Each file is a seed document (the example report as PDF, DOCX and HTML, plus any seeds a
caller adds) with one to three mutations drawn with a fixed seed: bit flips, truncation,
inserted or deleted bytes, inserted PDF objects, a duplicated or damaged xref table,
shuffled, dropped, duplicated or damaged ZIP members, deep nesting and stray markup. Every
file goes to ``POST /v1/score/file`` of an in-process app with the shipped model, and every
answer must be a 200 with a valid score or a problem+json 4xx, within the parse time limit.

    python -m evaluation.fuzz --files 1000 [--seed 0]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import time
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.documents import REPO, example_docx, example_markdown, render_html, render_pdf

Mutator = Callable[[bytes, random.Random], bytes]
DEFAULT_MODEL = REPO / "models" / "scrutiny-minilm-v1"
# Beyond the parse limit, scoring the largest seed may take this long on a busy machine.
SCORING_ALLOWANCE_S = 60.0

_TOKENS = (
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\r",
    b"%%EOF",
    b"endobj",
    b"stream\n",
    b"<<",
    b">>",
    b"[",
    b"9999999999",
    b"-1",
    b"<",
    b"</",
    b"&#0;",
    b"\xe2\x80\xae",  # right-to-left override
    b"PK\x03\x04",
)


# --- mutations of any file ------------------------------------------------------------------


def _at(data: bytes, rng: random.Random) -> int:
    return rng.randrange(len(data) + 1)


def flip_bits(data: bytes, rng: random.Random) -> bytes:
    """Flip 1 to 32 random bits."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 32)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    """Cut the file short anywhere."""
    return data[: rng.randrange(1, max(2, len(data)))]


def insert_bytes(data: bytes, rng: random.Random) -> bytes:
    """Insert random bytes or a token that means something to a parser."""
    if rng.random() < 0.5:
        chunk = rng.choice(_TOKENS) * rng.randint(1, 64)
    else:
        chunk = rng.randbytes(rng.randint(1, 512))
    at = _at(data, rng)
    return data[:at] + chunk + data[at:]


def duplicate_chunk(data: bytes, rng: random.Random) -> bytes:
    """Copy a random stretch of the file elsewhere in it."""
    start = rng.randrange(max(1, len(data)))
    chunk = data[start : start + rng.randint(1, 4096)]
    at = _at(data, rng)
    return data[:at] + chunk + data[at:]


def delete_chunk(data: bytes, rng: random.Random) -> bytes:
    """Remove a random stretch."""
    start = rng.randrange(max(1, len(data)))
    return data[:start] + data[start + rng.randint(1, 4096) :]


def huge_numbers(data: bytes, rng: random.Random) -> bytes:
    """Replace a number (a length, an offset, a size) with a huge, negative or odd one."""
    replacement = rng.choice([b"99999999999999999999", b"-1", b"0", b"1e308", b"-2147483649"])
    matches = list(re.finditer(rb"\d+", data[:200_000]))
    if not matches:
        return insert_bytes(data, rng)
    match = rng.choice(matches)
    return data[: match.start()] + replacement + data[match.end() :]


GENERIC: tuple[Mutator, ...] = (
    flip_bits,
    truncate,
    insert_bytes,
    duplicate_chunk,
    delete_chunk,
    huge_numbers,
)


# --- PDF ------------------------------------------------------------------------------------


def insert_pdf_object(data: bytes, rng: random.Random) -> bytes:
    """Insert a hostile object: dangling references, absurd boxes, deep nesting, a stream
    whose /Length lies, or an object that refers to itself."""
    number = rng.randint(1, 60)
    body = rng.choice(
        [
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 -1 1e308] /Contents 999 0 R >>",
            b"<< /Type /Pages /Kids [%d 0 R] /Count 2147483647 >>" % number,
            b"[" * 5000 + b"]" * 5000,
            b"<< /Length 99999999 >>\nstream\nBT /F1 12 Tf (x) Tj ET\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /" + b"A" * 4096 + b" >>",
            b"<< /Filter /FlateDecode /Length 12 >>\nstream\n"
            + b"\x78\x9c"
            + b"\x00" * 10
            + b"\nendstream",
            b"%d 0 R" % number,
        ]
    )
    obj = b"\n%d 0 obj\n%s\nendobj\n" % (number, body)
    at = data.rfind(b"xref")
    at = at if at > 0 and rng.random() < 0.6 else _at(data, rng)
    return data[:at] + obj + data[at:]


def duplicate_xref(data: bytes, rng: random.Random) -> bytes:
    """Repeat the cross-reference section (xref ... %%EOF), in place or appended."""
    start = data.rfind(b"xref")
    if start < 0:
        return insert_bytes(data, rng)
    section = data[start:]
    if rng.random() < 0.5:
        return data + b"\n" + section
    return data[:start] + section + b"\n" + section


def damage_xref(data: bytes, rng: random.Random) -> bytes:
    """Change offsets in the cross-reference table or the startxref pointer."""
    start = data.rfind(b"xref")
    if start < 0:
        return flip_bits(data, rng)
    head, tail = data[:start], bytearray(data[start:])
    digits = [i for i, b in enumerate(tail) if 48 <= b <= 57]
    for i in rng.sample(digits, min(len(digits), rng.randint(1, 12))):
        tail[i] = rng.randint(48, 57)
    return head + bytes(tail)


PDF_MUTATORS: tuple[Mutator, ...] = (insert_pdf_object, duplicate_xref, damage_xref)


# --- DOCX (ZIP) -----------------------------------------------------------------------------


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info, archive.read(info)) for info in archive.infolist()]
    except Exception:  # zipfile, zlib and struct errors alike: too damaged to rebuild
        return None


def _zip(members: Iterable[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point of one mutation
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, content in members:
                # The member's own timestamp, not the clock's, so a seed gives the same bytes.
                member = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                member.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(member, content)
    return out.getvalue()


def shuffle_members(data: bytes, rng: random.Random) -> bytes:
    """Rebuild the archive with its members in a random order."""
    members = _members(data)
    if not members:
        return flip_bits(data, rng)
    rng.shuffle(members)
    return _zip(members)


def drop_member(data: bytes, rng: random.Random) -> bytes:
    """Rebuild the archive without one member (document.xml, styles, rels...)."""
    members = _members(data)
    if not members:
        return truncate(data, rng)
    members.pop(rng.randrange(len(members)))
    return _zip(members)


def duplicate_member(data: bytes, rng: random.Random) -> bytes:
    """Add a second member with the same name as an existing one, with other content."""
    members = _members(data)
    if not members:
        return insert_bytes(data, rng)
    info, content = rng.choice(members)
    members.insert(rng.randrange(len(members) + 1), (info, flip_bits(content, rng)))
    return _zip(members)


def damage_member_xml(data: bytes, rng: random.Random) -> bytes:
    """Mutate the XML inside a member (then recompress it validly)."""
    members = _members(data)
    if not members:
        return flip_bits(data, rng)
    xml = [i for i, (info, _) in enumerate(members) if info.filename.endswith((".xml", ".rels"))]
    index = rng.choice(xml) if xml else rng.randrange(len(members))
    info, content = members[index]
    mutate = rng.choice((*GENERIC, nest_deeply, stray_markup))
    members[index] = (info, mutate(content, rng))
    return _zip(members)


ZIP_MUTATORS: tuple[Mutator, ...] = (
    shuffle_members,
    drop_member,
    duplicate_member,
    damage_member_xml,
)


# --- HTML and XML ---------------------------------------------------------------------------


def nest_deeply(data: bytes, rng: random.Random) -> bytes:
    """Insert thousands of nested elements."""
    depth = rng.choice([300, 3000, 30000])
    tag = rng.choice([b"div", b"table", b"w:p", b"b", b"li"])
    chunk = b"<%s>" % tag * depth + b"x" + b"</%s>" % tag * depth
    at = _at(data, rng)
    return data[:at] + chunk + data[at:]


def stray_markup(data: bytes, rng: random.Random) -> bytes:
    """Insert unbalanced tags, odd entities, scripts, comments or a declared entity."""
    chunk = rng.choice(
        [
            b"</p></body></html><p>",
            b"<table><tr><td>" * 50,
            b"<script>" + b"x" * 1000,
            b"<!--" + b"-" * 100,
            b"&#x110000;&#0;&#xD800;&amp&nbsp" * 20,
            b'<meta charset="utf-16">',
            b'<meta http-equiv="Content-Type" content="text/html; charset=bogus-8">',
            b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>&a;&a;',
            b"<h1>" * 200,
            b"<![CDATA[" + b"]" * 100,
        ]
    )
    at = _at(data, rng)
    return data[:at] + chunk + data[at:]


MARKUP_MUTATORS: tuple[Mutator, ...] = (nest_deeply, stray_markup)


# --- seeds, files and the run ---------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """A document to mutate: its file name (which gives its kind) and bytes."""

    name: str
    data: bytes

    @property
    def kind(self) -> str:
        return Path(self.name).suffix.lstrip(".").lower()


def example_seeds() -> list[Seed]:
    """The example report as PDF (rendered), DOCX (bundled) and HTML (rendered)."""
    markdown = example_markdown()
    return [
        Seed("child-t-review.pdf", render_pdf(markdown)),
        Seed("child-t-review.docx", example_docx()),
        Seed("child-t-review.html", render_html(markdown)),
    ]


_SPECIFIC = {"pdf": PDF_MUTATORS, "docx": ZIP_MUTATORS, "html": MARKUP_MUTATORS}
# Mutations that know the format get past the first checks more often (a bit flip in a
# compressed ZIP member is caught by its CRC), so they are drawn more often.
_SPECIFIC_SHARE = 0.6


def _pick_mutator(kind: str, rng: random.Random) -> Mutator:
    specific = _SPECIFIC.get(kind, ())
    pool = specific if specific and rng.random() < _SPECIFIC_SHARE else GENERIC
    return rng.choice(pool)


@dataclass(frozen=True)
class Mutant:
    """One fuzzed upload."""

    index: int
    seed: Seed
    filename: str
    media_type: str | None
    data: bytes
    mutations: tuple[str, ...]


MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
}


def mutate(source: Seed, rng: random.Random) -> tuple[bytes, tuple[str, ...]]:
    """``source`` with one to three mutations drawn from ``rng``, and their names."""
    data = source.data
    names = []
    for _ in range(rng.randint(1, 3)):
        mutation = _pick_mutator(source.kind, rng)
        data = mutation(data, rng)
        names.append(mutation.__name__)
    return data, tuple(names)


def mutants(seeds: Sequence[Seed], count: int, seed: int = 0) -> Iterator[Mutant]:
    """``count`` mutated files, the same ones for the same ``seed``."""
    rng = random.Random(seed)
    for index in range(count):
        source = rng.choice(seeds)
        data, names = mutate(source, rng)
        # Mostly the real name; sometimes no extension, so the declared type decides.
        named = rng.random() < 0.85
        filename = f"fuzz-{index:04d}.{source.kind}" if named else f"fuzz-{index:04d}"
        media_type = MEDIA_TYPES.get(source.kind) if not named or rng.random() < 0.5 else None
        yield Mutant(index, source, filename, media_type, data, names)


@dataclass
class Outcome:
    """The answer to one mutant."""

    mutant: Mutant
    status: int
    problem: str | None  # the problem type's last segment for an error
    seconds: float
    failure: str | None  # why the answer breaks the contract, if it does


def check_answer(status: int, content_type: str, body: bytes) -> tuple[str | None, str | None]:
    """(problem code, failure) for one answer: 200 must be a valid score, anything else a
    problem+json 4xx whose ``status`` matches."""
    from service.schemas import ScoreResponse

    if status == 200:
        try:
            ScoreResponse.model_validate_json(body)
        except ValueError as error:
            return None, f"200 with an invalid body: {type(error).__name__}"
        return None, None
    if not content_type.startswith("application/problem+json"):
        return None, f"{status} is not problem+json ({content_type})"
    try:
        problem: dict[str, Any] = json.loads(body)
    except ValueError:
        return None, f"{status} with a body that is not JSON"
    code = str(problem.get("type", "")).rsplit("/", 1)[-1]
    if not {"type", "title", "status", "detail"} <= set(problem) or problem["status"] != status:
        return code, f"{status} problem without the RFC 9457 fields"
    if not 400 <= status < 500:
        return code, f"{status} is not a 4xx"
    return code, None


def send(
    client: Any,
    mutant: Mutant,
    limit_s: float,
    check_score: Callable[[bytes], object] | None = None,
) -> Outcome:
    """Upload one mutant through ``client`` (a TestClient) and judge the answer;
    ``check_score`` may add checks of a 200's body (raising AssertionError or ValueError)."""
    file: tuple[str, bytes] | tuple[str, bytes, str] = (
        (mutant.filename, mutant.data, mutant.media_type)
        if mutant.media_type
        else (mutant.filename, mutant.data)
    )
    started = time.monotonic()
    response = client.post("/v1/score/file", files={"file": file})
    seconds = time.monotonic() - started
    problem, failure = check_answer(
        response.status_code, response.headers.get("content-type", ""), response.content
    )
    if failure is None and response.status_code == 200 and check_score is not None:
        try:
            check_score(response.content)
        except (AssertionError, ValueError) as error:
            failure = f"200 breaking the response invariants ({type(error).__name__})"
    if failure is None and seconds > limit_s:
        failure = f"took {seconds:.0f} s, past the {limit_s:.0f} s limit"
    return Outcome(mutant, response.status_code, problem, seconds, failure)


@dataclass
class FuzzReport:
    """Every outcome of a run and its figures."""

    outcomes: list[Outcome] = field(default_factory=list)

    def statuses(self) -> Counter[str]:
        """Answers by status and problem code, e.g. "422 corrupt"."""
        return Counter(
            f"{o.status} {o.problem}" if o.problem else str(o.status) for o in self.outcomes
        )

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failure]

    def lines(self) -> list[str]:
        """Readable figures (no file content)."""
        slowest = max(self.outcomes, key=lambda o: o.seconds)
        by_kind = Counter(o.mutant.seed.kind for o in self.outcomes)
        parsed = Counter(o.mutant.seed.kind for o in self.outcomes if o.status == 200)
        lines = [
            f"files: {len(self.outcomes)} ("
            + ", ".join(f"{k} {n}, {parsed[k]} scored" for k, n in sorted(by_kind.items()))
            + ")",
            "answers: " + ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses().items())),
            f"max latency: {slowest.seconds:.2f} s (file {slowest.mutant.index}, "
            f"{slowest.mutant.seed.kind}, {'+'.join(slowest.mutant.mutations)}); "
            f"total {sum(o.seconds for o in self.outcomes):.0f} s",
            f"contract failures: {len(self.failures())}",
        ]
        for o in self.failures()[:20]:
            lines.append(
                f"  file {o.mutant.index} ({o.mutant.seed.name}, "
                f"{'+'.join(o.mutant.mutations)}): {o.failure}"
            )
        return lines


def run(
    client: Any,
    seeds: Sequence[Seed],
    count: int,
    *,
    seed: int = 0,
    limit_s: float,
    check_score: Callable[[bytes], object] | None = None,
    progress: Callable[[int], None] | None = None,
) -> FuzzReport:
    """Send ``count`` mutants of ``seeds`` through ``client`` and judge every answer."""
    report = FuzzReport()
    for mutant in mutants(seeds, count, seed):
        report.outcomes.append(send(client, mutant, limit_s, check_score))
        if progress:
            progress(len(report.outcomes))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    from fastapi.testclient import TestClient

    from evaluation.load import cpu_model
    from service.api.app import create_app
    from service.settings import ApiSettings, ingest_limits

    limit_s = ingest_limits().parse_timeout_s + SCORING_ALLOWANCE_S
    app = create_app(ApiSettings(rate_limit_per_minute=0), args.model, load_in_background=False)
    print(f"CPU: {cpu_model()}")
    print(f"seeds: {', '.join(s.name for s in example_seeds())}; random seed {args.seed}")

    def progress(done: int) -> None:
        if done % 100 == 0:
            print(f"  {done} files sent", flush=True)

    with TestClient(app) as client:
        report = run(
            client,
            example_seeds(),
            args.files,
            seed=args.seed,
            limit_s=limit_s,
            progress=progress,
        )
        alive = (
            client.get("/healthz").status_code == 200 and client.get("/readyz").status_code == 200
        )
    print("\n".join(report.lines()))
    print(f"service still up and ready afterwards: {alive}")
    return 0 if alive and not report.failures() else 1


if __name__ == "__main__":
    raise SystemExit(main())
