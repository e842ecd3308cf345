"""What goes in and out of the procurement services: lots, tenders, bids, frameworks,
call-offs, deliveries, stock and track records. Quantities in units, money in the record's
currency, dates as ISO dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from alliedforge.domain.demand.schemas import RowId
from alliedforge.domain.procurement.models import (
    BidStatus,
    CallOffStatus,
    DeliveryStatus,
    FrameworkStatus,
    Grouping,
    LedgerSource,
    LotStatus,
    Method,
    TenderStatus,
)
from alliedforge.domain.requirements.schemas import Code, LabelIn, Month, NationCode, Quantity

MAX_TIERS = 20
MAX_SCHEDULE = 240
WEIGHT_TOLERANCE = 1e-6


class TierIn(BaseModel):
    """All-units price tier: from `min_quantity` units, every unit costs `unit_price`."""

    model_config = ConfigDict(extra="forbid")

    min_quantity: Quantity
    unit_price: Quantity


def _tiers(tiers: list[TierIn]) -> list[TierIn]:
    ordered = sorted(tiers, key=lambda tier: tier.min_quantity)
    if ordered[0].min_quantity != 0:
        raise ValueError("the first tier starts at min_quantity 0, so every quantity has a price")
    starts = [tier.min_quantity for tier in ordered]
    if len(set(starts)) != len(starts):
        raise ValueError("each tier starts at a different min_quantity")
    return ordered


Tiers = Annotated[list[TierIn], Field(min_length=1, max_length=MAX_TIERS), AfterValidator(_tiers)]


class ScheduleIn(BaseModel):
    """Units a bid delivers in a month."""

    model_config = ConfigDict(extra="forbid")

    month: Month
    quantity: Quantity


def _schedule(entries: list[ScheduleIn]) -> list[ScheduleIn]:
    months = [entry.month for entry in entries]
    if len(set(months)) != len(months):
        raise ValueError("each month appears once in a delivery schedule")
    return sorted(entries, key=lambda entry: entry.month)


Schedule = Annotated[
    list[ScheduleIn], Field(min_length=1, max_length=MAX_SCHEDULE), AfterValidator(_schedule)
]
Weight = Annotated[float, Field(ge=0, le=1)]


# Lots


class LotsFromPlan(BaseModel):
    """Pool a finished plan run's planned deliveries into lots: per planned supplier and
    item family (`supplier-family`) or per item family (`family`); a group of fewer than
    `min_participants` nations is left out."""

    model_config = ConfigDict(extra="forbid")

    run_id: RowId
    grouping: Grouping = Grouping.SUPPLIER_FAMILY
    min_participants: Annotated[int, Field(ge=1, le=100)] = 3
    label: LabelIn = LabelIn()


class LotLineRead(BaseModel):
    """A nation's planned units of an item in a month; `requirement` (its code) or
    `stockpile` (its id) is what it serves — shown to staff and the nation only."""

    id: int
    nation: str
    requirement: str | None
    stockpile: int | None
    item: str
    month: str
    quantity: float
    unit_price: float
    value: float


class NationShare(BaseModel):
    """A nation's part of a lot: units, value and its share of the lot's value."""

    nation: str
    quantity: float
    value: float
    share: float


class LotRead(BaseModel):
    """A lot: its item family, the nations taking part, its units and value, the cost
    shares the caller may see (staff: all; a nation: its own; a supplier: none)."""

    id: int
    code: str
    name: str
    family: str
    grouping: Grouping
    supplier: str | None
    plan_run_id: int | None
    status: LotStatus
    participants: list[str]
    quantity: float
    value: float
    shares: list[NationShare]
    created_by: str | None
    created_at: datetime
    version: int
    label: dict[str, Any]


class LotDetail(LotRead):
    """A lot with the lines the caller may see (a nation: its own)."""

    lines: list[LotLineRead]


class LeftOutRead(BaseModel):
    """A group of planned deliveries not made into a lot, and why."""

    supplier: str | None
    family: str
    nations: list[str]
    reason: str


class LotsMade(BaseModel):
    """The lots made from a plan run and the groups left out."""

    lots: list[LotRead]
    left_out: list[LeftOutRead]


class LotFilter(BaseModel):
    """List filters; every given one must match."""

    status: LotStatus | None = None
    plan_run_id: RowId | None = None


# Tenders and bids


class Weights(BaseModel):
    """Weights of best-value evaluation, summing to 1."""

    model_config = ConfigDict(extra="forbid")

    price: Weight = 0.6
    delivery: Weight = 0.3
    past_performance: Weight = 0.1

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        total = self.price + self.delivery + self.past_performance
        if abs(total - 1) > WEIGHT_TOLERANCE:
            raise ValueError(f"weights sum to {total:g}, not 1")
        return self


class TenderCreate(BaseModel):
    """Publish a draft lot as a tender, open for bids from `opens_on` to `closes_on`
    (inclusive)."""

    model_config = ConfigDict(extra="forbid")

    lot_id: RowId
    opens_on: date
    closes_on: date
    method: Method = Method.BEST_VALUE
    weights: Weights = Weights()
    label: LabelIn = LabelIn()

    @model_validator(mode="after")
    def _period(self) -> TenderCreate:
        if self.closes_on < self.opens_on:
            raise ValueError("closes_on is before opens_on")
        return self


class TenderRead(BaseModel):
    """A tender with the dates of its stages."""

    id: int
    ocid: str
    lot_id: int
    lot: str
    family: str
    opens_on: date
    closes_on: date
    method: Method
    weights: Weights
    status: TenderStatus
    published_at: datetime
    closed_at: datetime | None
    evaluated_at: datetime | None
    awarded_at: datetime | None
    cancelled_at: datetime | None
    created_by: str | None
    version: int
    label: dict[str, Any]


class TenderFilter(BaseModel):
    """List filters; every given one must match."""

    status: TenderStatus | None = None
    lot_id: RowId | None = None


class AwardIn(BaseModel):
    """The bid to award."""

    model_config = ConfigDict(extra="forbid")

    bid_id: RowId


class BidCreate(BaseModel):
    """A supplier's offer for the whole lot: price tiers, a delivery schedule covering the
    lot's units, and the most it delivers in any month."""

    model_config = ConfigDict(extra="forbid")

    tiers: Tiers
    schedule: Schedule
    capacity_per_month: Quantity
    label: LabelIn = LabelIn()


class BidRead(BaseModel):
    """A bid: its offer, the cost of the lot under its tiers, the share of the lot it
    delivers on time (0–1) and, once the tender is evaluated, its score."""

    id: int
    tender_id: int
    supplier: str
    tiers: list[TierIn]
    schedule: list[ScheduleIn]
    capacity_per_month: float
    cost: float
    delivery: float
    score: float | None
    status: BidStatus
    submitted_at: datetime
    withdrawn_at: datetime | None
    version: int
    label: dict[str, Any]


class RankedBid(BaseModel):
    """A bid's place in the evaluation (1 = best) and what made its score."""

    bid_id: int
    supplier: str
    cost: float
    delivery: float
    past_performance: float
    score: float
    rank: int


class Evaluation(BaseModel):
    """The submitted bids of a closed tender, best first."""

    tender_id: int
    method: Method
    ranking: list[RankedBid]


# Frameworks and call-offs


class FrameworkItemIn(BaseModel):
    """An item a framework covers and its price tiers."""

    model_config = ConfigDict(extra="forbid")

    item: Code
    tiers: Tiers


class FrameworkItemRead(BaseModel):
    item: str
    tiers: list[TierIn]


def _dates(valid_from: date, valid_to: date) -> None:
    if valid_to < valid_from:
        raise ValueError("valid_to is before valid_from")


class FrameworkCreate(BaseModel):
    """A framework agreed directly (no tender): the supplier, buyer nations, items with
    tiers, a ceiling and validity dates; `currency` defaults to the record's."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    supplier: Code
    parties: Annotated[list[NationCode], Field(min_length=1, max_length=64)]
    items: Annotated[list[FrameworkItemIn], Field(min_length=1, max_length=100)]
    valid_from: date
    valid_to: date
    ceiling_quantity: Quantity
    ceiling_value: Quantity
    currency: Annotated[str, Field(min_length=3, max_length=3, pattern="^[A-Z]{3}$")] | None = None
    label: LabelIn = LabelIn()

    @model_validator(mode="after")
    def _validity(self) -> FrameworkCreate:
        _dates(self.valid_from, self.valid_to)
        return self


class FrameworkFromTender(BaseModel):
    """A framework from an awarded tender: the winner is the supplier, the lot's nations
    the parties, its items at the winning tiers. The ceiling defaults to the lot's units
    and the winning bid's cost of them."""

    model_config = ConfigDict(extra="forbid")

    tender_id: RowId
    code: Code
    valid_from: date
    valid_to: date
    ceiling_quantity: Quantity | None = None
    ceiling_value: Quantity | None = None
    label: LabelIn = LabelIn()

    @model_validator(mode="after")
    def _validity(self) -> FrameworkFromTender:
        _dates(self.valid_from, self.valid_to)
        return self


class FrameworkRead(BaseModel):
    """A framework with what has been called off and what remains of its ceiling."""

    id: int
    code: str
    ocid: str
    supplier: str
    tender_id: int | None
    parties: list[str]
    items: list[FrameworkItemRead]
    valid_from: date
    valid_to: date
    ceiling_quantity: float
    ceiling_value: float
    currency: str
    called_off_quantity: float
    called_off_value: float
    remaining_quantity: float
    remaining_value: float
    status: FrameworkStatus
    created_by: str | None
    created_at: datetime
    signed_at: datetime | None
    closed_at: datetime | None
    version: int
    label: dict[str, Any]


class FrameworkFilter(BaseModel):
    """List filters; every given one must match."""

    status: FrameworkStatus | None = None
    supplier: Code | None = None
    nation: NationCode | None = None


class CallOffCreate(BaseModel):
    """Call off units of an item under a signed framework, for delivery in `month`, serving
    the buyer nation's `requirement` (its code) or `stockpile` (its id). A nation user may
    leave out `nation` (their own); `line` defaults to the supplier's first active line
    making the item."""

    model_config = ConfigDict(extra="forbid")

    framework_id: RowId
    nation: NationCode | None = None
    item: Code
    line: Code | None = None
    quantity: Annotated[Quantity, Field(gt=0)]
    month: Month
    requirement: Code | None = None
    stockpile: RowId | None = None
    label: LabelIn = LabelIn()


class CallOffRead(BaseModel):
    """A call-off: what, from which line, for whom, at which price; the commitment it made."""

    id: int
    code: str
    ocid: str
    framework_id: int
    framework: str
    framework_ocid: str
    nation: str
    supplier: str
    item: str
    line: str
    requirement: str | None
    stockpile: int | None
    month: str
    quantity: float
    unit_price: float
    value: float
    placed_on: date
    status: CallOffStatus
    commitment_id: int | None
    placed_at: datetime
    cancelled_at: datetime | None
    created_by: str | None
    version: int
    label: dict[str, Any]


class CallOffFilter(BaseModel):
    """List filters; every given one must match."""

    framework_id: RowId | None = None
    nation: NationCode | None = None
    status: CallOffStatus | None = None


# Deliveries, stockpiles and the track record

Note = Annotated[str, Field(max_length=2000)]


class DeliveryCreate(BaseModel):
    """Units of a placed call-off that arrived on `delivered_on` (not after today), and
    how many of them the buyer accepted (0: all rejected)."""

    model_config = ConfigDict(extra="forbid")

    call_off_id: RowId
    delivered_on: date
    quantity: Annotated[Quantity, Field(gt=0)]
    accepted: Quantity
    note: Note | None = None


class DeliveryRead(BaseModel):
    """A delivery against a call-off: units delivered and accepted, its status, months
    late against the call-off's month, the value accepted (accepted units × the
    call-off's unit price) and the weapon system whose stock it moved."""

    id: int
    call_off_id: int
    call_off: str
    nation: str
    supplier: str
    item: str
    family: str
    weapon_system: str
    call_off_month: str
    delivered_on: date
    month: str
    quantity: float
    accepted: float
    status: DeliveryStatus
    months_late: int
    unit_price: float
    value: float
    note: str | None
    recorded_at: datetime
    voided_at: datetime | None
    created_by: str | None
    version: int
    label: dict[str, Any]


class DeliveryFilter(BaseModel):
    """List filters; every given one must match."""

    call_off_id: RowId | None = None
    nation: NationCode | None = None
    supplier: Code | None = None
    status: DeliveryStatus | None = None


class LedgerEntryRead(BaseModel):
    """A movement of a nation's stock for a weapon system and the balance after it."""

    id: int
    nation: str
    weapon_system: str
    booked_on: date
    units: float
    balance: float
    source: LedgerSource
    delivery_id: int | None
    note: str | None
    created_by: str | None
    recorded_at: datetime
    label: dict[str, Any]


class LedgerFilter(BaseModel):
    """List filters; every given one must match."""

    nation: NationCode | None = None
    weapon_system: Code | None = None


class StockRead(BaseModel):
    """A nation's stock of a weapon system on a day: the opening balance and what the
    ledger added since (`opened`: whether the ledger has started; before it does, the
    stock is the stockpile's on-hand)."""

    nation: str
    weapon_system: str
    on: date
    opening: float
    balance: float
    opened: bool


class StockPointRead(BaseModel):
    """The stock at the end of a month: from the ledger (`actual`) or planned."""

    month: str
    balance: float
    actual: bool


class TargetOutlookRead(BaseModel):
    """A stockpile target against the projection: the stock projected at its due month,
    whether that meets it, and the first month the stock reaches it (None: never)."""

    due: str
    target: float
    projected: float
    met: bool
    reached: str | None


class StockProjection(BaseModel):
    """A nation's stock of a weapon system over time — the ledger up to the current month,
    then the deliveries of the latest finished plan (`plan_run_id`; None: none) — against
    its stockpile targets."""

    nation: str
    weapon_system: str
    current_month: str
    plan_run_id: int | None
    points: list[StockPointRead]
    targets: list[TargetOutlookRead]


class DeliveryReportRow(BaseModel):
    """Deliveries of one item family to one nation in the period."""

    nation: str
    family: str
    deliveries: int
    delivered: float
    accepted: float
    value: float


class DeliveryReport(BaseModel):
    """Units delivered and accepted and the value accepted between two dates (inclusive),
    by nation and item family, over the deliveries the caller may see (voided ones aside)."""

    start: date
    end: date
    rows: list[DeliveryReportRow]
    delivered: float
    accepted: float
    value: float


class TrackRecordRead(BaseModel):
    """A supplier's record, computed from the data: tenders won, framework contracts
    signed, call-offs placed under them, units delivered and accepted, the value accepted,
    the on-time rate (the share of accepted units delivered in or before the call-off's
    month; None: nothing accepted yet) and the past performance best-value evaluation
    uses (the on-time rate; 1 while the supplier has delivered nothing)."""

    supplier: str
    tenders_won: int
    frameworks: int
    call_offs: int
    units_called_off: float
    deliveries: int
    units_delivered: float
    units_accepted: float
    value: float
    on_time_units: float
    on_time_rate: float | None
    past_performance: float
