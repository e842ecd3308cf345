"""`forge serve --demo`'s setup: demo database, scenario imported once, one-time passwords."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from alliedforge.cli.demo_record import (
    DEMO_DATABASE,
    DEMO_NEWS,
    DEMO_USERS,
    DemoRecord,
    prepare_demo,
)
from alliedforge.cli.main import app
from alliedforge.domain.access import service as access
from alliedforge.domain.access.models import User
from alliedforge.domain.audit import service as audit
from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.errors import AuthenticationError
from alliedforge.store.engine import StoreError, create_db_engine, session_scope


def _signs_in(url: str, name: str, password: str) -> bool:
    engine = create_db_engine(url)
    try:
        with session_scope(engine, write=True) as session:
            try:
                caller, _cookie = access.login(session, name, password, None)
            except AuthenticationError:
                session.commit()
                return False
            session.commit()
            return caller.name == name
    finally:
        engine.dispose()


def _audit(url: str) -> tuple[list[str], bool]:
    """The actions in the audit log, and whether its hash chain holds."""
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as session:
            actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
            return actions, audit.verify(session).intact
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoRecord, DemoRecord]:
    folder = tmp_path_factory.mktemp("demo")
    return prepare_demo(folder), prepare_demo(folder)


def test_the_first_run_creates_the_database_imports_and_creates_the_users(
    runs: tuple[DemoRecord, DemoRecord],
) -> None:
    first, _second = runs
    assert first.created
    assert first.path.name == DEMO_DATABASE.name
    assert first.path.is_file()
    assert first.report.changed
    assert [user for user, _password in first.passwords] == list(DEMO_USERS)
    roles = {user.role.value for user in DEMO_USERS}
    assert roles == {"planner", "nation", "supplier", "auditor"}
    assert sum(user.role.value == "nation" for user in DEMO_USERS) == 2


def test_the_second_run_reuses_the_database_and_imports_nothing_new(
    runs: tuple[DemoRecord, DemoRecord],
) -> None:
    first, second = runs
    assert not second.created
    assert second.url == first.url
    assert not second.report.changed


def test_the_second_run_resets_every_password(runs: tuple[DemoRecord, DemoRecord]) -> None:
    first, second = runs
    url = second.url
    for (user, old), (same, new) in zip(first.passwords, second.passwords, strict=True):
        assert user == same
        assert old != new
        assert not _signs_in(url, user.name, old)
        assert _signs_in(url, user.name, new)


def test_the_resets_are_audited_and_the_chain_holds(runs: tuple[DemoRecord, DemoRecord]) -> None:
    _first, second = runs
    actions, intact = _audit(second.url)
    assert intact
    assert actions.count("create") == len(DEMO_USERS) + len(DEMO_NEWS)
    assert actions.count("publish") == len(DEMO_NEWS)
    assert actions.count("reset_password") == len(DEMO_USERS)
    assert actions.count("import") == 2  # the second import recorded, changing nothing


def test_users_are_not_duplicated(runs: tuple[DemoRecord, DemoRecord]) -> None:
    engine = create_db_engine(runs[1].url)
    try:
        with session_scope(engine) as session:
            assert session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS)
    finally:
        engine.dispose()


def test_help_says_the_demo_ignores_the_database_url() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--demo" in result.output
    assert "ALLIEDFORGE_DATABASE_URL" in result.output
    assert "ignored" in result.output


def test_a_foreign_user_of_the_same_name_stops_the_demo(tmp_path: Path) -> None:
    url = prepare_demo(tmp_path).url
    engine = create_db_engine(url)
    try:
        with session_scope(engine, write=True) as session:
            user = session.scalars(select(User).where(User.name == "auditor")).one()
            user.role = "admin"
            session.commit()
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match="not the demo's auditor"):
        prepare_demo(tmp_path)
