"""What the demand service returns: budgets, stockpiles, fleets, commitments."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
NationCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=8)
]


class NationFilter(BaseModel):
    """List filters; every given one must match."""

    nation: NationCode | None = None


class BudgetRead(BaseModel):
    """The most a nation may spend on deliveries in calendar `year` (scenario currency)."""

    id: int
    nation: str
    year: int
    amount: float
    version: int
    label: dict[str, Any]


class BudgetFilter(NationFilter):
    year: Annotated[int, Field(ge=1900, le=9999)] | None = None


class StockpileRead(BaseModel):
    """Units `on_hand` and the `target` to reach by month `due` (YYYY-MM)."""

    id: int
    nation: str
    weapon_system: str
    on_hand: float
    target: float
    due: str
    version: int
    label: dict[str, Any]


class StockpileFilter(NationFilter):
    weapon_system: Code | None = None


class FleetRead(BaseModel):
    """How many of a weapon system a nation operates."""

    id: int
    nation: str
    weapon_system: str
    quantity: float | None
    version: int
    label: dict[str, Any]


class FleetFilter(NationFilter):
    weapon_system: Code | None = None


class CommitmentRead(BaseModel):
    """Deliveries under contract: `quantity` units in `month` from a line at `unit_price`,
    serving a nation's `requirement` (its code) or `stockpile` (its id), never both."""

    id: int
    code: str
    line: str
    supplier: str
    nation: str
    requirement: str | None
    stockpile: int | None
    month: str
    quantity: float
    unit_price: float
    version: int
    label: dict[str, Any]


class CommitmentFilter(NationFilter):
    line: Code | None = None
    supplier: Code | None = None
