"""The typed changes a what-if applies to a base scenario (docs/whatif.md).

Each change is a small frozen dataclass whose `kind` names it in what-if files.
Months are `YYYY-MM` strings as in the scenario; a `None` filter means "all".
Factors multiply (1.2 is +20 %, 0 removes); month counts are whole months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class DemandFactor:
    """Requirement quantities (and stockpile targets above on-hand) × `factor`, for the
    requirements matching every filter that are due from `from_month` on."""

    kind: ClassVar[str] = "demand"
    factor: float
    nation: str | None = None
    weapon_system: str | None = None
    family: str | None = None
    from_month: str | None = None


@dataclass(frozen=True, slots=True)
class LineOutage:
    """`line` makes nothing for `months` months from `start` (fire, strike, explosion)."""

    kind: ClassVar[str] = "line_outage"
    line: str
    start: str
    months: int


@dataclass(frozen=True, slots=True)
class SupplierLoss:
    """Every line of `supplier` makes nothing from `from_month` on (None: from the start)."""

    kind: ClassVar[str] = "supplier_loss"
    supplier: str
    from_month: str | None = None


@dataclass(frozen=True, slots=True)
class CapacityChange:
    """`line`'s capacity × `factor` from `from_month` on (None: from the start)."""

    kind: ClassVar[str] = "capacity"
    line: str
    factor: float
    from_month: str | None = None


@dataclass(frozen=True, slots=True)
class QualificationAdded:
    """`item` becomes qualified on `weapon_system` from `from_month` (None: the start)."""

    kind: ClassVar[str] = "qualification_added"
    item: str
    weapon_system: str
    from_month: str | None = None


@dataclass(frozen=True, slots=True)
class QualificationRemoved:
    """`item` is no longer qualified on `weapon_system` (the qualification must exist)."""

    kind: ClassVar[str] = "qualification_removed"
    item: str
    weapon_system: str


@dataclass(frozen=True, slots=True)
class QualificationMoved:
    """An existing qualification of `item` on `weapon_system` holds from `to_month`."""

    kind: ClassVar[str] = "qualification_moved"
    item: str
    weapon_system: str
    to_month: str


@dataclass(frozen=True, slots=True)
class BudgetChange:
    """Budget rows × `factor`, for the nation and year given (None: every one)."""

    kind: ClassVar[str] = "budget"
    factor: float
    nation: str | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class ContractingShift:
    """Earliest decisions of dormant/new lines `months` later (negative: earlier), clamped
    to the horizon; a line without one counts from the start. Filters: line, supplier."""

    kind: ClassVar[str] = "contracting"
    months: int
    line: str | None = None
    supplier: str | None = None


@dataclass(frozen=True, slots=True)
class LeadTimeSlip:
    """Lead months of dormant/new lines + `months` (at least 0). Filters: line, supplier."""

    kind: ClassVar[str] = "lead_time"
    months: int
    line: str | None = None
    supplier: str | None = None


@dataclass(frozen=True, slots=True)
class ComponentShock:
    """Supply of `component` × `factor` for `months` months from `start` (None: to the
    end of the horizon); an unlimited component becomes limited only if it has rows."""

    kind: ClassVar[str] = "component_shock"
    component: str
    factor: float
    start: str | None = None
    months: int | None = None


@dataclass(frozen=True, slots=True)
class PriceChange:
    """Unit prices of every tier × `factor`, for the supplier and item given (None: all)."""

    kind: ClassVar[str] = "price"
    factor: float
    supplier: str | None = None
    item: str | None = None


Change = (
    DemandFactor
    | LineOutage
    | SupplierLoss
    | CapacityChange
    | QualificationAdded
    | QualificationRemoved
    | QualificationMoved
    | BudgetChange
    | ContractingShift
    | LeadTimeSlip
    | ComponentShock
    | PriceChange
)

# Every change type by the `kind` that names it in files, in the order docs list them.
CHANGE_TYPES: dict[str, type[Change]] = {
    cls.kind: cls
    for cls in (
        DemandFactor,
        LineOutage,
        SupplierLoss,
        CapacityChange,
        QualificationAdded,
        QualificationRemoved,
        QualificationMoved,
        BudgetChange,
        ContractingShift,
        LeadTimeSlip,
        ComponentShock,
        PriceChange,
    )
}


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A named list of changes; the base scenario is given when the what-if is run."""

    name: str
    changes: tuple[Change, ...]
    description: str = ""
