"""``scrutiny trends``: the charts as PNG files and ``index.html`` showing each chart with
the numbers behind it as a table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.analysis import charts
from service.analysis.errors import BatchOutputError
from service.analysis.files import write_bytes, write_text
from service.analysis.load import BatchOutput
from service.analysis.render import render_page
from service.analysis.trends import (
    AddresseeTable,
    LevelTable,
    WeaknessTable,
    addressee_table,
    check_group_column,
    level_table,
    weakness_table,
)
from service.batch.tables import DIMENSIONS
from service.model.dimensions import DIMENSION_TITLES, LEVEL_LABELS

INDEX = "index.html"


@dataclass(frozen=True)
class Chart:
    """One chart of the page: its file, title, alt text and the table of its numbers."""

    file: str
    title: str
    alt: str
    caption: str
    header: list[str]
    rows: list[list[str]]


def _count(n: int, total: int) -> str:
    return f"{n} ({100 * n / total:.0f}%)" if total else str(n)


def level_chart_view(table: LevelTable, by: str) -> Chart:
    """The level distribution of one dimension, as page content."""
    title = DIMENSION_TITLES[table.dimension]
    rows = [
        [group, str(sum(counts)), *(_count(n, sum(counts)) for n in counts), str(not_rated)]
        for group, counts, not_rated in zip(
            table.groups, table.counts, table.not_rated, strict=True
        )
    ]
    return Chart(
        file=f"levels_{table.dimension}.png",
        title=f"{title} by {by}",
        alt=f"Stacked bars: for each {by}, the share of reports rated at each {title.lower()} "
        "level, inadequate to strong. The numbers are in the table below.",
        caption=f"{title}: reports at each level by {by} (share of rated reports)",
        header=[
            by,
            "rated",
            *(f"{n} {label}" for n, label in enumerate(LEVEL_LABELS)),
            "not rated",
        ],
        rows=rows,
    )


def weakness_chart_view(table: WeaknessTable, by: str) -> Chart:
    """The most common weaknesses, as page content."""
    rows = [
        [name, _count(n, table.total), *(str(k) for k in per_group)]
        for name, n, per_group in zip(table.names, table.reports, table.by_group, strict=True)
    ]
    return Chart(
        file="weaknesses.png",
        title="Most common weaknesses",
        alt=f"Bars: the {len(table.names)} weaknesses found in the most reports, as the share "
        f"of the {table.total} scored reports. The numbers are in the table below.",
        caption=f"Reports with each weakness (from {table.source}), overall and by {by}",
        header=["weakness", f"reports (of {table.total})", *table.groups],
        rows=rows,
    )


def addressee_chart_view(table: AddresseeTable, by: str) -> Chart:
    """The recommendations without a specific addressee, as page content."""
    rows = [
        [group, str(total), _count(nobody, total), _count(vague, total)]
        for group, total, nobody, vague in zip(
            table.groups, table.recommendations, table.no_addressee, table.vague, strict=True
        )
    ]
    return Chart(
        file="addressees.png",
        title=f"Recommendations without a specific addressee by {by}",
        alt=f"Paired bars: for each {by}, the share of recommendations that name no one and the "
        "share addressed only to a general group. The numbers are in the table below.",
        caption=f"Recommendations naming no one, or only a general group, by {by}",
        header=[by, "recommendations", "name no one", 'only a general group ("all agencies")'],
        rows=rows,
    )


def write_trends(batch: BatchOutput, by: str, out: Path) -> list[Path]:
    """Write the charts and ``index.html`` into ``out``; return the files written."""
    check_group_column(batch, by)
    if not batch.ok:
        raise BatchOutputError(f"{batch.folder} has no scored reports to chart")
    drawn: list[tuple[Chart, bytes]] = []
    for dimension in DIMENSIONS:
        table = level_table(batch.ok, by, dimension)
        drawn.append((level_chart_view(table, by), charts.level_chart(table, by)))
    weaknesses = weakness_table(batch, by)
    drawn.append((weakness_chart_view(weaknesses, by), charts.weakness_chart(weaknesses)))
    addressees = addressee_table(batch, by)
    drawn.append((addressee_chart_view(addressees, by), charts.addressee_chart(addressees, by)))
    out.mkdir(parents=True, exist_ok=True)
    for chart, png in drawn:
        write_bytes(out / chart.file, png)
    page = render_page(
        "trends.html.j2",
        by=by,
        charts=[chart for chart, _ in drawn],
        scored=len(batch.ok),
        failed=len(batch.failed),
    )
    write_text(out / INDEX, page)
    return [out / chart.file for chart, _ in drawn] + [out / INDEX]
