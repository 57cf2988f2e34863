"""Trends across a batch, by a reports column such as ``year`` or ``area``: the numbers.

Three tables, each drawn as a chart by ``charts`` and shown with its numbers on the trends
page: each dimension's level distribution per group, the most common weaknesses, and the
share of recommendations naming no one (or only a general group) per group. Only scored
reports count; a report with no value in the grouping column is in the ``unknown`` group.

Weaknesses come from the highlights when the batch ran with explanations (the reason of
each weakness highlight, without its quotes and numbers); otherwise from the ratings
(a dimension rated inadequate or requires improvement) and the recommendations' gaps. A
report counts once per weakness, however often the weakness appears in it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from service.analysis.errors import BatchOutputError
from service.analysis.load import BatchOutput, Row, split_list
from service.batch.tables import COLUMNS, DIMENSIONS
from service.model.dimensions import DIMENSION_TITLES, LEVEL_LABELS

UNKNOWN = "unknown"
TOP_WEAKNESSES = 10
LOW_LEVELS = (0, 1)  # levels that count as a weakness when there are no highlights
# Where a highlight's reason stops being its kind: at quoted text, an example or a note.
_REASON_END = re.compile(r"[:(“\"]")
_NUMBER = re.compile(r"\d+")
# The recommendations' gaps, named as weaknesses (missing part -> name).
_GAPS = {
    "addressee": "Recommendations: some name no one",
    "action": "Recommendations: some state no clear action",
    "timescale": "Recommendations: some give no timescale",
    "measure": "Recommendations: some give no measure of completion",
}
_VAGUE = 'Recommendations: some addressed only to a general group ("all agencies")'
_NONE_FOUND = "Recommendations: none found"


@dataclass(frozen=True)
class LevelTable:
    """One dimension's reports per level (0-3) in each group, and those not rated."""

    dimension: str
    groups: list[str]
    counts: list[list[int]]
    not_rated: list[int]

    def shares(self) -> list[list[float]]:
        """Each group's share of rated reports per level (zeros for a group with none)."""
        return [[n / max(sum(row), 1) for n in row] for row in self.counts]


@dataclass(frozen=True)
class WeaknessTable:
    """The most common weaknesses: reports with each, overall and per group."""

    source: str
    names: list[str]
    reports: list[int]
    by_group: list[list[int]]  # per weakness, per group
    groups: list[str]
    total: int

    def shares(self) -> list[float]:
        """Each weakness's share of all scored reports."""
        return [n / max(self.total, 1) for n in self.reports]


@dataclass(frozen=True)
class AddresseeTable:
    """Per group: recommendations, those naming no one, those naming only a general group."""

    groups: list[str]
    recommendations: list[int]
    no_addressee: list[int]
    vague: list[int]

    def shares(self) -> tuple[list[float], list[float]]:
        """Shares of recommendations with no addressee, and with only a vague one."""
        totals = [max(n, 1) for n in self.recommendations]
        return (
            [n / t for n, t in zip(self.no_addressee, totals, strict=True)],
            [n / t for n, t in zip(self.vague, totals, strict=True)],
        )


def check_group_column(batch: BatchOutput, by: str) -> None:
    """Refuse a grouping column the reports table does not have (names only in the message)."""
    columns = {name for name, _ in COLUMNS["reports"]} | set(batch.metadata_columns)
    if by not in columns:
        extra = ", ".join(batch.metadata_columns) or "none"
        raise BatchOutputError(
            f"the reports table has no column {by!r} to group by; its metadata columns are: {extra}"
        )


def group_of(report: Row, by: str) -> str:
    """The report's group: the column's value as text, or ``unknown`` when it has none."""
    value = report.get(by)
    text = "" if value is None else str(value).strip()
    return text or UNKNOWN


def _group_order(group: str) -> tuple[bool, bool, float, str]:
    number = group.replace(".", "", 1).isdigit()
    return (group == UNKNOWN, not number, float(group) if number else 0.0, group.lower())


def groups_of(reports: Sequence[Row], by: str) -> list[str]:
    """The groups in order: numbers (years) ascending, then names, ``unknown`` last."""
    return sorted({group_of(row, by) for row in reports}, key=_group_order)


def level_table(reports: Sequence[Row], by: str, dimension: str) -> LevelTable:
    """How many reports of each group are at each level of ``dimension``."""
    groups = groups_of(reports, by)
    counts = {group: [0] * len(LEVEL_LABELS) for group in groups}
    not_rated = dict.fromkeys(groups, 0)
    for row in reports:
        level = row[f"{dimension}_level"]
        if level is None:
            not_rated[group_of(row, by)] += 1
        else:
            counts[group_of(row, by)][level] += 1
    return LevelTable(
        dimension, groups, [counts[g] for g in groups], [not_rated[g] for g in groups]
    )


def reason_kind(dimension: str, reason: str) -> str:
    """A highlight reason as a kind of weakness: no quotes, examples or counts."""
    head = _REASON_END.split(reason, maxsplit=1)[0]
    head = " ".join(_NUMBER.sub("n", head).split()).rstrip(",;. ")
    return f"{DIMENSION_TITLES[dimension]}: {head or 'weakness'}"


def _highlight_weaknesses(batch: BatchOutput, report: Row) -> set[str]:
    return {
        reason_kind(row["dimension"], row["reason"])
        for row in batch.highlights_of(report)
        if row["polarity"] == "weakness"
    }


def _rating_weaknesses(batch: BatchOutput, report: Row) -> set[str]:
    found = {
        f"{DIMENSION_TITLES[d]}: rated {report[f'{d}_label']}"
        for d in DIMENSIONS
        if report[f"{d}_level"] in LOW_LEVELS
    }
    recommendations = batch.recommendations_of(report)
    if not recommendations:
        found.add(_NONE_FOUND)
    for rec in recommendations:
        found |= {_GAPS[part] for part in split_list(rec["missing"]) if part in _GAPS}
        if rec["vague_addressee"]:
            found.add(_VAGUE)
    return found


def weakness_table(batch: BatchOutput, by: str) -> WeaknessTable:
    """The ``TOP_WEAKNESSES`` weaknesses found in the most reports, with counts per group."""
    reports = batch.ok
    has_highlights = any(
        row["polarity"] == "weakness" for rows in (batch.highlights or {}).values() for row in rows
    )
    find = _highlight_weaknesses if has_highlights else _rating_weaknesses
    groups = groups_of(reports, by)
    overall: Counter[str] = Counter()
    per_group: dict[str, Counter[str]] = {group: Counter() for group in groups}
    for report in reports:
        found = find(batch, report)
        overall.update(found)
        per_group[group_of(report, by)].update(found)
    top = sorted(overall.items(), key=lambda item: (-item[1], item[0]))[:TOP_WEAKNESSES]
    names = [name for name, _ in top]
    return WeaknessTable(
        source="highlights" if has_highlights else "ratings and recommendations",
        names=names,
        reports=[n for _, n in top],
        by_group=[[per_group[group][name] for group in groups] for name in names],
        groups=groups,
        total=len(reports),
    )


def addressee_table(batch: BatchOutput, by: str) -> AddresseeTable:
    """Per group: how many recommendations name no one, or only a general group."""
    groups = groups_of(batch.ok, by)
    totals = dict.fromkeys(groups, 0)
    nobody = dict.fromkeys(groups, 0)
    vague = dict.fromkeys(groups, 0)
    for report in batch.ok:
        group = group_of(report, by)
        for rec in batch.recommendations_of(report):
            totals[group] += 1
            nobody[group] += "addressee" in split_list(rec["missing"])
            vague[group] += bool(rec["vague_addressee"])
    return AddresseeTable(
        groups=groups,
        recommendations=[totals[g] for g in groups],
        no_addressee=[nobody[g] for g in groups],
        vague=[vague[g] for g in groups],
    )
