"""The model folder's manifest: what it promises, and the check that the files keep it.

A model folder holds ``model.onnx``, ``tokenizer.json`` and ``manifest.json``. The manifest
lists the sha256 of every file; :func:`read_verified` reads each listed file once, hashes
the bytes and returns them. Callers that parse those bytes load exactly what was checked;
the service's runtime hands onnxruntime the graph's path instead (to save memory), which
relies on the model folder being read-only once deployed.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from service.aggregate.confidence import DEFAULT_SPREAD
from service.model.dimensions import DIMENSIONS, LEVELS

MANIFEST = "manifest.json"
REQUIRED_FILES = ("model.onnx", "tokenizer.json")
# Files a model folder may hold beside the required ones; their verified bytes are returned
# too, so what is parsed is what was checked (service.exemplars.bank).
OPTIONAL_FILES = ("exemplars.json", "exemplars.npy")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ModelIntegrityError(RuntimeError):
    """The model folder is missing, incomplete, altered or does not fit this service."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """The parts of ``manifest.json`` the service relies on."""

    name: str
    version: str
    files: dict[str, str]
    max_length: int
    temperatures: tuple[float, ...]  # one per dimension, in DIMENSIONS order
    section_spread: tuple[float, ...]  # one per dimension (service.aggregate.confidence)
    output: str
    sha256: str  # of manifest.json itself: it pins every file, so it names the whole model
    raw: dict[str, Any]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ModelIntegrityError(message)


def parse_manifest(data: bytes) -> Manifest:
    """Parse and validate ``manifest.json`` bytes against the service's contract."""
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelIntegrityError(f"{MANIFEST} is not valid JSON: {error}") from None
    _require(isinstance(raw, dict), f"{MANIFEST} must be a JSON object")
    for key in ("name", "version", "files", "dimensions", "levels", "head", "max_length"):
        _require(key in raw, f"{MANIFEST} lacks the key {key!r}")
    _require(
        list(raw["dimensions"]) == list(DIMENSIONS),
        f"model dimensions {raw['dimensions']!r} differ from the service's {list(DIMENSIONS)!r}",
    )
    _require(raw["levels"] == LEVELS, f"model has {raw['levels']!r} levels, service needs {LEVELS}")
    _require(
        raw["head"] == "cumulative_logits",
        f"model head {raw['head']!r} is not supported (needs 'cumulative_logits')",
    )
    files = raw["files"]
    _require(
        isinstance(files, dict) and bool(files), f"{MANIFEST} 'files' must be a non-empty object"
    )
    for name, digest in files.items():
        path = PurePosixPath(name)
        _require(
            not path.is_absolute() and ".." not in path.parts and name == path.as_posix(),
            f"{MANIFEST} lists a file outside the model folder: {name!r}",
        )
        _require(
            isinstance(digest, str) and bool(_SHA256.match(digest)),
            f"{MANIFEST} gives no valid sha256 for {name!r}",
        )
    for name in REQUIRED_FILES:
        _require(name in files, f"{MANIFEST} does not list {name}, so it cannot be verified")
    max_length = raw["max_length"]
    _require(
        isinstance(max_length, int) and 8 <= max_length <= 8192,
        f"{MANIFEST} max_length must be an integer in [8, 8192], got {max_length!r}",
    )
    temps_raw = raw.get("temperatures") or {}
    _require(isinstance(temps_raw, dict), f"{MANIFEST} 'temperatures' must be an object")
    temperatures: list[float] = []
    for dimension in DIMENSIONS:
        value = temps_raw.get(dimension, 1.0)
        _require(
            isinstance(value, int | float) and math.isfinite(value) and value > 0,
            f"{MANIFEST} temperature for {dimension} must be a positive number",
        )
        temperatures.append(float(value))
    spread_raw = raw.get("section_spread") or {}
    _require(isinstance(spread_raw, dict), f"{MANIFEST} 'section_spread' must be an object")
    spreads: list[float] = []
    for dimension in DIMENSIONS:
        value = spread_raw.get(dimension, DEFAULT_SPREAD)
        _require(
            isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 3,
            f"{MANIFEST} section spread for {dimension} must be a number in [0, 3]",
        )
        spreads.append(float(value))
    return Manifest(
        name=str(raw["name"]),
        version=str(raw["version"]),
        files=dict(files),
        max_length=max_length,
        temperatures=tuple(temperatures),
        section_spread=tuple(spreads),
        output=str(raw.get("output", "logits")),
        sha256=hashlib.sha256(data).hexdigest(),
        raw=raw,
    )


def read_verified(model_dir: Path) -> tuple[Manifest, dict[str, bytes]]:
    """Read the manifest and every file it lists; refuse any missing or altered file.

    Returns the manifest and the verified bytes of ``REQUIRED_FILES`` and of whichever
    ``OPTIONAL_FILES`` it lists.
    """
    model_dir = Path(model_dir)
    _require(model_dir.is_dir(), f"model folder not found: {model_dir}")
    manifest_path = model_dir / MANIFEST
    _require(manifest_path.is_file(), f"model folder {model_dir} has no {MANIFEST}")
    manifest = parse_manifest(manifest_path.read_bytes())
    verified: dict[str, bytes] = {}
    for name, expected in manifest.files.items():
        path = model_dir / name
        _require(path.is_file(), f"model file missing: {name} (listed in {MANIFEST})")
        data = path.read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        _require(
            actual == expected,
            f"model file {name} does not match its manifest sha256 "
            f"(expected {expected[:12]}…, found {actual[:12]}…); refusing to load",
        )
        if name in REQUIRED_FILES or name in OPTIONAL_FILES:
            verified[name] = data
    return manifest, verified
