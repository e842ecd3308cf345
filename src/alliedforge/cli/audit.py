"""`forge audit`: prove the audit log's hash chain unbroken."""

from __future__ import annotations

import typer
from rich.console import Console

from alliedforge.cli.record import record
from alliedforge.domain.audit import service as audit

audit_app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


@audit_app.command()
def verify() -> None:
    """Walk the audit log's hash chain; name the first broken entry (exit 1) if any."""
    # Imported here: the main module imports this one to register the sub-app.

    with record() as session:
        report = audit.verify(session)
    if report.intact:
        console.print(f"{report.entries} entries, chain intact")
        return
    errors.print(
        f"Audit chain broken at entry {report.broken_at}: {report.reason} "
        f"({report.entries} entries before it are intact)",
        style="red",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(1)
