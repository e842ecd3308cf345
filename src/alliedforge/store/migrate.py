"""Schema migrations (Alembic, configured in code) and consistent backups of the database."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from alliedforge.store.engine import StoreError, database_url

MIGRATIONS = Path(__file__).parent / "migrations"

PG_DUMP_HINT = (
    "use pg_dump for PostgreSQL, e.g. "
    "`pg_dump --format=custom --file alliedforge.dump DATABASE_URL`"
)


def alembic_config(url: str) -> Config:
    """An Alembic configuration for `url` with the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolates '%', which percent-encoded URLs contain.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None) -> None:
    """Migrate the database at `url` (default: `database_url()`) to the latest revision."""
    url = url or database_url()
    try:
        command.upgrade(alembic_config(url), "head")
    except (SQLAlchemyError, ArgumentError) as error:
        raise StoreError(f"cannot migrate {_shown(url)}: {error_reason(error)}") from error


def require_current(engine: Engine) -> None:
    """Raise `StoreError` unless the database of `engine` is at the latest revision (imports
    and exports never migrate implicitly; a missing SQLite file is not created)."""
    hint = "run `forge db upgrade` first"
    shown = engine.url.render_as_string(hide_password=True)
    database = engine.url.database
    in_file = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
    if in_file and not Path(str(database)).is_file():
        raise StoreError(f"no database at {database}; {hint}")
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        raise StoreError(f"cannot open {shown}: {error_reason(error)}") from error
    if current != set(ScriptDirectory(str(MIGRATIONS)).get_heads()):
        raise StoreError(f"{shown} is not at the latest schema; {hint}")


def backup(url: str | None, target: Path) -> Path:
    """Copy the SQLite database at `url` to a new file `target` with SQLite's online backup,
    consistent even while others write. PostgreSQL is backed up with `pg_dump` instead."""
    url = url or database_url()
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(f"bad database URL {url!r}: {error}") from error
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        raise StoreError(f"forge db backup copies SQLite databases; {PG_DUMP_HINT}")
    if backend != "sqlite":
        raise StoreError(f"cannot back up a {backend} database")
    source = parsed.database
    if not source or source == ":memory:":
        raise StoreError("an in-memory database cannot be backed up")
    if not Path(source).is_file():
        raise StoreError(f"no database at {source}")
    if target.exists():
        raise StoreError(f"{target} exists; back up to a new file")
    try:
        with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as copy:
            reader.backup(copy)
    except sqlite3.Error as error:
        raise StoreError(f"cannot back up {source} to {target}: {error}") from error
    return target


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def error_reason(error: Exception) -> str:
    """The first line of the driver's message, without SQLAlchemy's background links."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    return str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
