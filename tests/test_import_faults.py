"""Nothing is ever half-imported: a real `kill -9` mid-import, and a full disk mid-import."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, create_engine, event, make_url, select, text
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

import alliedforge.cli.main as cli
import alliedforge.cli.record as cli_record
from alliedforge.scenario import TABLE_FIELDS, Scenario, load_scenario, write_scenario
from alliedforge.scenario.generate import generate_scenario
from alliedforge.store.engine import DATABASE_URL_ENV, create_db_engine
from alliedforge.store.migrate import upgrade
from conftest import BACKENDS, TEST_URL_ENV

Dump = dict[str, list[tuple[object, ...]]]
runner = CliRunner()

WAIT_S = 60.0


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small scenario A (already in the database) and a large B (being imported): large
    enough that its transaction lasts seconds and spills uncommitted pages into SQLite's
    WAL, small enough to generate in about 2 s."""
    root = tmp_path_factory.mktemp("packages")
    small = generate_scenario(
        nations=4, items=10, families=3, lines=12, requirements=50, months=24, seed=2
    )
    large = generate_scenario(
        nations=32,
        items=300,
        families=30,
        lines=200,
        requirements=20_000,
        months=60,
        seed=1,
        budgets=True,
        components=True,
        commitments=True,
    )
    return _write(small, root / "a"), _write(large, root / "b")


def _write(scenario: Scenario, path: Path) -> Path:
    write_scenario(scenario, path)
    return path


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of this test's own: a SQLite file, or a fresh PostgreSQL schema
    whose connections name themselves (`application_name`) so the test can watch them."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'faults.db'}"
        upgrade(url)
        yield url
        return
    base = os.environ[TEST_URL_ENV]
    schema = f"test_faults_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    query = {"options": f"-csearch_path={schema}", "application_name": schema}
    url = make_url(base).update_query_dict(query).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _dump(url: str) -> Dump:
    """Every row of every table in the database (reflected, so tables this test does not
    know of count too), ordered by primary key."""
    engine = create_db_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        dump: Dump = {}
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = connection.execute(select(table).order_by(*order)).all()
                dump[table.name] = [tuple(row) for row in rows]
        return dump
    finally:
        engine.dispose()


def _wait_for(
    condition: Callable[[], bool], what: str, process: subprocess.Popen[str] | None = None
) -> None:
    """Poll `condition` every 10 ms; fail if `process` ends first or it takes too long."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the import ended ({process.returncode}) before {what}:\n{out}{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.01)


def _sqlite_inside_transaction(url: str) -> Callable[[], bool]:
    """True once the importer holds SQLite's write lock and has spilled uncommitted pages
    into the WAL (it grew beyond its size before): a write transaction is under way."""
    path = Path(make_url(url).database or "")
    wal = path.with_name(path.name + "-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0

    def check() -> bool:
        if not wal.exists() or wal.stat().st_size <= wal_before:
            return False
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # "database is locked": someone is writing
            return True
        else:
            probe.execute("ROLLBACK")
            return False
        finally:
            probe.close()

    return check


def _postgres_backends(url: str) -> Callable[[], list[tuple[Any, ...]]]:
    """The server processes of connections named like this test's schema, with their state
    and whether their transaction has written (holds a transaction id)."""
    name = make_url(url).query["application_name"]
    admin = create_engine(os.environ[TEST_URL_ENV], poolclass=NullPool)

    def backends() -> list[tuple[Any, ...]]:
        with admin.connect() as connection:
            query = text(
                "SELECT pid, state, backend_xid IS NOT NULL FROM pg_stat_activity "
                "WHERE application_name = :name AND pid <> pg_backend_pid()"
            )
            return [tuple(row) for row in connection.execute(query, {"name": name})]

    return backends


def test_a_killed_import_leaves_the_database_as_before(
    store: str, packages: tuple[Path, Path], tmp_path: Path
) -> None:
    small, large = packages
    env = {DATABASE_URL_ENV: store}
    assert runner.invoke(cli.app, ["import", str(small)], env=env).exit_code == 0
    before = _dump(store)
    assert before["requirements"]

    importer = subprocess.Popen(
        [sys.executable, "-m", "alliedforge.cli.main", "import", str(large), "--prune"],
        env={**os.environ, DATABASE_URL_ENV: store},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if make_url(store).get_backend_name() == "sqlite":
            _wait_for(_sqlite_inside_transaction(store), "the transaction wrote", importer)
        else:
            backends = _postgres_backends(store)
            _wait_for(
                lambda: any(wrote for _pid, _state, wrote in backends()),
                "the transaction wrote",
                importer,
            )
        os.kill(importer.pid, signal.SIGKILL)
        out, _err = importer.communicate(timeout=30)
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.communicate()
    assert importer.returncode == -signal.SIGKILL
    assert "Imported" not in out  # it never got to commit

    if make_url(store).get_backend_name() != "sqlite":
        # The server rolls back when it notices the client is gone; wait for that.
        _wait_for(lambda: not backends(), "the server ended the connection")
    assert _dump(store) == before
    if make_url(store).get_backend_name() == "sqlite":
        path = make_url(store).database or ""
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    again = runner.invoke(cli.app, ["import", str(large), "--prune"], env=env)
    assert again.exit_code == 0, again.output
    assert "Imported" in again.output
    exported = runner.invoke(cli.app, ["export", str(tmp_path / "out")], env=env)
    assert exported.exit_code == 0, exported.output
    _assert_same_rows(load_scenario(large), load_scenario(tmp_path / "out"))


def _assert_same_rows(expected: Scenario, actual: Scenario) -> None:
    """The same manifest and the same rows in every table; rows A and B share keep A's ids,
    so the export lists them in a different order."""
    assert actual.manifest == expected.manifest
    for field in TABLE_FIELDS:
        rows = sorted(map(repr, getattr(actual, field)))
        assert rows == sorted(map(repr, getattr(expected, field))), field


def test_a_full_disk_mid_import_leaves_the_database_as_before(
    tmp_path: Path, packages: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite refuses to grow the file past `max_page_count` ("database or disk is full")
    part-way through the large import: exit 1, one line, nothing changed."""
    small, large = packages
    url = f"sqlite:///{tmp_path / 'full.db'}"
    upgrade(url)
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    assert runner.invoke(cli.app, ["import", str(small)]).exit_code == 0
    before = _dump(url)
    pages = sqlite3.connect(tmp_path / "full.db").execute("PRAGMA page_count").fetchone()[0]

    def small_disk(url: str | None = None) -> Engine:
        engine = create_db_engine(url)
        event.listen(
            engine,
            "connect",
            lambda dbapi, _record: dbapi.execute(f"PRAGMA max_page_count = {pages + 64}"),
        )
        return engine

    monkeypatch.setattr(cli_record, "create_db_engine", small_disk)
    result = runner.invoke(cli.app, ["import", str(large)])
    assert result.exit_code == 1
    assert "full" in result.output
    assert "Traceback" not in result.output
    assert _dump(url) == before
    with sqlite3.connect(tmp_path / "full.db") as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
