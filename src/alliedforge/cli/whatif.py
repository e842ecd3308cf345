"""`forge whatif run` and `forge whatif compare`: change a scenario, plan it, compare cases.

Exit codes: 0 done, 1 a failed write or database, 2 an invalid what-if file, scenario or
case folder (one line per problem, nothing written), 3 a plan is infeasible (everything is
still written, the report says why).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from alliedforge.cli.record import writing
from alliedforge.cli.render import ProgressDisplay, money, units
from alliedforge.cli.scenarios import load_base
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan, PlanStatus
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import Scenario
from alliedforge.whatif.apply import apply_changes
from alliedforge.whatif.cases import (
    COMPARISON_FILE,
    REPORT_FILE,
    CaseError,
    read_cases,
    write_run,
)
from alliedforge.whatif.changes import WhatIf
from alliedforge.whatif.compare import Case, Comparison, compare_cases
from alliedforge.whatif.errors import WhatIfError
from alliedforge.whatif.files import read_whatif
from alliedforge.whatif.report import write_comparison_report
from alliedforge.whatif.run import BASE, WHATIF, WhatIfRun

EXIT_INVALID = 2
EXIT_INFEASIBLE = 3

whatif_app = typer.Typer(
    help="What-ifs: a base scenario plus typed changes, planned and compared side by side.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)


def _refuse(lines: list[str]) -> typer.Exit:
    for line in lines:
        errors.print(line, style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_INVALID)


def _read_whatif(path: Path) -> WhatIf:
    try:
        return read_whatif(path)
    except WhatIfError as error:
        raise _refuse([str(p) for p in error.problems]) from None


def _solve(scenario: Scenario, options: PlanOptions, label: str) -> Plan:
    with ProgressDisplay(console, label) as display:
        return solve_plan(scenario, replace(options, progress=display))


def _figure(value: float, currency: str = "") -> str:
    if not math.isfinite(value):
        return "—"
    return money(value, currency) if currency else units(value)


def comparison_table(comparison: Comparison) -> Table:
    """KPIs per case, then each case's change from the baseline (the first case)."""
    cases, currency = comparison.cases, comparison.baseline.currency
    table = Table(title=f"What-if comparison ({currency})", title_justify="left")
    table.add_column("KPI")
    for case in cases:
        table.add_column(case.name, justify="right", overflow="fold")
    for case in cases[1:]:
        table.add_column(f"Δ {case.name}", justify="right", overflow="fold")
    rows: list[tuple[str, list[float], str]] = [
        ("objective", [c.objective for c in cases], currency),
        *[
            (f"{name} cost", [getattr(c.costs, name) for c in cases], currency)
            for name in ("procurement", "opening", "commitment", "shortfall", "late")
        ],
        ("shortfall (units)", [c.total("shortfall") for c in cases], ""),
        ("late unit-months", [c.total("late_unit_months") for c in cases], ""),
        ("lines opened", [float(len(c.openings)) for c in cases], ""),
    ]
    for label, values, unit in rows:
        deltas = [_figure(v - values[0], unit) for v in values[1:]]
        table.add_row(label, *(_figure(v, unit) for v in values), *deltas)
    shares = [c.on_time_share for c in cases]
    table.add_row(
        "on time",
        *("—" if math.isnan(s) else f"{s:.1%}" for s in shares),
        *("—" if math.isnan(s - shares[0]) else f"{s - shares[0]:+.1%}" for s in shares[1:]),
    )
    return table


def _write_outputs(out: Path, run: WhatIfRun) -> Comparison:
    comparison = run.comparison
    with writing(out):
        write_run(out, run)
        (out / COMPARISON_FILE).write_text(
            json.dumps(comparison.to_dict(), indent=2, allow_nan=False) + "\n", encoding="utf-8"
        )
        write_comparison_report(out / REPORT_FILE, comparison, f"What-if: {run.whatif.name}")
    return comparison


@whatif_app.command("run")
def run(
    base: Annotated[
        Path | None,
        typer.Argument(
            help="Base scenario package: a CSV folder or an .xlsx workbook (omit with --db)."
        ),
    ] = None,
    changes: Annotated[
        Path | None,
        typer.Argument(help="What-if file: .toml, .yaml or .yml (see docs/whatif.md)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for both plans, the comparison and report."),
    ] = None,
    db: Annotated[
        bool, typer.Option("--db", help="Change the database's live data instead of BASE.")
    ] = False,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Wall-clock limit per solve (s).")
    ] = 120.0,
) -> None:
    """Apply a what-if to a base scenario, plan both, write both plans and the comparison."""
    if db and changes is None:
        base, changes = None, base
    if changes is None or (base is None) != db:
        raise _refuse(["Give BASE and CHANGES, or CHANGES with --db."])
    if out is None:
        raise _refuse(["--out is required."])
    whatif = _read_whatif(changes)
    scenario = load_base(base, "; nothing was planned")
    try:
        changed = apply_changes(scenario, whatif.changes)
    except WhatIfError as error:
        raise _refuse([f"{changes}:{p}" for p in error.problems]) from None
    options = PlanOptions(time_limit=time_limit)
    base_plan = _solve(scenario, options, "base plan")
    plan = _solve(changed, options, f"what-if plan ({whatif.name})")
    comparison = _write_outputs(out, WhatIfRun(whatif, scenario, changed, base_plan, plan))
    console.print(comparison_table(comparison))
    for key, p in ((BASE, base_plan), (WHATIF, plan)):
        for reason in p.infeasibility:
            errors.print(f"{key} plan is infeasible: {reason}", markup=False)
    console.print(f"Written: [bold]{out}[/bold] (report: {out / REPORT_FILE})")
    if PlanStatus.INFEASIBLE in (base_plan.status, plan.status):
        raise typer.Exit(EXIT_INFEASIBLE)


def _unique(cases: list[Case]) -> list[Case]:
    """Cases renamed where a name repeats (`name (2)`), so columns stay apart."""
    seen: dict[str, int] = {}
    named = []
    for case in cases:
        count = seen.get(case.name, 0) + 1
        seen[case.name] = count
        named.append(case if count == 1 else replace(case, name=f"{case.name} ({count})"))
    return named


@whatif_app.command("compare")
def compare(
    folders: Annotated[
        list[Path],
        typer.Argument(
            help="`whatif run` output folders (the first one's base is the baseline) or plan "
            "package folders with their scenario in scenario/."
        ),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the HTML report here.")
    ] = None,
) -> None:
    """Compare cases side by side: KPIs, deltas against the first, and an HTML report."""
    cases: list[Case] = []
    try:
        for number, folder in enumerate(folders):
            if not folder.is_dir():
                raise CaseError(f"{folder} is not a folder")
            cases += read_cases(folder, with_base=number == 0)
    except CaseError as error:
        raise _refuse([str(error)]) from None
    if len(cases) < 2:
        raise _refuse(["Give at least two cases: a run folder, or two or more folders."])
    baseline = cases[0].scenario.content_hash()
    for case in cases[1:]:
        if case.whatif is None and case.scenario.content_hash() != baseline:
            console.print(f"Note: {case.name} plans another scenario than the baseline.")
    comparison = compare_cases(_unique(cases))
    console.print(comparison_table(comparison))
    if out is not None:
        with writing(out):
            write_comparison_report(out, comparison)
        console.print(f"Report: [bold]{out}[/bold]")
