"""Plotly figure builders over a scenario, a plan and their analyses (no I/O)."""

from __future__ import annotations

from datetime import date

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from alliedforge.analysis.capacity import FamilySeries
from alliedforge.analysis.kpis import ModeComparison, NationSeries
from alliedforge.planning.plan import Plan
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.months import month_at, parse_month

DEMAND_CAPACITY_TITLE = "Cumulative demand vs capacity by item family"
DELIVERIES_TITLE = "Deliveries per nation and month"
OPENINGS_TITLE = "Line openings: lead time and production"
SHORTFALL_TITLE = "Shortfall per nation by priority"
COST_COMPARISON_TITLE = "Joint vs national procurement cost"
TIERS_TITLE = "Price tiers reached"

_PALETTE: list[str] = list(qualitative.Plotly)
_HEIGHT = 460


def layout(fig: go.Figure, title: str, height: int = _HEIGHT) -> go.Figure:
    """House look: white template, a title, laptop-sized."""
    fig.update_layout(
        title={"text": title, "x": 0.01},
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 30, "t": 80, "b": 60},
    )
    return fig


def note(fig: go.Figure, text: str) -> None:
    """Say in the plot area why it is empty, rather than leaving bare axes."""
    fig.add_annotation(
        text=text, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, font={"size": 16}
    )


def _first_day(month: str) -> date:
    year, month_number = parse_month(month)
    return date(year, month_number, 1)


def demand_capacity_figure(series: FamilySeries) -> go.Figure:
    """Cumulative demand, best-case capacity and planned output per family (units).

    One family is shown at a time; a dropdown switches between families.
    """
    curves = [("Demand due", series.cumulative_demand, "solid")]
    curves.append(("Capacity (best case)", series.cumulative_capacity, "dash"))
    if (planned := series.cumulative_planned) is not None:
        curves.append(("Planned deliveries", planned, "dot"))
    fig = go.Figure()
    for f, family in enumerate(series.families):
        for name, values, dash in curves:
            fig.add_trace(
                go.Scatter(
                    x=series.months,
                    y=values[f],
                    name=name,
                    mode="lines",
                    line={"dash": dash, "width": 2.5},
                    visible=f == 0,
                    customdata=[family] * len(series.months),
                    hovertemplate=(
                        "%{customdata}<br>%{x|%b %Y}: %{y:,.0f} units<extra>" + name + "</extra>"
                    ),
                )
            )
    title = DEMAND_CAPACITY_TITLE
    if len(series.families) == 1:
        title += f": {series.families[0]}"
    elif series.families:
        buttons = [
            {
                "label": family,
                "method": "update",
                "args": [{"visible": [g == family for g in series.families for _ in curves]}],
            }
            for family in series.families
        ]
        fig.update_layout(
            updatemenus=[{"buttons": buttons, "x": 1.0, "xanchor": "right", "y": 1.12}]
        )
    fig.update_xaxes(title_text="Month", type="date")
    fig.update_yaxes(title_text="Units (cumulative)", rangemode="tozero")
    return layout(fig, title).update_layout(hovermode="x unified")


def deliveries_figure(series: NationSeries, currency: str) -> go.Figure:
    """Units delivered to each nation per month, stacked; hover shows the spend."""
    fig = go.Figure()
    for i, nation in enumerate(series.nations):
        fig.add_trace(
            go.Bar(
                x=series.months,
                y=series.quantity[i],
                name=nation,
                customdata=series.spend[i],
                hovertemplate=(
                    "%{x|%b %Y}: %{y:,.0f} units, %{customdata:,.0f} "
                    + currency
                    + "<extra>%{fullData.name}</extra>"
                ),
            )
        )
    if not series.quantity.any():
        note(fig, "No deliveries in this plan")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="Month", type="date")
    fig.update_yaxes(title_text="Units delivered per month")
    return layout(fig, DELIVERIES_TITLE)


def openings_figure(scenario: Scenario, plan: Plan) -> go.Figure:
    """A Gantt chart of opened lines: decision → first output (faint) → horizon end, by supplier."""
    fig = go.Figure()
    supplier_of = {line.code: line.supplier for line in scenario.lines}
    horizon_end = _first_day(month_at(scenario.manifest.start, scenario.manifest.months))
    openings = sorted(plan.openings, key=lambda o: (o.decision_month, o.line))
    suppliers = sorted({supplier_of.get(o.line, "?") for o in openings})
    for s, supplier in enumerate(suppliers):
        own = [o for o in openings if supplier_of.get(o.line, "?") == supplier]
        colour = _PALETTE[s % len(_PALETTE)]
        phases = (
            ("lead time", [o.decision_month for o in own], [o.first_output_month for o in own]),
            ("producing", [o.first_output_month for o in own], [None] * len(own)),
        )
        for phase, starts, ends in phases:
            begin = [_first_day(m) for m in starts]
            finish = [horizon_end if m is None else _first_day(m) for m in ends]
            fig.add_trace(
                go.Bar(
                    orientation="h",
                    y=[o.line for o in own],
                    base=[b.isoformat() for b in begin],
                    # a date axis measures bar lengths in milliseconds
                    x=[(f - b).days * 86_400_000 for b, f in zip(begin, finish, strict=True)],
                    name=supplier,
                    legendgroup=supplier,
                    showlegend=phase == "producing",
                    marker={"color": colour, "opacity": 0.35 if phase == "lead time" else 0.9},
                    customdata=[
                        (supplier, o.decision_month, o.first_output_month, o.opening_cost)
                        for o in own
                    ],
                    hovertemplate=(
                        "line %{y} (%{customdata[0]}), "
                        + phase
                        + "<br>decided %{customdata[1]}, first output %{customdata[2]}"
                        + "<br>opening cost %{customdata[3]:,.0f} "
                        + scenario.manifest.currency
                        + "<extra></extra>"
                    ),
                )
            )
    if not openings:
        note(fig, "No line opened in this plan")
    fig.update_xaxes(title_text="Month", type="date")
    fig.update_yaxes(title_text="Line", autorange="reversed", type="category")
    return layout(fig, OPENINGS_TITLE, height=max(_HEIGHT, 160 + 28 * len(openings)))


def shortfall_figure(scenario: Scenario, plan: Plan) -> go.Figure:
    """Units short per nation, stacked by requirement priority (1 = most urgent)."""
    priority = {r.code: r.priority for r in scenario.all_requirements()}
    nations = [n.code for n in scenario.nations]
    column = {code: i for i, code in enumerate(nations)}
    levels = len(scenario.manifest.shortfall_cost)
    short = np.zeros((levels, len(nations)))
    for o in plan.requirements:
        short[priority[o.requirement] - 1, column[o.nation]] += o.shortfall
    fig = go.Figure()
    for p in range(levels):
        fig.add_trace(
            go.Bar(
                x=nations,
                y=short[p],
                name=f"priority {p + 1}",
                hovertemplate="%{x}: %{y:,.0f} units short<extra>%{fullData.name}</extra>",
            )
        )
    if not plan.requirements:
        note(fig, "This plan reports no requirement outcomes")
    elif not short.any():
        note(fig, "No shortfall: every requirement is met")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="Nation", type="category")
    fig.update_yaxes(title_text="Units short", rangemode="tozero")
    return layout(fig, SHORTFALL_TITLE)


def cost_comparison_figure(comparison: ModeComparison, currency: str) -> go.Figure:
    """National vs joint cost per nation and in total, each bar group labelled with its saving."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.78, 0.22],
        horizontal_spacing=0.08,
        subplot_titles=("Per nation (attributed cost)", "Alliance (objective)"),
    )
    groups = ((1, list(comparison.nations)), (2, [comparison.total]))
    for col, values in groups:
        labels = [v.nation or "Total" for v in values]
        savings = [
            "" if v.saving_percent is None else f"saves {v.saving_percent:.1f}%" for v in values
        ]
        for name, amounts, colour in (
            ("National", [v.national for v in values], _PALETTE[1]),
            ("Joint", [v.joint for v in values], _PALETTE[0]),
        ):
            fig.add_trace(
                go.Bar(
                    x=labels,
                    y=amounts,
                    name=name,
                    legendgroup=name,
                    showlegend=col == 1,
                    marker={"color": colour},
                    text=savings if name == "Joint" else None,
                    textposition="outside",
                    cliponaxis=False,
                    hovertemplate="%{x}: %{y:,.0f} " + currency + "<extra>" + name + "</extra>",
                ),
                row=1,
                col=col,
            )
    total = comparison.total
    share = "" if total.saving_percent is None else f" ({total.saving_percent:.2f}%)"
    fig.add_annotation(
        text=f"Joint procurement saves {total.saving:,.0f} {currency}{share}",
        xref="paper",
        yref="paper",
        x=1.0,
        y=1.12,
        xanchor="right",
        showarrow=False,
        font={"size": 14},
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="Nation", type="category", row=1, col=1)
    fig.update_yaxes(title_text=f"Cost ({currency})", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    return layout(fig, COST_COMPARISON_TITLE)


def tiers_figure(plan: Plan, currency: str) -> go.Figure:
    """Quantity bought per supplier–item pair (per nation in national mode) against its tier."""
    tiers = sorted(plan.tiers, key=lambda t: (t.supplier, t.item, t.nation or ""))
    labels = [
        f"{t.supplier} · {t.item}" + ("" if t.nation is None else f" · {t.nation}") for t in tiers
    ]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            orientation="h",
            y=labels,
            x=[t.quantity for t in tiers],
            name="quantity bought",
            marker={"color": _PALETTE[0]},
            customdata=[(t.min_quantity, t.unit_price) for t in tiers],
            hovertemplate=(
                "%{y}<br>%{x:,.0f} units, tier from %{customdata[0]:,.0f} units"
                + " at %{customdata[1]:,.2f} "
                + currency
                + "/unit<extra></extra>"
            ),
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=[t.min_quantity for t in tiers],
            name="tier minimum",
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 18, "color": "black"},
            hovertemplate="%{y}<br>tier minimum %{x:,.0f} units<extra></extra>",
        )
    )
    if not tiers:
        note(fig, "No planned purchases, so no tier reached")
    fig.update_xaxes(title_text="Quantity (units)", rangemode="tozero")
    fig.update_yaxes(title_text="Supplier · item", autorange="reversed", type="category")
    return layout(fig, TIERS_TITLE, height=max(_HEIGHT, 160 + 26 * len(tiers)))
