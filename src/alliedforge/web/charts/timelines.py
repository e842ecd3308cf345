"""The timelines page's figures: the analysis's own plotly figures as plain dicts, and what
a compression what-if changes per nation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from alliedforge.analysis.compression import CompressionValue
from alliedforge.analysis.timeline_figures import (
    bottleneck_figure,
    compression_figure,
    nation_stages_figure,
    stage_boxes_figure,
)
from alliedforge.analysis.timelines import Procurement, TimelineAnalysis

BASELINE, COMPRESSED = "#9ab3c9", "#1f4e79"
MARGIN = {"t": 48, "r": 16, "b": 56, "l": 72}
# The three measures of a nation's effect: key in the row, panel title.
MEASURES = (
    ("shortfall", "Shortfall (units)"),
    ("late_unit_months", "Lateness (unit-months)"),
    ("cost", "Attributed cost ({currency})"),
)


def as_dict(figure: go.Figure) -> dict[str, Any]:
    """A plotly figure as the plain JSON dict the page embeds (numpy arrays as lists)."""
    plain: dict[str, Any] = json.loads(figure.to_json())
    return plain


def analysis_figures(
    procurements: Sequence[Procurement], analysis: TimelineAnalysis
) -> dict[str, dict[str, Any]]:
    """The stage box plots, the median months per nation stacked by stage, and the
    bottleneck (median and P80 per stage)."""
    return {
        "stages": as_dict(stage_boxes_figure(procurements)),
        "nations": as_dict(nation_stages_figure(analysis)),
        "bottleneck": as_dict(bottleneck_figure(analysis)),
    }


def alliance_what_if_figure(value: CompressionValue, currency: str) -> dict[str, Any]:
    """Baseline against compressed for the whole alliance: cost by component, shortfall
    and lateness per nation."""
    return as_dict(compression_figure(value, currency))


def nation_effects_figure(rows: Sequence[dict[str, Any]], currency: str) -> dict[str, Any]:
    """Baseline against compressed per nation in three panels (shortfall, lateness,
    attributed cost); `rows` as the page's JSON has them (`{nation, shortfall: {a, b}, …}`)."""
    nations = [row["nation"] for row in rows]
    traces: list[dict[str, Any]] = []
    layout: dict[str, Any] = {
        "barmode": "group",
        "margin": MARGIN,
        "legend": {"orientation": "h", "y": -0.25},
        "annotations": [],
    }
    width = 1 / len(MEASURES)
    for k, (key, title) in enumerate(MEASURES):
        axis = "" if k == 0 else str(k + 1)
        for side, name, colour in (("a", "baseline", BASELINE), ("b", "compressed", COMPRESSED)):
            traces.append(
                {
                    "type": "bar",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": k == 0,
                    "x": nations,
                    "y": [row[key][side] for row in rows],
                    "marker": {"color": colour},
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                }
            )
        domain = [k * width + 0.04, (k + 1) * width - 0.04]
        layout[f"xaxis{axis}"] = {"domain": domain, "type": "category", "anchor": f"y{axis}"}
        layout[f"yaxis{axis}"] = {"anchor": f"x{axis}", "rangemode": "tozero"}
        layout["annotations"].append(
            {
                "text": title.format(currency=currency),
                "x": sum(domain) / 2,
                "y": 1.08,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
            }
        )
    return {"data": traces, "layout": layout}
