"""`scrutiny data fetch`: downloads pinned by sha256, refused when they change."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from training import public_data
from training.public_data import FetchError, fetch, load_lock


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """URL → bytes that the fake network serves; a URL absent from it fails like no network."""
    pages: dict[str, bytes] = {}

    def download(url: str) -> bytes:
        if url not in pages:
            raise FetchError(f"cannot download {url}")
        return pages[url]

    monkeypatch.setattr(public_data, "_download", download)
    return pages


def _serve_all(pages: dict[str, bytes], payload: bytes = b"a,b\n1,2\n") -> None:
    for data_set in public_data.DATA_SETS:
        for _, url in data_set.files:
            pages[url] = payload
        if data_set.archive:
            pages[data_set.archive] = _zip(
                {
                    "Corpus-main/Texts-SeparatedByReadingLevel/Ele-Txt/a.txt": b"simple",
                    "Corpus-main/Texts-SeparatedByReadingLevel/Adv-Txt/a.txt": b"advanced",
                    "Corpus-main/README.md": b"not kept",
                }
            )


def test_first_fetch_pins_and_a_changed_file_is_refused(
    tmp_path: Path, served: dict[str, bytes]
) -> None:
    lock_path = tmp_path / "lock.json"
    _serve_all(served)
    lines = fetch(dest=tmp_path / "data", lock_path=lock_path)
    assert len(lines) == len(public_data.DATA_SETS)
    assert (tmp_path / "data" / "pfd" / "road_traffic.csv").read_bytes() == b"a,b\n1,2\n"
    ose = tmp_path / "data" / "onestopenglish" / "Texts-SeparatedByReadingLevel"
    assert (ose / "Ele-Txt" / "a.txt").read_bytes() == b"simple"
    assert not (tmp_path / "data" / "onestopenglish" / "README.md").exists()
    lock = load_lock(lock_path)
    assert set(lock) == {d.name for d in public_data.DATA_SETS}

    _serve_all(served, payload=b"tampered\n")
    before = (tmp_path / "data" / "pfd" / "road_traffic.csv").read_bytes()
    with pytest.raises(FetchError, match="differ from their pinned sha256"):
        fetch(["pfd"], dest=tmp_path / "data", lock_path=lock_path)
    assert (tmp_path / "data" / "pfd" / "road_traffic.csv").read_bytes() == before

    fetch(["pfd"], dest=tmp_path / "data", lock_path=lock_path, repin=True)
    assert (tmp_path / "data" / "pfd" / "road_traffic.csv").read_bytes() == b"tampered\n"
    assert json.loads(lock_path.read_text())["sha256"]["pfd"] != lock["pfd"]


def test_no_network_is_a_clear_error(tmp_path: Path, served: dict[str, bytes]) -> None:
    with pytest.raises(FetchError, match="cannot download"):
        fetch(["causal_news_corpus"], dest=tmp_path, lock_path=tmp_path / "lock.json")
    assert not (tmp_path / "lock.json").exists()


def test_unknown_data_set_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="unknown data set"):
        fetch(["nope"], dest=tmp_path, lock_path=tmp_path / "lock.json")


def test_an_archive_with_an_unsafe_path_is_refused(
    tmp_path: Path, served: dict[str, bytes]
) -> None:
    archive = next(d for d in public_data.DATA_SETS if d.archive)
    assert archive.archive is not None
    served[archive.archive] = _zip(
        {"Corpus-main/Texts-SeparatedByReadingLevel/../../evil.txt": b"x"}
    )
    with pytest.raises(FetchError, match="unsafe path"):
        fetch([archive.name], dest=tmp_path / "data", lock_path=tmp_path / "lock.json")


def test_the_committed_pins_match_the_known_copies() -> None:
    lock = load_lock()
    assert lock["causal_news_corpus"]["train_subtask1.csv"] == (
        "6e865e3eb2d25b20ce682f905b325142957ed8e0aa9f20edabaf35359a8f5097"
    )
