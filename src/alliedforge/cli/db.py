"""`forge db`: migrate the shared record's database and back it up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from alliedforge.store.engine import StoreError, database_url
from alliedforge.store.migrate import backup as backup_database
from alliedforge.store.migrate import upgrade as upgrade_database

db_app = typer.Typer(
    help="The shared record's database (ALLIEDFORGE_DATABASE_URL, default ./alliedforge.db).",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)


@db_app.command()
def upgrade() -> None:
    """Create the database or migrate it to the latest schema (safe to repeat)."""
    try:
        upgrade_database(database_url())
    except StoreError as error:
        errors.print(str(error), style="red", markup=False, highlight=False)
        raise typer.Exit(1) from None
    console.print("Database is at the latest schema.")


@db_app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="The new file to write the copy to.")],
) -> None:
    """Copy the SQLite database consistently, even while in use (PostgreSQL: use pg_dump)."""
    try:
        backup_database(database_url(), path)
    except StoreError as error:
        errors.print(str(error), style="red", markup=False, highlight=False)
        raise typer.Exit(1) from None
    console.print(f"Wrote {path}")
