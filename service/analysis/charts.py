"""The trends charts as PNG bytes, drawn with matplotlib's Agg canvas (no display, no
pyplot state), groups on the vertical axis so that many areas still fit."""

from __future__ import annotations

import io
import textwrap
from typing import Any

from service.analysis.load import ARCHIVE_EXTRA
from service.analysis.trends import AddresseeTable, LevelTable, WeaknessTable
from service.model.dimensions import DIMENSION_TITLES, LEVEL_LABELS

# Ordered, colour-blind-safe (ColorBrewer RdBu): red for inadequate to blue for strong.
LEVEL_COLOURS = ("#b2182b", "#ef8a62", "#67a9cf", "#2166ac")
NO_ADDRESSEE_COLOUR = "#b2182b"
VAGUE_COLOUR = "#ef8a62"
WEAKNESS_COLOUR = "#4d4d4d"
WIDTH_INCHES = 8.0
INCHES_PER_BAR = 0.35
MIN_HEIGHT_INCHES = 2.5
DPI = 100
LABEL_WRAP = 36  # characters per line of a weakness's name


def _figure(bars: int) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:  # the archive extra is not installed
        raise ImportError(f"drawing trends needs matplotlib: {ARCHIVE_EXTRA}") from error
    height = max(MIN_HEIGHT_INCHES, 1.6 + INCHES_PER_BAR * bars)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _percent_axis(axes: Any) -> None:
    axes.set_xlim(0, 100)
    axes.set_xlabel("share (%)")
    axes.invert_yaxis()  # first group at the top, as in the table
    axes.grid(axis="x", alpha=0.3)


def level_chart(table: LevelTable, by: str) -> bytes:
    """Stacked bars: each group's share of reports at each level of one dimension."""
    figure = _figure(len(table.groups))
    axes = figure.add_subplot()
    shares = table.shares()
    left = [0.0] * len(table.groups)
    for level, label in enumerate(LEVEL_LABELS):
        widths = [100 * row[level] for row in shares]
        axes.barh(
            table.groups, widths, left=left, color=LEVEL_COLOURS[level], label=f"{level} {label}"
        )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    _percent_axis(axes)
    axes.set_ylabel(by)
    axes.set_title(f"{DIMENSION_TITLES[table.dimension]}: share of reports at each level")
    figure.legend(loc="outside lower center", ncols=4, fontsize="small")
    return _png(figure)


def weakness_chart(table: WeaknessTable) -> bytes:
    """Bars: the most common weaknesses, as the share of reports with each."""
    # Long names wrap so the bars keep most of the width.
    names = [textwrap.fill(name, LABEL_WRAP) for name in table.names] or ["(none found)"]
    figure = _figure(sum(name.count("\n") + 1 for name in names))
    axes = figure.add_subplot()
    shares = [100 * share for share in table.shares()] or [0.0]
    axes.barh(names, shares, color=WEAKNESS_COLOUR)
    _percent_axis(axes)
    axes.set_title(f"Most common weaknesses (from {table.source}): share of reports")
    return _png(figure)


def addressee_chart(table: AddresseeTable, by: str) -> bytes:
    """Paired bars per group: recommendations naming no one, and naming only a general group."""
    figure = _figure(2 * len(table.groups))
    axes = figure.add_subplot()
    nobody, vague = table.shares()
    positions = list(range(len(table.groups)))
    height = 0.4
    axes.barh(
        [p - height / 2 for p in positions],
        [100 * s for s in nobody],
        height,
        color=NO_ADDRESSEE_COLOUR,
        label="names no one",
    )
    axes.barh(
        [p + height / 2 for p in positions],
        [100 * s for s in vague],
        height,
        color=VAGUE_COLOUR,
        hatch="//",
        label='only a general group ("all agencies")',
    )
    axes.set_yticks(positions, table.groups)
    _percent_axis(axes)
    axes.set_ylabel(by)
    axes.set_title("Recommendations without a specific addressee")
    figure.legend(loc="outside lower center", ncols=2, fontsize="small")
    return _png(figure)
