"""ORM models of industry: the supplier register, production lines, prices, component supply."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alliedforge.scenario.model import LineState
from alliedforge.store.base import Record, month_check, non_negative, one_of


class Supplier(Record):
    """An industrial supplier, keyed by NCAGE code, with the profile a register keeps.

    The track record reads as "~`products_delivered` products through ~`contracts`
    contracts since `track_record_since`"; money is in the scenario currency.
    """

    __tablename__ = "suppliers"

    code: Mapped[str] = mapped_column(String, unique=True)  # NCAGE
    name: Mapped[str] = mapped_column(String)
    country: Mapped[str] = mapped_column(String, index=True)  # ISO alpha-3, any country
    year_founded: Mapped[int | None] = mapped_column(Integer)
    ownership: Mapped[str | None] = mapped_column(Text)  # ownership and funding
    rd_investment: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    products: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String)
    fax: Mapped[str | None] = mapped_column(String)
    mobile: Mapped[str | None] = mapped_column(String)
    email: Mapped[str | None] = mapped_column(String)
    website: Mapped[str | None] = mapped_column(String)
    products_delivered: Mapped[float | None] = mapped_column(Float)
    contracts: Mapped[int | None] = mapped_column(Integer)
    track_record_since: Mapped[int | None] = mapped_column(Integer)


class Line(Record):
    """A production line making one item; dormant and new lines must be opened first."""

    __tablename__ = "lines"
    __table_args__ = (
        one_of("state", tuple(LineState), "state"),
        non_negative("capacity_per_month"),
        non_negative("opening_cost"),
        month_check("earliest_decision"),
    )

    code: Mapped[str] = mapped_column(String, unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    capacity_per_month: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String)
    lead_months: Mapped[int | None] = mapped_column(Integer)
    opening_cost: Mapped[float | None] = mapped_column(Float)
    ramp_months: Mapped[int | None] = mapped_column(Integer)
    earliest_decision: Mapped[str | None] = mapped_column(String(7))


class Price(Record):
    """An all-units price tier of a supplier–item pair, from `min_quantity` units."""

    __tablename__ = "prices"
    __table_args__ = (
        UniqueConstraint("supplier_id", "item_id", "min_quantity"),
        non_negative("min_quantity"),
        non_negative("unit_price"),
    )

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    min_quantity: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[float] = mapped_column(Float)


class ComponentSupply(Record):
    """Component units available per month; `month` None means every month."""

    __tablename__ = "component_supply"
    __table_args__ = (
        UniqueConstraint("component_id", "month"),
        month_check("month"),
        non_negative("capacity"),
    )

    component_id: Mapped[int] = mapped_column(ForeignKey("components.id"), index=True)
    month: Mapped[str | None] = mapped_column(String(7))
    capacity: Mapped[float] = mapped_column(Float)
