"""A deleted record's id is never handed out again (SQLite AUTOINCREMENT, migration 0012;
PostgreSQL sequences): over HTTP a client still holding a deleted record's URL and ETag
gets 404, never another record; and the migration carries an existing SQLite database
over with every row, constraint and index, its sequences above every id it used."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from fastapi import Response
from fastapi.routing import APIRoute
from sqlalchemy import Connection, Engine, create_engine, inspect, make_url, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alliedforge.api import routers
from alliedforge.domain.access.caller import Role
from alliedforge.domain.models import metadata
from alliedforge.store.engine import create_db_engine
from alliedforge.store.migrate import MIGRATIONS, alembic_config, upgrade

from live_api import TEST_URL_ENV, Person, add_people, fresh_database, serve

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_URL_ENV) else [])
PLANNER = Person("planner", Role.PLANNER)
NEVER_REUSED = "0012"  # the migration under test

# Over HTTP: what the planner creates, deletes and creates again, and a change to it.
CREATED = {
    "items": ({"code": "RND-1", "name": "Deleted round", "family": "F"}, {"name": "Changed"}),
    "weapon-systems": ({"code": "WS-GONE", "name": "Deleted system"}, {"name": "Changed"}),
    "components": ({"code": "CMP-GONE", "name": "Deleted component"}, {"name": "Changed"}),
}


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, str]]:
    """A served empty record with a planner: (database URL, base URL, the planner's token)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("ids")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            token = add_people(session, [PLANNER])[PLANNER.name]
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield url, base, token


def _client(api: tuple[str, str, str]) -> httpx.Client:
    _url, base, token = api
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30)


def _no_content(response: httpx.Response) -> None:
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert "content-type" not in response.headers


@pytest.mark.parametrize("resource", sorted(CREATED))
def test_a_deleted_records_id_and_url_never_come_back(
    api: tuple[str, str, str], resource: str
) -> None:
    new, change = CREATED[resource]
    with _client(api) as client:
        made = client.post(f"/{resource}", json=new)
        assert made.status_code == 201, made.text
        deleted_id, deleted_etag = made.json()["id"], made.headers["ETag"]
        location = made.headers["Location"]
        _no_content(client.delete(location, headers={"If-Match": deleted_etag}))

        again = client.post(f"/{resource}", json={**new, "name": "Its successor"})
        assert again.status_code == 201, again.text
        successor = again.json()
        assert successor["id"] > deleted_id  # the highest id, just freed, is not reused

        # A client still holding the deleted record: gone, whatever it tries.
        assert client.get(location).status_code == 404
        stale = client.patch(location, json=change, headers={"If-Match": deleted_etag})
        assert stale.status_code == 404, stale.text
        assert client.delete(location, headers={"If-Match": deleted_etag}).status_code == 404
        assert client.get(again.headers["Location"]).json() == successor  # untouched


def test_a_revoked_token_and_a_logout_answer_204_without_content(
    api: tuple[str, str, str],
) -> None:
    with _client(api) as client:
        made = client.post("/tokens", json={"name": "short-lived", "days": 1})
        assert made.status_code == 201, made.text
        _no_content(client.delete(f"/tokens/{made.json()['id']}"))
        _no_content(client.post("/auth/logout"))


def test_every_204_route_declares_a_response_without_content() -> None:
    routes = [
        route
        for module in pkgutil.iter_modules(routers.__path__)
        for route in importlib.import_module(f"{routers.__name__}.{module.name}").router.routes
        if isinstance(route, APIRoute) and route.status_code == 204
    ]
    assert {route.path for route in routes} >= {"/items/{item_id}", "/tokens/{token_id}"}
    for route in routes:
        # The default JSONResponse would label the empty body application/json.
        assert route.response_class is Response, route.path


# The migration on an existing database.


def _previous_revision() -> str:
    revision = ScriptDirectory(str(MIGRATIONS)).get_revision(NEVER_REUSED)
    assert revision is not None
    assert isinstance(revision.down_revision, str)
    return revision.down_revision


@contextmanager
def _database_before_the_migration(backend: str, folder: Path) -> Iterator[str]:
    """A database migrated to the revision before 0012: a SQLite file, or a PostgreSQL
    schema of its own, dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'before.db'}"
        command.upgrade(alembic_config(url), _previous_revision())
        yield url
        return
    base = os.environ[TEST_URL_ENV]
    schema = f"ids_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    rendered = (
        make_url(base)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        command.upgrade(alembic_config(rendered), _previous_revision())
        yield rendered
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


WHEN = "2026-11-28 12:00:00"
UNCHANGED = {"version": 1}  # a row as created


def _insert(connection: Connection, table: str, *rows: dict[str, Any]) -> None:
    columns = list(rows[0])
    names, values = ", ".join(columns), ", ".join(f":{c}" for c in columns)
    connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({values})"), list(rows))


def _fill(connection: Connection) -> None:
    """Rows as the previous revision's service left them: parents with children (cascading
    and not), and the two newest items deleted, as the audit log recorded."""
    systems = ({"code": f"WS{n}", "name": "W", **UNCHANGED} for n in (1, 2, 3))
    _insert(connection, "weapon_systems", *systems)
    _insert(
        connection,
        "items",
        *({"other_code": f"I{n}", "name": "I", "family": "F", **UNCHANGED} for n in range(1, 7)),
    )
    _insert(
        connection,
        "qualifications",
        {"item_id": 1, "weapon_system_id": 1, **UNCHANGED},
        {"item_id": 4, "weapon_system_id": 3, **UNCHANGED},
    )
    whatif = {"name": "W", "description": "", "changes": "{}", "created_at": WHEN, **UNCHANGED}
    _insert(connection, "whatifs", *({"code": f"W{n}", **whatif} for n in (1, 2, 3)))
    run = {"kind": "whatif", "parameters": "{}", "status": "succeeded", "done": 1, "total": 1}
    _insert(
        connection,
        "analysis_runs",
        *({"whatif_id": n, **run, "created_at": WHEN, **UNCHANGED} for n in (3, 3, 1)),
    )
    user = {"name": "planner", "password_hash": "x", "role": "planner", "clearance": "NATO SECRET"}
    _insert(connection, "users", {**user, "active": True, "created_at": WHEN, **UNCHANGED})
    _insert(
        connection,
        "api_tokens",
        *({"user_id": 1, "name": f"t{n}", "token_hash": f"{n:064d}", "created_at": WHEN,
           "expires_at": WHEN} for n in (1, 2)),
    )  # fmt: skip
    connection.execute(text("DELETE FROM items WHERE id IN (5, 6)"))
    _insert(
        connection,
        "audit_log",
        *({"id": n, "at": WHEN, "actor": "planner", "action": "delete", "entity": "item",
           "entity_id": 4 + n, "previous_hash": f"{n - 1:064d}", "hash": f"{n:064d}"}
          for n in (1, 2)),
    )  # fmt: skip


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in id order."""
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        found: dict[str, list[tuple[Any, ...]]] = {}
        for table in sorted(set(tables) - {"alembic_version"}):
            rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            found[table] = [tuple(row) for row in rows]
    return found


def _schema(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        ).all()
    return {str(name): str(sql) for name, sql in found}


def _clauses(create_table: str) -> set[str]:
    """The column definitions and constraints of a CREATE TABLE, as written, in any order."""
    body = create_table[create_table.index("(") + 1 : create_table.rindex(")")]
    clauses, depth, current = [], 0, ""
    for char in body:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            clauses.append(current)
            current = ""
        else:
            current += char
    return {_plain(clause) for clause in [*clauses, current]}


def _plain(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).replace('"', "").strip()


def _next_id(engine: Engine, code: str) -> int:
    with engine.begin() as connection:
        _insert(connection, "items", {"other_code": code, "name": "I", "family": "F", **UNCHANGED})
        found = connection.execute(text("SELECT id FROM items WHERE other_code = :c"), {"c": code})
        return int(found.scalar_one())


def _delete_item(engine: Engine, item_id: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM items WHERE id = :id"), {"id": item_id})


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_keeps_every_row_and_never_reuses_an_id(backend: str, tmp_path: Path) -> None:
    with _database_before_the_migration(backend, tmp_path) as url:
        engine = create_db_engine(url)
        try:
            with engine.begin() as connection:
                _fill(connection)
            rows = _rows(engine)
            schema = _schema(engine) if backend == "sqlite" else {}
            upgrade(url)
            assert _rows(engine) == rows  # cascading children included
            first = _next_id(engine, "I7")
            assert first == 7  # above the deleted 5 and 6, which the audit log recorded
            _delete_item(engine, first)
            assert _next_id(engine, "I8") == first + 1
            if backend == "sqlite":
                _check_sqlite(engine, schema)
        finally:
            engine.dispose()


def _check_sqlite(engine: Engine, before: dict[str, str]) -> None:
    """Each table as it was but AUTOINCREMENT (the audit chain numbers its own ids), every
    index as it was, every reference intact, and the constraints still enforced."""
    after = _schema(engine)
    for name, sql in before.items():
        if not sql.startswith("CREATE TABLE"):
            assert _plain(after[name]) == _plain(sql), name  # an index
        elif name in ("alembic_version", "audit_log", "audit_head"):
            assert _clauses(after[name]) == _clauses(sql), name
        else:
            kept = _clauses(sql) - {"id INTEGER NOT NULL", f"CONSTRAINT pk_{name} PRIMARY KEY (id)"}
            assert _clauses(after[name]) == kept | {"id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"}
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        orphan = {"item_id": 999, "weapon_system_id": 1, **UNCHANGED}
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            _insert(connection, "qualifications", orphan)


def test_the_migration_downgrades_and_upgrades_again_on_sqlite(tmp_path: Path) -> None:
    with _database_before_the_migration("sqlite", tmp_path) as url:
        engine = create_db_engine(url)
        try:
            with engine.begin() as connection:
                _fill(connection)
            rows, schema = _rows(engine), _schema(engine)
            upgrade(url)
            command.downgrade(alembic_config(url), _previous_revision())
            assert _rows(engine) == rows
            now = _schema(engine)
            for name, sql in schema.items():
                if sql.startswith("CREATE TABLE"):
                    assert _clauses(now[name]) == _clauses(sql), name
                else:
                    assert _plain(now[name]) == _plain(sql), name
            upgrade(url)
            assert _rows(engine) == rows
            assert _next_id(engine, "I7") == 7
        finally:
            engine.dispose()


def test_the_models_and_the_migrations_agree_on_autoincrement(tmp_path: Path) -> None:
    """Alembic's comparison of the migrations with the models (test_store) skips table
    options: a table a later migration creates must ask for AUTOINCREMENT itself."""
    url = f"sqlite:///{tmp_path / 'head.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    try:
        tables = {n: s for n, s in _schema(engine).items() if s.startswith("CREATE TABLE")}
    finally:
        engine.dispose()
    migrated = {name for name, sql in tables.items() if "AUTOINCREMENT" in sql}
    modelled = {
        t.name for t in metadata.tables.values() if t.dialect_options["sqlite"]["autoincrement"]
    }
    assert migrated == modelled
    assert set(metadata.tables) - modelled == {"audit_log", "audit_head"}


def test_the_migration_runs_again_after_stopping_before_its_stamp(tmp_path: Path) -> None:
    """Its rebuild commits before Alembic stamps the revision; run again, it keeps the
    tables and the sequences as they are."""
    with _database_before_the_migration("sqlite", tmp_path) as url:
        engine = create_db_engine(url)
        try:
            with engine.begin() as connection:
                _fill(connection)
            upgrade(url)
            _delete_item(engine, _next_id(engine, "I7"))
            rows, schema = _rows(engine), _schema(engine)
            command.stamp(alembic_config(url), _previous_revision())
            upgrade(url)
            assert (_rows(engine), _schema(engine)) == (rows, schema)
            assert _next_id(engine, "I8") == 8  # not the 7 deleted after the first run
        finally:
            engine.dispose()
