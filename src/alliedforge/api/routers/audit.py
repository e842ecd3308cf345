"""`/audit`: the hash-chained log of every write, for auditors and administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from alliedforge.api.deps import CurrentCaller, DbSession
from alliedforge.api.paging import PageOut, PageParams, page_request
from alliedforge.domain.audit import service

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntryRead(BaseModel):
    """One write: who, when, what, the row before and after, and the chain's hashes."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    previous_hash: str
    hash: str


class ChainRead(BaseModel):
    """The outcome of walking the chain."""

    entries: int
    intact: bool
    broken_at: int | None
    reason: str | None


@router.get("", response_model=PageOut[AuditEntryRead])
def list_entries(
    session: DbSession,
    caller: CurrentCaller,
    page: Annotated[PageParams, Query()],
    entity: Annotated[str | None, Query(max_length=64)] = None,
) -> PageOut[AuditEntryRead]:
    """The audit log in chain order (auditors and administrators)."""
    found = service.list_entries(session, caller, page_request(page), entity)
    items = [AuditEntryRead.model_validate(entry, from_attributes=True) for entry in found.items]
    return PageOut(items=items, next_after=found.next_after)


@router.get("/verify", response_model=ChainRead)
def verify(session: DbSession, caller: CurrentCaller) -> ChainRead:
    """Walk the whole chain and name the first broken entry, if any."""
    service.require_reader(caller)
    report = service.verify(session)
    return ChainRead(
        entries=report.entries,
        intact=report.intact,
        broken_at=report.broken_at,
        reason=report.reason,
    )
