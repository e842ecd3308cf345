"""`forge timelines`: where the months of an acquisition go, and what compressing a stage buys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from alliedforge.analysis.compression import CompressionValue, plan_compression
from alliedforge.analysis.plandiff import Change
from alliedforge.analysis.timeline_csv import TimelineError, read_timelines
from alliedforge.analysis.timeline_report import write_timeline_report
from alliedforge.analysis.timelines import (
    Durations,
    GroupTimeline,
    Procurement,
    Stage,
    TimelineAnalysis,
    analyse_timelines,
)
from alliedforge.cli.record import record, writing
from alliedforge.cli.render import problems_table
from alliedforge.cli.scenarios import load_package
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.procurement.timeline_read import record_procurements
from alliedforge.planning.options import PlanOptions

timelines_app = typer.Typer(
    help="Acquisition timelines: stage durations, the bottleneck, the compression what-if.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)

DEMO_TIMELINES = "timelines.csv"
ReportOption = Annotated[
    Path | None, typer.Option("--report", help="Also write a self-contained HTML report here.")
]


@contextmanager
def _source(path: Path | None, default: str) -> Iterator[Path]:
    """`path`, or the packaged demo file or folder `default` when none is given."""
    if path is not None:
        yield path
        return
    with as_file(files("alliedforge.data").joinpath(default)) as packaged:
        yield packaged


def _read(path: Path) -> tuple[Procurement, ...]:
    """Read a timelines file, or print every located problem and exit 2."""
    from alliedforge.cli.main import EXIT_INVALID

    if not path.is_file():
        errors.print(f"[red]No such timelines file:[/red] {path}")
        raise typer.Exit(EXIT_INVALID)
    try:
        return read_timelines(path)
    except TimelineError as error:
        errors.print(problems_table(error.problems))
        errors.print(f"[red]{path} is not a valid timelines file.[/red]")
        raise typer.Exit(EXIT_INVALID) from None


def _months(value: float) -> str:
    return f"{value:.1f}"


def _duration_cells(d: Durations | None) -> list[str]:
    if d is None:
        return ["0", "—", "—", "—", "—", "—"]
    return [str(d.count), *(_months(v) for v in (d.median, d.p20, d.p80, d.minimum, d.maximum))]


def stages_table(group: GroupTimeline) -> Table:
    table = Table(
        title=f"Stage durations, {group.procurements} procurements (months)", title_justify="left"
    )
    table.add_column("stage")
    for column in ("count", "median", "P20", "P80", "min", "max", "share"):
        table.add_column(column, justify="right")
    for s in group.stages:
        table.add_row(s.stage.value, *_duration_cells(s.durations), f"{s.share:.0%}")
    table.add_row("total", *_duration_cells(group.total), "")
    return table


def bottleneck_table(analysis: TimelineAnalysis) -> Table:
    table = Table(title="Bottleneck stage", title_justify="left")
    table.add_column("group")
    table.add_column("procurements", justify="right")
    table.add_column("median total", justify="right")
    table.add_column("by median")
    table.add_column("by P80")
    groups = (
        [("all", analysis.overall)]
        + [(f"nation {g.group}", g) for g in analysis.nations]
        + [(f"family {g.group}", g) for g in analysis.families]
    )
    for label, g in groups:
        table.add_row(
            label,
            str(g.procurements),
            "—" if g.total is None else _months(g.total.median),
            g.bottleneck.value if g.bottleneck else "—",
            g.bottleneck_p80.value if g.bottleneck_p80 else "—",
        )
    return table


@timelines_app.command()
def analyse(
    csv: Annotated[
        Path | None,
        typer.Argument(
            help="Timelines CSV (see docs/timelines.md); default: the demo's (none with --db)."
        ),
    ] = None,
    report: ReportOption = None,
    db: Annotated[
        bool,
        typer.Option(
            "--db",
            help="Analyse the procurements of the contracting record (the database); a CSV "
            "given is added to them.",
        ),
    ] = False,
) -> None:
    """Stage durations (median, P80, spread), where the months go, and the bottleneck."""

    if db:
        with record() as session:
            procurements = record_procurements(session, Caller.operator())
        console.print(f"{len(procurements)} procurement(s) in the record.")
        if csv is not None:
            procurements += _read(csv)
    else:
        with _source(csv, DEMO_TIMELINES) as path:
            procurements = _read(path)
    analysis = analyse_timelines(procurements)
    console.print(stages_table(analysis.overall))
    console.print(bottleneck_table(analysis))
    if analysis.skipped:
        unique = len({s.procurement for s in analysis.skipped})
        console.print(
            f"{len(analysis.skipped)} stage(s) of {unique} procurement(s) skipped for a missing "
            "date (listed in the report)."
        )
    if report is not None:
        with writing(report):
            write_timeline_report(report, procurements)
        console.print(f"Report: [bold]{report}[/bold]")


def _signed(value: float) -> str:
    # A solver's -1e-9 is no change, not "-0".
    return f"{value:+,.0f}" if round(value) != 0 else "0"


def _change_row(table: Table, label: str, change: Change) -> None:
    table.add_row(label, f"{change.a:,.0f}", f"{change.b:,.0f}", _signed(change.delta))


def compression_tables(value: CompressionValue, currency: str) -> list[Table | Text]:
    shifts = Table(
        title=f"{value.stage.value} {value.months} months shorter: lines changed",
        title_justify="left",
    )
    for column in ("line", "parameter", "baseline", "compressed"):
        shifts.add_column(column)
    for s in value.lines:
        shifts.add_row(s.line, s.lever.value, str(s.before), str(s.after))
    totals = Table(title="What it buys", title_justify="left")
    totals.add_column("measure")
    for column in ("baseline", "compressed", "change"):
        totals.add_column(column, justify="right")
    _change_row(totals, "shortfall (units)", value.shortfall)
    _change_row(totals, "lateness (unit-months)", value.late_unit_months)
    for c in value.diff.costs:
        _change_row(totals, f"{c.key} ({currency})", c)
    _change_row(totals, f"objective ({currency})", value.diff.objective)
    nations = Table(title="Per nation (change)", title_justify="left")
    nations.add_column("nation")
    for column in ("shortfall", "late unit-months", f"attributed cost ({currency})"):
        nations.add_column(column, justify="right")
    for n in value.nations:
        nations.add_row(
            n.nation,
            _signed(n.shortfall.delta),
            _signed(n.late_unit_months.delta),
            _signed(n.cost.delta),
        )
    if not value.lines:
        return [Text(f"No line's {value.lever.value} changes."), totals, nations]
    return [shifts, totals, nations]


@timelines_app.command()
def compress(
    stage: Annotated[
        Stage, typer.Option("--stage", help="The stage to shorten (see docs/timelines.md).")
    ],
    months: Annotated[
        int, typer.Option("--months", min=0, help="How many months shorter the stage is.")
    ],
    scenario: Annotated[
        Path | None,
        typer.Argument(help="Scenario package (folder or .xlsx); default: the demo scenario."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Wall-clock limit per solve (s).")
    ] = 120.0,
    report: ReportOption = None,
) -> None:
    """Re-plan as if a stage were N months shorter and show what it buys."""
    from alliedforge.cli.main import EXIT_INFEASIBLE, _solve

    with _source(scenario, "demo") as path:
        loaded = load_package(path, "; nothing was planned")
    options = PlanOptions(time_limit=time_limit)
    what_if = plan_compression(loaded, stage, months, options, solve=_solve)
    console.print(
        f"baseline plan {what_if.baseline.status.value}, "
        f"compressed plan {what_if.plan.status.value}"
    )
    if what_if.value is None:
        for plan in (what_if.baseline, what_if.plan):
            for reason in plan.infeasibility:
                errors.print(reason, markup=False)
        errors.print("[red]A plan is infeasible: there is nothing to compare.[/red]")
        raise typer.Exit(EXIT_INFEASIBLE)
    for table in compression_tables(what_if.value, loaded.manifest.currency):
        console.print(table)
    if report is not None:
        with writing(report):
            write_timeline_report(report, what_if=what_if)
        console.print(f"Report: [bold]{report}[/bold]")
