"""`forge serve`: run the HTTP service (API and docs) with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, NoReturn

import typer
import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from alliedforge.cli.demo_record import DemoRecord, prepare_demo
from alliedforge.domain.errors import DomainError
from alliedforge.store.engine import DATABASE_URL_ENV, StoreError, create_db_engine
from alliedforge.store.migrate import error_reason, require_current

console = Console()
errors = Console(stderr=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (each with its own connections).")
    ] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request.")
    ] = True,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help=(
                "Serve ./alliedforge-demo.db (created or reused; ALLIEDFORGE_DATABASE_URL is"
                " ignored) with the demo scenario and demo users, whose new one-time"
                " passwords are printed."
            ),
        ),
    ] = False,
) -> None:
    """Serve the REST API on the database of ALLIEDFORGE_DATABASE_URL (docs: /api/docs)."""
    if demo:
        record = _prepare(Path.cwd())
        _print_demo(record, host, port)
        # The app factory (in every worker) reads the URL from the environment.
        os.environ[DATABASE_URL_ENV] = record.url
    engine = create_db_engine()
    try:
        require_current(engine)
    except StoreError as error:
        _fail(str(error))
    finally:
        engine.dispose()
    uvicorn.run(
        "alliedforge.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        # A worker loads the whole app before it answers uvicorn's health check (5 s by
        # default): on a loaded machine that took 16 s, and workers were restarted forever.
        timeout_worker_healthcheck=60,
    )


def _prepare(folder: Path) -> DemoRecord:
    try:
        return prepare_demo(folder)
    except (StoreError, DomainError) as error:
        _fail(str(error))
    except SQLAlchemyError as error:
        _fail(f"Database error: {error_reason(error)}")


def _fail(message: str) -> NoReturn:
    errors.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _print_demo(record: DemoRecord, host: str, port: int) -> None:
    state = "created" if record.created else "reused"
    console.print(f"Demo database {state}: {record.path}")
    if record.report.changed:
        console.print("Demo scenario imported.")
    else:
        console.print("Demo scenario already imported; nothing changed.")
    table = Table(title="Demo users (passwords shown once; new ones on every start)")
    table.add_column("user", style="bold")
    table.add_column("role")
    table.add_column("acts for")
    table.add_column("password", style="green", no_wrap=True)
    for user, password in record.passwords:
        code = user.nation or user.supplier
        acts_for = f"{code} ({user.note})" if code else "the alliance"
        table.add_row(user.name, user.role.value, acts_for, password)
    console.print(table)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown_host}:{port}/"
    console.print(f"Open [bold]{url}[/bold] and sign in (API docs: {url}api/docs).")
