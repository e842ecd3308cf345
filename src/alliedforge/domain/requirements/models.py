"""ORM models of demand: requirements (with their workflow), fleets, budgets, stockpiles,
commitments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alliedforge.store.base import Record, month_check, non_negative, one_of, utcnow


class RequirementStatus(StrEnum):
    """The workflow of a requirement: draft → submitted → approved or rejected (with a reason)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class Requirement(Record):
    """A nation needs `quantity` units usable by a weapon system by month `due`."""

    __tablename__ = "requirements"
    __table_args__ = (
        UniqueConstraint("nation_id", "code"),  # codes are per nation: no cross-nation leak
        one_of("status", tuple(RequirementStatus), "status"),
        CheckConstraint("status <> 'rejected' OR reason IS NOT NULL", name="rejected_reason"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        non_negative("quantity"),
        month_check("due"),
    )

    code: Mapped[str] = mapped_column(String)
    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    weapon_system_id: Mapped[int] = mapped_column(ForeignKey("weapon_systems.id"), index=True)
    quantity: Mapped[float] = mapped_column(Float)
    due: Mapped[str] = mapped_column(String(7))
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(
        String, default=RequirementStatus.DRAFT, server_default=RequirementStatus.DRAFT
    )
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Fleet(Record):
    """How many of a weapon system a nation operates (informative)."""

    __tablename__ = "fleets"
    __table_args__ = (UniqueConstraint("nation_id", "weapon_system_id"), non_negative("quantity"))

    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    weapon_system_id: Mapped[int] = mapped_column(ForeignKey("weapon_systems.id"), index=True)
    quantity: Mapped[float | None] = mapped_column(Float)


class Budget(Record):
    """The most a nation may spend on deliveries in one calendar year."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("nation_id", "year"), non_negative("amount"))

    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[float] = mapped_column(Float)


class Stockpile(Record):
    """Units on hand and the target to reach by `due` (a priority-2 requirement when short)."""

    __tablename__ = "stockpiles"
    __table_args__ = (
        UniqueConstraint("nation_id", "weapon_system_id", "due"),
        non_negative("on_hand"),
        non_negative("target"),
        month_check("due"),
    )

    nation_id: Mapped[int] = mapped_column(ForeignKey("nations.id"), index=True)
    weapon_system_id: Mapped[int] = mapped_column(ForeignKey("weapon_systems.id"), index=True)
    on_hand: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    due: Mapped[str] = mapped_column(String(7))


class Commitment(Record):
    """Deliveries already under contract, from an active line to a requirement or to the
    requirement a stockpile target implies (exactly one of the two)."""

    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint(
            "(requirement_id IS NULL) <> (stockpile_id IS NULL)", name="one_requirement"
        ),
        non_negative("quantity"),
        non_negative("unit_price"),
        month_check("month"),
    )

    code: Mapped[str] = mapped_column(String, unique=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"), index=True)
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("requirements.id"), index=True)
    stockpile_id: Mapped[int | None] = mapped_column(ForeignKey("stockpiles.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    quantity: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[float] = mapped_column(Float)
