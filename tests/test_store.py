"""The store on a real migrated database: SQLite always, PostgreSQL when a URL is given."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from typer.testing import CliRunner

from alliedforge.cli.main import app
from alliedforge.domain.catalogue.models import Item, WeaponSystem
from alliedforge.domain.models import metadata
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.requirements.models import Requirement, RequirementStatus
from alliedforge.store.engine import (
    DATABASE_URL_ENV,
    StoreError,
    create_db_engine,
    session_scope,
)
from alliedforge.store.migrate import MIGRATIONS, backup, upgrade


def _requirement(session: Session, code: str = "R1") -> Requirement:
    nation = Nation(code="DEU", iso2="DE", name="Germany")
    system = WeaponSystem(code="PZH2000", name="PzH 2000", calibre="155mm")
    session.add_all([nation, system])
    session.flush()
    requirement = Requirement(
        code=code,
        nation_id=nation.id,
        weapon_system_id=system.id,
        quantity=1234.5678901234567,
        due="2027-03",
        priority=1,
        created_by="desk officer",
    )
    session.add(requirement)
    session.flush()
    return requirement


def test_upgrade_creates_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert tables == set(metadata.tables) | {"alembic_version"}


def test_upgrade_is_idempotent(database_url: str, engine: Engine) -> None:
    upgrade(database_url)
    with engine.connect() as connection:
        stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert set(stamped) == set(ScriptDirectory(str(MIGRATIONS)).get_heads())


def test_sqlite_pragmas_are_in_effect(tmp_path: Path) -> None:
    """SQLite only, on its own file: the pragmas are the embedded default's durability."""
    url = f"sqlite:///{tmp_path / 'pragmas.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
    engine.dispose()


def test_rows_round_trip_with_defaults(session: Session) -> None:
    requirement = _requirement(session)
    session.expire_all()
    stored = session.get(Requirement, requirement.id)
    assert stored is not None
    assert stored.quantity == 1234.5678901234567  # doubles round-trip exactly
    assert stored.status == RequirementStatus.DRAFT
    assert stored.version == 1
    assert (stored.classification, stored.releasable_to) == ("NATO UNCLASSIFIED", "ALL")
    assert stored.created_at.tzinfo is not None


def test_item_keeps_nsn_as_digits_and_other_codes_as_written(session: Session) -> None:
    shell = Item(code="1320-12-345-6789", name="155mm HE", family="155mm-HE")
    local = Item(code="HE-155-X", name="Local round", family="155mm-HE")
    session.add_all([shell, local])
    session.flush()
    assert (shell.nsn, shell.other_code, shell.code, shell.supply_class) == (
        "1320123456789",
        None,
        "1320-12-345-6789",
        "1320",
    )
    assert (local.nsn, local.other_code, local.code, local.supply_class) == (
        None,
        "HE-155-X",
        "HE-155-X",
        None,
    )


def test_foreign_key_violation_is_rejected(session: Session) -> None:
    session.add(
        Requirement(
            code="R-orphan",
            nation_id=999999,
            weapon_system_id=999999,
            quantity=1.0,
            due="2027-01",
            priority=3,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_check_constraint_rejects_a_rejection_without_reason(session: Session) -> None:
    requirement = _requirement(session)
    requirement.status = RequirementStatus.REJECTED
    with pytest.raises(IntegrityError):
        session.flush()


def test_update_bumps_the_version(session: Session) -> None:
    requirement = _requirement(session)
    requirement.quantity = 10.0
    session.flush()
    assert requirement.version == 2


def test_stale_version_update_is_refused(session: Session, connection: Connection) -> None:
    requirement = _requirement(session)
    # Someone else changes the row after we read it.
    connection.execute(
        text("UPDATE requirements SET quantity = 7, version = version + 1 WHERE id = :id"),
        {"id": requirement.id},
    )
    requirement.quantity = 99.0
    with pytest.raises(StaleDataError):
        session.flush()


def test_backup_makes_a_readable_copy_with_the_same_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    with session_scope(engine) as session:
        _requirement(session, "R-backup")
        session.commit()
    engine.dispose()
    copy = backup(url, tmp_path / "copy.db")
    with closing(sqlite3.connect(copy)) as reader:
        rows = reader.execute("SELECT code, quantity FROM requirements").fetchall()
        assert reader.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert rows == [("R-backup", 1234.5678901234567)]


def test_backup_refuses_postgresql_and_names_pg_dump(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="pg_dump"):
        backup("postgresql+psycopg://postgres@127.0.0.1/test", tmp_path / "copy")


def test_backup_refuses_to_overwrite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    (tmp_path / "copy.db").write_text("keep me")
    with pytest.raises(StoreError, match="exists"):
        backup(url, tmp_path / "copy.db")


def test_session_scope_rolls_back_what_the_caller_did_not_commit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    with session_scope(engine) as session:
        session.add(Nation(code="FRA", name="France"))
        session.flush()
    with session_scope(engine) as session:
        assert session.query(Nation).count() == 0
    engine.dispose()


runner = CliRunner()


def test_cli_db_upgrade_and_backup(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(app, ["db", "upgrade"], env={DATABASE_URL_ENV: url})
    assert result.exit_code == 0, result.output
    assert "latest schema" in result.output
    engine = create_engine(url)
    assert "nations" in inspect(engine).get_table_names()
    engine.dispose()
    result = runner.invoke(
        app, ["db", "backup", str(tmp_path / "b.db")], env={DATABASE_URL_ENV: url}
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.db").is_file()


def test_cli_db_errors_are_one_line(tmp_path: Path) -> None:
    env = {DATABASE_URL_ENV: f"sqlite:///{tmp_path / 'missing' / 'x.db'}"}
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "cannot migrate" in result.output
    result = runner.invoke(app, ["db", "backup", str(tmp_path / "b.db")], env=env)
    assert result.exit_code == 1
    assert "no database at" in result.output


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, metadata)
    assert differences == []
