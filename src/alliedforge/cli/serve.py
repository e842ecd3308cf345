"""`forge serve`: run the HTTP service (API and docs) with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from alliedforge.store.engine import StoreError, create_db_engine
from alliedforge.store.migrate import require_current

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
) -> None:
    """Serve the REST API on the database of ALLIEDFORGE_DATABASE_URL (docs: /api/docs)."""
    engine = create_db_engine()
    try:
        require_current(engine)
    except StoreError as error:
        errors.print(str(error), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
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
    )
