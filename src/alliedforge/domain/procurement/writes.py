"""How every procurement write is made: labelled, flushed (a stale version becomes a
`ConflictError`), and appended to the audit log; and the status checks of the workflows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.labels import Label
from alliedforge.domain.audit import service as audit
from alliedforge.domain.catalogue.service import flush
from alliedforge.domain.errors import InvalidError
from alliedforge.store.base import Record


def audited(row: Record, **extra: Any) -> dict[str, Any]:
    """Every column of the row as the audit log keeps it (dates as ISO text), plus `extra`."""
    values: dict[str, Any] = {}
    for column in inspect(type(row)).column_attrs:
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return values | extra


def labelled(row: Record, label: Label) -> None:
    """Put a label (already checked with `label_for`) on a row."""
    row.classification, row.releasable_to = label.classification, label.stored_releasability


def add(session: Session, caller: Caller, entity: str, row: Record, **extra: Any) -> None:
    """Insert a labelled row; audited (with `extra` facts about it)."""
    session.add(row)
    flush(session, entity, None, None)
    audit.append(session, caller, "create", entity, row.id, None, audited(row, **extra))


def apply(
    session: Session,
    caller: Caller,
    entity: str,
    row: Record,
    action: str,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> None:
    """Set `changes` on a row as one audited step named `action`."""
    before = audited(row)
    for column, value in changes.items():
        setattr(row, column, value)
    flush(session, entity, row.id, expected_version)
    audit.append(session, caller, action, entity, row.id, before, audited(row))


def require_status(entity: str, status: str, action: str, *allowed: str) -> None:
    """`InvalidError` on `status` unless it is one of `allowed`."""
    if status not in allowed:
        sources = " or ".join(allowed)
        raise InvalidError("status", status, f"only a {sources} {entity} can be {action}")
