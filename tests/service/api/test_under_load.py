"""A short fixed sample of `python -m evaluation.load`: 2 clients, then 16, against a real
`scrutiny serve` with the shipped model (the full scenarios are `make load` and `make soak`)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from evaluation.load import DEFAULT_MODEL, Server, Workload, parse_mix, run_scenario, start_server

MIX = parse_mix("text=0.8,pdf=0.2")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start_server(DEFAULT_MODEL, tmp_path_factory.mktemp("load"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def work() -> Workload:
    return Workload.build(pdf_pages=4)  # short PDFs keep the sample within seconds


@pytest.mark.slow
def test_as_many_clients_as_slots_are_all_served(server: Server, work: Workload) -> None:
    result = run_scenario(server.url, 2, 8, MIX, work, pid=server.pid)
    assert result.samples
    assert result.counts() == {"200": len(result.samples)}, result.counts()


@pytest.mark.slow
def test_sixteen_clients_get_answers_or_backpressure_never_errors(
    server: Server, work: Workload
) -> None:
    result = run_scenario(server.url, 16, 8, MIX, work, pid=server.pid, seed=1)
    counts = result.counts()
    assert counts["200"] > 0, counts
    assert set(counts) <= {"200", "503"}, counts  # never another 5xx, a 4xx or a dropped call
    assert result.backoffs_without_retry_after() == 0
    assert server.process.poll() is None
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
    assert result.rss_mb and result.rss_mb[-1][1] < 1024  # MB: no runaway growth
    assert server.stop() == 0  # and it still drains and exits cleanly
