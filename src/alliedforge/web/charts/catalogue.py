"""The interoperability matrix: items × weapon systems, each cell the qualification's
status, as a grid for the accessible table and a plotly heatmap with a discrete scale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

NONE = "none"
# Colour-scale order, from nothing to usable; the colours stay apart in grey scale too.
STATUSES = (NONE, "planned", "in_progress", "qualified")
STATUS_TEXT = {
    NONE: "none",
    "planned": "planned",
    "in_progress": "in progress",
    "qualified": "qualified",
}
STATUS_COLOURS = {
    NONE: "#eceff3",
    "planned": "#f2c14e",
    "in_progress": "#4f86c6",
    "qualified": "#1b6b3a",
}
ROW_LABEL = 32  # characters of an item's name beside its row
HOVER_EVIDENCE = 200  # characters of evidence shown on hover; the item page has it all


@dataclass(frozen=True, slots=True)
class Axis:
    """A row or column of the matrix: its code and the name shown with it."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Cell:
    """Where an item stands on a weapon system (`status` one of `STATUSES`); `month` is
    when it was or is expected to be qualified (YYYY-MM)."""

    item: str
    weapon_system: str
    status: str = NONE
    month: str | None = None
    evidence: str | None = None


def status_grid(
    items: Sequence[Axis], weapon_systems: Sequence[Axis], cells: Sequence[Cell]
) -> list[list[Cell]]:
    """One row per item, one cell per weapon system; a pair without a cell has none."""
    given = {(cell.item, cell.weapon_system): cell for cell in cells}
    return [
        [
            given.get((item.code, system.code), Cell(item.code, system.code))
            for system in weapon_systems
        ]
        for item in items
    ]


def _discrete_scale() -> list[list[float | str]]:
    """Colour stops giving status k the band [k/n, (k+1)/n] of a heatmap whose z runs
    from -0.5 to n - 0.5, so each status has one flat colour."""
    n = len(STATUSES)
    stops: list[list[float | str]] = []
    for k, status in enumerate(STATUSES):
        stops += [[k / n, STATUS_COLOURS[status]], [(k + 1) / n, STATUS_COLOURS[status]]]
    return stops


def _hover(item: Axis, system: Axis, cell: Cell) -> str:
    """Hover text; plotly reads tags in it, so every user-written part is escaped."""
    lines = [
        f"<b>{escape(item.name)}</b> ({escape(item.code)})",
        f"on {escape(system.code)} — {escape(system.name)}",
        f"Status: {STATUS_TEXT[cell.status]}",
    ]
    if cell.month is not None:
        when = "since" if cell.status == "qualified" else "expected"
        lines.append(f"Month: {when} {escape(cell.month)}")
    elif cell.status == "qualified":
        lines.append("Month: from the start")
    if cell.evidence:
        evidence = cell.evidence
        if len(evidence) > HOVER_EVIDENCE:
            evidence = evidence[: HOVER_EVIDENCE - 1] + "…"
        lines.append(f"Evidence: {escape(evidence)}")
    return "<br>".join(lines)


def _short(name: str) -> str:
    """An item's name as a row label: the hover and the table give it in full."""
    return name if len(name) <= ROW_LABEL else name[: ROW_LABEL - 1] + "…"


def matrix_figure(
    items: Sequence[Axis], weapon_systems: Sequence[Axis], grid: Sequence[Sequence[Cell]]
) -> dict[str, Any]:
    """A heatmap of `grid` (from `status_grid`): items down (by code, labelled with their
    names), weapon systems across, one flat colour per status, named on the colour bar;
    hover gives month and evidence."""
    n = len(STATUSES)
    rank = {status: k for k, status in enumerate(STATUSES)}
    rows = [escape(item.code) for item in items]
    columns = [escape(system.code) for system in weapon_systems]
    return {
        "data": [
            {
                "type": "heatmap",
                "x": columns,
                "y": rows,
                "z": [[rank[cell.status] for cell in row] for row in grid],
                "zmin": -0.5,
                "zmax": n - 0.5,
                "colorscale": _discrete_scale(),
                "xgap": 2,
                "ygap": 2,
                "text": [
                    [
                        _hover(item, system, cell)
                        for system, cell in zip(weapon_systems, row, strict=True)
                    ]
                    for item, row in zip(items, grid, strict=True)
                ],
                "hovertemplate": "%{text}<extra></extra>",
                "colorbar": {
                    "title": {"text": "Status"},
                    "tickvals": list(range(n)),
                    "ticktext": [STATUS_TEXT[status] for status in STATUSES],
                    "thickness": 14,
                },
            }
        ],
        "layout": {
            "xaxis": {"title": {"text": "Weapon system"}, "type": "category", "side": "top"},
            "yaxis": {
                "type": "category",
                "autorange": "reversed",
                "automargin": True,
                "tickmode": "array",
                "tickvals": rows,
                "ticktext": [escape(_short(item.name)) for item in items],
            },
            "height": max(320, 26 * len(items) + 160),
            "margin": {"t": 96, "r": 16, "b": 24, "l": 16},
        },
    }
