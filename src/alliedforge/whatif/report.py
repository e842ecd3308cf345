"""A `Comparison` as one self-contained HTML report: cases, deltas, changes and figures."""

from __future__ import annotations

import html
import math
from pathlib import Path

from plotly.offline import get_plotlyjs

from alliedforge.analysis.plandiff import Change
from alliedforge.analysis.report import PAGE, Num, figure_html, section, table
from alliedforge.whatif.compare import CaseDelta, CaseKpis, Comparison
from alliedforge.whatif.figures import comparison_figures


def _cell(value: float, digits: int = 0, suffix: str = "") -> str | Num:
    return Num(value, digits, suffix) if math.isfinite(value) else "—"


def _percent(value: float) -> str | Num:
    return _cell(100 * value, 1, " %")


def _cases_table(comparison: Comparison) -> str:
    rows = [
        (
            case.name,
            case.scenario_name,
            case.status.value,
            case.mode,
            _cell(case.objective),
            case.description,
        )
        for case in comparison.cases
    ]
    return table(("Case", "Scenario", "Status", "Mode", "Objective", "Description"), rows)


def _changes_section(comparison: Comparison) -> str:
    parts = []
    for case in comparison.cases:
        if not case.changes:
            continue
        rows = [
            (
                str(number),
                str(change["kind"]),
                ", ".join(f"{k} = {v}" for k, v in change.items() if k != "kind"),
            )
            for number, change in enumerate(case.changes, start=1)
        ]
        parts.append(f"<h3>{html.escape(case.name)}</h3>" + table(("#", "Kind", "Fields"), rows))
    return section("Changes applied", *parts) if parts else ""


def _summary_table(comparison: Comparison) -> str:
    """One row per KPI, one column per case, then the change of each case from the first."""
    cases = comparison.cases
    kpis: list[tuple[str, list[str | Num]]] = [
        ("Objective", [_cell(c.objective) for c in cases]),
        *[
            (name.capitalize() + " cost", [_cell(getattr(c.costs, name)) for c in cases])
            for name in ("procurement", "opening", "commitment", "shortfall", "late")
        ],
        ("Shortfall (units)", [_cell(c.total("shortfall")) for c in cases]),
        ("Late unit-months", [_cell(c.total("late_unit_months")) for c in cases]),
        ("On time (share of required)", [_percent(c.on_time_share) for c in cases]),
        ("Lines opened", [Num(len(c.openings)) if c.feasible else "—" for c in cases]),
    ]
    headers = ["KPI", *(c.name for c in cases), *(f"Δ {c.name}" for c in cases[1:])]
    rows = []
    for label, cells in kpis:
        base = cells[0]
        deltas = [
            Num(cell.value - base.value, base.digits, base.suffix)
            if isinstance(cell, Num) and isinstance(base, Num)
            else "—"
            for cell in cells[1:]
        ]
        rows.append((label, *cells, *deltas))
    return table(headers, rows)


def _nation_rows(changes: tuple[Change, ...], percent: bool = False) -> list[tuple[str | Num, ...]]:
    scale = 100.0 if percent else 1.0
    suffix, digits = (" %", 1) if percent else ("", 0)
    return [
        (
            c.key,
            _cell(scale * c.a, digits, suffix),
            _cell(scale * c.b, digits, suffix),
            _cell(scale * c.delta, digits, suffix),
        )
        for c in changes
    ]


def _delta_section(baseline: CaseKpis, delta: CaseDelta) -> str:
    head = ("Nation", baseline.name, delta.name, "Change")
    opened = [
        *(("added", o.line, "", o.decision_month) for o in delta.openings_added),
        *(("removed", o.line, o.decision_month, "") for o in delta.openings_removed),
        *(("moved", m.line, m.a.decision_month, m.b.decision_month) for m in delta.openings_moved),
    ]
    tiers = [
        (
            t.supplier,
            t.item,
            t.nation or "all (joint)",
            _cell(t.a.min_quantity) if t.a else "none",
            _cell(t.b.min_quantity) if t.b else "none",
        )
        for t in delta.tiers
    ]
    return section(
        f"{delta.name} against {baseline.name}",
        "<h3>Shortfall (units)</h3>",
        table(head, _nation_rows(delta.shortfall)),
        "<h3>Late unit-months</h3>",
        table(head, _nation_rows(delta.late_unit_months)),
        "<h3>On time (share of required)</h3>",
        table(head, _nation_rows(delta.on_time_share, percent=True)),
        "<h3>Line openings that differ (decision month)</h3>",
        table(("Change", "Line", baseline.name, delta.name), opened),
        "<h3>Price tiers that differ (tier minimum, units)</h3>",
        table(("Supplier", "Item", "Nation", baseline.name, delta.name), tiers),
    )


def render_comparison_report(comparison: Comparison, title: str = "What-if comparison") -> str:
    """The report as an HTML string, plotly.js inlined once so it works offline."""
    currency = comparison.baseline.currency
    infeasible = [c for c in comparison.cases if not c.feasible]
    notes = "".join(
        f"<p>{html.escape(c.name)} is infeasible: "
        f"{html.escape('; '.join(c.infeasibility) or 'no reason given')}</p>"
        for c in infeasible
    )
    sections = [
        f"<header><h1>{html.escape(title)}</h1>"
        f"<p>Baseline: <b>{html.escape(comparison.baseline.name)}</b>; every Δ is a case "
        f"minus the baseline. Money in {html.escape(currency)}.</p>{notes}</header>",
        section("Cases", _cases_table(comparison)),
        section(f"KPIs ({currency}, units)", _summary_table(comparison)),
        _changes_section(comparison),
        *(
            _delta_section(comparison.baseline, delta)
            for delta, case in zip(comparison.deltas, comparison.cases[1:], strict=True)
            if case.feasible and comparison.baseline.feasible
        ),
        section(
            "Figures",
            *(
                figure_html(fig, number)
                for number, fig in enumerate(comparison_figures(comparison), start=1)
            ),
        ),
    ]
    return PAGE.substitute(
        title=html.escape(title), plotlyjs=get_plotlyjs(), body="\n".join(s for s in sections if s)
    )


def write_comparison_report(
    path: Path, comparison: Comparison, title: str = "What-if comparison"
) -> Path:
    """Write the report to `path` (folders created) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_comparison_report(comparison, title), encoding="utf-8")
    return path
