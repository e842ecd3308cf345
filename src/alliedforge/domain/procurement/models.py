"""ORM models of contracting: lots and their lines, tenders, bids, framework contracts with
their parties and items, call-offs, the deliveries made against them and the stockpile
ledger they move.

Each contracting process carries an OCDS `ocid`: a tender (and the framework awarded from
it, its first stage) shares one; a direct framework and every call-off have their own.
The stage dates (`published_at`, `closed_at`, `awarded_at`, `signed_at`, `placed_at`) are
what acquisition timelines are measured from.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from alliedforge.store.base import Record, month_check, non_negative, one_of, utcnow

# A publisher registers its own prefix with the OCDS helpdesk; ocids are stored with it.
OCID_PREFIX = "ocds-afrg01"


class LotStatus(StrEnum):
    """A lot is drafted from a plan, tendered, awarded — or cancelled while a draft."""

    DRAFT = "draft"
    TENDERED = "tendered"
    AWARDED = "awarded"
    CANCELLED = "cancelled"


class Grouping(StrEnum):
    """How planned deliveries are pooled into lots: per planned supplier and item family,
    or per item family across suppliers."""

    SUPPLIER_FAMILY = "supplier-family"
    FAMILY = "family"


class TenderStatus(StrEnum):
    """published (open between its dates) → closed → awarded; or cancelled before award."""

    PUBLISHED = "published"
    CLOSED = "closed"
    AWARDED = "awarded"
    CANCELLED = "cancelled"


class Method(StrEnum):
    """How bids are ranked: by the cost of the lot alone, or by a weighted score of price,
    delivery and past performance."""

    LOWEST_PRICE = "lowest_price"
    BEST_VALUE = "best_value"


class BidStatus(StrEnum):
    """submitted → withdrawn (by its supplier, while the tender is open), or, at award,
    awarded / not_awarded."""

    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"


class FrameworkStatus(StrEnum):
    """draft → signed (takes call-offs) → closed (takes none)."""

    DRAFT = "draft"
    SIGNED = "signed"
    CLOSED = "closed"


class CallOffStatus(StrEnum):
    """A placed call-off is a commitment; a cancelled one is not."""

    PLACED = "placed"
    CANCELLED = "cancelled"


def _one_served() -> CheckConstraint:
    return CheckConstraint(
        "(requirement_id IS NULL) <> (stockpile_id IS NULL)", name="one_requirement"
    )


class Lot(Record):
    """Planned deliveries of one item family pooled for joint procurement."""

    __tablename__ = "lots"
    __table_args__ = (
        one_of("status", tuple(LotStatus), "status"),
        one_of("grouping", tuple(Grouping), "grouping"),
    )

    code: Mapped[str] = mapped_column(String, unique=True)
    name: Mapped[str] = mapped_column(String)
    family: Mapped[str] = mapped_column(String)
    grouping: Mapped[str] = mapped_column(String)
    # The planned supplier when grouped per supplier (informative: any supplier may bid).
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    plan_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_runs.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String, default=LotStatus.DRAFT)
    created_by: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LotLine(Record):
    """A nation's planned quantity of an item in a month, traced to the requirement (or
    stockpile target) it serves, at the plan's unit price."""

    __tablename__ = "lot_lines"
    __table_args__ = (
        _one_served(),
        non_negative("quantity"),
        non_negative("unit_price"),
        month_check("month"),
    )

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), index=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("requirements.id"), index=True)
    stockpile_id: Mapped[int | None] = mapped_column(ForeignKey("stockpiles.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    quantity: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[float] = mapped_column(Float)


class Tender(Record):
    """A lot put to the market: open from `opens_on` to `closes_on` (inclusive), ranked by
    `method` with weights of price, delivery and past performance summing to 1."""

    __tablename__ = "tenders"
    __table_args__ = (
        one_of("status", tuple(TenderStatus), "status"),
        one_of("method", tuple(Method), "method"),
        CheckConstraint("closes_on >= opens_on", name="period"),
        non_negative("weight_price"),
        non_negative("weight_delivery"),
        non_negative("weight_past_performance"),
        CheckConstraint(
            "weight_price + weight_delivery + weight_past_performance"
            " BETWEEN 0.999999 AND 1.000001",
            name="weights_sum",
        ),
    )

    ocid: Mapped[str] = mapped_column(String, unique=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    method: Mapped[str] = mapped_column(String)
    weight_price: Mapped[float] = mapped_column(Float)
    weight_delivery: Mapped[float] = mapped_column(Float)
    weight_past_performance: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String, default=TenderStatus.PUBLISHED)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    evaluated_at: Mapped[datetime | None]
    awarded_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String)


class Bid(Record):
    """A supplier's offer for a tender's lot: all-units price tiers
    (`[{min_quantity, unit_price}]`), a delivery schedule (`[{month, quantity}]`) and the
    capacity it offers per month. `cost` (of the lot quantity under the tiers) and
    `delivery` (share of the lot delivered by the months it is needed) are fixed at
    submission; `score` is set when the tender is evaluated."""

    __tablename__ = "bids"
    __table_args__ = (
        one_of("status", tuple(BidStatus), "status"),
        non_negative("capacity_per_month"),
        non_negative("cost"),
    )

    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    capacity_per_month: Mapped[float] = mapped_column(Float)
    cost: Mapped[float] = mapped_column(Float)
    delivery: Mapped[float] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String, default=BidStatus.SUBMITTED)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String)


class Framework(Record):
    """A framework contract with one supplier: buyer nations (parties), items with price
    tiers, a ceiling in quantity and value, validity dates. Call-offs draw on it."""

    __tablename__ = "frameworks"
    __table_args__ = (
        one_of("status", tuple(FrameworkStatus), "status"),
        CheckConstraint("valid_to >= valid_from", name="validity"),
        non_negative("ceiling_quantity"),
        non_negative("ceiling_value"),
    )

    code: Mapped[str] = mapped_column(String, unique=True)
    ocid: Mapped[str] = mapped_column(String, unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id"), unique=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    ceiling_quantity: Mapped[float] = mapped_column(Float)
    ceiling_value: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, default=FrameworkStatus.DRAFT)
    created_by: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class FrameworkParty(Record):
    """A buyer nation party to a framework."""

    __tablename__ = "framework_parties"
    __table_args__ = (UniqueConstraint("framework_id", "nation_id"),)

    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)


class FrameworkItem(Record):
    """An item a framework covers, with its all-units price tiers (`[{min_quantity,
    unit_price}]`, the first from 0) reached by the quantity called off of it."""

    __tablename__ = "framework_items"
    __table_args__ = (UniqueConstraint("framework_id", "item_id"),)

    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class CallOff(Record):
    """An order under a framework: a buyer nation's `quantity` of an item from a line of the
    framework's supplier in `month`, serving a requirement or a stockpile target; placing
    it creates the commitment the planner honours."""

    __tablename__ = "call_offs"
    __table_args__ = (
        one_of("status", tuple(CallOffStatus), "status"),
        _one_served(),
        non_negative("quantity"),
        non_negative("unit_price"),
        non_negative("value"),
        month_check("month"),
    )

    code: Mapped[str] = mapped_column(String, unique=True)
    ocid: Mapped[str] = mapped_column(String, unique=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"), index=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"), index=True)
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("requirements.id"), index=True)
    stockpile_id: Mapped[int | None] = mapped_column(ForeignKey("stockpiles.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    quantity: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[float] = mapped_column(Float)
    value: Mapped[float] = mapped_column(Float)
    placed_on: Mapped[date]
    status: Mapped[str] = mapped_column(String, default=CallOffStatus.PLACED)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), unique=True)
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String)


class DeliveryStatus(StrEnum):
    """How a delivery went: every unit accepted and the call-off complete; partial (fewer
    accepted than delivered, or the call-off still short); or rejected (none accepted)."""

    ACCEPTED = "accepted"
    PARTIAL = "partial"
    REJECTED = "rejected"


class LedgerSource(StrEnum):
    """What moved a stockpile: the opening balance, an accepted delivery, or the void of
    one (its units taken back out)."""

    OPENING = "opening"
    DELIVERY = "delivery"
    VOID = "void"


class Delivery(Record):
    """Units of a placed call-off that arrived on `delivered_on`, and how many of them the
    buyer accepted. `nation_id` (the buyer) and `supplier_id` (the framework's supplier)
    repeat the call-off's parties, so that each sees its own. History is never edited: a
    wrong delivery is voided (`voided_at`), which takes its units back out of the ledger."""

    __tablename__ = "deliveries"
    __table_args__ = (
        one_of("status", tuple(DeliveryStatus), "status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        non_negative("accepted"),
        CheckConstraint("accepted <= quantity", name="accepted_delivered"),
        non_negative("months_late"),
        month_check("month"),
    )

    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_offs.id"), index=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    delivered_on: Mapped[date]
    month: Mapped[str] = mapped_column(String(7))
    quantity: Mapped[float] = mapped_column(Float)
    accepted: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String)
    # Months after the call-off's month (0: in or before it).
    months_late: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    voided_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String)


class LedgerEntry(Record):
    """A movement of a nation's stock for a weapon system, booked on the day it is
    recorded: the opening balance (the stockpile's on-hand when the ledger's first
    movement is made), `units` of an accepted delivery, or their reversal when the
    delivery is voided. The running balance is the sum in id order."""

    __tablename__ = "stockpile_ledger"
    __table_args__ = (
        one_of("source", tuple(LedgerSource), "source"),
        CheckConstraint("(delivery_id IS NULL) = (source = 'opening')", name="source_delivery"),
        UniqueConstraint("delivery_id", "source"),
        Index("ix_stockpile_ledger_nation_weapon_system", "nation_id", "weapon_system_id"),
    )

    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"))
    weapon_system_id: Mapped[int] = mapped_column(ForeignKey("weapon_systems.id"))
    booked_on: Mapped[date]
    units: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String)
