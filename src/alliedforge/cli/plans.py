"""`forge plans`: the plan runs stored in the database — list them, show one, diff two."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from alliedforge.analysis.plandiff import Change, PlanDiff, diff_plans
from alliedforge.cli.record import record
from alliedforge.cli.render import money, plan_tables, units
from alliedforge.domain.errors import DomainError
from alliedforge.domain.plans import service
from alliedforge.domain.plans.models import PlanRun, RunStatus
from alliedforge.planning.package import write_plan_package

plans_app = typer.Typer(
    help="Plan runs stored in the database by `forge plan --db`: list, show, diff.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)

RunId = Annotated[int, typer.Argument(help="The plan run's id (see `forge plans list`).")]


@contextmanager
def _runs() -> Iterator[Session]:
    """A session on the record (one-line errors as in every database command), with a
    `DomainError` such as an unknown run id turned into a one-line error, exit 1."""
    # Imported here: the main module imports this one to register the sub-app.

    with record() as session:
        try:
            yield session
        except DomainError as error:
            errors.print(str(error), style="red", markup=False, highlight=False)
            raise typer.Exit(1) from None


def _when(run: PlanRun) -> str:
    return run.started_at.strftime("%Y-%m-%d %H:%M:%S UTC")


def _seconds(run: PlanRun) -> str:
    if run.finished_at is None:
        return ""
    return f"{(run.finished_at - run.started_at).total_seconds():.1f} s"


def _number(value: float | None, fmt: str = ",.0f") -> str:
    return "" if value is None or math.isnan(value) else format(value, fmt)


def runs_table(runs: list[PlanRun]) -> Table:
    table = Table(title="Plan runs", title_justify="left")
    for column in ("id", "started", "took", "status", "plan", "mode", "scenario", "objective"):
        table.add_column(column, justify="right" if column in ("id", "objective") else "left")
    table.add_column("gap", justify="right")
    for run in runs:
        table.add_row(
            str(run.id),
            _when(run),
            _seconds(run),
            run.status,
            run.plan_status or "",
            run.mode,
            f"{run.scenario_name} ({run.scenario_hash[:8]})",
            _number(run.objective),
            _number(run.gap, ".3%"),
        )
    return table


def run_table(run: PlanRun) -> Table:
    table = Table(title=f"Plan run {run.id}", title_justify="left", show_header=False)
    table.add_row("status", run.status)
    table.add_row("scenario", f"{run.scenario_name} · {run.scenario_hash}")
    table.add_row("options", json.dumps(run.options, sort_keys=True))
    table.add_row("started", _when(run))
    if run.finished_at is not None:
        table.add_row("took", _seconds(run))
    if run.created_by:
        table.add_row("by", run.created_by)
    if run.error:
        table.add_row("error", Text(run.error, style="red"))
    return table


def _changes_table(title: str, key: str, changes: tuple[Change, ...], fmt: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(key)
    for column in ("A", "B", "change"):
        table.add_column(column, justify="right")
    for c in changes:
        delta = _number(c.delta, "+" + fmt) if c.changed else ""
        table.add_row(c.key, _number(c.a, fmt), _number(c.b, fmt), delta)
    return table


def diff_tables(diff: PlanDiff, currency: str) -> list[Table | Text]:
    tables: list[Table | Text] = [
        _changes_table("Deliveries per nation (units)", "nation", diff.nations, ",.0f"),
        _changes_table("Deliveries per item family (units)", "family", diff.families, ",.0f"),
        _changes_table("Shortfall per nation (units)", "nation", diff.shortfalls, ",.0f"),
        _changes_table(f"Costs ({currency})", "component", (*diff.costs, diff.objective), ",.0f"),
    ]
    openings = Table(title="Line openings", title_justify="left")
    for column in ("line", "change", "A decision", "B decision", "opening cost"):
        openings.add_column(column, justify="right" if column == "opening cost" else "left")
    for o in diff.openings_added:
        openings.add_row(o.line, "opened", "", o.decision_month, money(o.opening_cost))
    for o in diff.openings_removed:
        openings.add_row(o.line, "not opened", o.decision_month, "", money(o.opening_cost))
    for move in diff.openings_moved:
        openings.add_row(
            move.line,
            "moved",
            move.a.decision_month,
            move.b.decision_month,
            money(move.b.opening_cost),
        )
    if openings.row_count:
        tables.append(openings)
    else:
        tables.append(Text("Line openings: unchanged", style="italic"))
    tiers = Table(title="Volume tiers", title_justify="left")
    for column in ("supplier", "item", "nation", "A tier from", "B tier from", "B quantity"):
        tiers.add_column(column, justify="left" if column in ("supplier", "item") else "right")
    for t in diff.tiers:
        tiers.add_row(
            t.supplier,
            t.item,
            t.nation or "all",
            units(t.a.min_quantity) if t.a else "none",
            units(t.b.min_quantity) if t.b else "none",
            units(t.b.quantity) if t.b else "",
        )
    if tiers.row_count:
        tables.append(tiers)
    else:
        tables.append(Text("Volume tiers: unchanged", style="italic"))
    return tables


@plans_app.command("list")
def list_(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most N runs.")] = 20,
) -> None:
    """List the stored plan runs, newest first."""
    with _runs() as session:
        runs = service.list_runs(session, limit)
        if not runs:
            console.print("No plan runs stored yet; run `forge plan --db`.")
            return
        console.print(runs_table(runs))


@plans_app.command()
def show(
    run_id: RunId,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the run's plan package here.")
    ] = None,
) -> None:
    """Show a plan run: its lineage and the plan's summary; write its plan package."""
    with _runs() as session:
        run = service.get_run(session, run_id)
        console.print(run_table(run))
        if run.status != RunStatus.DONE:
            if out is not None:
                raise DomainError(f"plan run {run_id} has no plan to write: it is {run.status}")
            return
        scenario = service.load_scenario(session, run_id)
        plan = service.load_plan(session, run_id)
    for table in plan_tables(scenario, plan):
        console.print(table)
    if out is not None:
        try:
            write_plan_package(plan, out)
        except OSError as error:
            errors.print(f"[red]Cannot write {out}:[/red] {error.strerror or error}")
            raise typer.Exit(1) from None
        console.print(f"Plan package: [bold]{out}[/bold]")


@plans_app.command()
def diff(
    a: Annotated[int, typer.Argument(help="The plan run to compare from.")],
    b: Annotated[int, typer.Argument(help="The plan run to compare to.")],
) -> None:
    """What changed from plan run A to plan run B: deliveries, openings, tiers, costs."""
    with _runs() as session:
        plan_a, plan_b = service.load_plan(session, a), service.load_plan(session, b)
        scenario_a = service.load_scenario(session, a)
        scenario_b = service.load_scenario(session, b)
    result = diff_plans(scenario_a, plan_a, scenario_b, plan_b)
    console.print(f"Plan run {b} against plan run {a}")
    for table in diff_tables(result, scenario_b.manifest.currency):
        console.print(table)
