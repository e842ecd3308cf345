"""`/nations`: the buying nations of the alliance (read-only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from alliedforge.api.deps import CurrentCaller, DbSession, etag
from alliedforge.api.paging import PageOut, PageParams, RecordId, page_request
from alliedforge.domain.nations import service
from alliedforge.domain.nations.schemas import NationRead

router = APIRouter(prefix="/nations", tags=["nations"])


@router.get("", response_model=PageOut[NationRead])
def list_nations(
    session: DbSession, caller: CurrentCaller, page: Annotated[PageParams, Query()]
) -> PageOut[NationRead]:
    """The nations, in id order; follow `next_after`."""
    return PageOut.of(service.list_nations(session, caller, page_request(page)))


@router.get("/{nation_id}", response_model=NationRead)
def get_nation(
    session: DbSession, caller: CurrentCaller, nation_id: RecordId, response: Response
) -> NationRead:
    """One nation, with its ETag."""
    nation = service.get_nation(session, caller, nation_id)
    response.headers["ETag"] = etag(nation.version)
    return nation
