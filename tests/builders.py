"""Tiny-scenario builder for inline tests: rows with round defaults, reference tables derived."""

from __future__ import annotations

from collections.abc import Sequence

from alliedforge.scenario.model import (
    BomEntry,
    Budget,
    Commitment,
    Component,
    ComponentSupply,
    Item,
    Line,
    LineState,
    Manifest,
    Nation,
    Price,
    Qualification,
    Requirement,
    Scenario,
    Stockpile,
    Supplier,
    WeaponSystem,
)

TINY_SHORTFALL_COST: tuple[float, ...] = (10000.0, 5000.0, 2000.0, 1000.0, 500.0)
"""Round numbers for hand arithmetic: with TINY_LATE_FRACTION a priority-1 unit-month late
costs 0.01 × 10000 = 100."""
TINY_LATE_FRACTION = 0.01


def active(code: str, capacity: float, supplier: str = "S1", item: str = "SH") -> Line:
    """An active line (units/month)."""
    return Line(code, supplier, item, capacity, LineState.ACTIVE)


def closed(
    code: str,
    capacity: float,
    *,
    lead: int,
    cost: float = 0.0,
    ramp: int = 0,
    earliest: str | None = None,
    state: LineState = LineState.NEW,
    supplier: str = "S1",
    item: str = "SH",
) -> Line:
    """A dormant or new line: opening costs `cost` EUR and takes `lead` months."""
    return Line(code, supplier, item, capacity, state, lead, cost, ramp, earliest)


def tier(min_quantity: float, unit_price: float, supplier: str = "S1", item: str = "SH") -> Price:
    return Price(supplier, item, min_quantity, unit_price)


def req(
    code: str,
    quantity: float,
    due: str,
    priority: int = 1,
    nation: str = "AAA",
    weapon_system: str = "HOW",
) -> Requirement:
    return Requirement(code, nation, weapon_system, quantity, due, priority)


def make_scenario(
    *,
    lines: Sequence[Line],
    prices: Sequence[Price],
    requirements: Sequence[Requirement] = (),
    qualifications: Sequence[Qualification] | None = None,
    start: str = "2027-01",
    months: int = 12,
    shortfall_cost: Sequence[float] = TINY_SHORTFALL_COST,
    late_fraction: float = TINY_LATE_FRACTION,
    budgets: Sequence[Budget] = (),
    bom: Sequence[BomEntry] = (),
    component_supply: Sequence[ComponentSupply] = (),
    commitments: Sequence[Commitment] = (),
    stockpiles: Sequence[Stockpile] = (),
) -> Scenario:
    """A Scenario whose reference tables (nations, items, …) are derived from the rows given.

    Without `qualifications`, every item is qualified on every weapon system from the start.
    """
    nations = [r.nation for r in requirements] + [b.nation for b in budgets]
    nations += [s.nation for s in stockpiles]
    systems = [r.weapon_system for r in requirements] + [s.weapon_system for s in stockpiles]
    systems += [q.weapon_system for q in qualifications or ()]
    items = [ln.item for ln in lines] + [p.item for p in prices] + [b.item for b in bom]
    items += [q.item for q in qualifications or ()]
    suppliers = [ln.supplier for ln in lines] + [p.supplier for p in prices]
    components = [b.component for b in bom] + [c.component for c in component_supply]
    uniq = dict.fromkeys
    if qualifications is None:
        qualifications = [Qualification(i, w) for i in uniq(items) for w in uniq(systems)]
    return Scenario(
        manifest=Manifest(
            name="tiny",
            start=start,
            months=months,
            shortfall_cost=tuple(shortfall_cost),
            late_fraction=late_fraction,
        ),
        nations=tuple(Nation(n, n) for n in uniq(nations)),
        weapon_systems=tuple(WeaponSystem(w, w) for w in uniq(systems)),
        items=tuple(Item(i, i, "155mm-HE") for i in uniq(items)),
        qualifications=tuple(qualifications),
        suppliers=tuple(Supplier(s, s, "DEU") for s in uniq(suppliers)),
        lines=tuple(lines),
        prices=tuple(prices),
        requirements=tuple(requirements),
        budgets=tuple(budgets),
        components=tuple(Component(c, c) for c in uniq(components)),
        bom=tuple(bom),
        component_supply=tuple(component_supply),
        commitments=tuple(commitments),
        stockpiles=tuple(stockpiles),
    )
