"""Stock figures: a nation's stock of a weapon system per month — recorded, then planned —
against its stockpile targets, and the units and value delivered by nation and item family."""

from __future__ import annotations

from html import escape
from typing import Any

from alliedforge.domain.procurement.schemas import DeliveryReport, StockProjection

RECORDED, PLANNED, TARGET = "#1f4e79", "#2a9d8f", "#b2182b"
DELIVERED, ACCEPTED, VALUE = "#8c959f", "#1f4e79", "#2a9d8f"
MARGIN = {"t": 48, "r": 16, "b": 80, "l": 72}


def projection_figure(projection: StockProjection) -> dict[str, Any]:
    """Month-end stock (units): recorded up to the current month as a solid line, then
    planned as a dashed one joined to it (held flat when there is no plan), and each
    target as a marker at its due month."""
    recorded = [point for point in projection.points if point.actual]
    planned = [point for point in projection.points if not point.actual]
    # The planned line starts where the recorded one ends, so the two read as one series.
    joined = recorded[-1:] + planned if planned else []
    ahead = "Planned (latest plan)" if projection.plan_run_id is not None else "No plan: held"
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Recorded",
            "x": [point.month for point in recorded],
            "y": [point.balance for point in recorded],
            "line": {"color": RECORDED, "width": 3, "shape": "hv"},
            "hovertemplate": "%{x|%Y-%m}: %{y:,.0f} units recorded<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": ahead,
            "x": [point.month for point in joined],
            "y": [point.balance for point in joined],
            "line": {"color": PLANNED, "width": 3, "dash": "dash", "shape": "hv"},
            "hovertemplate": "%{x|%Y-%m}: %{y:,.0f} units planned<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "Target",
            "x": [target.due for target in projection.targets],
            "y": [target.target for target in projection.targets],
            "marker": {"color": TARGET, "size": 14, "symbol": "diamond"},
            "hovertemplate": "Target by %{x|%Y-%m}: %{y:,.0f} units<extra></extra>",
        },
    ]
    title = f"{escape(projection.nation)} · {escape(projection.weapon_system)}: stock per month"
    return {
        "data": traces,
        "layout": {
            "title": {"text": title},
            "xaxis": {"title": {"text": "Month"}, "type": "date", "tickformat": "%Y-%m"},
            "yaxis": {"title": {"text": "Units"}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.3},
            "shapes": [
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": projection.current_month,
                    "x1": projection.current_month,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#57606a", "width": 1, "dash": "dot"},
                }
            ],
            "margin": MARGIN,
        },
    }


def delivery_report_figure(report: DeliveryReport) -> dict[str, Any]:
    """Units delivered and accepted per nation and item family (grouped bars); a menu
    shows the value accepted instead."""
    axis = [
        [escape(row.nation) for row in report.rows],
        [escape(row.family) for row in report.rows],
    ]
    bars = (
        ("Delivered (units)", [row.delivered for row in report.rows], DELIVERED, True),
        ("Accepted (units)", [row.accepted for row in report.rows], ACCEPTED, True),
        ("Value accepted", [row.value for row in report.rows], VALUE, False),
    )
    traces = [
        {
            "type": "bar",
            "name": name,
            "x": axis,
            "y": values,
            "marker": {"color": colour},
            "visible": shown,
        }
        for name, values, colour, shown in bars
    ]
    views = (("Units", [True, True, False]), ("Value", [False, False, True]))
    return {
        "data": traces,
        "layout": {
            "barmode": "group",
            "xaxis": {"type": "multicategory"},
            "yaxis": {"title": {"text": "Units"}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.3},
            "updatemenus": [
                {
                    "type": "buttons",
                    "direction": "right",
                    "x": 1,
                    "xanchor": "right",
                    "y": 1.15,
                    "yanchor": "top",
                    "buttons": [
                        {
                            "label": label,
                            "method": "update",
                            "args": [{"visible": visible}, {"yaxis.title.text": label}],
                        }
                        for label, visible in views
                    ],
                }
            ],
            "margin": MARGIN,
        },
    }
