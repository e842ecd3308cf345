"""Identities: password hashes, user rules, signing in and its rate limit, web sessions,
API tokens, the `forge users`/`tokens`/`audit` commands, and no secret in the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alliedforge.cli import users as users_cli
from alliedforge.cli.main import app
from alliedforge.domain.access import service
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.models import ApiToken, LoginFailure, User, WebSession
from alliedforge.domain.access.passwords import generate_password, hash_password, verify_password
from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.errors import (
    AuthenticationError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    RateLimitedError,
)
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import load_scenario
from alliedforge.store.base import utcnow
from alliedforge.store.engine import DATABASE_URL_ENV, create_db_engine
from alliedforge.store.migrate import upgrade

from shared_data import GOLDEN

PASSWORD = "correct horse battery"
ADMIN = Caller.operator()
runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def record(session: Session) -> Session:
    """The session on a database holding the tiny golden scenario (nations, suppliers)."""
    import_scenario(session, load_scenario(GOLDEN / "tiny"))
    return session


def make_user(session: Session, name: str, role: Role = Role.PLANNER, **kwargs: str) -> User:
    return service.create_user(session, ADMIN, name, role, PASSWORD, **kwargs)


# --- passwords -----------------------------------------------------------------------


def test_passwords_are_argon2id_and_verify() -> None:
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)


def test_a_short_password_is_refused_without_echoing_it() -> None:
    with pytest.raises(InvalidError) as refused:
        hash_password("short-pw")
    assert refused.value.field == "password"
    assert "short-pw" not in str(refused.value)


def test_generated_passwords_are_long_and_different() -> None:
    first, second = generate_password(), generate_password()
    assert len(first) >= 20
    assert first != second
    assert hash_password(first).startswith("$argon2id$")


# --- users ---------------------------------------------------------------------------


def test_a_nation_user_acts_for_their_nation(record: Session) -> None:
    user = make_user(record, "n00-desk", Role.NATION, nation="n00", clearance="NATO SECRET")
    caller = service.caller_of(record, user)
    assert (caller.role, caller.nation, caller.nationality) == (Role.NATION, "N00", "N00")
    assert caller.nation_id is not None
    assert caller.user_id == user.id
    assert caller.clearance == "NATO SECRET"
    assert not caller.unrestricted


def test_a_supplier_user_takes_the_suppliers_country_as_nationality(record: Session) -> None:
    user = make_user(record, "maker", Role.SUPPLIER, supplier="S000X")
    caller = service.caller_of(record, user)
    assert (caller.supplier, caller.nationality, caller.nation) == ("S000X", "N01", None)


@pytest.mark.parametrize(
    ("role", "kwargs", "field"),
    [
        (Role.NATION, {}, "nation"),
        (Role.NATION, {"nation": "ZZZ"}, "nation"),
        (Role.SUPPLIER, {}, "supplier"),
        (Role.SUPPLIER, {"supplier": "NOPE1"}, "supplier"),
        (Role.PLANNER, {"nation": "N00"}, "nation"),
        (Role.AUDITOR, {"supplier": "S000X"}, "supplier"),
        (Role.PLANNER, {"clearance": "TOP SECRET-ish"}, "clearance"),
        (Role.PLANNER, {"nationality": "n/a"}, "nationality"),
    ],
)
def test_create_user_refuses_what_the_role_does_not_allow(
    record: Session, role: Role, kwargs: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidError) as refused:
        make_user(record, "someone", role, **kwargs)
    assert refused.value.field == field


def test_a_user_name_is_taken_once(record: Session) -> None:
    make_user(record, "alice")
    with pytest.raises(InvalidError, match="already taken"):
        make_user(record, "alice", Role.AUDITOR)


def test_only_administrators_create_users(record: Session) -> None:
    planner = service.caller_of(record, make_user(record, "planner"))
    with pytest.raises(ForbiddenError):
        service.create_user(record, planner, "bob", Role.PLANNER, PASSWORD)
    admin = service.caller_of(record, make_user(record, "root", Role.ADMIN))
    assert service.create_user(record, admin, "bob", Role.PLANNER, PASSWORD).name == "bob"


def test_creating_a_user_is_audited_without_the_hash(record: Session) -> None:
    user = make_user(record, "alice")
    entry = record.scalars(
        select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == user.id)
    ).one()
    assert entry.action == "create"
    assert entry.actor == "operator"
    assert entry.after is not None
    assert entry.after["name"] == "alice"
    assert "password_hash" not in entry.after


# --- signing in ----------------------------------------------------------------------


def test_login_returns_the_caller_and_a_cookie_stored_only_as_its_hash(record: Session) -> None:
    user = make_user(record, "alice", Role.NATION, nation="N01")
    caller, cookie = service.login(record, "alice", PASSWORD, "10.0.0.1")
    assert caller == service.caller_of(record, user)
    assert len(cookie) >= 43
    stored = record.scalars(select(WebSession.token_hash)).all()
    assert stored == [service.digest(cookie)]
    assert service.caller_for_session(record, cookie) == caller


def test_wrong_password_and_unknown_user_are_the_same_error(record: Session) -> None:
    make_user(record, "alice")
    with pytest.raises(AuthenticationError) as wrong_password:
        service.login(record, "alice", "not the password", "10.0.0.1")
    with pytest.raises(AuthenticationError) as unknown_user:
        service.login(record, "mallory", PASSWORD, "10.0.0.1")
    assert str(wrong_password.value) == str(unknown_user.value) == "wrong user name or password"
    failures = record.scalars(select(LoginFailure.name).order_by(LoginFailure.id)).all()
    assert failures == ["alice", "mallory"]


def test_a_disabled_user_cannot_sign_in(record: Session) -> None:
    make_user(record, "alice")
    _, cookie = service.login(record, "alice", PASSWORD, None)
    service.disable_user(record, ADMIN, "alice")
    assert service.caller_for_session(record, cookie) is None
    with pytest.raises(AuthenticationError):
        service.login(record, "alice", PASSWORD, None)


def test_five_failures_for_a_name_rate_limit_it(record: Session) -> None:
    make_user(record, "alice")
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            service.login(record, "alice", "not the password", "10.0.0.1")
    with pytest.raises(RateLimitedError) as limited:
        service.login(record, "alice", PASSWORD, "10.0.0.2")  # right password, other address
    assert 1 <= limited.value.retry_after <= 15 * 60
    # the limit is per name: another user still signs in from the same address
    make_user(record, "bob")
    assert service.login(record, "bob", PASSWORD, "10.0.0.1")[0].name == "bob"


def test_twenty_failures_from_an_address_rate_limit_it(record: Session) -> None:
    make_user(record, "alice")
    now = utcnow()
    record.add_all(
        LoginFailure(name=f"guess{i}", address="10.6.6.6", at=now - timedelta(minutes=1))
        for i in range(20)
    )
    record.flush()
    with pytest.raises(RateLimitedError) as limited:
        service.login(record, "alice", PASSWORD, "10.6.6.6")
    assert 14 * 60 <= limited.value.retry_after <= 15 * 60
    assert service.login(record, "alice", PASSWORD, "10.0.0.1")[0].name == "alice"


def test_failures_older_than_the_window_do_not_count(record: Session) -> None:
    make_user(record, "alice")
    old = utcnow() - timedelta(minutes=16)
    record.add_all(LoginFailure(name="alice", address=None, at=old) for _ in range(5))
    record.flush()
    assert service.login(record, "alice", PASSWORD, None)[0].name == "alice"


def test_a_failure_clears_the_failures_older_than_the_window(record: Session) -> None:
    make_user(record, "alice")
    old = utcnow() - timedelta(minutes=16)
    record.add_all(LoginFailure(name="bob", address="10.0.0.9", at=old) for _ in range(3))
    record.flush()
    with pytest.raises(AuthenticationError):
        service.login(record, "alice", "not the password", None)
    kept = record.scalars(select(LoginFailure.name)).all()
    assert kept == ["alice"]


def test_an_expired_session_is_no_caller_and_logout_ends_one(record: Session) -> None:
    make_user(record, "alice")
    _, expiring = service.login(record, "alice", PASSWORD, None)
    _, cookie = service.login(record, "alice", PASSWORD, None)
    record.execute(
        update(WebSession)
        .where(WebSession.token_hash == service.digest(expiring))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    assert service.caller_for_session(record, expiring) is None
    assert service.caller_for_session(record, cookie) is not None
    service.logout(record, cookie)
    assert service.caller_for_session(record, cookie) is None
    service.logout(record, cookie)  # twice: nothing happens
    assert service.caller_for_session(record, "made-up") is None


# --- API tokens ----------------------------------------------------------------------


def test_a_token_stands_for_its_user_and_records_its_use(record: Session) -> None:
    user = make_user(record, "alice", Role.NATION, nation="N02")
    caller = service.caller_of(record, user)
    token, plaintext = service.create_token(record, caller, "alice", "laptop")
    assert plaintext.startswith("afg_")
    assert len(plaintext) == 4 + 43
    assert token.token_hash == service.digest(plaintext)
    assert plaintext not in token.token_hash
    assert token.expires_at - token.created_at == timedelta(days=90)
    assert service.caller_for_token(record, plaintext) == caller
    record.refresh(token)
    assert token.last_used_at is not None
    assert service.caller_for_token(record, "afg_" + "x" * 43) is None
    assert service.caller_for_token(record, "bearer nonsense") is None


def test_expired_revoked_and_disabled_tokens_stand_for_no_one(record: Session) -> None:
    make_user(record, "alice")
    expired, expired_text = service.create_token(record, ADMIN, "alice", "old", days=1)
    expired.expires_at = utcnow() - timedelta(seconds=1)
    revoked, revoked_text = service.create_token(record, ADMIN, "alice", "revoked")
    _live, live_text = service.create_token(record, ADMIN, "alice", "live")
    record.flush()
    service.revoke_token(record, ADMIN, revoked.id)
    assert service.caller_for_token(record, expired_text) is None
    assert service.caller_for_token(record, revoked_text) is None
    assert service.caller_for_token(record, live_text) is not None
    service.disable_user(record, ADMIN, "alice")
    assert service.caller_for_token(record, live_text) is None
    statuses = {
        t.name: t.revoked_at is not None for t in service.list_tokens(record, ADMIN, "alice")
    }
    assert statuses == {"old": False, "revoked": True, "live": False}


def test_users_manage_only_their_own_tokens(record: Session) -> None:
    alice = service.caller_of(record, make_user(record, "alice"))
    bob = service.caller_of(record, make_user(record, "bob"))
    token, _ = service.create_token(record, bob, "bob", "bob's")
    with pytest.raises(NotFoundError):
        service.revoke_token(record, alice, token.id)
    with pytest.raises(NotFoundError):
        service.revoke_token(record, alice, token.id + 1000)
    with pytest.raises(ForbiddenError):
        service.create_token(record, alice, "bob", "sneaky")
    with pytest.raises(ForbiddenError):
        service.list_tokens(record, alice, "bob")
    assert [t.id for t in service.list_tokens(record, bob, "bob")] == [token.id]
    service.revoke_token(record, bob, token.id)
    assert record.get(ApiToken, token.id) is not None


def test_token_lifetime_is_bounded(record: Session) -> None:
    make_user(record, "alice")
    for days in (0, 367):
        with pytest.raises(InvalidError, match="days"):
            service.create_token(record, ADMIN, "alice", "x", days=days)


def test_no_secret_reaches_the_audit_log(record: Session) -> None:
    user = make_user(record, "alice")
    _, cookie = service.login(record, "alice", PASSWORD, "10.0.0.1")
    token, plaintext = service.create_token(record, ADMIN, "alice", "laptop")
    service.revoke_token(record, ADMIN, token.id)
    service.logout(record, cookie)
    service.disable_user(record, ADMIN, "alice")
    rows = record.scalars(select(AuditEntry)).all()
    assert {e.action for e in rows} >= {"create", "login", "revoke", "logout", "disable"}
    dumped = json.dumps([[e.before, e.after] for e in rows])
    secrets = (PASSWORD, user.password_hash, cookie, service.digest(cookie), plaintext)
    for secret in (*secrets, token.token_hash):
        assert secret not in dumped


# --- the command line ----------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    upgrade(url)
    return url


@pytest.fixture
def cli_engine(cli_db: str) -> Iterator[Engine]:
    engine = create_db_engine(cli_db)
    yield engine
    engine.dispose()


def test_cli_creates_a_user_with_a_piped_password(cli_engine: Engine) -> None:
    result = runner.invoke(
        app, ["users", "create", "alice", "--role", "planner"], input=PASSWORD + "\nignored\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    with Session(cli_engine) as session:
        caller, _ = service.login(session, "alice", PASSWORD, None)
    assert caller.role is Role.PLANNER


def test_cli_generates_a_password_on_a_terminal_and_shows_it_once(
    cli_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(users_cli, "_interactive", lambda: True)
    result = runner.invoke(app, ["users", "create", "bob", "--role", "auditor"])
    assert result.exit_code == 0, result.output
    assert "only this once" in result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Password: ")]
    password = line.removeprefix("Password: ").strip()
    with Session(cli_engine) as session:
        assert service.login(session, "bob", password, None)[0].name == "bob"


def test_cli_refuses_a_bad_user_in_one_line(cli_db: str) -> None:
    result = runner.invoke(app, ["users", "create", "n", "--role", "nation"], input=PASSWORD)
    assert result.exit_code == 1
    assert "nation" in result.output
    assert "Traceback" not in result.output
    short = runner.invoke(app, ["users", "create", "n", "--role", "planner"], input="short\n")
    assert short.exit_code == 1
    assert "short" not in short.output.replace("shorter", "")


def test_cli_lists_and_disables_users(cli_db: str) -> None:
    assert (
        runner.invoke(
            app, ["users", "create", "carol", "--role", "admin"], input=PASSWORD
        ).exit_code
        == 0
    )
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0, listed.output
    assert "carol" in listed.output
    assert "admin" in listed.output
    assert "argon2" not in listed.output
    assert runner.invoke(app, ["users", "disable", "carol"]).exit_code == 0
    assert "no" in runner.invoke(app, ["users", "list"]).output
    assert runner.invoke(app, ["users", "disable", "nobody"]).exit_code == 1


def test_cli_token_authenticates_and_can_be_revoked(cli_engine: Engine) -> None:
    assert (
        runner.invoke(
            app, ["users", "create", "dave", "--role", "planner"], input=PASSWORD
        ).exit_code
        == 0
    )
    created = runner.invoke(app, ["tokens", "create", "dave", "--name", "ci", "--days", "7"])
    assert created.exit_code == 0, created.output
    [token] = [word for word in created.output.split() if word.startswith("afg_")]
    with Session(cli_engine) as session:
        caller = service.caller_for_token(session, token)
    assert caller is not None
    assert caller.name == "dave"
    listed = runner.invoke(app, ["tokens", "list", "dave"])
    assert listed.exit_code == 0
    assert "ci" in listed.output
    assert token not in listed.output
    assert "active" in listed.output
    token_id = created.output.split()[1]
    assert runner.invoke(app, ["tokens", "revoke", token_id]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["tokens", "list", "dave"]).output
    with Session(cli_engine) as session:
        assert service.caller_for_token(session, token) is None
    assert runner.invoke(app, ["tokens", "revoke", "999"]).exit_code == 1


def test_cli_audit_verify_finds_a_tampered_entry(cli_engine: Engine) -> None:
    empty = runner.invoke(app, ["audit", "verify"])
    assert empty.exit_code == 0
    assert "0 entries, chain intact" in empty.output
    for name in ("erin", "frank"):
        runner.invoke(app, ["users", "create", name, "--role", "planner"], input=PASSWORD)
    assert runner.invoke(app, ["tokens", "create", "erin"]).exit_code == 0
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "3 entries, chain intact" in intact.output
    with cli_engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = 2"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "entry 2" in broken.output
    assert "does not match its hash" in broken.output
