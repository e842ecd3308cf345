"""ORM models of the catalogue: weapon systems, items, qualifications, components, BOM."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alliedforge.scenario.nsn import format_nsn, normalise_nsn, supply_class
from alliedforge.store.base import Record, month_check, non_negative, one_of


class QualificationStatus(StrEnum):
    """Where an item stands on a weapon system: usable, being qualified, or only planned."""

    QUALIFIED = "qualified"
    IN_PROGRESS = "in_progress"
    PLANNED = "planned"


class WeaponSystem(Record):
    """A platform (or capability) that consumes items."""

    __tablename__ = "weapon_systems"

    code: Mapped[str] = mapped_column(String, unique=True)
    name: Mapped[str] = mapped_column(String)
    calibre: Mapped[str | None] = mapped_column(String)


class Item(Record):
    """A procurable item, identified by its NSN (13 digits) or, failing one, its code as written.

    Exactly one of `nsn` and `other_code` is set; assign `code` to set the right one.
    """

    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("(nsn IS NULL) <> (other_code IS NULL)", name="one_code"),
        CheckConstraint("length(nsn) = 13", name="nsn_digits"),
    )

    nsn: Mapped[str | None] = mapped_column(String(13), unique=True)
    other_code: Mapped[str | None] = mapped_column(String, unique=True)
    name: Mapped[str] = mapped_column(String)
    family: Mapped[str] = mapped_column(String, index=True)
    stanag: Mapped[str | None] = mapped_column(String)

    @property
    def code(self) -> str:
        """The scenario code: the NSN as `NNNN-NN-NNN-NNNN`, else the code as written."""
        if self.nsn is not None:
            return format_nsn(self.nsn)
        assert self.other_code is not None  # the one_code constraint
        return self.other_code

    @code.setter
    def code(self, text: str) -> None:
        self.nsn = normalise_nsn(text)
        self.other_code = None if self.nsn is not None else text

    @property
    def supply_class(self) -> str | None:
        """The NATO Supply Class (first four NSN digits), or None without an NSN."""
        return supply_class(self.nsn) if self.nsn is not None else None


class Qualification(Record):
    """Whether an item may be used by a weapon system, and from which month.

    `month` is the effective month when qualified (None: from the start) and the
    expected month otherwise; `evidence` holds the firing tables, trials or reports.
    """

    __tablename__ = "qualifications"
    __table_args__ = (
        UniqueConstraint("item_id", "weapon_system_id"),
        one_of("status", tuple(QualificationStatus), "status"),
        month_check("month"),
    )

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    weapon_system_id: Mapped[int] = mapped_column(ForeignKey("weapon_systems.id"), index=True)
    status: Mapped[str] = mapped_column(
        String, default=QualificationStatus.QUALIFIED, server_default=QualificationStatus.QUALIFIED
    )
    month: Mapped[str | None] = mapped_column(String(7))
    evidence: Mapped[str | None] = mapped_column(Text)


class Component(Record):
    """A shared input (energetics, fuzes, shell bodies …)."""

    __tablename__ = "components"

    code: Mapped[str] = mapped_column(String, unique=True)
    name: Mapped[str] = mapped_column(String)


class BomEntry(Record):
    """Units of a component consumed per unit of an item."""

    __tablename__ = "bom"
    __table_args__ = (
        UniqueConstraint("item_id", "component_id"),
        non_negative("quantity_per_unit"),
    )

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id"), index=True)
    quantity_per_unit: Mapped[float] = mapped_column(Float)
