"""`forge risk`: Monte Carlo of disruptions on a scenario, each sample planned, reported."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from alliedforge.cli.record import writing
from alliedforge.cli.render import units
from alliedforge.cli.scenarios import load_base
from alliedforge.fanout import FanoutError, runner_for
from alliedforge.planning.batch import PlanJobError
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Mode, Plan
from alliedforge.risk.model import RiskModel, RiskModelError, default_model, read_model
from alliedforge.risk.outcome import RiskResult, RiskSummary, summarise
from alliedforge.risk.report import late_in_base, top_risks, write_risk_outputs
from alliedforge.risk.run import run_risk
from alliedforge.scenario import Scenario

EXIT_INVALID = 2
# Per sample: the demo's plan is found within a few seconds, proving it takes longer
# (docs/risk.md, "Time limit").
# Per sample plan (s): a guard with the openings fixed (a demo sample plans in about a
# second); with --replan a plan is found in 2–4 s and proving it would take 10–20 s.
DEFAULT_TIME_LIMIT = 30.0
REPLAN_TIME_LIMIT = 5.0

console = Console()
errors = Console(stderr=True)


def _model(path: Path | None) -> RiskModel:
    try:
        return default_model() if path is None else read_model(path)
    except RiskModelError as error:
        for problem in error.problems:
            errors.print(str(problem), style="red", markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID) from None


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )


def _run(
    base: Scenario,
    model: RiskModel,
    samples: int,
    seed: int,
    options: PlanOptions,
    replan: bool,
    workers: int | None,
    scheduler: str | None,
) -> RiskResult:
    try:
        runner = runner_for(workers, scheduler)
        with _progress() as progress:
            task = progress.add_task("plans", total=samples + 1)

            def done(key: str, plan: Plan) -> None:
                progress.advance(task)

            return run_risk(
                base,
                model,
                samples=samples,
                seed=seed,
                runner=runner,
                options=options,
                replan=replan,
                on_done=done,
            )
    except (FanoutError, PlanJobError) as error:
        errors.print(str(error), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _risks_table(result: RiskResult, summary: RiskSummary) -> Table:
    table = Table(title="Requirements most at risk", title_justify="left")
    for column in ("requirement", "nation", "system", "due", "P(on time)", "95 % CI"):
        table.add_column(column, justify="right" if column.startswith(("P", "95")) else "left")
    for c in top_risks(result, summary, 10):
        r = c.requirement
        ci = f"{c.low:.0%}–{c.high:.0%}"
        table.add_row(
            Text(r.code), r.nation, Text(r.weapon_system), r.due, f"{c.probability:.0%}", ci
        )
    return table


def _totals(summary: RiskSummary) -> str:
    s, late = summary.shortfall, summary.late
    if math.isnan(s.mean):
        return "No usable sample."
    return (
        f"Shortfall: mean {units(s.mean)} units (P10 {units(s.p10)}, P90 {units(s.p90)}); "
        f"late: mean {units(late.mean)} unit-months. "
        f"{summary.usable} of {summary.samples} samples used, "
        f"{summary.not_optimal} not proven optimal, {summary.infeasible} infeasible."
    )


def risk(
    base: Annotated[
        Path | None,
        typer.Argument(help="Scenario package: a folder of CSV files or an .xlsx workbook."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for risk.json, report.html, samples.csv.")
    ] = Path("risk-output"),
    samples: Annotated[int, typer.Option(min=1, help="Number of disruption samples.")] = 100,
    seed: Annotated[
        int, typer.Option(min=0, help="Seed: the same seed draws the same samples.")
    ] = 0,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Local worker processes (default: every core; 1: inline)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address, e.g. tcp://host:8786 (default: "
            "$ALLIEDFORGE_DASK_SCHEDULER when --workers is not given)."
        ),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="Disruption model (TOML) overriding the defaults."),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=0.1,
            help=f"Wall-clock limit per sample plan (s; default {DEFAULT_TIME_LIMIT:g}, "
            f"{REPLAN_TIME_LIMIT:g} with --replan).",
        ),
    ] = None,
    replan: Annotated[
        bool,
        typer.Option(
            "--replan",
            help="Plan each sample from scratch (openings free, as if foreseen) instead of "
            "keeping the base plan's openings.",
        ),
    ] = False,
    gap: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Relative MIP gap that counts as optimal.")
    ] = 1e-4,
    mode: Annotated[Mode, typer.Option(help="Count volume tiers jointly or per nation.")] = (
        Mode.JOINT
    ),
    db: Annotated[
        bool, typer.Option("--db", help="Use the database's live data as the base scenario.")
    ] = False,
) -> None:
    """Monte Carlo of disruptions (outages, lead-time slips, demand surges, component shocks):
    plan every sample, write the distributions and on-time chances, print the top risks."""
    if workers is not None and scheduler is not None:
        errors.print("[red]Give --workers or --scheduler, not both.[/red]")
        raise typer.Exit(EXIT_INVALID)
    if (base is None) == (not db):
        errors.print("[red]Give either a scenario BASE or --db, not both.[/red]")
        raise typer.Exit(EXIT_INVALID)
    risk_model = _model(model)
    scenario = load_base(base, "; nothing was run")
    if time_limit is None:
        time_limit = REPLAN_TIME_LIMIT if replan else DEFAULT_TIME_LIMIT
    options = PlanOptions(mode=mode, time_limit=time_limit, gap=gap)
    result = _run(scenario, risk_model, samples, seed, options, replan, workers, scheduler)
    with writing(out):
        write_risk_outputs(out, result)
    summary = summarise(result)
    console.print(_risks_table(result, summary))
    console.print(f"{late_in_base(result)} requirement(s) are late or short even undisrupted.")
    console.print(_totals(summary))
    console.print(f"Risk report: [bold]{out / 'report.html'}[/bold]")
