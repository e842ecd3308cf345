"""`/lots`, `/tenders`, `/bids`, `/frameworks`, `/call-offs`: joint procurement from a plan
to contracts — lots pooled from a plan run, tenders and bids with evaluation and award,
framework contracts and the call-offs that become commitments. Dates are today's in UTC."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request, Response, status

from alliedforge.api.deps import CurrentCaller, DbSession, ExpectedVersion, etag
from alliedforge.api.paging import PageOut, PageParams, RecordId, page_request
from alliedforge.domain.procurement import call_offs, frameworks, lots, tenders
from alliedforge.domain.procurement.schemas import (
    AwardIn,
    BidCreate,
    BidRead,
    CallOffCreate,
    CallOffFilter,
    CallOffRead,
    Evaluation,
    FrameworkCreate,
    FrameworkFilter,
    FrameworkFromTender,
    FrameworkRead,
    LotDetail,
    LotFilter,
    LotRead,
    LotsFromPlan,
    LotsMade,
    TenderCreate,
    TenderFilter,
    TenderRead,
)
from alliedforge.store.base import utctoday

router = APIRouter(tags=["procurement"])
Read = TypeVar("Read", LotDetail, TenderRead, BidRead, FrameworkRead, CallOffRead)
Paging = Annotated[PageParams, Query()]


def _tagged(response: Response, read: Read) -> Read:
    response.headers["ETag"] = etag(read.version)
    return read


def _created(request: Request, response: Response, route: str, key: str, read: Read) -> Read:
    response.headers["Location"] = str(request.url_for(route, **{key: read.id}))
    return _tagged(response, read)


# Lots


@router.post("/lots/from-plan", status_code=status.HTTP_201_CREATED, response_model=LotsMade)
def lots_from_plan(session: DbSession, caller: CurrentCaller, data: LotsFromPlan) -> LotsMade:
    """Pool a finished plan run's planned deliveries into draft lots (the agency); groups
    of fewer than `min_participants` nations are listed in `left_out` with the reason."""
    made = lots.lots_from_plan(session, caller, data)
    session.commit()
    return made


@router.get("/lots", response_model=PageOut[LotRead])
def list_lots(
    session: DbSession, caller: CurrentCaller, filters: Annotated[LotFilter, Query()], page: Paging
) -> PageOut[LotRead]:
    """The lots you may see, in id order, filtered; follow `next_after`."""
    return PageOut.of(lots.list_lots(session, caller, filters, page_request(page)))


@router.get("/lots/{lot_id}", response_model=LotDetail)
def get_lot(
    session: DbSession, caller: CurrentCaller, lot_id: RecordId, response: Response
) -> LotDetail:
    """One lot with the lines you may see, with its ETag."""
    return _tagged(response, lots.get_lot(session, caller, lot_id))


@router.post("/lots/{lot_id}/cancel", response_model=LotDetail)
def cancel_lot(
    session: DbSession,
    caller: CurrentCaller,
    lot_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> LotDetail:
    """Draft → cancelled, by the agency (If-Match: its ETag)."""
    cancelled = lots.cancel_lot(session, caller, lot_id, version)
    session.commit()
    return _tagged(response, cancelled)


# Tenders and bids


@router.post("/tenders", status_code=status.HTTP_201_CREATED, response_model=TenderRead)
def publish_tender(
    session: DbSession,
    caller: CurrentCaller,
    data: TenderCreate,
    request: Request,
    response: Response,
) -> TenderRead:
    """Publish a draft lot as a tender, open for bids between its dates (the agency)."""
    made = tenders.publish_tender(session, caller, data, utctoday())
    session.commit()
    return _created(request, response, "get_tender", "tender_id", made)


@router.get("/tenders", response_model=PageOut[TenderRead])
def list_tenders(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[TenderFilter, Query()],
    page: Paging,
) -> PageOut[TenderRead]:
    """The tenders you may see, in id order, filtered; follow `next_after`."""
    return PageOut.of(tenders.list_tenders(session, caller, filters, page_request(page)))


@router.get("/tenders/{tender_id}", response_model=TenderRead)
def get_tender(
    session: DbSession, caller: CurrentCaller, tender_id: RecordId, response: Response
) -> TenderRead:
    """One tender, with its ETag."""
    return _tagged(response, tenders.get_tender(session, caller, tender_id))


@router.post("/tenders/{tender_id}/close", response_model=TenderRead)
def close_tender(
    session: DbSession,
    caller: CurrentCaller,
    tender_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> TenderRead:
    """Published → closed from its closing day on: bidding ends (the agency; If-Match)."""
    closed = tenders.close_tender(session, caller, tender_id, version, utctoday())
    session.commit()
    return _tagged(response, closed)


@router.post("/tenders/{tender_id}/cancel", response_model=TenderRead)
def cancel_tender(
    session: DbSession,
    caller: CurrentCaller,
    tender_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> TenderRead:
    """Published or closed → cancelled; the lot is a draft again (the agency; If-Match)."""
    cancelled = tenders.cancel_tender(session, caller, tender_id, version)
    session.commit()
    return _tagged(response, cancelled)


@router.post("/tenders/{tender_id}/evaluate", response_model=Evaluation)
def evaluate_tender(
    session: DbSession,
    caller: CurrentCaller,
    tender_id: RecordId,
    version: ExpectedVersion,
) -> Evaluation:
    """Score and rank the submitted bids of a closed tender by its method (the agency;
    If-Match: the tender's ETag)."""
    evaluation = tenders.evaluate_tender(session, caller, tender_id, version)
    session.commit()
    return evaluation


@router.post("/tenders/{tender_id}/award", response_model=TenderRead)
def award_tender(
    session: DbSession,
    caller: CurrentCaller,
    tender_id: RecordId,
    data: AwardIn,
    version: ExpectedVersion,
    response: Response,
) -> TenderRead:
    """Closed → awarded to one submitted bid; the others are not awarded (the agency;
    If-Match: the tender's ETag)."""
    awarded = tenders.award_tender(session, caller, tender_id, data.bid_id, version)
    session.commit()
    return _tagged(response, awarded)


@router.post(
    "/tenders/{tender_id}/bids", status_code=status.HTTP_201_CREATED, response_model=BidRead
)
def submit_bid(
    session: DbSession,
    caller: CurrentCaller,
    tender_id: RecordId,
    data: BidCreate,
    request: Request,
    response: Response,
) -> BidRead:
    """Bid on an open tender (a supplier): price tiers, a delivery schedule covering the
    lot, the capacity offered per month."""
    made = tenders.submit_bid(session, caller, tender_id, data, utctoday())
    session.commit()
    return _created(request, response, "get_bid", "bid_id", made)


@router.get("/tenders/{tender_id}/bids", response_model=PageOut[BidRead])
def list_bids(
    session: DbSession, caller: CurrentCaller, tender_id: RecordId, page: Paging
) -> PageOut[BidRead]:
    """The tender's bids you may see (a supplier its own, a nation none), in id order."""
    return PageOut.of(tenders.list_bids(session, caller, tender_id, page_request(page)))


@router.get("/bids/{bid_id}", response_model=BidRead)
def get_bid(
    session: DbSession, caller: CurrentCaller, bid_id: RecordId, response: Response
) -> BidRead:
    """One bid, with its ETag."""
    return _tagged(response, tenders.get_bid(session, caller, bid_id))


@router.post("/bids/{bid_id}/withdraw", response_model=BidRead)
def withdraw_bid(
    session: DbSession,
    caller: CurrentCaller,
    bid_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> BidRead:
    """Submitted → withdrawn while the tender is open (its supplier; If-Match)."""
    withdrawn = tenders.withdraw_bid(session, caller, bid_id, version, utctoday())
    session.commit()
    return _tagged(response, withdrawn)


# Frameworks and call-offs


@router.post("/frameworks", status_code=status.HTTP_201_CREATED, response_model=FrameworkRead)
def create_framework(
    session: DbSession,
    caller: CurrentCaller,
    data: FrameworkCreate,
    request: Request,
    response: Response,
) -> FrameworkRead:
    """A draft framework agreed directly with a supplier (the agency)."""
    made = frameworks.create_framework(session, caller, data)
    session.commit()
    return _created(request, response, "get_framework", "framework_id", made)


@router.post(
    "/frameworks/from-tender", status_code=status.HTTP_201_CREATED, response_model=FrameworkRead
)
def framework_from_tender(
    session: DbSession,
    caller: CurrentCaller,
    data: FrameworkFromTender,
    request: Request,
    response: Response,
) -> FrameworkRead:
    """A draft framework from an awarded tender: its winner, the lot's nations and items
    at the winning tiers (the agency)."""
    made = frameworks.framework_from_tender(session, caller, data)
    session.commit()
    return _created(request, response, "get_framework", "framework_id", made)


@router.get("/frameworks", response_model=PageOut[FrameworkRead])
def list_frameworks(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[FrameworkFilter, Query()],
    page: Paging,
) -> PageOut[FrameworkRead]:
    """The frameworks you may see with what remains of their ceilings, in id order."""
    return PageOut.of(frameworks.list_frameworks(session, caller, filters, page_request(page)))


@router.get("/frameworks/{framework_id}", response_model=FrameworkRead)
def get_framework(
    session: DbSession, caller: CurrentCaller, framework_id: RecordId, response: Response
) -> FrameworkRead:
    """One framework with what remains of its ceiling, with its ETag."""
    return _tagged(response, frameworks.get_framework(session, caller, framework_id))


@router.post("/frameworks/{framework_id}/sign", response_model=FrameworkRead)
def sign_framework(
    session: DbSession,
    caller: CurrentCaller,
    framework_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> FrameworkRead:
    """Draft → signed: call-offs may be placed (the agency; If-Match)."""
    signed = frameworks.sign_framework(session, caller, framework_id, version)
    session.commit()
    return _tagged(response, signed)


@router.post("/frameworks/{framework_id}/close", response_model=FrameworkRead)
def close_framework(
    session: DbSession,
    caller: CurrentCaller,
    framework_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> FrameworkRead:
    """Signed → closed: no more call-offs (the agency; If-Match)."""
    closed = frameworks.close_framework(session, caller, framework_id, version)
    session.commit()
    return _tagged(response, closed)


@router.post("/call-offs", status_code=status.HTTP_201_CREATED, response_model=CallOffRead)
def place_call_off(
    session: DbSession,
    caller: CurrentCaller,
    data: CallOffCreate,
    request: Request,
    response: Response,
) -> CallOffRead:
    """Call off under a signed framework (the agency, or a buyer nation for itself); the
    commitment it makes is honoured by the next plan. A call-off that breaks a rule of
    the framework (validity, ceiling, party, item, supplier) changes nothing."""
    made = call_offs.place_call_off(session, caller, data, utctoday())
    session.commit()
    return _created(request, response, "get_call_off", "call_off_id", made)


@router.get("/call-offs", response_model=PageOut[CallOffRead])
def list_call_offs(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[CallOffFilter, Query()],
    page: Paging,
) -> PageOut[CallOffRead]:
    """The call-offs you may see, in id order, filtered; follow `next_after`."""
    return PageOut.of(call_offs.list_call_offs(session, caller, filters, page_request(page)))


@router.get("/call-offs/{call_off_id}", response_model=CallOffRead)
def get_call_off(
    session: DbSession, caller: CurrentCaller, call_off_id: RecordId, response: Response
) -> CallOffRead:
    """One call-off, with its ETag."""
    return _tagged(response, call_offs.get_call_off(session, caller, call_off_id))


@router.post("/call-offs/{call_off_id}/cancel", response_model=CallOffRead)
def cancel_call_off(
    session: DbSession,
    caller: CurrentCaller,
    call_off_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> CallOffRead:
    """Placed → cancelled; its commitment is removed (the agency or the buyer; If-Match)."""
    cancelled = call_offs.cancel_call_off(session, caller, call_off_id, version)
    session.commit()
    return _tagged(response, cancelled)
