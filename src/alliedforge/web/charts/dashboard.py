"""The dashboard's figures: demand against capacity, coverage per nation, stockpiles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Colours: the banner's navy for demand, a teal for capacity; on time / late / short as
# a traffic light that stays readable for red-green colour blindness (blue, amber, red).
DEMAND, CAPACITY = "#1f4e79", "#2a9d8f"
ON_TIME, LATE, SHORT = "#2166ac", "#f4a259", "#b2182b"
MARGIN = {"t": 56, "r": 16, "b": 48, "l": 72}
SMALL_MARGIN = {"t": 16, "r": 16, "b": 48, "l": 72}
# The families shown when the page opens: the largest by demand (a menu selects others).
SHOWN = 6


def demand_capacity_figure(cells: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Units due per year (bars) against best-case capacity (line) for one item family at
    a time, a menu choosing the family; families in order of total demand."""
    totals: dict[str, float] = {}
    for cell in cells:
        totals[cell["family"]] = totals.get(cell["family"], 0.0) + cell["demand"]
    families = sorted(totals, key=lambda family: (-totals[family], family))
    traces: list[dict[str, Any]] = []
    for index, family in enumerate(families):
        own = sorted((c for c in cells if c["family"] == family), key=lambda c: c["year"])
        years = [str(c["year"]) for c in own]
        shown = index == 0
        traces.append(
            {
                "type": "bar",
                "name": f"{family}: demand",
                "x": years,
                "y": [c["demand"] for c in own],
                "marker": {"color": DEMAND},
                "visible": shown,
            }
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{family}: capacity",
                "x": years,
                "y": [c["capacity"] for c in own],
                "line": {"color": CAPACITY, "width": 3},
                "visible": shown,
            }
        )
    buttons = [
        {
            "label": family,
            "method": "update",
            "args": [
                {"visible": [i // 2 == index for i in range(len(traces))]},
                {"title": {"text": _title(family)}},
            ],
        }
        for index, family in enumerate(families)
    ]
    layout: dict[str, Any] = {
        "title": {"text": _title(families[0]) if families else "No demand"},
        "xaxis": {"title": {"text": "Year"}, "type": "category"},
        "yaxis": {"title": {"text": "Units"}},
        "legend": {"orientation": "h", "y": -0.2},
        "margin": MARGIN,
    }
    if len(families) > 1:
        layout["updatemenus"] = [
            {"buttons": buttons, "x": 1, "xanchor": "right", "y": 1.18, "yanchor": "top"}
        ]
    return {"data": traces, "layout": layout}


def _title(family: str) -> str:
    return f"{family}: units due against what the lines can make, per year"


def coverage_figure(coverage: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Units delivered on time, late and short per nation (stacked bars)."""
    nations = [row["nation"] for row in coverage]
    parts = (("on_time", "On time", ON_TIME), ("late", "Late", LATE), ("short", "Short", SHORT))
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "y": nations,
                "x": [row[key] for row in coverage],
                "marker": {"color": colour},
            }
            for key, name, colour in parts
        ],
        "layout": {
            "barmode": "stack",
            "xaxis": {"title": {"text": "Units"}},
            "yaxis": {"type": "category", "autorange": "reversed"},
            "legend": {"orientation": "h", "y": -0.2},
            "height": max(260, 80 + 24 * len(nations)),
            "margin": SMALL_MARGIN,
        },
    }


def stockpile_figure(stockpiles: Sequence[dict[str, Any]], per: str) -> dict[str, Any]:
    """Units on hand against target per `per` (nation or weapon system), grouped bars."""
    names = [row["name"] for row in stockpiles]
    return {
        "data": [
            {
                "type": "bar",
                "name": "On hand",
                "x": names,
                "y": [row["on_hand"] for row in stockpiles],
                "marker": {"color": DEMAND},
            },
            {
                "type": "bar",
                "name": "Target",
                "x": names,
                "y": [row["target"] for row in stockpiles],
                "marker": {"color": "#9ab3c9"},
            },
        ],
        "layout": {
            "barmode": "group",
            "xaxis": {"type": "category", "title": {"text": per.capitalize()}},
            "yaxis": {"title": {"text": "Units"}},
            "legend": {"orientation": "h", "y": -0.3},
            "margin": SMALL_MARGIN,
        },
    }
