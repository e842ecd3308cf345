"""`/suppliers`, `/lines`, `/prices`: supplier profiles (public), production lines and
price tiers (the agency's and their own supplier's), written by the agency and the
supplier's own users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from alliedforge.api.deps import CurrentCaller, DbSession, ExpectedVersion, etag
from alliedforge.api.paging import PageOut, PageParams, RecordId, page_request
from alliedforge.domain.industry import service
from alliedforge.domain.industry.schemas import (
    LineCreate,
    LineFilter,
    LineRead,
    LineUpdate,
    PriceCreate,
    PriceFilter,
    PriceRead,
    PriceUpdate,
    SupplierFilter,
    SupplierRead,
    SupplierUpdate,
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
    session: DbSession, caller: CurrentCaller, supplier_id: RecordId, response: Response
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
    session: DbSession, caller: CurrentCaller, line_id: RecordId, response: Response
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
    session: DbSession, caller: CurrentCaller, price_id: RecordId, response: Response
) -> PriceRead:
    """One price tier, with its ETag."""
    found = service.get_price(session, caller, price_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.post("/lines", status_code=status.HTTP_201_CREATED, response_model=LineRead)
def create_line(
    session: DbSession,
    caller: CurrentCaller,
    data: LineCreate,
    request: Request,
    response: Response,
) -> LineRead:
    """Record a production line (a supplier user: their own, coded `<NCAGE>-…`)."""
    made = service.create_line(session, caller, data)
    session.commit()
    response.headers["Location"] = str(request.url_for("get_line", line_id=made.id))
    response.headers["ETag"] = etag(made.version)
    return made


@router.patch("/lines/{line_id}", response_model=LineRead)
def update_line(
    session: DbSession,
    caller: CurrentCaller,
    line_id: RecordId,
    data: LineUpdate,
    version: ExpectedVersion,
    response: Response,
) -> LineRead:
    """Change fields of a line (its supplier or the agency; If-Match: its ETag)."""
    updated = service.update_line(session, caller, line_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete("/lines/{line_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_line(
    session: DbSession, caller: CurrentCaller, line_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a line (its supplier or the agency; If-Match: its ETag)."""
    service.delete_line(session, caller, line_id, version)
    session.commit()


@router.post("/prices", status_code=status.HTTP_201_CREATED, response_model=PriceRead)
def create_price(
    session: DbSession,
    caller: CurrentCaller,
    data: PriceCreate,
    request: Request,
    response: Response,
) -> PriceRead:
    """Record a price tier (a supplier user: their own)."""
    made = service.create_price(session, caller, data)
    session.commit()
    response.headers["Location"] = str(request.url_for("get_price", price_id=made.id))
    response.headers["ETag"] = etag(made.version)
    return made


@router.patch("/prices/{price_id}", response_model=PriceRead)
def update_price(
    session: DbSession,
    caller: CurrentCaller,
    price_id: RecordId,
    data: PriceUpdate,
    version: ExpectedVersion,
    response: Response,
) -> PriceRead:
    """Change fields of a price (its supplier or the agency; If-Match: its ETag)."""
    updated = service.update_price(session, caller, price_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete(
    "/prices/{price_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response
)
def delete_price(
    session: DbSession, caller: CurrentCaller, price_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a price (its supplier or the agency; If-Match: its ETag)."""
    service.delete_price(session, caller, price_id, version)
    session.commit()


@router.patch("/suppliers/{supplier_id}", response_model=SupplierRead)
def update_supplier(
    session: DbSession,
    caller: CurrentCaller,
    supplier_id: RecordId,
    data: SupplierUpdate,
    version: ExpectedVersion,
    response: Response,
) -> SupplierRead:
    """Change a supplier's profile (the agency or its own users; If-Match: its ETag)."""
    updated = service.update_supplier(session, caller, supplier_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated
