"""The plan pages' numbers and figures: the share of a plan a caller may see, and plotly
figure dicts drawn from that share alone, so that nothing outside it can reach a chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np

from alliedforge.analysis.capacity import horizon_column
from alliedforge.analysis.kpis import (
    JointValue,
    NationKpis,
    compare_plans,
    deliveries_by_nation,
    nation_kpis,
)
from alliedforge.analysis.plandiff import Change
from alliedforge.planning.plan import Costs, Delivery, Plan, TierChoice
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.months import month_at, parse_month

COST_COMPONENTS = ("procurement", "opening", "commitment", "shortfall", "late")
# The banner's navy for units, a teal for the comparison, the dashboard's colour-blind-safe
# amber and red for lateness and shortfall.
UNITS, JOINT, NATIONAL, LATE, SHORT = "#1f4e79", "#2a9d8f", "#8c959f", "#f4a259", "#b2182b"
MARGIN = {"t": 56, "r": 24, "b": 64, "l": 88}
# White for nothing, the banner's navy for the most: an empty month reads as empty.
HEAT = [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]]
BARGAP = 0.4  # room between bar groups
# A bar chart spans at least this many categories' width: one nation's view stays slim.
MIN_CATEGORIES = 4
MS_PER_DAY = 86_400_000  # a date axis measures bar lengths in milliseconds


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose numbers a caller sees: everyone's (`staff`), or one nation's or one
    supplier's. A caller who is none of these sees nothing."""

    staff: bool = False
    nation: str | None = None
    supplier: str | None = None

    def sees_nation(self, code: str | None) -> bool:
        return self.staff or (code is not None and code == self.nation)

    def sees_supplier(self, code: str | None) -> bool:
        return self.staff or (code is not None and code == self.supplier)


@dataclass(frozen=True, slots=True)
class LineMonths:
    """Units a line produces for the deliveries in scope, per month of the horizon."""

    line: str
    supplier: str
    units: list[float]


@dataclass(frozen=True, slots=True)
class NationMonths:
    """Units delivered to a nation (and their cost, scenario currency) per month."""

    nation: str
    units: list[float]
    spend: list[float]


@dataclass(frozen=True, slots=True)
class OpeningRow:
    """A line the plan opens: decided, producing from, at what cost (scenario currency)."""

    line: str
    supplier: str
    decision_month: str
    first_output_month: str
    opening_cost: float


@dataclass(frozen=True, slots=True)
class PlanView:
    """The part of a plan one caller may see, ready to show. `costs` is the plan's
    (staff) or the nation's attributed share (`analysis.kpis.attribute_costs`); None for
    a supplier."""

    currency: str
    months: list[str]
    horizon_end: str  # the first month after the horizon
    production: list[LineMonths]
    deliveries: list[NationMonths]
    openings: list[OpeningRow]
    tiers: list[TierChoice]
    nations: list[NationKpis]
    costs: Costs | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Joint against national cost (scenario currency) for the same scenario's two runs;
    `total` is the alliance's, shown to staff only."""

    joint_run: int
    national_run: int
    nations: list[JointValue]
    total: JointValue | None


def _visible_deliveries(plan: Plan, scope: Scope) -> tuple[Delivery, ...]:
    """Deliveries to the caller's nation or from the caller's supplier (the rule of the
    API and of PostgreSQL's row-level security on planned deliveries)."""
    return tuple(
        d for d in plan.deliveries if scope.sees_nation(d.nation) or scope.sees_supplier(d.supplier)
    )


def _production(
    scenario: Scenario, deliveries: Sequence[Delivery], supplier_of: dict[str, str]
) -> list[LineMonths]:
    lines = sorted({d.line for d in deliveries})
    row = {line: i for i, line in enumerate(lines)}
    units = np.zeros((len(lines), scenario.manifest.months))
    for d in deliveries:
        units[row[d.line], horizon_column(scenario, d.month)] += d.quantity
    return [
        LineMonths(line, supplier_of.get(line, ""), units[i].tolist())
        for i, line in enumerate(lines)
    ]


def plan_view(scenario: Scenario, plan: Plan, scope: Scope) -> PlanView:
    """What of `plan` (a feasible plan of `scenario`) the caller with `scope` sees.

    Staff see everything. A nation sees its deliveries, outcomes and cost share, and the
    openings and tiers of the lines and supplier–item pairs that deliver to it. A supplier
    sees its lines' production, openings, tiers and deliveries (to whichever nation).
    """
    supplier_of = {line.code: line.supplier for line in scenario.lines}
    deliveries = _visible_deliveries(plan, scope)
    lines = {d.line for d in deliveries}
    pairs = {(d.supplier, d.item) for d in deliveries}
    openings = [
        OpeningRow(
            o.line,
            supplier_of.get(o.line, ""),
            o.decision_month,
            o.first_output_month,
            o.opening_cost,
        )
        for o in plan.openings
        if o.line in lines or scope.sees_supplier(supplier_of.get(o.line))
    ]
    tiers = [
        t
        for t in plan.tiers
        if scope.sees_supplier(t.supplier)
        or ((t.supplier, t.item) in pairs and (t.nation is None or scope.sees_nation(t.nation)))
    ]
    series = deliveries_by_nation(scenario, replace(plan, deliveries=deliveries))
    shown = [
        NationMonths(nation, series.quantity[i].tolist(), series.spend[i].tolist())
        for i, nation in enumerate(series.nations)
        if scope.sees_nation(nation) or series.quantity[i].any()
    ]
    nations = [k for k in nation_kpis(scenario, plan) if scope.sees_nation(k.nation)]
    costs: Costs | None = None
    if scope.staff:
        costs = plan.costs
    elif scope.nation is not None:
        costs = next((k.costs for k in nations if k.nation == scope.nation), None)
    start, horizon = scenario.manifest.start, scenario.manifest.months
    return PlanView(
        currency=scenario.manifest.currency,
        months=[month_at(start, t) for t in range(horizon)],
        horizon_end=month_at(start, horizon),
        production=_production(scenario, deliveries, supplier_of),
        deliveries=shown,
        openings=openings,
        tiers=sorted(tiers, key=lambda t: (t.supplier, t.item, t.nation or "")),
        nations=nations,
        costs=costs,
    )


def comparison_view(
    scenario: Scenario,
    joint: tuple[int, Plan],
    national: tuple[int, Plan],
    scope: Scope,
) -> Comparison | None:
    """Joint against national procurement for the (run id, plan) pairs of one scenario:
    every nation and the alliance for staff, its own figures for a nation, None for
    anyone else."""
    if not scope.staff and scope.nation is None:
        return None
    result = compare_plans(scenario, joint[1], national[1])
    return Comparison(
        joint_run=joint[0],
        national_run=national[0],
        nations=[v for v in result.nations if scope.sees_nation(v.nation)],
        total=result.total if scope.staff else None,
    )


# --- figures ---------------------------------------------------------------------------


def _layout(title: str, **axes: Any) -> dict[str, Any]:
    return {
        "title": {"text": title},
        "margin": MARGIN,
        "legend": {"orientation": "h", "y": -0.3, "yanchor": "top"},
        **axes,
    }


def _empty(figure: dict[str, Any], text: str) -> dict[str, Any]:
    """Say in the plot area why it is empty, rather than leaving bare axes."""
    figure["layout"]["annotations"] = [
        {
            "text": text,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "showarrow": False,
            "font": {"size": 16},
        }
    ]
    return figure


def _categories(names: list[str], title: str) -> dict[str, Any]:
    """A category axis of `names`, padded on both sides to `MIN_CATEGORIES` slots."""
    pad = max(0.0, (MIN_CATEGORIES - len(names)) / 2)
    return {
        "title": {"text": title},
        "type": "category",
        "range": [-0.5 - pad, len(names) - 0.5 + pad],
    }


def _day(month: str) -> date:
    year, number = parse_month(month)
    return date(year, number, 1)


def production_figure(view: PlanView) -> dict[str, Any]:
    """A heatmap of units produced per line (rows) and month (columns)."""
    figure = {
        "data": [
            {
                "type": "heatmap",
                "x": view.months,
                "y": [row.line for row in view.production],
                "z": [row.units for row in view.production],
                "customdata": [[row.supplier] * len(view.months) for row in view.production],
                "colorscale": HEAT,
                "colorbar": {"title": {"text": "Units"}},
                "hovertemplate": (
                    "line %{y} (%{customdata}), %{x|%Y-%m}: %{z:,.0f} units<extra></extra>"
                ),
            }
        ],
        "layout": _layout(
            "Production per line and month (units)",
            xaxis={"title": {"text": "Month"}, "type": "date"},
            yaxis={"title": {"text": "Line"}, "type": "category", "autorange": "reversed"},
            height=max(320, 140 + 24 * len(view.production)),
        ),
    }
    return figure if view.production else _empty(figure, "No production in your view")


def deliveries_figure(view: PlanView) -> dict[str, Any]:
    """Units delivered to each nation per month, stacked."""
    figure = {
        "data": [
            {
                "type": "bar",
                "name": row.nation,
                "x": view.months,
                "y": row.units,
                "hovertemplate": "%{x|%Y-%m}: %{y:,.0f} units<extra>%{fullData.name}</extra>",
            }
            for row in view.deliveries
        ],
        "layout": _layout(
            "Deliveries per nation and month (units)",
            barmode="stack",
            xaxis={"title": {"text": "Month"}, "type": "date"},
            yaxis={"title": {"text": "Units delivered"}, "rangemode": "tozero"},
        ),
    }
    if not any(any(row.units) for row in view.deliveries):
        _empty(figure, "No deliveries in your view")
    return figure


def openings_figure(view: PlanView) -> dict[str, Any]:
    """A timeline of opened lines: the lead time from decision to first output (faint),
    then production from first output to the end of the horizon."""
    openings = sorted(view.openings, key=lambda o: (o.decision_month, o.line))
    end = _day(view.horizon_end)
    phases = (
        ("Lead time", [(o.decision_month, o.first_output_month) for o in openings], 0.35),
        ("Producing", [(o.first_output_month, view.horizon_end) for o in openings], 0.9),
    )
    traces = []
    for name, spans, opacity in phases:
        begins = [_day(begin) for begin, _ in spans]
        finishes = [min(_day(finish), end) for _, finish in spans]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "y": [o.line for o in openings],
                "base": [begin.isoformat() for begin in begins],
                "x": [
                    max(0, (finish - begin).days) * MS_PER_DAY
                    for begin, finish in zip(begins, finishes, strict=True)
                ],
                "customdata": [
                    [o.supplier, o.decision_month, o.first_output_month, o.opening_cost]
                    for o in openings
                ],
                "marker": {"color": UNITS, "opacity": opacity},
                "hovertemplate": (
                    "line %{y} (%{customdata[0]}): decided %{customdata[1]}, first output "
                    "%{customdata[2]}, opening cost %{customdata[3]:,.0f} "
                    + view.currency
                    + "<extra>"
                    + name
                    + "</extra>"
                ),
            }
        )
    figure = {
        "data": traces,
        "layout": _layout(
            "Line openings: decision, lead time, production to the horizon's end",
            barmode="overlay",
            xaxis={"title": {"text": "Month"}, "type": "date"},
            yaxis={"title": {"text": "Line"}, "type": "category", "autorange": "reversed"},
            height=max(320, 140 + 28 * len(openings)),
        ),
    }
    return figure if openings else _empty(figure, "No line opened in your view")


def tiers_figure(view: PlanView) -> dict[str, Any]:
    """Units bought per supplier–item pair (per nation in national mode) against the
    minimum quantity of the price tier reached."""
    labels = [
        f"{t.supplier} · {t.item}" + ("" if t.nation is None else f" · {t.nation}")
        for t in view.tiers
    ]
    figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Units bought",
                "y": labels,
                "x": [t.quantity for t in view.tiers],
                "customdata": [[t.min_quantity, t.unit_price] for t in view.tiers],
                "marker": {"color": UNITS},
                "hovertemplate": (
                    "%{y}: %{x:,.0f} units, tier from %{customdata[0]:,.0f} units at "
                    "%{customdata[1]:,.2f} " + view.currency + "/unit<extra></extra>"
                ),
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Tier minimum",
                "y": labels,
                "x": [t.min_quantity for t in view.tiers],
                "marker": {"symbol": "line-ns-open", "size": 18, "color": "#000"},
                "hovertemplate": "%{y}: tier from %{x:,.0f} units<extra></extra>",
            },
        ],
        "layout": _layout(
            "Price tiers reached per supplier and item (units)",
            xaxis={"title": {"text": "Units"}, "rangemode": "tozero"},
            yaxis={"type": "category", "autorange": "reversed", "automargin": True},
            height=max(320, 140 + 26 * len(view.tiers)),
        ),
    }
    return figure if view.tiers else _empty(figure, "No tier reached in your view")


def outcomes_figure(view: PlanView) -> dict[str, Any]:
    """Units short (left axis) and late unit-months (right axis) per nation."""
    nations = [k.nation for k in view.nations]
    figure = {
        "data": [
            {
                "type": "bar",
                "name": "Units short",
                "x": nations,
                "y": [k.shortfall for k in view.nations],
                "offsetgroup": "short",
                "marker": {"color": SHORT},
                "hovertemplate": "%{x}: %{y:,.0f} units short<extra></extra>",
            },
            {
                "type": "bar",
                "name": "Late unit-months",
                "x": nations,
                "y": [k.late_unit_months for k in view.nations],
                "yaxis": "y2",
                "offsetgroup": "late",
                "marker": {"color": LATE},
                "hovertemplate": "%{x}: %{y:,.0f} unit-months late<extra></extra>",
            },
        ],
        "layout": _layout(
            "Shortfall and lateness per nation",
            barmode="group",
            bargap=BARGAP,
            margin={**MARGIN, "r": 88},
            xaxis=_categories(nations, "Nation"),
            yaxis={"title": {"text": "Units short"}, "rangemode": "tozero"},
            yaxis2={
                "title": {"text": "Late unit-months"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "showgrid": False,
            },
        ),
    }
    return figure if nations else _empty(figure, "No requirement outcomes in your view")


def costs_figure(costs: Costs, currency: str) -> dict[str, Any]:
    """The objective's components (scenario currency)."""
    return {
        "data": [
            {
                "type": "bar",
                "name": "Cost",
                "x": list(COST_COMPONENTS),
                "y": [getattr(costs, name) for name in COST_COMPONENTS],
                "marker": {"color": UNITS},
                "hovertemplate": "%{x}: %{y:,.0f} " + currency + "<extra></extra>",
            }
        ],
        "layout": _layout(
            "Costs by component (" + currency + ")",
            bargap=BARGAP,
            xaxis={"title": {"text": "Component"}, "type": "category"},
            yaxis={"title": {"text": currency}, "rangemode": "tozero"},
        ),
    }


def comparison_figure(comparison: Comparison, currency: str) -> dict[str, Any]:
    """National against joint cost per nation (attributed cost, scenario currency)."""
    nations = [v.nation or "" for v in comparison.nations]
    return {
        "data": [
            {
                "type": "bar",
                "name": name,
                "x": nations,
                "y": [getattr(v, field) for v in comparison.nations],
                "marker": {"color": colour},
                "hovertemplate": "%{x}: %{y:,.0f} " + currency + "<extra>" + name + "</extra>",
            }
            for name, field, colour in (
                ("National", "national", NATIONAL),
                ("Joint", "joint", JOINT),
            )
        ],
        "layout": _layout(
            "Joint against national procurement: cost per nation (" + currency + ")",
            barmode="group",
            bargap=BARGAP,
            xaxis=_categories(nations, "Nation"),
            yaxis={"title": {"text": currency}, "rangemode": "tozero"},
        ),
    }


def diff_deliveries_figure(changes: Sequence[Change], a: int, b: int) -> dict[str, Any]:
    """Units delivered per nation under plan run `a` and plan run `b`."""
    nations = [c.key for c in changes]
    return {
        "data": [
            {
                "type": "bar",
                "name": f"Run {run}",
                "x": nations,
                "y": [getattr(c, side) for c in changes],
                "marker": {"color": colour},
                "hovertemplate": "%{x}: %{y:,.0f} units<extra>%{fullData.name}</extra>",
            }
            for run, side, colour in ((a, "a", NATIONAL), (b, "b", UNITS))
        ],
        "layout": _layout(
            f"Deliveries per nation: run {a} against run {b} (units)",
            barmode="group",
            bargap=BARGAP,
            xaxis=_categories(nations, "Nation"),
            yaxis={"title": {"text": "Units delivered"}, "rangemode": "tozero"},
        ),
    }
