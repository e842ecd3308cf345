"""Ids are never handed out twice: on SQLite every table whose id the database assigns
becomes AUTOINCREMENT.

A plain SQLite INTEGER PRIMARY KEY is max(id) + 1: once the newest row of a table was
deleted, the next insert got its id, and a client still holding the deleted row's URL and
ETag read or changed the new row. AUTOINCREMENT keeps the highest id ever used in
`sqlite_sequence`. SQLite cannot add it to a table in place, so each table is rebuilt from
its own CREATE TABLE with the primary key edited (rows, indexes and every constraint
carried over as written), and its sequence starts above every id it is known to have
used: its rows, and the ids of the deletes the audit log recorded. PostgreSQL's sequences
never go back: nothing to do.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import cast

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table but the audit chain's, whose ids the application numbers itself.
TABLES = (
    "analysis_runs",
    "api_tokens",
    "bids",
    "bom",
    "budgets",
    "call_offs",
    "commitments",
    "component_supply",
    "components",
    "deliveries",
    "fleets",
    "framework_items",
    "framework_parties",
    "frameworks",
    "items",
    "lines",
    "login_failures",
    "lot_lines",
    "lots",
    "nations",
    "ncb_codes",
    "news_posts",
    "plan_deliveries",
    "plan_openings",
    "plan_requirements",
    "plan_runs",
    "plan_scenarios",
    "plan_tiers",
    "prices",
    "qualifications",
    "requirements",
    "scenario_settings",
    "stockpile_ledger",
    "stockpiles",
    "suppliers",
    "tenders",
    "users",
    "weapon_systems",
    "web_sessions",
    "whatifs",
)

# The audit log's entity names (as the services wrote them up to this revision) → table.
AUDITED = {
    "analysis run": "analysis_runs",
    "api_token": "api_tokens",
    "bid": "bids",
    "budget": "budgets",
    "call-off": "call_offs",
    "commitment": "commitments",
    "component": "components",
    "delivery": "deliveries",
    "fleet": "fleets",
    "framework": "frameworks",
    "item": "items",
    "ledger entry": "stockpile_ledger",
    "line": "lines",
    "lot": "lots",
    "news post": "news_posts",
    "plan_run": "plan_runs",
    "price": "prices",
    "qualification": "qualifications",
    "requirement": "requirements",
    "stockpile": "stockpiles",
    "supplier": "suppliers",
    "tender": "tenders",
    "user": "users",
    "weapon system": "weapon_systems",
    "what-if": "whatifs",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    highest = _highest_ids()
    with _foreign_keys_off():
        for table in TABLES:
            _rebuild(table, _with_autoincrement)
        _start_sequences(highest)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with _foreign_keys_off():
        for table in TABLES:
            _rebuild(table, _without_autoincrement)


# As the CREATE TABLEs of 0001-0011 (SQLAlchemy's, or Alembic batch mode's) write them.
ID_COLUMN = re.compile(r"(\(\s*)id INTEGER NOT NULL(\s*,)")
KEY_CONSTRAINT = re.compile(r",\s*(?:CONSTRAINT\s+\S+\s+)?PRIMARY KEY\s*\(\s*id\s*\)")
AUTOINCREMENT_ID = re.compile(r"(\(\s*)id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT(\s*,)")
LAST_PARENTHESIS = re.compile(r"\s*\)\s*$")


def _with_autoincrement(table: str, create: str) -> str | None:
    if AUTOINCREMENT_ID.search(create):
        return None  # a first run that stopped before stamping the revision rebuilt it
    create = _once(ID_COLUMN, r"\1id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT\2", create, table)
    return _once(KEY_CONSTRAINT, "", create, table)


def _without_autoincrement(table: str, create: str) -> str | None:
    create = _once(AUTOINCREMENT_ID, r"\1id INTEGER NOT NULL\2", create, table)
    key = f", \n\tCONSTRAINT pk_{table} PRIMARY KEY (id)\n)"
    return _once(LAST_PARENTHESIS, key, create, table)


def _once(pattern: re.Pattern[str], replacement: str, create: str, table: str) -> str:
    edited, found = pattern.subn(replacement, create)
    if found != 1:
        raise RuntimeError(f"{table}: {pattern.pattern!r} found {found} times in {create!r}")
    return edited


def _rebuild(table: str, edit: Callable[[str, str], str | None]) -> None:
    """Re-create `table` from its CREATE TABLE as `edit` changes it, with its rows and its
    indexes. Nothing is renamed: a rename re-reads the whole schema, nine tenths of the
    time of this migration on an empty database, and rewrites the references to it."""
    bind = op.get_bind()
    schema = (
        "SELECT sql FROM sqlite_master WHERE tbl_name = :t AND type = :type AND sql IS NOT NULL"
    )
    create = bind.execute(sa.text(schema), {"t": table, "type": "table"}).scalar_one()
    indexes = bind.execute(sa.text(schema), {"t": table, "type": "index"}).scalars().all()
    edited = edit(table, create)
    if edited is None:
        return
    # The stash has the same column affinities, so every value comes back as it was.
    bind.exec_driver_sql(f'CREATE TEMP TABLE "stash_{table}" AS SELECT * FROM "{table}"')
    bind.exec_driver_sql(f'DROP TABLE "{table}"')  # its indexes with it
    bind.exec_driver_sql(edited)
    bind.exec_driver_sql(f'INSERT INTO "{table}" SELECT * FROM temp."stash_{table}"')
    bind.exec_driver_sql(f'DROP TABLE temp."stash_{table}"')
    for index in indexes:
        bind.exec_driver_sql(index)


def _highest_ids() -> dict[str, int]:
    """The highest id each table is known to have used (tables that used none left out)."""
    bind = op.get_bind()
    highest: dict[str, int] = {}

    def saw(table: str, used: int | None) -> None:
        if used is not None and used > highest.get(table, 0):
            highest[table] = used

    for table in TABLES:
        saw(table, bind.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar())
    # The migration may run again after a crash: the sequence of a first run holds too.
    if bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
        for table, seq in bind.execute(sa.text("SELECT name, seq FROM sqlite_sequence")):
            if table in TABLES:
                saw(table, seq)
    audited = sa.text(
        "SELECT entity, max(entity_id) FROM audit_log WHERE entity_id IS NOT NULL GROUP BY entity"
    )
    for entity, used in bind.execute(audited):
        if entity in AUDITED:
            saw(AUDITED[entity], used)
    return highest


def _start_sequences(highest: dict[str, int]) -> None:
    bind = op.get_bind()
    for table, used in highest.items():
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})
        seeded = sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :used)")
        bind.execute(seeded, {"t": table, "used": used})


@contextmanager
def _foreign_keys_off() -> Iterator[None]:
    """Run the block in a transaction of its own with foreign keys off, and commit it only
    if it broke no reference.

    A rebuild drops the old table, and with foreign keys on, dropping a table deletes its
    rows first: ON DELETE CASCADE would empty the tables that refer to it, and any other
    reference would fail. SQLite ignores `PRAGMA foreign_keys` inside a transaction, so
    the migrations before this one (complete, and stamped) are committed first."""
    bind = op.get_bind()
    driver = cast(sqlite3.Connection, bind.connection.driver_connection)

    def broken() -> set[tuple[object, ...]]:
        return {tuple(row) for row in bind.exec_driver_sql("PRAGMA foreign_key_check")}

    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        bind.exec_driver_sql("BEGIN IMMEDIATE")
        broken_before = broken()
        yield
        if broken_by_rebuild := broken() - broken_before:
            raise RuntimeError(f"the rebuild broke foreign keys: {list(broken_by_rebuild)[:5]}")
        bind.exec_driver_sql("COMMIT")
    finally:
        if driver.in_transaction:
            bind.exec_driver_sql("ROLLBACK")
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        # Alembic stamps this revision and commits in the transaction it believes open.
        bind.exec_driver_sql("BEGIN")
