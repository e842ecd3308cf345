"""Deliveries against placed call-offs: recorded with the units delivered and accepted, each
accepted unit booked into the buyer's stockpile ledger in the same transaction; voided,
never edited; and reported by nation and item family.

The rules, in the order they are checked (each refusal an `InvalidError` naming the field
and value, and none changes anything): the call-off is one the caller sees (a supplier:
under its own frameworks; the agency: any) and is placed; the delivery is dated neither
after today nor before the call-off was placed; no more units are accepted than
delivered; and the call-off's accepted units, this delivery's included, stay within its
quantity. Nations read the deliveries made to them; only the agency and suppliers record
and void them. The buyer's row is locked first, so that its deliveries are recorded one
at a time (the accepted totals and the ledger's opening are read afresh).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.catalogue.service import AGENCY, found, label_of
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.procurement import repository, stock
from alliedforge.domain.procurement.models import (
    CallOff,
    CallOffStatus,
    Delivery,
    DeliveryStatus,
    LedgerSource,
)
from alliedforge.domain.procurement.schemas import (
    DeliveryCreate,
    DeliveryFilter,
    DeliveryRead,
    DeliveryReport,
    DeliveryReportRow,
)
from alliedforge.domain.procurement.writes import add, apply, labelled
from alliedforge.scenario.months import month_index
from alliedforge.store.base import utcnow

ENTITY = "delivery"
RECORDERS = AGENCY | {Role.SUPPLIER}
# Sums may pass a limit by float noise only.
TOLERANCE = 1e-9


def delivery_status(
    quantity: float, accepted: float, accepted_before: float, called_off: float
) -> DeliveryStatus:
    """Rejected when nothing is accepted; partial when fewer units are accepted than
    delivered, or when the call-off's accepted units (`accepted_before` plus this
    delivery's) still fall short of the `called_off` quantity; accepted otherwise."""
    if accepted <= 0:
        return DeliveryStatus.REJECTED
    short = accepted_before + accepted < called_off * (1 - TOLERANCE)
    if accepted < quantity or short:
        return DeliveryStatus.PARTIAL
    return DeliveryStatus.ACCEPTED


def months_late(due: str, delivered: str) -> int:
    """Months a delivery in month `delivered` comes after the month `due` (0: in or before it)."""
    return max(0, month_index(due, delivered))


def record_delivery(
    session: Session, caller: Caller, data: DeliveryCreate, today: date
) -> DeliveryRead:
    """Record a delivery against a placed call-off and book its accepted units into the
    buyer's stockpile ledger."""
    if not (caller.unrestricted or caller.role in RECORDERS):
        raise ForbiddenError(f"a {caller.role} user cannot record deliveries")
    if repository.find_call_off(session, caller, data.call_off_id) is None:
        raise InvalidError("call_off_id", data.call_off_id, "no such call-off")
    call_off = repository.lock_call_off(session, data.call_off_id)
    assert call_off is not None  # seen a moment ago; call-offs are never deleted
    repository.lock_nation(session, call_off.nation_id)
    _check(call_off, data, today)
    before = repository.accepted_under(session, call_off.id)
    if before + data.accepted > call_off.quantity * (1 + TOLERANCE):
        raise InvalidError(
            "accepted",
            data.accepted,
            f"call-off {call_off.code} is for {call_off.quantity:g} units and {before:g} are "
            f"accepted already: {max(call_off.quantity - before, 0):g} more can be",
        )
    month = stock.month_of(data.delivered_on)
    delivery = Delivery(
        call_off_id=call_off.id,
        nation_id=call_off.nation_id,
        supplier_id=repository.supplier_of_call_off(session, call_off.id),
        delivered_on=data.delivered_on,
        month=month,
        quantity=data.quantity,
        accepted=data.accepted,
        status=delivery_status(data.quantity, data.accepted, before, call_off.quantity),
        months_late=months_late(call_off.month, month),
        note=data.note,
        recorded_at=utcnow(),
        created_by=caller.name,
    )
    # A delivery is part of its call-off's record: it carries the call-off's label.
    labelled(delivery, Label.parse(call_off.classification, call_off.releasable_to))
    add(session, caller, ENTITY, delivery)
    if delivery.accepted > 0:
        system = repository.served_system_of(session, call_off.id)
        units = delivery.accepted
        stock.book(session, caller, delivery, system, units, LedgerSource.DELIVERY, today)
    return get_delivery(session, caller, delivery.id)


def _check(call_off: CallOff, data: DeliveryCreate, today: date) -> None:
    if call_off.status != CallOffStatus.PLACED:
        raise InvalidError(
            "call_off_id",
            call_off.id,
            f"call-off {call_off.code} is {call_off.status}; only a placed one takes deliveries",
        )
    if data.delivered_on > today:
        raise InvalidError("delivered_on", data.delivered_on.isoformat(), "is after today")
    if data.delivered_on < call_off.placed_on:
        raise InvalidError(
            "delivered_on",
            data.delivered_on.isoformat(),
            f"is before call-off {call_off.code} was placed, on {call_off.placed_on.isoformat()}",
        )
    if data.accepted > data.quantity:
        raise InvalidError(
            "accepted", data.accepted, f"more than the {data.quantity:g} units delivered"
        )


def void_delivery(
    session: Session, caller: Caller, delivery_id: int, expected_version: int, today: date
) -> DeliveryRead:
    """Void a wrongly recorded delivery, by the agency or its supplier: it stays in the
    record marked void, no longer counts, and its accepted units are booked back out of
    the ledger."""
    delivery: Delivery = found(
        repository.find_delivery(session, caller, delivery_id), ENTITY, delivery_id
    )[0]
    if not (caller.unrestricted or caller.role in RECORDERS):
        raise ForbiddenError(f"a {caller.role} user cannot void deliveries")
    if delivery.version != expected_version:
        raise ConflictError(ENTITY, delivery_id, expected_version, delivery.version)
    repository.lock_nation(session, delivery.nation_id)
    if delivery.voided_at is not None:
        raise InvalidError("delivery_id", delivery_id, "the delivery is void already")
    apply(session, caller, ENTITY, delivery, "void", {"voided_at": utcnow()}, expected_version)
    if delivery.accepted > 0:
        system = repository.served_system_of(session, delivery.call_off_id)
        stock.book(session, caller, delivery, system, -delivery.accepted, LedgerSource.VOID, today)
    return get_delivery(session, caller, delivery_id)


def list_deliveries(
    session: Session, caller: Caller, filters: DeliveryFilter, page: PageRequest
) -> Page[DeliveryRead]:
    """One page of the deliveries the caller may see, in id order."""
    rows = repository.delivery_rows(session, caller, filters, page)
    items = [_read(*row) for row in rows[: page.limit]]
    return Page(items, items[-1].id if len(rows) > page.limit else None)


def get_delivery(session: Session, caller: Caller, delivery_id: int) -> DeliveryRead:
    """A delivery the caller may see, or `NotFoundError`."""
    return _read(
        *found(repository.find_delivery(session, caller, delivery_id), ENTITY, delivery_id)
    )


def delivery_report(session: Session, caller: Caller, start: date, end: date) -> DeliveryReport:
    """Units delivered and accepted and the value accepted between `start` and `end` (both
    days included) by nation and item family: a nation's own, a supplier's own deliveries,
    staff all."""
    if end < start:
        raise InvalidError("to", end.isoformat(), f"is before from, {start.isoformat()}")
    rows = [
        DeliveryReportRow(
            nation=nation,
            family=family,
            deliveries=int(count),
            delivered=float(delivered),
            accepted=float(accepted),
            value=float(value),
        )
        for nation, family, count, delivered, accepted, value in repository.report_rows(
            session, caller, start, end
        )
    ]
    return DeliveryReport(
        start=start,
        end=end,
        rows=rows,
        delivered=sum(row.delivered for row in rows),
        accepted=sum(row.accepted for row in rows),
        value=sum(row.value for row in rows),
    )


def _read(
    delivery: Delivery,
    call_off: str,
    call_off_month: str,
    unit_price: float,
    nation: str,
    supplier: str,
    nsn: str | None,
    other: str | None,
    family: str,
    weapon_system: str,
) -> DeliveryRead:
    return DeliveryRead(
        id=delivery.id,
        call_off_id=delivery.call_off_id,
        call_off=call_off,
        nation=nation,
        supplier=supplier,
        item=repository.item_code(nsn, other),
        family=family,
        weapon_system=weapon_system,
        call_off_month=call_off_month,
        delivered_on=delivery.delivered_on,
        month=delivery.month,
        quantity=delivery.quantity,
        accepted=delivery.accepted,
        status=DeliveryStatus(delivery.status),
        months_late=delivery.months_late,
        unit_price=unit_price,
        value=delivery.accepted * unit_price,
        note=delivery.note,
        recorded_at=delivery.recorded_at,
        voided_at=delivery.voided_at,
        created_by=delivery.created_by,
        version=delivery.version,
        label=label_of(delivery),
    )
