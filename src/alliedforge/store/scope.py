"""Who the transaction acts for, told to PostgreSQL for its row-level security policies.

`bind_scope` records the settings on the session and applies them to the current
transaction; an `after_begin` hook applies them again to every later transaction of
that session (a route that commits and reads on keeps its scope). The settings are
transaction-local (`set_config(…, true)`): a pooled connection never carries one
caller's scope into another's request. Other databases ignore them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import Session, SessionTransaction

SCOPE_KEY = "alliedforge_scope"
SETTINGS = ("staff", "nation_id", "nation", "supplier_id", "supplier")


def bind_scope(session: Session, settings: Mapping[str, str]) -> None:
    """Act for `settings` (keys from `SETTINGS`; absent ones are set empty) from now on."""
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown scope settings: {sorted(unknown)}")
    session.info[SCOPE_KEY] = {name: settings.get(name, "") for name in SETTINGS}
    # A session with no transaction yet gets the scope as its transaction begins
    # (`_reapply`): binding starts none, so it never waits for a lock.
    if session.in_transaction():
        _apply(session.connection(), session.info[SCOPE_KEY])


@contextmanager
def staff_scope(session: Session) -> Iterator[None]:
    """See every row for the statements inside (alliance-wide aggregates, planning);
    the caller's own scope is restored afterwards."""
    before = dict(session.info.get(SCOPE_KEY, {}))
    bind_scope(session, {**before, "staff": "on"})
    try:
        yield
    finally:
        bind_scope(session, before)


def _apply(connection: Connection, settings: Mapping[str, str]) -> None:
    if connection.dialect.name != "postgresql":
        return
    assignments = ", ".join(f"set_config('alliedforge.{name}', :{name}, true)" for name in SETTINGS)
    connection.execute(text(f"SELECT {assignments}"), dict(settings))


@event.listens_for(Session, "after_begin")
def _reapply(session: Session, _transaction: SessionTransaction, connection: Any) -> None:
    settings = session.info.get(SCOPE_KEY)
    if settings is not None:
        _apply(connection, settings)
