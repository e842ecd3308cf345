"""Tenders and bids: the agency publishes a draft lot as a tender; suppliers bid while it
is open; the agency closes it, evaluates the bids and awards one.

Workflow: published (open from `opens_on` to `closes_on`, inclusive) → closed (on or after
the closing day) → awarded; published or closed → cancelled, which returns the lot to
draft. A bid is submitted and may be withdrawn by its supplier while the tender is open;
at award the chosen bid becomes awarded and the other submitted ones not_awarded. Each
supplier has at most one submitted bid per tender. `today` is a parameter: the boundary
passes the current date, tests a fixed one.
"""

from __future__ import annotations

import math
from datetime import date

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue.service import AGENCY, found, label_for, label_of, require_role
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.procurement import repository
from alliedforge.domain.procurement.evaluation import (
    Offer,
    PastPerformance,
    Tier,
    Units,
    cost,
    on_time_share,
    rank,
    unit_price,
)
from alliedforge.domain.procurement.lots import writable_lot
from alliedforge.domain.procurement.models import (
    OCID_PREFIX,
    Bid,
    BidStatus,
    Lot,
    LotStatus,
    Method,
    Tender,
    TenderStatus,
)
from alliedforge.domain.procurement.schemas import (
    BidCreate,
    BidRead,
    Evaluation,
    RankedBid,
    ScheduleIn,
    TenderCreate,
    TenderFilter,
    TenderRead,
    TierIn,
    Weights,
)
from alliedforge.domain.procurement.track_record import past_performance as track_records
from alliedforge.domain.procurement.writes import add, apply, labelled, require_status
from alliedforge.store.base import utcnow

ENTITY = "tender"
BID = "bid"
# A schedule may fall short of the lot by rounding noise only.
COVER_TOLERANCE = 1e-9


def publish_tender(session: Session, caller: Caller, data: TenderCreate, today: date) -> TenderRead:
    """Put a draft lot to tender; the lot becomes tendered."""
    require_role(caller, AGENCY, "tenders")
    lot = writable_lot(session, caller, data.lot_id, None, field="lot_id")
    if lot.status != LotStatus.DRAFT:
        raise InvalidError("lot_id", lot.id, f"lot {lot.code} is {lot.status}, not a draft")
    if data.closes_on < today:
        raise InvalidError("closes_on", data.closes_on.isoformat(), "the day is past")
    label = label_for(caller, data.label)
    tender = Tender(
        ocid=f"{OCID_PREFIX}-{lot.code}-T{repository.tenders_of_lot(session, lot.id) + 1}",
        lot_id=lot.id,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        method=data.method,
        weight_price=data.weights.price,
        weight_delivery=data.weights.delivery,
        weight_past_performance=data.weights.past_performance,
        status=TenderStatus.PUBLISHED,
        published_at=utcnow(),
        created_by=caller.name,
    )
    labelled(tender, label)
    add(session, caller, ENTITY, tender)
    apply(session, caller, "lot", lot, "tender", {"status": LotStatus.TENDERED})
    return get_tender(session, caller, tender.id)


def list_tenders(
    session: Session, caller: Caller, filters: TenderFilter, page: PageRequest
) -> Page[TenderRead]:
    """One page of the tenders the caller may see, in id order."""
    rows = repository.tender_rows(session, caller, filters, page)
    items = [_read(tender, lot) for tender, lot in rows[: page.limit]]
    return Page(items, items[-1].id if len(rows) > page.limit else None)


def get_tender(session: Session, caller: Caller, tender_id: int) -> TenderRead:
    """A tender the caller may see, or `NotFoundError`."""
    return _read(*found(repository.find_tender(session, caller, tender_id), ENTITY, tender_id))


def close_tender(
    session: Session, caller: Caller, tender_id: int, expected_version: int, today: date
) -> TenderRead:
    """Published → closed, by the agency, from the closing day on (bidding ends)."""
    tender, _lot = _writable(session, caller, tender_id, expected_version)
    require_status(ENTITY, tender.status, "closed", TenderStatus.PUBLISHED)
    if today < tender.closes_on:
        raise InvalidError(
            "closes_on", tender.closes_on.isoformat(), "bids are open until then; close it then"
        )
    changes = {"status": TenderStatus.CLOSED, "closed_at": utcnow()}
    apply(session, caller, ENTITY, tender, "close", changes, expected_version)
    return get_tender(session, caller, tender_id)


def cancel_tender(
    session: Session, caller: Caller, tender_id: int, expected_version: int
) -> TenderRead:
    """Published or closed → cancelled, by the agency: its submitted bids are not awarded
    and the lot is a draft again."""
    tender, lot = _writable(session, caller, tender_id, expected_version)
    require_status(ENTITY, tender.status, "cancelled", TenderStatus.PUBLISHED, TenderStatus.CLOSED)
    for bid, _supplier in repository.bids_of(session, tender.id, BidStatus.SUBMITTED):
        apply(session, caller, BID, bid, "not_award", {"status": BidStatus.NOT_AWARDED})
    changes = {"status": TenderStatus.CANCELLED, "cancelled_at": utcnow()}
    apply(session, caller, ENTITY, tender, "cancel", changes, expected_version)
    apply(session, caller, "lot", lot, "reopen", {"status": LotStatus.DRAFT})
    return get_tender(session, caller, tender_id)


def evaluate_tender(
    session: Session,
    caller: Caller,
    tender_id: int,
    expected_version: int,
    past_performance: PastPerformance | None = None,
) -> Evaluation:
    """Score the submitted bids of a closed tender by its method and store the scores;
    past performance defaults to the suppliers' track records."""
    tender, _lot = _writable(session, caller, tender_id, expected_version)
    require_status(ENTITY, tender.status, "evaluated", TenderStatus.CLOSED)
    evaluation = _evaluate(session, caller, tender, past_performance or track_records(session))
    apply(session, caller, ENTITY, tender, "evaluate", {"evaluated_at": utcnow()}, expected_version)
    return evaluation


def award_tender(
    session: Session,
    caller: Caller,
    tender_id: int,
    bid_id: int,
    expected_version: int,
    past_performance: PastPerformance | None = None,
) -> TenderRead:
    """Closed → awarded to one submitted bid, by the agency; the other submitted bids are
    not awarded, the lot is awarded. Bids are scored first if they were not yet (past
    performance from the track records unless given)."""
    tender, lot = _writable(session, caller, tender_id, expected_version)
    require_status(ENTITY, tender.status, "awarded", TenderStatus.CLOSED)
    bids = repository.bids_of(session, tender.id, BidStatus.SUBMITTED)
    if bid_id not in {bid.id for bid, _ in bids}:
        raise InvalidError("bid_id", bid_id, f"no submitted bid of tender {tender.id}")
    if tender.evaluated_at is None:
        _evaluate(session, caller, tender, past_performance or track_records(session))
    for bid, _supplier in bids:
        status = BidStatus.AWARDED if bid.id == bid_id else BidStatus.NOT_AWARDED
        apply(
            session,
            caller,
            BID,
            bid,
            "award" if bid.id == bid_id else "not_award",
            {"status": status},
        )
    now = utcnow()
    changes = {"status": TenderStatus.AWARDED, "awarded_at": now}
    if tender.evaluated_at is None:
        changes["evaluated_at"] = now
    apply(session, caller, ENTITY, tender, "award", changes, expected_version)
    apply(session, caller, "lot", lot, "award", {"status": LotStatus.AWARDED})
    return get_tender(session, caller, tender_id)


def _evaluate(
    session: Session, caller: Caller, tender: Tender, past_performance: PastPerformance
) -> Evaluation:
    bids = repository.bids_of(session, tender.id, BidStatus.SUBMITTED)
    offers = [Offer(bid.id, supplier, bid.cost, bid.delivery) for bid, supplier in bids]
    best_value = tender.method == Method.BEST_VALUE
    weights = (tender.weight_price, tender.weight_delivery, tender.weight_past_performance)
    ranking = rank(offers, best_value, weights, past_performance)
    by_id = {bid.id: (bid, supplier) for bid, supplier in bids}
    ranked: list[RankedBid] = []
    for place in ranking:
        bid, supplier = by_id[place.bid_id]
        apply(session, caller, BID, bid, "score", {"score": place.score})
        ranked.append(
            RankedBid(
                bid_id=bid.id,
                supplier=supplier,
                cost=bid.cost,
                delivery=bid.delivery,
                past_performance=min(1.0, max(0.0, past_performance(supplier))),
                score=place.score,
                rank=place.rank,
            )
        )
    return Evaluation(tender_id=tender.id, method=Method(tender.method), ranking=ranked)


def _writable(
    session: Session, caller: Caller, tender_id: int, expected_version: int
) -> tuple[Tender, Lot]:
    """The tender (locked) and its lot, if the caller sees it, is the agency and read the
    current version."""
    tender, lot = found(
        repository.find_tender(session, caller, tender_id, lock=True), ENTITY, tender_id
    )
    require_role(caller, AGENCY, "tenders")
    if tender.version != expected_version:
        raise ConflictError(ENTITY, tender_id, expected_version, tender.version)
    return tender, lot


def _read(tender: Tender, lot: Lot) -> TenderRead:
    return TenderRead(
        id=tender.id,
        ocid=tender.ocid,
        lot_id=lot.id,
        lot=lot.code,
        family=lot.family,
        opens_on=tender.opens_on,
        closes_on=tender.closes_on,
        method=Method(tender.method),
        weights=Weights.model_construct(
            price=tender.weight_price,
            delivery=tender.weight_delivery,
            past_performance=tender.weight_past_performance,
        ),
        status=TenderStatus(tender.status),
        published_at=tender.published_at,
        closed_at=tender.closed_at,
        evaluated_at=tender.evaluated_at,
        awarded_at=tender.awarded_at,
        cancelled_at=tender.cancelled_at,
        created_by=tender.created_by,
        version=tender.version,
        label=label_of(tender),
    )


# Bids


def submit_bid(
    session: Session, caller: Caller, tender_id: int, data: BidCreate, today: date
) -> BidRead:
    """A supplier's bid on an open tender: a schedule covering the lot's units within the
    capacity offered per month; its cost and on-time share are fixed now."""
    tender, lot = found(
        repository.find_tender(session, caller, tender_id, lock=True), ENTITY, tender_id
    )
    if caller.role is not Role.SUPPLIER or caller.supplier_id is None:
        raise ForbiddenError(f"only a supplier bids; a {caller.role} user cannot")
    _require_open(tender, today)
    mine = [
        bid
        for bid, _ in repository.bids_of(session, tender.id, BidStatus.SUBMITTED)
        if bid.supplier_id == caller.supplier_id
    ]
    if mine:
        raise InvalidError(
            "tender", tender.id, f"you have bid {mine[0].id} on it; withdraw that one first"
        )
    needs = repository.lot_needs(session, lot.id)
    quantity = sum(units for _, units in needs)
    _check_schedule(data, quantity)
    tiers = [Tier(tier.min_quantity, tier.unit_price) for tier in data.tiers]
    price = cost(tiers, quantity)
    if not math.isfinite(price):
        raise InvalidError("tiers", unit_price(tiers, quantity), "the lot's cost overflows")
    schedule = [Units(entry.month, entry.quantity) for entry in data.schedule]
    bid = Bid(
        tender_id=tender.id,
        supplier_id=caller.supplier_id,
        tiers=[tier.model_dump() for tier in data.tiers],
        schedule=[entry.model_dump() for entry in data.schedule],
        capacity_per_month=data.capacity_per_month,
        cost=price,
        delivery=on_time_share(schedule, [Units(month, units) for month, units in needs]),
        status=BidStatus.SUBMITTED,
        submitted_at=utcnow(),
        created_by=caller.name,
    )
    labelled(bid, label_for(caller, data.label))
    add(session, caller, BID, bid)
    return get_bid(session, caller, bid.id)


def _check_schedule(data: BidCreate, quantity: float) -> None:
    for entry in data.schedule:
        if entry.quantity > data.capacity_per_month:
            raise InvalidError(
                "schedule",
                entry.month,
                f"{entry.quantity:g} units exceed the capacity offered, "
                f"{data.capacity_per_month:g} a month",
            )
    offered = sum(entry.quantity for entry in data.schedule)
    if offered < quantity * (1 - COVER_TOLERANCE):
        raise InvalidError(
            "schedule",
            offered,
            f"the lot needs {quantity:g} units; the schedule brings {offered:g}",
        )


def _require_open(tender: Tender, today: date) -> None:
    if tender.status != TenderStatus.PUBLISHED:
        raise InvalidError("tender", tender.id, f"the tender is {tender.status}, not open")
    if today < tender.opens_on:
        raise InvalidError("tender", tender.id, f"bids open on {tender.opens_on.isoformat()}")
    if today > tender.closes_on:
        raise InvalidError("tender", tender.id, f"bids closed on {tender.closes_on.isoformat()}")


def withdraw_bid(
    session: Session, caller: Caller, bid_id: int, expected_version: int, today: date
) -> BidRead:
    """Submitted → withdrawn, by its supplier while the tender is open."""
    bid, _supplier = found(repository.find_bid(session, caller, bid_id), BID, bid_id)
    if caller.role is not Role.SUPPLIER:
        raise ForbiddenError("only the supplier who bid may withdraw a bid")
    if bid.version != expected_version:
        raise ConflictError(BID, bid_id, expected_version, bid.version)
    require_status(BID, bid.status, "withdrawn", BidStatus.SUBMITTED)
    tender, _lot = found(
        repository.find_tender(session, caller, bid.tender_id, lock=True), ENTITY, bid.tender_id
    )
    _require_open(tender, today)
    changes = {"status": BidStatus.WITHDRAWN, "withdrawn_at": utcnow()}
    apply(session, caller, BID, bid, "withdraw", changes, expected_version)
    return get_bid(session, caller, bid_id)


def list_bids(session: Session, caller: Caller, tender_id: int, page: PageRequest) -> Page[BidRead]:
    """The bids of a tender the caller may see (staff all, a supplier its own, a nation
    none), in id order."""
    found(repository.find_tender(session, caller, tender_id), ENTITY, tender_id)
    rows = repository.bid_rows(session, caller, tender_id, page)
    items = [_bid(bid, supplier) for bid, supplier in rows[: page.limit]]
    return Page(items, items[-1].id if len(rows) > page.limit else None)


def get_bid(session: Session, caller: Caller, bid_id: int) -> BidRead:
    """A bid the caller may see, or `NotFoundError`."""
    return _bid(*found(repository.find_bid(session, caller, bid_id), BID, bid_id))


def _bid(bid: Bid, supplier: str) -> BidRead:
    return BidRead(
        id=bid.id,
        tender_id=bid.tender_id,
        supplier=supplier,
        tiers=[TierIn.model_construct(**tier) for tier in bid.tiers],
        schedule=[ScheduleIn.model_construct(**entry) for entry in bid.schedule],
        capacity_per_month=bid.capacity_per_month,
        cost=bid.cost,
        delivery=bid.delivery,
        score=bid.score,
        status=BidStatus(bid.status),
        submitted_at=bid.submitted_at,
        withdrawn_at=bid.withdrawn_at,
        version=bid.version,
        label=label_of(bid),
    )
