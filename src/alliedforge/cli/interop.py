"""`forge interop-value`: rank qualifications by what they would save or are worth.

Exit codes: 0 done, 1 a failed write, database or executor, 2 an invalid scenario, `--from`
month or choice of executor (nothing written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from alliedforge.cli.record import writing
from alliedforge.cli.render import money, units
from alliedforge.cli.scenarios import load_base
from alliedforge.fanout import FanoutError, runner_for
from alliedforge.interop.report import write_interop_report
from alliedforge.interop.value import (
    DEFAULT_REFINE,
    InteropError,
    InteropRanking,
    InteropValue,
    rank_interop,
)
from alliedforge.planning.batch import PlanJobError
from alliedforge.planning.options import PlanOptions

EXIT_INVALID = 2
RESULT_FILE = "interop.json"
REPORT_FILE = "report.html"

console = Console()
errors = Console(stderr=True)


def _refuse(message: str) -> typer.Exit:
    errors.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_INVALID)


def _table(title: str, values: tuple[InteropValue, ...], currency: str, top: int) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("#", "item", "weapon system", "change", "value", "interval", "units", "basis"):
        table.add_column(column, justify="right" if column in ("#", "value", "units") else "left")
    for rank, v in enumerate(values[:top], start=1):
        interval = "" if v.low == v.high else f"{money(v.low)} – {money(v.high)}"
        table.add_row(
            str(rank),
            v.candidate.item,
            v.candidate.weapon_system,
            v.candidate.direction.value,
            money(v.value, currency),
            interval,
            units(v.shortfall),
            v.basis.value,
        )
    return table


def _print(ranking: InteropRanking, top: int) -> None:
    currency = ranking.currency
    base = ranking.base
    console.print(
        f"Base plan {base.status.value}: {money(base.objective, currency)} "
        f"(gap {100 * base.mip_gap:.4f} %); qualifications from {ranking.from_month}."
    )
    console.print(_table("What qualifying would save", ranking.gains, currency, top))
    if ranking.holdings:
        console.print(
            _table("What existing qualifications are worth", ranking.holdings, currency, top)
        )


def interop_value(
    base: Annotated[
        Path | None,
        typer.Argument(
            help="Base scenario package: a CSV folder or an .xlsx workbook (omit with --db)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for interop.json and report.html.")
    ] = None,
    db: Annotated[
        bool, typer.Option("--db", help="Rank the database's live data instead of BASE.")
    ] = False,
    from_month: Annotated[
        str | None,
        typer.Option("--from", help="Month (YYYY-MM) the qualifications hold from; the start."),
    ] = None,
    reverse: Annotated[
        bool,
        typer.Option("--reverse/--no-reverse", help="Also value every existing qualification."),
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Local worker processes (default: every core)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Wall-clock limit per candidate (s).")
    ] = 30.0,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows printed per ranking.")] = 20,
    refine: Annotated[
        int,
        typer.Option(
            "--refine",
            min=0,
            help="Gains and holdings planned again with openings free, most valuable first.",
        ),
    ] = DEFAULT_REFINE,
) -> None:
    """Rank missing or pending qualifications by what they would save, and existing ones by
    what they are worth; write interop.json and a report."""
    if (base is None) != db:
        raise _refuse("Give a BASE scenario or --db, not both.")
    if out is None:
        raise _refuse("--out is required.")
    scenario = load_base(base, "; nothing was ranked")
    try:
        runner = runner_for(workers, scheduler)
    except FanoutError as error:
        raise _refuse(str(error)) from None
    options = PlanOptions(time_limit=time_limit)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Planning the base", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, description="Planning candidates", completed=done, total=total)

        try:
            ranking = rank_interop(
                scenario,
                runner,
                from_month=from_month,
                reverse=reverse,
                options=options,
                refine=refine,
                progress=advance,
            )
        except InteropError as error:
            raise _refuse(str(error)) from None
        except (FanoutError, PlanJobError) as error:
            errors.print(str(error), style="red", markup=False, highlight=False)
            raise typer.Exit(1) from None
    _print(ranking, top)
    with writing(out):
        out.mkdir(parents=True, exist_ok=True)
        document = json.dumps(ranking.to_dict(), indent=2, allow_nan=False)
        (out / RESULT_FILE).write_text(document + "\n", encoding="utf-8")
        write_interop_report(out / REPORT_FILE, ranking)
    console.print(f"Ranking: [bold]{out / RESULT_FILE}[/bold], report: {out / REPORT_FILE}")
