"""`/deliveries`, `/stockpiles/ledger`, `/stockpiles/projection`, `/reports/deliveries`,
`/suppliers/{id}/track-record`: deliveries against call-offs, the stockpile ledger they
move, stock projected with the latest plan, delivery reports and supplier track records.
Dates are today's in UTC."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from alliedforge.api.deps import CurrentCaller, DbSession, ExpectedVersion, etag
from alliedforge.api.errors import NOT_FOUND
from alliedforge.api.paging import PageOut, PageParams, RecordId, page_request
from alliedforge.domain.procurement import deliveries, stock, track_record
from alliedforge.domain.procurement.schemas import (
    DeliveryCreate,
    DeliveryFilter,
    DeliveryRead,
    DeliveryReport,
    LedgerEntryRead,
    LedgerFilter,
    StockProjection,
    TrackRecordRead,
)
from alliedforge.domain.requirements.schemas import Code, NationCode
from alliedforge.store.base import utctoday

router = APIRouter(tags=["deliveries"])
Paging = Annotated[PageParams, Query()]


def _tagged(response: Response, read: DeliveryRead) -> DeliveryRead:
    response.headers["ETag"] = etag(read.version)
    return read


@router.post("/deliveries", status_code=status.HTTP_201_CREATED, response_model=DeliveryRead)
def record_delivery(
    session: DbSession,
    caller: CurrentCaller,
    data: DeliveryCreate,
    request: Request,
    response: Response,
) -> DeliveryRead:
    """Record a delivery against a placed call-off (the agency, or the call-off's supplier):
    units delivered and accepted; the accepted units enter the buyer's stockpile ledger in
    the same transaction. A delivery that breaks a rule changes nothing."""
    made = deliveries.record_delivery(session, caller, data, utctoday())
    session.commit()
    response.headers["Location"] = str(request.url_for("get_delivery", delivery_id=made.id))
    return _tagged(response, made)


@router.get("/deliveries", response_model=PageOut[DeliveryRead])
def list_deliveries(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[DeliveryFilter, Query()],
    page: Paging,
) -> PageOut[DeliveryRead]:
    """The deliveries you may see (a nation those to it, a supplier its own), in id
    order, filtered; follow `next_after`."""
    return PageOut.of(deliveries.list_deliveries(session, caller, filters, page_request(page)))


@router.get("/deliveries/{delivery_id}", response_model=DeliveryRead)
def get_delivery(
    session: DbSession, caller: CurrentCaller, delivery_id: RecordId, response: Response
) -> DeliveryRead:
    """One delivery, with its ETag."""
    return _tagged(response, deliveries.get_delivery(session, caller, delivery_id))


@router.post("/deliveries/{delivery_id}/void", response_model=DeliveryRead)
def void_delivery(
    session: DbSession,
    caller: CurrentCaller,
    delivery_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> DeliveryRead:
    """Void a wrongly recorded delivery: it stays, marked void, and its accepted units are
    booked back out of the ledger (the agency or its supplier; If-Match)."""
    voided = deliveries.void_delivery(session, caller, delivery_id, version, utctoday())
    session.commit()
    return _tagged(response, voided)


@router.get("/stockpiles/ledger", response_model=PageOut[LedgerEntryRead])
def list_ledger(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[LedgerFilter, Query()],
    page: Paging,
) -> PageOut[LedgerEntryRead]:
    """Stockpile ledger entries with the running balance of their nation and weapon system
    (staff all, a nation its own, a supplier none), in id order; follow `next_after`."""
    return PageOut.of(stock.list_ledger(session, caller, filters, page_request(page)))


@router.get("/stockpiles/projection", response_model=StockProjection, responses={404: NOT_FOUND})
def stock_projection(
    session: DbSession,
    caller: CurrentCaller,
    weapon_system: Annotated[Code, Query()],
    nation: Annotated[NationCode | None, Query(description="Default: your nation.")] = None,
) -> StockProjection:
    """A nation's stock of a weapon system per month — the ledger up to this month, then
    the latest finished plan's deliveries — against its stockpile targets. 404 for a
    nation whose stock you may not read."""
    return stock.stock_projection(session, caller, nation, weapon_system, utctoday())


@router.get("/reports/deliveries", response_model=DeliveryReport)
def delivery_report(
    session: DbSession,
    caller: CurrentCaller,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
) -> DeliveryReport:
    """Units delivered and accepted and the value accepted between two dates (inclusive)
    by nation and item family, over the deliveries you may see."""
    return deliveries.delivery_report(session, caller, start, end)


@router.get("/suppliers/{supplier_id}/track-record", response_model=TrackRecordRead)
def get_track_record(
    session: DbSession, caller: CurrentCaller, supplier_id: RecordId
) -> TrackRecordRead:
    """A supplier's track record computed from the record — tenders won, frameworks,
    call-offs, units delivered and accepted, value, on-time rate, past performance. A
    public profile: every role reads it."""
    return track_record.get_track_record(session, caller, supplier_id)
