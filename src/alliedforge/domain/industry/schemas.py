"""What goes in and out of the industry service: supplier profiles, production lines,
price tiers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from alliedforge.domain.requirements.schemas import Code, LabelIn, Month, Quantity
from alliedforge.scenario.model import LineState

Months = Annotated[int, Field(ge=0, le=1200)]
Year = Annotated[int, Field(ge=1600, le=9999)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Country = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=8)
]


class Contacts(BaseModel):
    """How to reach a supplier."""

    address: str | None
    phone: str | None
    fax: str | None
    mobile: str | None
    email: str | None
    website: str | None


class TrackRecord(BaseModel):
    """~`products_delivered` products through ~`contracts` contracts since year `since`."""

    products_delivered: float | None
    contracts: int | None
    since: int | None


class SupplierRead(BaseModel):
    """A supplier's public profile in the register; `code` is its NCAGE code."""

    id: int
    code: str
    name: str
    country: str
    year_founded: int | None
    ownership: str | None
    rd_investment: str | None
    description: str | None
    products: str | None
    contacts: Contacts
    track_record: TrackRecord
    version: int
    label: dict[str, Any]


class SupplierFilter(BaseModel):
    """List filters; every given one must match."""

    country: Country | None = None


class LineRead(BaseModel):
    """A production line making one item: capacity in units/month, lead and ramp in months,
    opening cost in the scenario currency, earliest opening decision as YYYY-MM."""

    id: int
    code: str
    supplier: str
    item: str
    capacity_per_month: float
    state: LineState
    lead_months: int | None
    opening_cost: float | None
    ramp_months: int | None
    earliest_decision: str | None
    version: int
    label: dict[str, Any]


class LineFilter(BaseModel):
    """List filters; every given one must match (`item`: NSN with or without dashes)."""

    supplier: Code | None = None
    item: Code | None = None
    state: LineState | None = None


class PriceRead(BaseModel):
    """An all-units price tier: `unit_price` per unit from `min_quantity` units."""

    id: int
    supplier: str
    item: str
    min_quantity: float
    unit_price: float
    version: int
    label: dict[str, Any]


class PriceFilter(BaseModel):
    """List filters; every given one must match."""

    supplier: Code | None = None
    item: Code | None = None


class ContactsIn(BaseModel):
    """Contact fields to change; absent fields stay as they are, null clears one."""

    model_config = ConfigDict(extra="forbid")

    address: Text | None = None
    phone: Short | None = None
    fax: Short | None = None
    mobile: Short | None = None
    email: Short | None = None
    website: Short | None = None


class TrackRecordIn(BaseModel):
    """Track-record fields to change; absent fields stay as they are, null clears one."""

    model_config = ConfigDict(extra="forbid")

    products_delivered: Quantity | None = None
    contracts: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None  # a 32-bit column
    since: Year | None = None


class SupplierUpdate(BaseModel):
    """Profile fields to change, by the agency or the supplier's own users; absent fields
    stay as they are, null clears one. Code, name and country are the register's."""

    model_config = ConfigDict(extra="forbid")

    description: Text | None = None
    products: Text | None = None
    contacts: ContactsIn | None = None
    year_founded: Year | None = None
    ownership: Text | None = None
    rd_investment: Text | None = None
    track_record: TrackRecordIn | None = None


class LineCreate(BaseModel):
    """A new production line; a supplier user may leave out `supplier` (their own) and
    starts its codes with their NCAGE code and a dash (`S000X-…`)."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    supplier: Code | None = None
    item: Code
    capacity_per_month: Quantity
    state: LineState
    lead_months: Months | None = None
    opening_cost: Quantity | None = None
    ramp_months: Months | None = None
    earliest_decision: Month | None = None
    label: LabelIn = LabelIn()


class LineUpdate(BaseModel):
    """Fields to change; absent fields stay as they are, null clears an optional one."""

    model_config = ConfigDict(extra="forbid")

    item: Code | None = None
    capacity_per_month: Quantity | None = None
    state: LineState | None = None
    lead_months: Months | None = None
    opening_cost: Quantity | None = None
    ramp_months: Months | None = None
    earliest_decision: Month | None = None
    label: LabelIn | None = None


class PriceCreate(BaseModel):
    """A new price tier; a supplier user may leave out `supplier` (their own)."""

    model_config = ConfigDict(extra="forbid")

    supplier: Code | None = None
    item: Code
    min_quantity: Quantity = 0
    unit_price: Quantity
    label: LabelIn = LabelIn()


class PriceUpdate(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    min_quantity: Quantity | None = None
    unit_price: Quantity | None = None
    label: LabelIn | None = None
