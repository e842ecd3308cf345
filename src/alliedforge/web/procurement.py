"""The joint procurement section: an overview of the lots, tenders, frameworks and
call-offs the caller may see, each a page at a time; and the routers of their pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import MAX_ID
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.procurement import call_offs, frameworks, lots, tenders
from alliedforge.domain.procurement.schemas import (
    CallOffFilter,
    FrameworkFilter,
    LotFilter,
    TenderFilter,
)
from alliedforge.web import (
    procurement_call_offs,
    procurement_frameworks,
    procurement_lots,
    procurement_tenders,
)
from alliedforge.web.procurement_forms import acts_for_agency
from alliedforge.web.render import WebCaller, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 10
Cursor = Annotated[int | None, Query(ge=0, le=MAX_ID)]


@router.get("/procurement")
def procurement(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    lots_after: Cursor = None,
    tenders_after: Cursor = None,
    frameworks_after: Cursor = None,
    call_offs_after: Cursor = None,
) -> Response:
    """The contracting workflow at a glance: four short lists in id order, each with its
    own cursor (the others are kept when one is paged)."""
    found: dict[str, Page[Any]] = {
        "lots": lots.list_lots(session, caller, LotFilter(), PageRequest(PAGE_SIZE, lots_after)),
        "tenders": tenders.list_tenders(
            session, caller, TenderFilter(), PageRequest(PAGE_SIZE, tenders_after)
        ),
        "frameworks": frameworks.list_frameworks(
            session, caller, FrameworkFilter(), PageRequest(PAGE_SIZE, frameworks_after)
        ),
        "call_offs": call_offs.list_call_offs(
            session, caller, CallOffFilter(), PageRequest(PAGE_SIZE, call_offs_after)
        ),
    }
    data: dict[str, Any] = {
        name: {"items": listed.items, "next_after": listed.next_after}
        for name, listed in found.items()
    }
    cursors = {
        "lots_after": lots_after,
        "tenders_after": tenders_after,
        "frameworks_after": frameworks_after,
        "call_offs_after": call_offs_after,
    }
    return page(
        request,
        "procurement.html",
        data,
        labels=[record.label for listed in found.values() for record in listed.items],
        cursors=cursors,
        may_make_lots=acts_for_agency(caller),
    )


router.include_router(procurement_lots.router)
router.include_router(procurement_tenders.router)
router.include_router(procurement_frameworks.router)
router.include_router(procurement_call_offs.router)
