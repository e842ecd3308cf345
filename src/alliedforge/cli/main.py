"""`forge`: the command line. Each command parses, calls the library once, renders.

Exit codes: 0 success, 1 a failed write or bad generator sizes, 2 invalid scenario
(or command-line usage, as the option parser has it),
3 infeasible plan (the commitments break a limit; the reasons are printed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from alliedforge.analysis.kpis import ModeComparison, compare_plans
from alliedforge.analysis.report import write_report
from alliedforge.cli.audit import audit_app
from alliedforge.cli.db import db_app
from alliedforge.cli.deliveries import deliveries_app, reports_app, stock_app
from alliedforge.cli.interop import interop_value
from alliedforge.cli.ocds import ocds_app
from alliedforge.cli.plans import plans_app
from alliedforge.cli.procurement import (
    bids_app,
    call_offs_app,
    frameworks_app,
    lots_app,
    tenders_app,
)
from alliedforge.cli.record import record, writing
from alliedforge.cli.render import (
    ProgressDisplay,
    comparison_table,
    import_table,
    plan_tables,
    problems_table,
    summary_tables,
)
from alliedforge.cli.risk import risk
from alliedforge.cli.scenarios import load_package
from alliedforge.cli.serve import serve
from alliedforge.cli.timelines import timelines_app
from alliedforge.cli.users import tokens_app, users_app
from alliedforge.cli.whatif import whatif_app
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.plans import service as plan_runs
from alliedforge.domain.plans.heartbeat import heartbeat
from alliedforge.domain.record import import_audited, snapshot_scenario
from alliedforge.planning.compare import FairShareResult, shortfall_shares
from alliedforge.planning.options import PlanOptions, Strategy
from alliedforge.planning.package import write_plan_package
from alliedforge.planning.plan import Mode, Plan, PlanStatus
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import (
    Scenario,
    summarise,
    write_scenario,
)
from alliedforge.scenario.generate import generate_scenario
from alliedforge.scenario.validate import check_scenario

EXIT_INVALID = 2
EXIT_INFEASIBLE = 3

app = typer.Typer(
    name="forge",
    help="AlliedForge: plan who produces what, for whom and when, across an alliance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(plans_app, name="plans")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(timelines_app, name="timelines")
app.add_typer(deliveries_app, name="deliveries")
app.add_typer(stock_app, name="stock")
app.add_typer(reports_app, name="reports")
app.add_typer(ocds_app, name="ocds")
app.add_typer(lots_app, name="lots")
app.add_typer(tenders_app, name="tenders")
app.add_typer(bids_app, name="bids")
app.add_typer(frameworks_app, name="frameworks")
app.add_typer(call_offs_app, name="call-offs")
app.add_typer(whatif_app, name="whatif")
app.command()(serve)
app.command()(risk)
app.command("interop-value")(interop_value)
console = Console()
errors = Console(stderr=True)

PathArg = Annotated[
    Path, typer.Argument(help="Scenario package: a folder of CSV files or an .xlsx workbook.")
]


def _solve(scenario: Scenario, options: PlanOptions, label: str) -> Plan:
    with ProgressDisplay(console, label) as display:
        return solve_plan(scenario, replace(options, progress=display))


def _comparison(scenario: Scenario, plans: dict[Mode, Plan]) -> ModeComparison | None:
    joint, national = plans.get(Mode.JOINT), plans.get(Mode.NATIONAL)
    if joint is None or national is None:
        return None
    if PlanStatus.INFEASIBLE in (joint.status, national.status):
        return None
    return compare_plans(scenario, joint, national)


def _comparison_json(comparison: ModeComparison) -> dict[str, object]:
    return {
        "joint": comparison.total.joint,
        "national": comparison.total.national,
        "saving": comparison.total.saving,
        "saving_percent": comparison.total.saving_percent,
        "nations": {
            v.nation: {
                "joint": v.joint,
                "national": v.national,
                "saving": v.saving,
                "saving_percent": v.saving_percent,
            }
            for v in comparison.nations
        },
    }


Solver = Callable[[Scenario, PlanOptions, str], Plan]


def _plan_and_write(
    scenario: Scenario,
    options: PlanOptions,
    out: Path | None,
    *,
    compare: bool,
    report: bool,
    solve: Solver = _solve,
) -> tuple[Plan, ModeComparison | None]:
    """Solve (both modes with `compare`), write the plan package(s) when `out` is given,
    print the summaries."""
    modes = [options.mode]
    if compare:
        modes.append(Mode.NATIONAL if options.mode is Mode.JOINT else Mode.JOINT)
    plans: dict[Mode, Plan] = {}
    for mode in modes:
        plans[mode] = solve(scenario, replace(options, mode=mode), f"{mode.value} plan")
    main = plans[options.mode]
    for table in plan_tables(scenario, main):
        console.print(table)
    comparison = _comparison(scenario, plans)
    if comparison is not None:
        console.print(comparison_table(comparison, scenario.manifest.currency))
    if out is None:
        return main, comparison
    with writing(out):
        write_plan_package(main, out)
        for mode in modes[1:]:
            write_plan_package(plans[mode], out / mode.value)
    if comparison is not None:
        with writing(out):
            (out / "comparison.json").write_text(
                json.dumps(_comparison_json(comparison), indent=2) + "\n", encoding="utf-8"
            )
    if report and main.status is not PlanStatus.INFEASIBLE:
        other = plans.get(modes[-1]) if compare else None
        with writing(out):
            path = write_report(out / "report.html", scenario, main, other)
        console.print(f"Report: [bold]{path}[/bold]")
    console.print(f"Plan package: [bold]{out}[/bold]")
    return main, comparison


@app.command()
def validate(path: PathArg) -> None:
    """Check a scenario package; print every problem (exit 2) or a one-screen summary."""
    scenario = load_package(path)
    for table in summary_tables(summarise(scenario)):
        console.print(table)
    console.print(f"[green]{path} is valid.[/green]")


@app.command()
def convert(
    source: PathArg,
    target: Annotated[Path, typer.Argument(help="Destination: a folder, or a path ending .xlsx.")],
) -> None:
    """Convert a scenario package between the CSV-folder and .xlsx forms, losslessly."""
    scenario = load_package(source, "; nothing was written")
    with writing(target):
        write_scenario(scenario, target)
    console.print(f"Wrote {target}")


@app.command("import")
def import_(
    path: PathArg,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete rows the scenario no longer has.")
    ] = False,
) -> None:
    """Validate a scenario package and upsert it into the database in one transaction."""
    scenario = load_package(path, "; nothing was imported")
    with record() as session:
        report = import_audited(session, Caller.operator(), scenario, prune=prune)
        session.commit()
    console.print(import_table(report))
    console.print(f"Imported {path}" if report.changed else f"{path}: nothing to change")


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="Destination: a folder, or a path ending .xlsx.")],
) -> None:
    """Write the database's live data as a scenario package."""
    with record() as session:
        scenario = snapshot_scenario(session)
    with writing(path):
        write_scenario(scenario, path)
    console.print(f"Wrote {path}")


def _stored_solver(session: Session) -> Solver:
    """A solver that records each solve as a plan run: committed as `running` before the
    solve, then `done` with its plan — or `failed` with the error, which propagates."""

    def solve(scenario: Scenario, options: PlanOptions, label: str) -> Plan:
        run_id = plan_runs.start_run(session, scenario, options)
        session.commit()
        try:
            with heartbeat(session.get_bind().engine, run_id):
                plan = _solve(scenario, options, label)
            plan_runs.finish_run(session, run_id, plan)
            session.commit()
        except BaseException as error:
            session.rollback()
            plan_runs.fail_run(session, run_id, f"{type(error).__name__}: {error}")
            session.commit()
            raise
        console.print(f"Plan run [bold]{run_id}[/bold] stored ({options.mode.value}).")
        return plan

    return solve


@app.command()
def plan(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Scenario package: a folder of CSV files or an .xlsx workbook (or use --db)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the plan package (optional with --db)."),
    ] = None,
    db: Annotated[
        bool,
        typer.Option("--db", help="Plan the database's live data and store the plan run."),
    ] = False,
    mode: Annotated[Mode, typer.Option(help="Count volume tiers jointly or per nation.")] = (
        Mode.JOINT
    ),
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Wall-clock limit per solve (s).")
    ] = 120.0,
    gap: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Relative MIP gap that counts as optimal.")
    ] = 1e-4,
    strategy: Annotated[
        Strategy, typer.Option(help="auto: exact MIP when small, else the scalable strategy.")
    ] = Strategy.AUTO,
    compare: Annotated[
        bool,
        typer.Option("--compare", help="Also solve the other mode and report joint savings."),
    ] = False,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write report.html beside the plan.")
    ] = False,
    fair_share: Annotated[
        bool,
        typer.Option(
            "--fair-share",
            help="Spread each priority's shortfall over nations; also plan the optimum and "
            "report the cost of fairness.",
        ),
    ] = False,
) -> None:
    """Validate a scenario, plan it with HiGHS, write the plan package and print a summary."""
    if (path is None) == (not db):
        errors.print("[red]Give either a scenario PATH or --db, not both.[/red]")
        raise typer.Exit(EXIT_INVALID)
    options = PlanOptions(
        mode=mode, time_limit=time_limit, gap=gap, strategy=strategy, fair_share=fair_share
    )
    if path is not None:
        if out is None:
            errors.print("[red]--out is required when planning a scenario PATH.[/red]")
            raise typer.Exit(EXIT_INVALID)
        scenario = load_package(path, "; nothing was planned")
        main, _ = _plan_and_write(scenario, options, out, compare=compare, report=report)
        if fair_share:
            _report_fairness(scenario, main, options, out)
    else:
        if report and out is None:
            errors.print("[red]--report needs --out.[/red]")
            raise typer.Exit(EXIT_INVALID)
        with record() as session:
            scenario = snapshot_scenario(session)
            problems = check_scenario(scenario)
            if problems:
                errors.print(problems_table(problems))
                errors.print(
                    "[red]The live data is not a valid scenario; nothing was planned.[/red]"
                )
                raise typer.Exit(EXIT_INVALID)
            main, _ = _plan_and_write(
                scenario,
                options,
                out,
                compare=compare,
                report=report,
                solve=_stored_solver(session),
            )
            if fair_share:
                _report_fairness(scenario, main, options, out, _stored_solver(session))
    if main.status is PlanStatus.INFEASIBLE:
        raise typer.Exit(EXIT_INFEASIBLE)


def _report_fairness(
    scenario: Scenario,
    fair: Plan,
    options: PlanOptions,
    out: Path | None,
    solve: Solver = _solve,
) -> None:
    """Plan the optimum beside the fair plan, print the cost of fairness, and write the
    optimum to OUT/optimal/ and the comparison to OUT/fairness.json."""
    if fair.status is PlanStatus.INFEASIBLE:
        return
    optimal = solve(scenario, replace(options, fair_share=False), "optimal plan")
    result = FairShareResult(optimal=optimal, fair=fair)
    currency = scenario.manifest.currency
    console.print(
        f"Cost of fairness: [bold]{result.cost_of_fairness:,.0f} {currency}[/bold] "
        f"(fair {fair.objective:,.0f} vs optimal {optimal.objective:,.0f})"
    )
    if out is None:
        return
    fair_shares, optimal_shares = (shortfall_shares(scenario, p) for p in (fair, optimal))
    document = {
        "fair_objective": fair.objective,
        "optimal_objective": optimal.objective,
        "cost_of_fairness": result.cost_of_fairness,
        "shortfall_shares": [
            {
                "nation": nation,
                "priority": priority,
                "fair": share,
                "optimal": optimal_shares.get((nation, priority), 0.0),
            }
            for (nation, priority), share in fair_shares.items()
        ],
    }
    with writing(out):
        write_plan_package(optimal, out / "optimal")
        (out / "fairness.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the plan package and report.")
    ] = Path("demo-output"),
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Wall-clock limit per solve (s).")
    ] = 60.0,
) -> None:
    """Plan the built-in demo scenario (joint, with the national comparison) and report it."""
    with as_file(files("alliedforge.data").joinpath("demo")) as folder:
        scenario = load_package(folder)
    console.print(f"Demo scenario: [bold]{scenario.manifest.name}[/bold]")
    options = PlanOptions(mode=Mode.JOINT, time_limit=time_limit)
    _plan_and_write(scenario, options, out, compare=True, report=True)


@app.command()
def generate(
    out: Annotated[Path, typer.Argument(help="Destination: a folder, or a path ending .xlsx.")],
    nations: Annotated[int, typer.Option(min=1, max=32)] = 8,
    items: Annotated[int, typer.Option(min=1)] = 12,
    families: Annotated[int, typer.Option(min=1)] = 3,
    lines: Annotated[int, typer.Option(min=1)] = 24,
    requirements: Annotated[int, typer.Option(min=1)] = 60,
    months: Annotated[int, typer.Option(min=1, max=240)] = 36,
    seed: Annotated[int, typer.Option()] = 1,
    budgets: Annotated[bool, typer.Option("--budgets", help="Add budgets per nation-year.")] = (
        False
    ),
    components: Annotated[
        bool, typer.Option("--components", help="Add energetics and fuzes with supply limits.")
    ] = False,
    commitments: Annotated[
        bool, typer.Option("--commitments", help="Add contracts already placed.")
    ] = False,
) -> None:
    """Write a synthetic, valid scenario (up to alliance scale) for tests and benchmarks."""
    try:
        scenario = generate_scenario(
            nations=nations,
            items=items,
            families=families,
            lines=lines,
            requirements=requirements,
            months=months,
            seed=seed,
            budgets=budgets,
            components=components,
            commitments=commitments,
        )
    except ValueError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    with writing(out):
        write_scenario(scenario, out)
    console.print(f"Wrote {out}")


if __name__ == "__main__":
    app()
