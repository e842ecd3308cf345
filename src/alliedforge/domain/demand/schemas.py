"""What goes in and out of the demand service: budgets, stockpiles, fleets, commitments,
and alliance-wide demand aggregates."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from alliedforge.domain.requirements.schemas import Code, LabelIn, Month, NationCode, Quantity

Year = Annotated[int, Field(ge=1900, le=9999)]
# A row id: ids are 32-bit integer columns on PostgreSQL.
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


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
    year: Year | None = None


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


class BudgetCreate(BaseModel):
    """A nation's budget for a year; a nation user may leave out `nation` (their own)."""

    model_config = ConfigDict(extra="forbid")

    nation: NationCode | None = None
    year: Year
    amount: Quantity
    label: LabelIn = LabelIn()


class BudgetUpdate(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    year: Year | None = None
    amount: Quantity | None = None
    label: LabelIn | None = None


class StockpileCreate(BaseModel):
    """A stockpile target; a nation user may leave out `nation` (their own)."""

    model_config = ConfigDict(extra="forbid")

    nation: NationCode | None = None
    weapon_system: Code
    on_hand: Quantity
    target: Quantity
    due: Month
    label: LabelIn = LabelIn()


class StockpileUpdate(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    weapon_system: Code | None = None
    on_hand: Quantity | None = None
    target: Quantity | None = None
    due: Month | None = None
    label: LabelIn | None = None


class FleetCreate(BaseModel):
    """A nation's fleet of a weapon system; a nation user may leave out `nation`."""

    model_config = ConfigDict(extra="forbid")

    nation: NationCode | None = None
    weapon_system: Code
    quantity: Quantity | None = None
    label: LabelIn = LabelIn()


class FleetUpdate(BaseModel):
    """Fields to change; absent fields stay as they are (`quantity: null` clears it)."""

    model_config = ConfigDict(extra="forbid")

    weapon_system: Code | None = None
    quantity: Quantity | None = None
    label: LabelIn | None = None


class CommitmentCreate(BaseModel):
    """Deliveries under contract from an active `line` (its code) to one `nation`'s
    `requirement` (its code) or `stockpile` (its id), never both."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    line: Code
    nation: NationCode
    requirement: Code | None = None
    stockpile: RowId | None = None
    month: Month
    quantity: Quantity
    unit_price: Quantity
    label: LabelIn = LabelIn()


class CommitmentUpdate(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    month: Month | None = None
    quantity: Quantity | None = None
    unit_price: Quantity | None = None
    label: LabelIn | None = None


class AggregateFilter(BaseModel):
    """Which cells to return; every given one must match."""

    family: Code | None = None
    year: Year | None = None


class AggregateCell(BaseModel):
    """Units of an item family required by the alliance for delivery in `year`, and how
    many nations ask for them."""

    family: str
    year: int
    quantity: float
    nations: int


class DemandAggregates(BaseModel):
    """Alliance-wide demand per item family and due year. For callers other than staff,
    cells backed by fewer than `min_nations` nations are left out."""

    min_nations: int
    suppressed: bool
    cells: list[AggregateCell]
