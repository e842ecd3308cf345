"""Where a command's scenario comes from: a package on disk or the live record. Invalid
input prints every problem and exits 2, with what did not happen said once."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from alliedforge.cli.record import record
from alliedforge.cli.render import problems_table
from alliedforge.domain.record import snapshot_scenario
from alliedforge.scenario import ScenarioError, load_scenario
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.validate import check_scenario

EXIT_INVALID = 2
errors = Console(stderr=True)


def load_package(path: Path, consequence: str = "") -> Scenario:
    """Load and validate the package at `path`, or print every problem (and the
    `consequence`, e.g. "; nothing was planned") and exit 2."""
    if not path.exists():
        errors.print(f"[red]No such scenario:[/red] {path}")
        raise typer.Exit(EXIT_INVALID)
    try:
        return load_scenario(path)
    except ScenarioError as error:
        errors.print(problems_table(error.problems))
        errors.print(f"[red]{path} is not a valid scenario{consequence}.[/red]")
        raise typer.Exit(EXIT_INVALID) from None


def load_base(path: Path | None, consequence: str = "") -> Scenario:
    """The package at `path`, or the live record's snapshot when `path` is None."""
    if path is not None:
        return load_package(path, consequence)
    with record() as session:
        scenario = snapshot_scenario(session)
    problems = check_scenario(scenario)
    if problems:
        errors.print(problems_table(problems))
        errors.print(f"[red]The live data is not a valid scenario{consequence}.[/red]")
        raise typer.Exit(EXIT_INVALID)
    return scenario
