"""A supplier's track record, computed from the record: tenders won, framework contracts
signed, call-offs placed under them, units delivered and accepted, the value accepted and
the on-time rate — and the past performance best-value evaluation weighs.

A track record is a public profile: any role reads any supplier's (as far as the
supplier's own label allows), because it is an aggregate that reveals no single bid,
call-off or delivery. The on-time rate is the share of accepted units delivered in or
before their call-off's month; past performance is that rate, 1 while the supplier has
delivered nothing (a newcomer is not marked down), and 0 when it delivered and none of it
was accepted. Voided deliveries do not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.errors import NotFoundError
from alliedforge.domain.industry.models import Supplier
from alliedforge.domain.industry.repository import find_supplier
from alliedforge.domain.procurement import repository
from alliedforge.domain.procurement.evaluation import PastPerformance
from alliedforge.domain.procurement.schemas import TrackRecordRead

# Past performance of a supplier with no deliveries yet.
NO_DELIVERIES = 1.0


@dataclass(frozen=True, slots=True)
class Delivered:
    """One delivery as the track record counts it: the month its call-off asked for
    (`due`), the month it came, units delivered and accepted, the call-off's unit price."""

    due: str
    month: str
    quantity: float
    accepted: float
    unit_price: float


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """What a supplier has won and delivered (units; value in the record's currency)."""

    tenders_won: int
    frameworks: int
    call_offs: int
    units_called_off: float
    deliveries: int
    units_delivered: float
    units_accepted: float
    value: float
    on_time_units: float

    @property
    def on_time_rate(self) -> float | None:
        """The share of accepted units delivered on time (None: none accepted yet)."""
        return self.on_time_units / self.units_accepted if self.units_accepted > 0 else None

    @property
    def past_performance(self) -> float:
        """The on-time rate; 1 with no deliveries, 0 when none was accepted."""
        if self.deliveries == 0:
            return NO_DELIVERIES
        return self.on_time_rate or 0.0


def summarise_track_record(
    tenders_won: int,
    frameworks: int,
    call_offs: int,
    units_called_off: float,
    delivered: Iterable[Delivered],
) -> TrackRecord:
    """A track record from what the supplier won and its deliveries."""
    rows = list(delivered)
    return TrackRecord(
        tenders_won=tenders_won,
        frameworks=frameworks,
        call_offs=call_offs,
        units_called_off=units_called_off,
        deliveries=len(rows),
        units_delivered=sum(row.quantity for row in rows),
        units_accepted=sum(row.accepted for row in rows),
        value=sum(row.accepted * row.unit_price for row in rows),
        on_time_units=sum(row.accepted for row in rows if row.month <= row.due),
    )


def track_record(session: Session, supplier_id: int) -> TrackRecord:
    """The track record of the supplier with this id, from every row (labels aside: an
    aggregate reveals none)."""
    call_offs, units = repository.call_offs_placed(session, supplier_id)
    return summarise_track_record(
        repository.tenders_won(session, supplier_id),
        repository.frameworks_signed(session, supplier_id),
        call_offs,
        units,
        (Delivered(*row) for row in repository.delivered_by(session, supplier_id)),
    )


def get_track_record(session: Session, caller: Caller, supplier_id: int) -> TrackRecordRead:
    """The track record of a supplier the caller may read, or `NotFoundError`."""
    supplier = find_supplier(session, caller, supplier_id)
    if supplier is None:
        raise NotFoundError("supplier", supplier_id)
    return _read(supplier, track_record(session, supplier_id))


def _read(supplier: Supplier, record: TrackRecord) -> TrackRecordRead:
    return TrackRecordRead(
        supplier=supplier.code,
        tenders_won=record.tenders_won,
        frameworks=record.frameworks,
        call_offs=record.call_offs,
        units_called_off=record.units_called_off,
        deliveries=record.deliveries,
        units_delivered=record.units_delivered,
        units_accepted=record.units_accepted,
        value=record.value,
        on_time_units=record.on_time_units,
        on_time_rate=record.on_time_rate,
        past_performance=record.past_performance,
    )


def past_performance(session: Session) -> PastPerformance:
    """Past performance by supplier code, from the track records (read once per supplier)."""
    ids = repository.supplier_ids(session)
    known: dict[str, float] = {}

    def of(code: str) -> float:
        if code not in known:
            supplier_id = ids.get(code)
            known[code] = (
                NO_DELIVERIES
                if supplier_id is None
                else track_record(session, supplier_id).past_performance
            )
        return known[code]

    return of
