"""Plotly figures of a `Comparison`: one colour per case, the baseline first (no I/O)."""

from __future__ import annotations

import plotly.graph_objects as go

from alliedforge.analysis.figures import layout, note
from alliedforge.analysis.plandiff import COST_COMPONENTS
from alliedforge.whatif.compare import CaseKpis, Comparison

COSTS_TITLE = "Cost components per case"
SHORTFALL_TITLE = "Shortfall per nation and case"
LATENESS_TITLE = "Late unit-months per nation and case"
OPENINGS_TITLE = "Line openings per case: decision to first output"


def _feasible(comparison: Comparison) -> list[CaseKpis]:
    return [case for case in comparison.cases if case.feasible]


def costs_figure(comparison: Comparison) -> go.Figure:
    """Each cost component (and the objective) as grouped bars, one bar per case."""
    currency = comparison.baseline.currency
    names = [*COST_COMPONENTS, "objective"]
    fig = go.Figure()
    for case in _feasible(comparison):
        values = [getattr(case.costs, name) for name in COST_COMPONENTS] + [case.objective]
        fig.add_trace(
            go.Bar(
                x=names,
                y=values,
                name=case.name,
                hovertemplate="%{x}: %{y:,.0f} " + currency + "<extra>" + case.name + "</extra>",
            )
        )
    fig.update_layout(barmode="group", yaxis_title=currency)
    if not fig.data:
        note(fig, "No feasible plan to show")
    return layout(fig, COSTS_TITLE)


def _per_nation(comparison: Comparison, attribute: str, title: str, unit: str) -> go.Figure:
    fig = go.Figure()
    for case in _feasible(comparison):
        fig.add_trace(
            go.Bar(
                x=[n.nation for n in case.nations],
                y=[getattr(n, attribute) for n in case.nations],
                name=case.name,
                hovertemplate="%{x}: %{y:,.0f} " + unit + "<extra>" + case.name + "</extra>",
            )
        )
    fig.update_layout(barmode="group", yaxis_title=unit)
    if not any(any(bar.y) for bar in fig.data):
        note(fig, f"No {unit} in any case")
    return layout(fig, title)


def shortfall_figure(comparison: Comparison) -> go.Figure:
    """Units short per nation, one bar per case."""
    return _per_nation(comparison, "shortfall", SHORTFALL_TITLE, "units short")


def lateness_figure(comparison: Comparison) -> go.Figure:
    """Late unit-months per nation, one bar per case."""
    return _per_nation(comparison, "late_unit_months", LATENESS_TITLE, "late unit-months")


def openings_figure(comparison: Comparison) -> go.Figure:
    """Each opened line as a segment from its decision month to its first output, one
    colour per case, so openings that moved or appeared stand out."""
    fig = go.Figure()
    for case in _feasible(comparison):
        x: list[str | None] = []
        y: list[str | None] = []
        for o in case.openings:
            x += [o.decision_month, o.first_output_month, None]
            y += [o.line, o.line, None]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=case.name,
                mode="lines+markers",
                line={"width": 6},
                hovertemplate="%{y}: %{x}<extra>" + case.name + "</extra>",
            )
        )
    fig.update_layout(xaxis_title="month", yaxis_title="line")
    if not any(case.openings for case in comparison.cases):
        note(fig, "No case opens a line")
    return layout(fig, OPENINGS_TITLE)


def comparison_figures(comparison: Comparison) -> list[go.Figure]:
    """The figures of the comparison report, in report order."""
    return [
        costs_figure(comparison),
        shortfall_figure(comparison),
        lateness_figure(comparison),
        openings_figure(comparison),
    ]
