"""Database engine and sessions: URL from the environment, SQLite pragmas, caller commits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session

DATABASE_URL_ENV = "ALLIEDFORGE_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///./alliedforge.db"

# WAL lets readers work beside the one writer; FULL makes every commit durable
# across a power cut; SQLite enforces foreign keys only when asked, per connection.
SQLITE_PRAGMAS = ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL")


class StoreError(Exception):
    """A database operation failed for a reason the user can act on (one line)."""


def database_url() -> str:
    """`ALLIEDFORGE_DATABASE_URL`, or the embedded SQLite file `./alliedforge.db`."""
    return os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL


def create_db_engine(url: str | None = None, **options: Any) -> Engine:
    """An engine for `url` (default: `database_url()`), with the SQLite pragmas on every
    connection; `options` go to `create_engine` (pool sizes)."""
    # A connection the database closed (a restart) is noticed and replaced on checkout.
    engine = create_engine(url or database_url(), pool_pre_ping=True, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
    return engine


def _set_sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()
    dbapi_connection.isolation_level = None  # autocommit in the driver: BEGIN is ours


# pysqlite's own transaction handling starts a transaction only before a write and
# breaks SAVEPOINTs; the driver is told to keep out and SQLAlchemy emits BEGIN itself,
# so a unit of work (its reads included) is one real transaction. A unit of work that
# will write takes the write lock up front (BEGIN IMMEDIATE): a read-then-write
# transaction would otherwise fail outright when another writer commits in between.
def _begin_sqlite(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


WRITE_OPTION = "alliedforge_write"


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session for one unit of work (`write`: one that will change rows). It never
    commits: the caller (a CLI command, a request, a worker) calls `session.commit()`;
    anything uncommitted is rolled back."""
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        yield session  # closing the session rolls back whatever was not committed
