"""`/suppliers`, `/lines`, `/prices`: supplier profiles (public), production lines and
price tiers (the agency's and their own supplier's), read-only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from alliedforge.api.deps import CurrentCaller, DbSession, etag
from alliedforge.api.paging import PageOut, PageParams, page_request
from alliedforge.domain.industry import service
from alliedforge.domain.industry.schemas import (
    LineFilter,
    LineRead,
    PriceFilter,
    PriceRead,
    SupplierFilter,
    SupplierRead,
)

router = APIRouter(tags=["industry"])
Paging = Annotated[PageParams, Query()]


@router.get("/suppliers", response_model=PageOut[SupplierRead])
def list_suppliers(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[SupplierFilter, Query()],
    page: Paging,
) -> PageOut[SupplierRead]:
    """Supplier profiles, in id order, filtered; follow `next_after`."""
    return PageOut.of(service.list_suppliers(session, caller, filters, page_request(page)))


@router.get("/suppliers/{supplier_id}", response_model=SupplierRead)
def get_supplier(
    session: DbSession, caller: CurrentCaller, supplier_id: int, response: Response
) -> SupplierRead:
    """One supplier profile, with its ETag."""
    found = service.get_supplier(session, caller, supplier_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.get("/lines", response_model=PageOut[LineRead])
def list_lines(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[LineFilter, Query()],
    page: Paging,
) -> PageOut[LineRead]:
    """The production lines you may see, in id order, filtered; follow `next_after`."""
    return PageOut.of(service.list_lines(session, caller, filters, page_request(page)))


@router.get("/lines/{line_id}", response_model=LineRead)
def get_line(
    session: DbSession, caller: CurrentCaller, line_id: int, response: Response
) -> LineRead:
    """One production line, with its ETag."""
    found = service.get_line(session, caller, line_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.get("/prices", response_model=PageOut[PriceRead])
def list_prices(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[PriceFilter, Query()],
    page: Paging,
) -> PageOut[PriceRead]:
    """The price tiers you may see, in id order, filtered; follow `next_after`."""
    return PageOut.of(service.list_prices(session, caller, filters, page_request(page)))


@router.get("/prices/{price_id}", response_model=PriceRead)
def get_price(
    session: DbSession, caller: CurrentCaller, price_id: int, response: Response
) -> PriceRead:
    """One price tier, with its ETag."""
    found = service.get_price(session, caller, price_id)
    response.headers["ETag"] = etag(found.version)
    return found
