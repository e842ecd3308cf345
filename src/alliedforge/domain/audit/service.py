"""Append to the audit log and verify its hash chain.

Each entry's hash is SHA-256 over the canonical JSON (sorted keys, no spaces) of its
fields including the previous entry's hash, so changing, removing or reordering any
entry breaks every link after it. Appends lock the chain head: one writer at a time.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.audit.models import GENESIS, AuditEntry, AuditHead
from alliedforge.domain.errors import ForbiddenError
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.store.base import utcnow

VERIFY_BATCH = 5_000
READERS = frozenset({Role.AUDITOR, Role.ADMIN})


def canonical_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of an entry's fields."""
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _fields(entry: Any) -> dict[str, Any]:
    """The hashed fields of an entry (an `AuditEntry` or a row of its table)."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
        "previous_hash": entry.previous_hash,
    }


def json_safe(value: Any) -> Any:
    """`value` with every infinite or undefined number as None: JSON has no Infinity or
    NaN, and PostgreSQL refuses them in a JSON column (a solve stopped at its time limit
    without a bound has an infinite gap)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def append(
    session: Session,
    caller: Caller,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the
    write it records)."""
    head = session.scalars(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        session.add(head)
    entry = AuditEntry(
        id=head.last_id + 1,
        at=utcnow(),
        actor=caller.name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=json_safe(before),
        after=json_safe(after),
        previous_hash=head.last_hash,
    )
    entry.hash = canonical_hash(_fields(entry))
    session.add(entry)
    head.last_id, head.last_hash = entry.id, entry.hash
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of a walk along the chain: how many entries held, the first broken one."""

    entries: int
    broken_at: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> ChainReport:
    """Walk the chain in id order; name the first entry whose hash or link is wrong."""
    previous, expected_id, checked = GENESIS, 1, 0
    for entry in _entries(session):
        if entry.id != expected_id:
            return ChainReport(checked, expected_id, f"entry {expected_id} is missing")
        if entry.previous_hash != previous:
            return ChainReport(checked, entry.id, "its previous hash does not match entry before")
        if canonical_hash(_fields(entry)) != entry.hash:
            return ChainReport(checked, entry.id, "its content does not match its hash")
        previous, expected_id, checked = entry.hash, entry.id + 1, checked + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id, head.last_hash) != (checked, previous):
        return ChainReport(checked, checked + 1, "entries after it were removed")
    return ChainReport(checked)


def _entries(session: Session) -> Iterable[Any]:
    """Every entry as a plain row (not kept in the session), in batches of id order."""
    table = AuditEntry.__table__
    after = 0
    while True:
        query = select(table).where(table.c.id > after).order_by(table.c.id)
        batch = session.execute(query.limit(VERIFY_BATCH)).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].id


def snapshot(record: Any, columns: Iterable[str]) -> dict[str, Any]:
    """A row's audited columns as JSON-ready values (datetimes as ISO text)."""
    values: dict[str, Any] = {}
    for column in columns:
        value = getattr(record, column)
        values[column] = value.isoformat() if isinstance(value, datetime) else value
    return values


def list_entries(
    session: Session, caller: Caller, page: PageRequest, entity: str | None = None
) -> Page[AuditEntry]:
    """One page of the log in chain order, for auditors and administrators only, without
    the entries recording a row whose label the caller may not read (a page may hold
    fewer than `limit` entries; `next_after` still continues after it)."""
    require_reader(caller)
    query = select(AuditEntry).order_by(AuditEntry.id).limit(page.limit + 1)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    shown: list[AuditEntry] = []
    after = page.after or 0
    while len(shown) <= page.limit:
        batch = list(session.scalars(query.where(AuditEntry.id > after)))
        for entry in batch:
            after = entry.id
            if _readable(caller, entry):
                shown.append(entry)
                if len(shown) > page.limit:
                    break
        if len(batch) <= page.limit:
            break
    items = shown[: page.limit]
    return Page(items, items[-1].id if len(shown) > page.limit else None)


def _readable(caller: Caller, entry: AuditEntry) -> bool:
    """Whether the caller may read the labels of the row states the entry records."""
    for state in (entry.before, entry.after):
        if state and "classification" in state:
            label = Label.parse(state["classification"], state.get("releasable_to") or "ALL")
            if not caller.reads(label):
                return False
    return True


def require_reader(caller: Caller) -> None:
    """Only auditors and administrators read the audit log."""
    if not (caller.unrestricted or caller.role in READERS):
        raise ForbiddenError("only auditors and administrators read the audit log")
