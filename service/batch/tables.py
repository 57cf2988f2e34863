"""The batch output tables: their columns, types and how a scored report becomes rows.

One definition for every writer (local engine, Ray engine) and every reader (triage,
recommendation tracker, trends). Rows are plain dicts so this module needs no pyarrow;
``COLUMNS`` gives each table's column names and Arrow type names, in order.

Every row carries the document's ``sha256`` and the ``model_version`` that scored it: a
rerun skips an input whose sha256 already has an ok report row at the same path from the same
model version.
Manifest metadata columns (``area``, ``year`` ...) are carried into ``reports`` after the
fixed columns, as strings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from service.schemas import Rating, Ratings, ScoreResponse

DIMENSIONS = ("clarity", "root_cause", "child_focus", "recommendations")
STATUSES = ("ok", "failed")


def _rating_columns(prefix: str = "") -> list[tuple[str, str]]:
    columns: list[tuple[str, str]] = []
    for dimension in DIMENSIONS:
        name = f"{prefix}{dimension}"
        columns += [
            (f"{name}_level", "int8"),
            (f"{name}_label", "string"),
            (f"{name}_score", "float64"),
            (f"{name}_confidence", "float64"),
            (f"{name}_needs_review", "bool"),
        ]
    return columns


_KEY = [("sha256", "string"), ("model_version", "string"), ("path", "string")]

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "reports": [
        *_KEY,
        ("status", "string"),
        ("error_code", "string"),
        ("error_message", "string"),
        ("title", "string"),
        ("pages", "int32"),
        ("words", "int64"),
        ("sections", "int32"),
        ("recommendations", "int32"),
        ("recommendations_without_addressee", "int32"),
        ("recommendations_vague_addressee", "int32"),
        *_rating_columns(),
        ("seconds", "float64"),
    ],
    "sections": [
        *_KEY,
        ("section", "int32"),
        ("heading", "string"),
        ("kind", "string"),
        ("page_start", "int32"),
        ("page_end", "int32"),
        *_rating_columns(),
    ],
    "recommendations": [
        *_KEY,
        ("index", "int32"),
        ("text_sha256", "string"),
        ("text", "string"),
        ("addressees", "string"),
        ("vague_addressee", "bool"),
        ("action", "string"),
        ("timescale", "string"),
        ("measure", "string"),
        ("finding", "string"),
        ("missing", "string"),
        ("page", "int32"),
        ("section", "int32"),
        ("rating_level", "int8"),
        ("rating_label", "string"),
        ("rating_score", "float64"),
        ("rating_confidence", "float64"),
        ("rating_needs_review", "bool"),
    ],
    "highlights": [
        *_KEY,
        ("section", "int32"),
        ("dimension", "string"),
        ("polarity", "string"),
        ("start", "int64"),
        ("end", "int64"),
        ("page", "int32"),
        ("reason", "string"),
        ("text", "string"),
    ],
}
TABLES = tuple(COLUMNS)
LIST_SEPARATOR = "; "  # joins addressees and missing parts in one string cell


def text_sha256(text: str) -> str:
    """The hash that identifies a recommendation's text across reruns (whitespace-normalised)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def _rating(rating: Rating | None, prefix: str) -> dict[str, Any]:
    if rating is None:
        return {
            f"{prefix}_level": None,
            f"{prefix}_label": None,
            f"{prefix}_score": None,
            f"{prefix}_confidence": None,
            f"{prefix}_needs_review": None,
        }
    return {
        f"{prefix}_level": rating.level,
        f"{prefix}_label": rating.label,
        f"{prefix}_score": rating.score,
        f"{prefix}_confidence": rating.confidence,
        f"{prefix}_needs_review": rating.needs_review,
    }


def _ratings(ratings: Ratings) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for dimension in DIMENSIONS:
        row |= _rating(getattr(ratings, dimension), dimension)
    return row


def _key(result: ScoreResponse, path: str) -> dict[str, Any]:
    return {"sha256": result.document.sha256, "model_version": result.model.version, "path": path}


def report_row(
    result: ScoreResponse,
    *,
    path: str,
    words: int,
    seconds: float,
    metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The ``reports`` row of a scored document."""
    recommendations = result.recommendations
    return {
        **_key(result, path),
        "status": "ok",
        "error_code": None,
        "error_message": None,
        "title": result.document.title,
        "pages": result.document.pages,
        "words": words,
        "sections": len(result.sections),
        "recommendations": len(recommendations),
        "recommendations_without_addressee": sum(not r.addressees for r in recommendations),
        "recommendations_vague_addressee": sum(r.vague_addressee for r in recommendations),
        **_ratings(result.ratings),
        "seconds": round(seconds, 3),
        **dict(metadata or {}),
    }


def failed_row(
    *,
    path: str,
    sha256: str | None,
    model_version: str,
    code: str,
    message: str,
    seconds: float = 0.0,
    metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The ``reports`` row of an input that could not be scored: its error code and the
    reader's message (which never quotes the file)."""
    row: dict[str, Any] = dict.fromkeys(name for name, _ in COLUMNS["reports"])
    row |= {
        "sha256": sha256,
        "model_version": model_version,
        "path": path,
        "status": "failed",
        "error_code": code,
        "error_message": message,
        "seconds": round(seconds, 3),
    }
    return row | dict(metadata or {})


def section_rows(result: ScoreResponse, *, path: str) -> list[dict[str, Any]]:
    """One ``sections`` row per section of a scored document."""
    return [
        {
            **_key(result, path),
            "section": section.index,
            "heading": section.heading,
            "kind": section.kind,
            "page_start": section.page_start,
            "page_end": section.page_end,
            **_ratings(section.ratings),
        }
        for section in result.sections
    ]


def recommendation_rows(result: ScoreResponse, *, path: str) -> list[dict[str, Any]]:
    """One ``recommendations`` row per extracted recommendation, in document order."""
    return [
        {
            **_key(result, path),
            "index": index,
            "text_sha256": text_sha256(item.text),
            "text": item.text,
            "addressees": LIST_SEPARATOR.join(item.addressees),
            "vague_addressee": item.vague_addressee,
            "action": item.action,
            "timescale": item.timescale,
            "measure": item.measure,
            "finding": item.finding,
            "missing": LIST_SEPARATOR.join(item.missing),
            "page": item.page,
            "section": item.section,
            **_rating(item.rating, "rating"),
        }
        for index, item in enumerate(result.recommendations)
    ]


def highlight_rows(result: ScoreResponse, *, path: str) -> list[dict[str, Any]]:
    """One ``highlights`` row per highlight (empty when scored without explanations)."""
    return [
        {
            **_key(result, path),
            "section": section.index,
            "dimension": highlight.dimension,
            "polarity": highlight.polarity,
            "start": highlight.start,
            "end": highlight.end,
            "page": highlight.page,
            "reason": highlight.reason,
            "text": highlight.text,
        }
        for section in result.sections
        for highlight in section.highlights
    ]


def rows_of(
    result: ScoreResponse,
    *,
    path: str,
    words: int,
    seconds: float,
    metadata: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows for one scored document."""
    return {
        "reports": [report_row(result, path=path, words=words, seconds=seconds, metadata=metadata)],
        "sections": section_rows(result, path=path),
        "recommendations": recommendation_rows(result, path=path),
        "highlights": highlight_rows(result, path=path),
    }
