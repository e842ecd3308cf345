"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL when a URL is given."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from alliedforge.store.engine import create_db_engine
from alliedforge.store.migrate import upgrade

TEST_URL_ENV = "ALLIEDFORGE_TEST_DATABASE_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_URL_ENV) else [])
# PostgreSQL-only checks (row-level security) are collected only when it is there.
collect_ignore = (
    [] if os.environ.get(TEST_URL_ENV) else ["test_rls.py", "test_procurement_postgresql.py"]
)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database for the session: a SQLite file, or a fresh PostgreSQL schema
    (dropped afterwards, so concurrent runs never collide)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'alliedforge.db'}"
        upgrade(url)
        yield url
        return
    base = os.environ[TEST_URL_ENV]
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        upgrade(rendered)
        yield rendered
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One connection per test in a transaction that is rolled back at the end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session inside the test's transaction; its commits and failures become savepoints."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session
