"""The `Scenario`: frozen, validated tables that every part of AlliedForge speaks.

Rows are small frozen dataclasses; a table is a tuple of rows in file order.
Months are kept as written (`YYYY-MM` strings, validated) so that a scenario
round-trips through files without loss; `planning` turns them into indices.
Quantities are units, money is in the manifest currency.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from enum import StrEnum

DEFAULT_SHORTFALL_COST: tuple[float, ...] = (100000.0, 50000.0, 20000.0, 10000.0, 5000.0)
DEFAULT_LATE_FRACTION = 0.02
DEFAULT_CURRENCY = "EUR"
STOCKPILE_PRIORITY = 2


class LineState(StrEnum):
    """Whether a production line runs already, can be reactivated or must be built."""

    ACTIVE = "active"
    DORMANT = "dormant"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class Manifest:
    """`scenario.toml`: name, horizon and objective weights."""

    name: str
    start: str
    months: int
    currency: str = DEFAULT_CURRENCY
    shortfall_cost: tuple[float, ...] = DEFAULT_SHORTFALL_COST
    late_fraction: float = DEFAULT_LATE_FRACTION


@dataclass(frozen=True, slots=True)
class Nation:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class WeaponSystem:
    code: str
    name: str
    calibre: str | None = None


@dataclass(frozen=True, slots=True)
class Fleet:
    nation: str
    weapon_system: str
    quantity: float | None = None


@dataclass(frozen=True, slots=True)
class Item:
    code: str
    name: str
    family: str
    stanag: str | None = None


@dataclass(frozen=True, slots=True)
class Qualification:
    item: str
    weapon_system: str
    from_month: str | None = None  # column `from`; None: qualified from the start


@dataclass(frozen=True, slots=True)
class Supplier:
    code: str
    name: str
    country: str


@dataclass(frozen=True, slots=True)
class Line:
    code: str
    supplier: str
    item: str
    capacity_per_month: float
    state: LineState
    lead_months: int | None = None
    opening_cost: float | None = None
    ramp_months: int | None = None
    earliest_decision: str | None = None


@dataclass(frozen=True, slots=True)
class Price:
    supplier: str
    item: str
    min_quantity: float
    unit_price: float


@dataclass(frozen=True, slots=True)
class Requirement:
    code: str
    nation: str
    weapon_system: str
    quantity: float
    due: str
    priority: int


@dataclass(frozen=True, slots=True)
class Budget:
    nation: str
    year: int
    amount: float


@dataclass(frozen=True, slots=True)
class Component:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class BomEntry:
    item: str
    component: str
    quantity_per_unit: float


@dataclass(frozen=True, slots=True)
class ComponentSupply:
    component: str
    month: str | None
    capacity: float


@dataclass(frozen=True, slots=True)
class Commitment:
    code: str
    line: str
    requirement: str
    month: str
    quantity: float
    unit_price: float


@dataclass(frozen=True, slots=True)
class Stockpile:
    nation: str
    weapon_system: str
    on_hand: float
    target: float
    due: str


@dataclass(frozen=True, slots=True)
class LineAvailability:
    """The share of `line`'s capacity usable in `month` (an outage is 0; absent is 1).

    Not a table of the file format: what-ifs and risk samples make these rows.
    """

    line: str
    month: str
    factor: float


@dataclass(frozen=True, slots=True)
class Scenario:
    """A complete, validated planning problem. Build it with `load_scenario` or by hand."""

    manifest: Manifest
    nations: tuple[Nation, ...]
    weapon_systems: tuple[WeaponSystem, ...]
    items: tuple[Item, ...]
    qualifications: tuple[Qualification, ...]
    suppliers: tuple[Supplier, ...]
    lines: tuple[Line, ...]
    prices: tuple[Price, ...]
    requirements: tuple[Requirement, ...]
    fleets: tuple[Fleet, ...] = ()
    budgets: tuple[Budget, ...] = ()
    components: tuple[Component, ...] = ()
    bom: tuple[BomEntry, ...] = ()
    component_supply: tuple[ComponentSupply, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    stockpiles: tuple[Stockpile, ...] = ()
    availability: tuple[LineAvailability, ...] = ()

    def all_requirements(self) -> tuple[Requirement, ...]:
        """Requirements followed by those the stockpile rows imply (target above on hand)."""
        from_stockpiles = tuple(
            Requirement(
                code=stockpile_requirement_code(s),
                nation=s.nation,
                weapon_system=s.weapon_system,
                quantity=s.target - s.on_hand,
                due=s.due,
                priority=STOCKPILE_PRIORITY,
            )
            for s in self.stockpiles
            if s.target > s.on_hand
        )
        return self.requirements + from_stockpiles

    def content_hash(self) -> str:
        """SHA-256 of the scenario's content: the identity a plan records as its lineage."""
        payload: dict[str, object] = {name: _plain(getattr(self, name)) for name in TABLE_FIELDS}
        payload["manifest"] = asdict(self.manifest)
        if self.availability:  # only what-ifs have it: a file's hash stays what it was
            payload["availability"] = _plain(self.availability)
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def stockpile_requirement_code(stockpile: Stockpile) -> str:
    """The requirement code a stockpile row becomes (scenario-format.md)."""
    return f"stockpile:{stockpile.nation}:{stockpile.weapon_system}:{stockpile.due}"


def _plain(rows: tuple[object, ...]) -> list[dict[str, object]]:
    return [asdict(row) for row in rows]  # type: ignore[call-overload]


# Scenario attributes that hold tables, in the spec's order.
TABLE_FIELDS: tuple[str, ...] = (
    "nations",
    "weapon_systems",
    "fleets",
    "items",
    "qualifications",
    "suppliers",
    "lines",
    "prices",
    "requirements",
    "budgets",
    "components",
    "bom",
    "component_supply",
    "commitments",
    "stockpiles",
)
