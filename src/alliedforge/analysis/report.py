"""A plan as one self-contained HTML report: header, tables and figures, plotly.js inlined once."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from alliedforge.analysis.capacity import capacity_by_family
from alliedforge.analysis.figures import (
    cost_comparison_figure,
    deliveries_figure,
    demand_capacity_figure,
    openings_figure,
    shortfall_figure,
    tiers_figure,
)
from alliedforge.analysis.kpis import (
    ModeComparison,
    compare_plans,
    deliveries_by_nation,
    nation_kpis,
)
from alliedforge.planning.plan import Mode, Plan, PlanStatus
from alliedforge.scenario.model import Scenario

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem 2rem;
       color: #222; }
h1 { margin-bottom: 0.2rem; }
h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1.5rem; }
dt { font-weight: 600; }
dd { margin: 0; font-family: ui-monospace, monospace; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.92rem; }
.scroll { overflow-x: auto; max-width: 100%; }
th, td { padding: 0.25rem 0.7rem; border-bottom: 1px solid #e3e3e3; text-align: left; }
th { background: #f4f4f4; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.figure { margin: 1.5rem 0; }
</style>
<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>
<script>$plotlyjs</script>
</head>
<body>
$body
</body>
</html>
""")

# No modebar link out to plotly.com: the report must work offline and stay on the page.
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True, slots=True)
class Num:
    """A numeric table cell, right-aligned and formatted with thousands separators."""

    value: float
    digits: int = 0
    suffix: str = ""

    def __str__(self) -> str:
        return f"{self.value:,.{self.digits}f}{self.suffix}"


_Cell = str | Num


def table(headers: Sequence[str], rows: Iterable[Sequence[_Cell]]) -> str:
    """An HTML table; every cell is escaped here, so callers pass raw scenario strings."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="n">{html.escape(str(c))}</td>'
            if isinstance(c, Num)
            else f"<td>{html.escape(c)}</td>"
            for c in row
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}">none</td></tr>')
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    # Wide tables scroll on their own instead of pushing the page sideways.
    return f'<div class="scroll">{table}</div>'


def section(title: str, *parts: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{''.join(parts)}</section>"


def _header(scenario: Scenario, plan: Plan) -> str:
    currency = scenario.manifest.currency
    facts = [
        ("Scenario", scenario.manifest.name),
        ("Scenario hash", plan.scenario_hash or scenario.content_hash()),
        ("Mode", plan.mode),
        ("Status", plan.status),
        ("Objective", f"{plan.objective:,.2f} {currency}"),
        ("Best bound", f"{plan.bound:,.2f} {currency}"),
        ("MIP gap", f"{100 * plan.mip_gap:.4f} %"),
        ("Build time", f"{plan.build_seconds:.2f} s"),
        ("Solve time", f"{plan.solve_seconds:.2f} s"),
        ("Solver", plan.solver),
        ("Strategy", plan.strategy),
    ]
    items = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(text)}</dd>"
        for label, text in facts
        if text
    )
    title = f"<h1>Plan report: {html.escape(scenario.manifest.name)}</h1>"
    reasons = ""
    if plan.infeasibility:
        listed = "".join(f"<li>{html.escape(reason)}</li>" for reason in plan.infeasibility)
        reasons = f"<p>Why the scenario is infeasible:</p><ul>{listed}</ul>"
    return f"<header>{title}<dl>{items}</dl>{reasons}</header>"


def _costs_table(plan: Plan) -> str:
    c = plan.costs
    rows = [
        ("Procurement (planned deliveries at tier prices)", c.procurement),
        ("Line openings", c.opening),
        ("Commitments (contract prices)", c.commitment),
        ("Shortfall penalties", c.shortfall),
        ("Lateness penalties", c.late),
        ("Objective", c.total),
    ]
    return table(("Component", "Cost"), [(label, Num(value)) for label, value in rows])


def _nations_table(scenario: Scenario, plan: Plan) -> str:
    names = {n.code: n.name for n in scenario.nations}
    headers = (
        "Nation",
        "Name",
        "Required (units)",
        "Delivered",
        "On time",
        "Shortfall",
        "Late unit-months",
        "Spend",
        "Opening share",
        "Shortfall cost",
        "Late cost",
        "Attributed cost",
    )
    rows = [
        (
            k.nation,
            names[k.nation],
            Num(k.required),
            Num(k.delivered),
            Num(k.on_time),
            Num(k.shortfall),
            Num(k.late_unit_months),
            Num(k.spend),
            Num(k.costs.opening),
            Num(k.costs.shortfall),
            Num(k.costs.late),
            Num(k.costs.total),
        )
        for k in nation_kpis(scenario, plan)
    ]
    note = (
        "<p>Attributed cost: own deliveries at their prices, own shortfall and lateness "
        "penalties, and a share of each opened line's cost pro rata to the units received "
        "from it. The attributed costs add up to the objective.</p>"
    )
    return table(headers, rows) + note


def _openings_table(scenario: Scenario, plan: Plan) -> str:
    lines = {line.code: line for line in scenario.lines}
    rows = [
        (
            o.line,
            lines[o.line].supplier if o.line in lines else "",
            lines[o.line].item if o.line in lines else "",
            o.decision_month,
            o.first_output_month,
            Num(o.opening_cost),
        )
        for o in sorted(plan.openings, key=lambda o: (o.decision_month, o.line))
    ]
    headers = ("Line", "Supplier", "Item", "Decision", "First output", "Opening cost")
    return table(headers, rows)


def _tiers_table(plan: Plan) -> str:
    rows = [
        (
            t.supplier,
            t.item,
            t.nation or "all (joint)",
            Num(t.min_quantity),
            Num(t.unit_price, digits=2),
            Num(t.quantity),
        )
        for t in sorted(plan.tiers, key=lambda t: (t.supplier, t.item, t.nation or ""))
    ]
    headers = ("Supplier", "Item", "Nation", "Tier minimum (units)", "Unit price", "Quantity")
    return table(headers, rows)


def _comparison_table(comparison: ModeComparison) -> str:
    rows = [
        (
            v.nation or "Total (objective)",
            Num(v.national),
            Num(v.joint),
            Num(v.saving),
            "—" if v.saving_percent is None else Num(v.saving_percent, digits=2, suffix=" %"),
        )
        for v in (*comparison.nations, comparison.total)
    ]
    return table(("Nation", "National", "Joint", "Saving", "Saving (%)"), rows)


def _comparison(scenario: Scenario, plan: Plan, other: Plan) -> ModeComparison | str:
    """The mode comparison, or the reason (plain text) why there is none."""
    by_mode = {plan.mode: plan, other.mode: other}
    if len(by_mode) != 2:
        return f"Both plans are {plan.mode}: a comparison needs one joint and one national plan."
    for p in by_mode.values():
        if p.status is PlanStatus.INFEASIBLE:
            return f"The {p.mode} plan is infeasible, so there is no cost to compare."
    return compare_plans(scenario, by_mode[Mode.JOINT], by_mode[Mode.NATIONAL])


def figure_html(fig: go.Figure, number: int) -> str:
    # A fixed div id keeps the report byte-identical for the same inputs.
    div = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"figure-{number}",
        config=_PLOTLY_CONFIG,
    )
    return f'<div class="figure">{div}</div>'


def render_report(scenario: Scenario, plan: Plan, comparison: Plan | None = None) -> str:
    """The report as an HTML string; `comparison` is the same scenario planned in the other mode."""
    currency = scenario.manifest.currency
    sections = [
        _header(scenario, plan),
        section(f"Cost breakdown ({currency})", _costs_table(plan)),
        section(f"Nations (units, {currency})", _nations_table(scenario, plan)),
        section(f"Line openings ({currency})", _openings_table(scenario, plan)),
        section(f"Price tiers reached ({currency})", _tiers_table(plan)),
    ]
    figures = [
        demand_capacity_figure(capacity_by_family(scenario, plan)),
        deliveries_figure(deliveries_by_nation(scenario, plan), currency),
        openings_figure(scenario, plan),
        shortfall_figure(scenario, plan),
        tiers_figure(plan, currency),
    ]
    if comparison is not None:
        compared = _comparison(scenario, plan, comparison)
        if isinstance(compared, str):
            body = f"<p>{html.escape(compared)}</p>"
        else:
            body = _comparison_table(compared)
            figures.append(cost_comparison_figure(compared, currency))
        title = f"Joint vs national procurement ({currency})"
        sections.append(section(title, body))
    sections.append(
        section("Figures", *(figure_html(fig, i) for i, fig in enumerate(figures, start=1)))
    )
    return PAGE.substitute(
        title=html.escape(f"AlliedForge plan report: {scenario.manifest.name}"),
        plotlyjs=get_plotlyjs(),
        body="\n".join(sections),
    )


def write_report(
    path: Path, scenario: Scenario, plan: Plan, comparison: Plan | None = None
) -> Path:
    """Write the self-contained HTML report of `plan` to `path` and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(scenario, plan, comparison), encoding="utf-8")
    return path
