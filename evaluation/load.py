"""Load and soak test of the HTTP API, on loopback only, bounded in time.

Starts ``scrutiny serve`` on a free loopback port with the shipped model (unless ``--url``
names a running one), then drives it with asyncio clients that each send one request after
another: small texts (``POST /v1/score``) and 40-page PDFs (``POST /v1/score/file``) made
from the project's example report. A client told to back off (429 or 503 with
Retry-After) waits as told. Prints the CPU model, throughput, latency percentiles, counts
by status (and whether every 429/503 carried Retry-After) and the server's resident memory
at start and end; a soak also prints it each minute and a PASS/FAIL verdict.

    python -m evaluation.load --clients 2,4,16 --seconds 60
    python -m evaluation.load --clients 4 --soak 600
    python -m evaluation.load --clients 16 --seconds 30 --url http://127.0.0.1:8000 --pid 1234

The server it starts has the rate limit off (``SCRUTINY_API_RATE_LIMIT_PER_MINUTE=0``):
every client shares the loopback address, so one bucket would throttle them all; pass
``--rate-limit N`` to drive it with the limit on. Needs the dev extra (httpx, fpdf2).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from evaluation.documents import REPO, example_markdown, render_pdf

if TYPE_CHECKING:
    import httpx

DEFAULT_MODEL = REPO / "models" / "scrutiny-minilm-v1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
KINDS = ("text", "pdf")
# A request still running at the deadline may finish within this; then it is abandoned.
DRAIN_SECONDS = 120.0
SOAK_RSS_GROWTH_LIMIT = 0.10


@dataclass(frozen=True)
class Sample:
    """One request: what was sent, how it ended and how long it took."""

    kind: str
    status: int  # 0 when no HTTP answer came back
    seconds: float
    retry_after: bool
    error: str | None = None


@dataclass
class RunResult:
    """Every request of one scenario and the server's memory over it (MB by elapsed s)."""

    clients: int
    seconds: float
    elapsed: float
    samples: list[Sample] = field(default_factory=list)
    rss_mb: list[tuple[float, float]] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        """Answers by status ("200", "503", ... or "error:<exception>")."""
        return Counter(
            s.error if s.status == 0 and s.error else str(s.status) for s in self.samples
        )

    def backoffs_without_retry_after(self) -> int:
        """429/503 answers that did not say when to retry."""
        return sum(1 for s in self.samples if s.status in (429, 503) and not s.retry_after)

    def unexpected(self) -> int:
        """Answers other than 200 and 503 with Retry-After (the soak's error count)."""
        return sum(
            1 for s in self.samples if not (s.status == 200 or (s.status == 503 and s.retry_after))
        )


def cpu_model() -> str:
    """The CPU's model name and the number of cores this process may use."""
    name = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name}, {cores} cores"


def resident_mb(pid: int) -> float | None:
    """The process's resident memory (VmRSS) in MB, or None when it cannot be read."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def parse_mix(text: str) -> dict[str, float]:
    """``"text=0.8,pdf=0.2"`` to normalised weights per kind."""
    weights: dict[str, float] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in KINDS:
            raise ValueError(f"unknown kind {name!r} in --mix; use {', '.join(KINDS)}")
        weights[name] = float(value or 1)
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("--mix needs a positive weight")
    return {name: weight / total for name, weight in weights.items()}


def check_loopback(url: str) -> str:
    """``url`` without a trailing slash; refuses anything but a loopback host."""
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"--url must be on loopback ({', '.join(sorted(LOOPBACK))}), not {host}")
    return url.rstrip("/")


@dataclass
class Server:
    """A ``scrutiny serve`` process started by this tool."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's log (never report text: the service logs none)."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, then wait for the drained exit; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    model: Path, log_dir: Path, env: dict[str, str] | None = None, ready_timeout: float = 120.0
) -> Server:
    """Start ``scrutiny serve`` on a free loopback port and wait until /readyz says ready."""
    import httpx

    port = _free_port()
    log_path = log_dir / "server.log"
    environment = {**os.environ, "SCRUTINY_API_RATE_LIMIT_PER_MINUTE": "0", **(env or {})}
    command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--model", str(model)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=environment
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{server.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return server
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"the server was not ready within {ready_timeout:.0f} s")


@dataclass(frozen=True)
class Workload:
    """The bodies the clients send: a small text and a PDF."""

    text: str
    pdf: bytes

    @classmethod
    def build(cls, pdf_pages: int = 40) -> Workload:
        """The example report as text, and rendered to a PDF of ``pdf_pages`` pages."""
        markdown = example_markdown()
        return cls(markdown, render_pdf(markdown, pdf_pages))


async def _send(client: httpx.AsyncClient, url: str, kind: str, work: Workload) -> httpx.Response:
    if kind == "text":
        return await client.post(url + "/v1/score", json={"text": work.text, "include_text": False})
    return await client.post(
        url + "/v1/score/file",
        params={"include_text": "false"},
        files={"file": ("load-report.pdf", work.pdf, "application/pdf")},
    )


def _retry_seconds(value: str | None) -> float:
    """Retry-After in seconds (the API sends integers); 1 s when missing or unreadable."""
    try:
        return max(0.0, float(value or 1))
    except ValueError:
        return 1.0


async def _client_loop(
    index: int,
    url: str,
    work: Workload,
    mix: dict[str, float],
    deadline: float,
    samples: list[Sample],
    seed: int,
) -> None:
    import httpx

    rng = random.Random(seed * 1000 + index)
    kinds, weights = list(mix), list(mix.values())
    timeout = httpx.Timeout(DRAIN_SECONDS + 60, connect=10)
    async with httpx.AsyncClient(timeout=timeout) as client:
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            started = time.monotonic()
            try:
                response = await _send(client, url, kind, work)
            except httpx.HTTPError as error:
                samples.append(
                    Sample(kind, 0, time.monotonic() - started, False, type(error).__name__)
                )
                await asyncio.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
                continue
            retry_after = response.headers.get("retry-after")
            samples.append(
                Sample(kind, response.status_code, time.monotonic() - started, bool(retry_after))
            )
            if response.status_code in (429, 503):
                # Back off as told, but never past the end of the run.
                pause = _retry_seconds(retry_after)
                await asyncio.sleep(min(pause, max(0.0, deadline - time.monotonic())))


async def _sample_memory(
    pid: int | None, started: float, every: float, rss: list[tuple[float, float]]
) -> None:
    while pid is not None:
        await asyncio.sleep(every)
        value = resident_mb(pid)
        if value is not None:
            rss.append((time.monotonic() - started, value))


async def _run(
    url: str,
    clients: int,
    seconds: float,
    mix: dict[str, float],
    work: Workload,
    pid: int | None,
    sample_every: float,
    seed: int,
) -> RunResult:
    result = RunResult(clients, seconds, 0.0)
    started = time.monotonic()
    first = resident_mb(pid) if pid else None
    if first is not None:
        result.rss_mb.append((0.0, first))
    deadline = started + seconds
    sampler = asyncio.create_task(_sample_memory(pid, started, sample_every, result.rss_mb))
    tasks = [
        asyncio.create_task(_client_loop(i, url, work, mix, deadline, result.samples, seed))
        for i in range(clients)
    ]
    _done, pending = await asyncio.wait(tasks, timeout=seconds + DRAIN_SECONDS)
    for task in pending:  # still waiting on an answer long after the deadline
        task.cancel()
        result.samples.append(Sample("?", 0, DRAIN_SECONDS, False, "abandoned"))
    await asyncio.gather(*pending, return_exceptions=True)
    sampler.cancel()
    await asyncio.gather(sampler, return_exceptions=True)
    result.elapsed = time.monotonic() - started
    last = resident_mb(pid) if pid else None
    if last is not None:
        result.rss_mb.append((result.elapsed, last))
    return result


def run_scenario(
    url: str,
    clients: int,
    seconds: float,
    mix: dict[str, float],
    work: Workload,
    *,
    pid: int | None = None,
    sample_every: float = 60.0,
    seed: int = 0,
) -> RunResult:
    """Drive the API at ``url`` with ``clients`` clients for ``seconds`` seconds."""
    return asyncio.run(
        _run(check_loopback(url), clients, seconds, mix, work, pid, sample_every, seed)
    )


def _percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(result: RunResult) -> list[str]:
    """Readable lines: throughput, latency, statuses, Retry-After, memory."""
    ok = [s for s in result.samples if s.status == 200]
    lines = [
        f"{result.clients} clients, {result.seconds:.0f} s "
        f"({result.elapsed:.1f} s with the last answers): {len(result.samples)} requests, "
        f"{len(ok)} scored, {len(ok) / result.elapsed:.2f} scored/s"
    ]
    for kind in KINDS:
        times = sorted(s.seconds for s in ok if s.kind == kind)
        if times:
            lines.append(
                f"  {kind:>4}: {len(times)} scored, latency p50 {_percentile(times, 50):.2f} s, "
                f"p95 {_percentile(times, 95):.2f} s, p99 {_percentile(times, 99):.2f} s, "
                f"max {times[-1]:.2f} s"
            )
    counts = ", ".join(f"{status}: {n}" for status, n in sorted(result.counts().items()))
    lines.append(f"  statuses: {counts}")
    refused = sum(1 for s in result.samples if s.status in (429, 503))
    missing = result.backoffs_without_retry_after()
    lines.append(
        f"  429/503 answers: {refused}; "
        + ("every one with Retry-After" if not missing else f"{missing} WITHOUT Retry-After")
    )
    if result.rss_mb:
        lines.append(
            f"  server resident memory: {result.rss_mb[0][1]:.0f} MB at start, "
            f"{result.rss_mb[-1][1]:.0f} MB at end"
        )
    return lines


def soak_verdict(result: RunResult) -> tuple[bool, list[str]]:
    """PASS when every answer was 200 or 503 with Retry-After and resident memory grew at
    most 10% from minute 2 to the end."""
    lines = [
        "  resident memory by minute: "
        + ", ".join(f"{t / 60:.0f}: {mb:.0f} MB" for t, mb in result.rss_mb)
    ]
    errors = result.unexpected()
    passed = errors == 0
    lines.append(f"  errors (other than 200 and 503 with Retry-After): {errors}")
    after_two = [mb for t, mb in result.rss_mb if t >= 120 - 1]
    if len(after_two) >= 2:
        growth = after_two[-1] / after_two[0] - 1
        passed = passed and growth <= SOAK_RSS_GROWTH_LIMIT
        lines.append(
            f"  memory growth from minute 2 to the end: {growth:+.1%} "
            f"(limit {SOAK_RSS_GROWTH_LIMIT:.0%})"
        )
    else:
        passed = False
        lines.append("  memory growth: not measured (the soak must run 3 minutes or more)")
    lines.append("  soak: " + ("PASS" if passed else "FAIL"))
    return passed, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--clients", default="2", help="clients at once; a list such as 2,4,16 runs each in turn"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each scenario")
    parser.add_argument(
        "--soak",
        type=float,
        default=None,
        metavar="SECONDS",
        help="one long run with memory sampled each minute and a verdict",
    )
    parser.add_argument("--mix", default="text=0.8,pdf=0.2", help="weights of text and pdf")
    parser.add_argument("--pdf-pages", type=int, default=40)
    parser.add_argument("--url", default=None, help="a running server on loopback")
    parser.add_argument("--pid", type=int, default=None, help="its pid, for memory figures")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--rate-limit", type=int, default=0, help="per-client limit a minute")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        import httpx  # noqa: F401
    except ImportError:  # pragma: no cover - dev extra
        raise SystemExit("needs the dev extra: pip install -e '.[dev]'") from None
    clients = [int(n) for n in args.clients.split(",")]
    mix = parse_mix(args.mix)
    print(f"CPU: {cpu_model()}")
    work = Workload.build(args.pdf_pages)
    print(
        f"workload: mix {args.mix}; text {len(work.text):,} characters, "
        f"PDF {args.pdf_pages} pages ({len(work.pdf) / 1024:.0f} KB)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        if args.url:
            url, pid = check_loopback(args.url), args.pid
        else:
            env = {"SCRUTINY_API_RATE_LIMIT_PER_MINUTE": str(args.rate_limit)}
            server = start_server(args.model, Path(tmp), env)
            url, pid = server.url, server.pid
            print(f"server: scrutiny serve at {url} (pid {pid}), model {args.model.name}")
        passed = True
        try:
            if args.soak:
                result = run_scenario(
                    url, clients[0], args.soak, mix, work, pid=pid, seed=args.seed
                )
                print("\n".join(report(result)))
                passed, lines = soak_verdict(result)
                print("\n".join(lines))
            else:
                for n in clients:
                    result = run_scenario(url, n, args.seconds, mix, work, pid=pid, seed=args.seed)
                    print("\n".join(report(result)))
        finally:
            if server is not None:
                status = server.stop()
                print(f"server exit status after SIGTERM: {status}")
                if status != 0:
                    print(server.log_tail(), file=sys.stderr)
                    passed = False
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
