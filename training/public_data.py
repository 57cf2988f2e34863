"""The public data sets training and evaluation read, fetched from where they are published.

``scrutiny data fetch`` downloads each set from its original public location into
``$SCRUTINY_SHARED_DATA`` (or ``<repo>/data/public``), checks every file against the sha256
pinned in ``training/data/public_data.json`` and refuses a file that differs. A set whose
hashes are not pinned yet is pinned by its first fetch (the lock file then changes: commit
it). ``scrutiny data status`` says where each set is and whether it matches its pins.

Standard library only (urllib, zipfile, hashlib): no extra is needed, and nothing here runs
at scoring time. Without network access the fetch fails with a message saying so.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.config import DATA_DIR, FETCHED_DATA_DIR, shared_data_dir

LOCK_PATH = DATA_DIR / "public_data.json"
TIMEOUT_SECONDS = 60
MAX_BYTES = 200 * 1024 * 1024  # no public set here is near this; a runaway download stops


@dataclass(frozen=True)
class DataSet:
    """One public data set: where it is published and the files the project reads."""

    name: str  # folder under the data directory
    licence: str
    files: tuple[tuple[str, str], ...] = ()  # (path in the folder, URL of the raw file)
    archive: str | None = None  # URL of a zip holding the files
    archive_prefix: str = ""  # the zip's folder whose files are kept (under the same name)


_GITHUB_RAW = "https://raw.githubusercontent.com"
DATA_SETS: tuple[DataSet, ...] = (
    DataSet(
        "pfd",
        "PFD reports published by the judiciary; compiled by PFD-toolkit (AGPL-3.0)",
        files=(
            (
                "road_traffic.csv",
                f"{_GITHUB_RAW}/Sam-Osian/PFD-toolkit/HEAD/scripts/data/road_traffic.csv",
            ),
            (
                "suicide_sig_reports.csv",
                f"{_GITHUB_RAW}/Sam-Osian/PFD-toolkit/HEAD/scripts/data/suicide_sig_reports.csv",
            ),
        ),
    ),
    DataSet(
        "causal_news_corpus",
        "CC0 1.0",
        files=tuple(
            (name, f"{_GITHUB_RAW}/tanfiona/CausalNewsCorpus/HEAD/data/V2/{name}")
            for name in ("train_subtask1.csv", "train_subtask2.csv")
        ),
    ),
    DataSet(
        "onestopenglish",
        "CC BY-SA 4.0",
        archive="https://github.com/nishkalavallabhi/OneStopEnglishCorpus/archive/HEAD.zip",
        archive_prefix="Texts-SeparatedByReadingLevel/",
    ),
    DataSet(
        "acronyms_sdu",
        "MIT",
        files=tuple(
            (name, f"{_GITHUB_RAW}/amirveyseh/AAAI-21-SDU-shared-task-1-AI/HEAD/dataset/{name}")
            for name in ("dev.json", "test.json")
        ),
    ),
)


class FetchError(Exception):
    """A data set that could not be fetched or does not match its pinned hashes."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_lock(path: Path = LOCK_PATH) -> dict[str, dict[str, str | None]]:
    """Pinned sha256 per data set and file (``None`` where not pinned yet)."""
    if not path.is_file():
        return {}
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return {name: dict(files) for name, files in raw.get("sha256", {}).items()}


def save_lock(lock: dict[str, dict[str, str | None]], path: Path = LOCK_PATH) -> None:
    document = {
        "about": "sha256 of each public data file as first fetched by `scrutiny data fetch`; "
        "a fetch refuses a file whose hash differs (see training/public_data.py)",
        "sha256": {name: dict(sorted(files.items())) for name, files in sorted(lock.items())},
    }
    _write_atomic(path, (json.dumps(document, indent=2) + "\n").encode("utf-8"))


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _download(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "scrutiny-data-fetch"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            data: bytes = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FetchError(
            f"cannot download {url} ({error}); this machine may have no network access. "
            "Copy the data sets by hand into the data folder instead (see README, 'Data')."
        ) from error
    if len(data) > MAX_BYTES:
        raise FetchError(f"{url} is larger than {MAX_BYTES} bytes; refusing it")
    return data


def _files_of(data_set: DataSet) -> dict[str, bytes]:
    """The data set's files (path in its folder → bytes), downloaded."""
    if data_set.archive is None:
        return {path: _download(url) for path, url in data_set.files}
    with zipfile.ZipFile(io.BytesIO(_download(data_set.archive))) as archive:
        files: dict[str, bytes] = {}
        for member in archive.infolist():
            # Members are "<repo>-<ref>/<prefix>..."; keep those under the prefix.
            _, _, inner = member.filename.partition("/")
            if member.is_dir() or not inner.startswith(data_set.archive_prefix):
                continue
            if ".." in Path(inner).parts or Path(inner).is_absolute():
                raise FetchError(f"{data_set.archive} holds an unsafe path; refusing it")
            files[inner] = archive.read(member)
    if not files:
        raise FetchError(f"{data_set.archive} holds no {data_set.archive_prefix} files")
    return files


def verify(name: str, hashes: dict[str, str], lock: dict[str, dict[str, str | None]]) -> list[str]:
    """Files of ``name`` whose hash differs from its pin (missing or extra files included);
    empty when every pinned hash matches or nothing is pinned yet."""
    pinned = lock.get(name)
    if not pinned or all(value is None for value in pinned.values()):
        return []
    problems = [
        path for path, expected in pinned.items() if expected and hashes.get(path) != expected
    ]
    problems += [path for path in hashes if path not in pinned]
    return sorted(problems)


def fetch(
    names: Iterable[str] | None = None,
    *,
    dest: Path | None = None,
    lock_path: Path = LOCK_PATH,
    repin: bool = False,
) -> list[str]:
    """Download the named data sets (all by default) into ``dest``; one line per set.

    Raises ``FetchError`` when a download fails or a file differs from its pinned hash
    (``repin=True`` accepts the new files and pins them instead).
    """
    wanted = set(names) if names else {d.name for d in DATA_SETS}
    unknown = wanted - {d.name for d in DATA_SETS}
    if unknown:
        raise FetchError(f"unknown data set(s): {', '.join(sorted(unknown))}")
    dest = dest or default_destination()
    lock = load_lock(lock_path)
    lines = []
    for data_set in DATA_SETS:
        if data_set.name not in wanted:
            continue
        files = _files_of(data_set)
        hashes = {path: sha256_of(data) for path, data in files.items()}
        problems = verify(data_set.name, hashes, lock)
        if problems and not repin:
            raise FetchError(
                f"{data_set.name}: {len(problems)} file(s) differ from their pinned sha256 "
                f"(first: {problems[0]}); nothing written. Check the source, then run "
                "`scrutiny data fetch --repin` to accept the new files."
            )
        for path, data in files.items():
            _write_atomic(dest / data_set.name / path, data)
        newly = data_set.name not in lock or repin or problems
        lock[data_set.name] = dict(hashes)
        status = "pinned now" if newly else "matches its pins"
        lines.append(f"{data_set.name}: {len(files)} file(s) in {dest / data_set.name}, {status}")
    save_lock(lock, lock_path)
    return lines


def default_destination() -> Path:
    """``$SCRUTINY_SHARED_DATA`` if set, else ``<repo>/data/public``."""
    configured = os.environ.get("SCRUTINY_SHARED_DATA")
    return Path(configured) if configured else FETCHED_DATA_DIR


def status(lock_path: Path = LOCK_PATH) -> list[str]:
    """Where each data set is read from, and whether its files match their pins."""
    root = shared_data_dir()
    lock = load_lock(lock_path)
    lines = [f"data folder: {root}"]
    for data_set in DATA_SETS:
        folder = root / data_set.name
        if not folder.is_dir():
            lines.append(f"{data_set.name}: absent (run `scrutiny data fetch`)")
            continue
        pinned = lock.get(data_set.name, {})
        hashes = {
            path: sha256_of((folder / path).read_bytes())
            for path in pinned
            if (folder / path).is_file()
        }
        differing = [p for p, h in pinned.items() if h and hashes.get(p) != h]
        verdict = (
            "no pins yet"
            if not pinned
            else f"{len(differing)} of {len(pinned)} pinned file(s) differ (a local copy)"
            if differing
            else "matches its pins"
        )
        lines.append(f"{data_set.name}: present, {verdict}")
    return lines


def add_parser(commands: Any) -> None:
    """Register ``scrutiny data fetch|status``."""
    parser = commands.add_parser("data", help="fetch or check the public data sets")
    actions = parser.add_subparsers(dest="data_command", required=True)
    fetch_parser = actions.add_parser("fetch", help="download the public data sets")
    fetch_parser.add_argument("names", nargs="*", help="data sets (default: all)")
    fetch_parser.add_argument(
        "--dest", help="folder (default: $SCRUTINY_SHARED_DATA or data/public)"
    )
    fetch_parser.add_argument(
        "--repin", action="store_true", help="accept files that differ from their pins"
    )
    actions.add_parser("status", help="where the data sets are and whether they match")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``scrutiny data ...``; 2 on a failed fetch, with the reason on stderr."""
    if args.data_command == "status":
        print("\n".join(status()))
        return 0
    try:
        lines = fetch(args.names, dest=Path(args.dest) if args.dest else None, repin=args.repin)
    except FetchError as error:
        print(f"scrutiny data fetch: {error}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0
