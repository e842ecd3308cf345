"""What the industry service returns: supplier profiles, production lines, price tiers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints

from alliedforge.scenario.model import LineState

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
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
