"""What every command that reads or writes the shared record shares: a session whose
failures are one-line errors, refusals as one-line errors, failed file writes likewise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from alliedforge.domain.errors import DomainError
from alliedforge.store.engine import StoreError, create_db_engine, session_scope
from alliedforge.store.migrate import error_reason, require_current

errors = Console(stderr=True)

# The `formats` of a Typer date option: a day as YYYY-MM-DD.
DAY = ["%Y-%m-%d"]


@contextmanager
def record() -> Iterator[Session]:
    """A session on the migrated database (`ALLIEDFORGE_DATABASE_URL`); a database that is
    missing, unreachable or not migrated, or a failed statement, is a one-line error, exit 1.
    Nothing is committed unless the caller commits."""
    engine = create_db_engine()
    try:
        require_current(engine)
        with session_scope(engine) as session:
            yield session
    except StoreError as error:
        errors.print(str(error), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError as error:
        reason = error_reason(error)
        errors.print(f"Database error: {reason}", style="red", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


@contextmanager
def acting(commit: bool = False) -> Iterator[Session]:
    """A `record()` session in which a refusal (`DomainError`, or a value out of range) is
    a one-line error, exit 1. With `commit`, the work is committed when the block succeeds."""
    with record() as session:
        try:
            yield session
        except (DomainError, ValidationError) as error:
            message = error.errors()[0]["msg"] if isinstance(error, ValidationError) else error
            errors.print(str(message), style="red", markup=False, highlight=False)
            raise typer.Exit(1) from None
        if commit:
            session.commit()


@contextmanager
def writing(target: Path) -> Iterator[None]:
    """Turn a failed write (permissions, full disk, a file where a folder should be) into a
    one-line error and exit 1 instead of a traceback."""
    try:
        yield
    except OSError as error:
        errors.print(f"[red]Cannot write {target}:[/red] {error.strerror or error}")
        raise typer.Exit(1) from None
