"""Index a `Scenario` once into numpy arrays: the sets and data of planning-model.md.

Everything downstream (model building, heuristics, solution read-back) works on
these integer-coded arrays, never on the row objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from alliedforge.scenario.capacity import ramp_factor
from alliedforge.scenario.model import LineState, Scenario
from alliedforge.scenario.months import month_index, year_of

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NOT_QUALIFIED = -1


@dataclass(frozen=True)
class Tiers:
    """Price tiers of one supplier–item pair, dominated tiers removed.

    A tier whose price is not below every tier with a smaller threshold is never
    the cheapest choice (any quantity that reaches it reaches the cheaper one), so
    dropping it keeps the optimum and leaves prices strictly falling with volume.
    """

    min_quantity: FloatArray
    unit_price: FloatArray


@dataclass(frozen=True)
class PlanningIndex:
    """Integer-coded sets and data; months are indices 0..months-1 from the start."""

    scenario: Scenario
    months: int
    month_year: IntArray  # calendar year of each month
    # nations, weapon systems, items, suppliers
    nation_codes: tuple[str, ...]
    weapon_codes: tuple[str, ...]
    item_codes: tuple[str, ...]
    supplier_codes: tuple[str, ...]
    # requirements (stockpile-derived ones included), in Scenario.all_requirements() order
    req_codes: tuple[str, ...]
    req_nation: IntArray
    req_weapon: IntArray
    req_quantity: FloatArray  # units still to plan after commitments
    req_due: IntArray
    req_shortfall_cost: FloatArray  # S(p) per unit, currency
    req_group: IntArray  # index into groups
    # groups: (nation, weapon system) pairs that have requirements
    group_nation: IntArray
    group_weapon: IntArray
    # lines
    line_codes: tuple[str, ...]
    line_supplier: IntArray
    line_item: IntArray
    line_capacity: FloatArray  # units / month at full rate
    line_active: BoolArray
    line_lead: IntArray
    line_ramp: IntArray
    line_opening_cost: FloatArray
    line_earliest: IntArray  # earliest decision month
    line_pair: IntArray  # supplier–item pair of the line
    line_committed: FloatArray  # (lines, months) units already under contract
    line_availability: FloatArray  # (lines, months) usable share of capacity, 1 but in what-ifs
    # supplier–item pairs with lines
    pair_supplier: IntArray
    pair_item: IntArray
    pair_tiers: tuple[Tiers, ...]
    # qualification: first usable month per (item, weapon system), NOT_QUALIFIED if never
    qualified_from: IntArray
    # components: supply per (component, month), inf where unconstrained; bom per (item, component)
    component_codes: tuple[str, ...]
    component_supply: FloatArray  # after commitments
    bom: FloatArray
    # budgets: amount left after commitments per (nation, year) row
    budget_nation: IntArray
    budget_year: IntArray
    budget_amount: FloatArray
    # constants of the objective that planning cannot change
    commitment_cost: float
    commitment_late_unit_months: FloatArray  # per requirement
    committed_to_requirement: FloatArray  # per requirement

    @property
    def late_fraction(self) -> float:
        return self.scenario.manifest.late_fraction

    def group_demand(self) -> FloatArray:
        """Units still to plan per requirement group (nation, weapon system)."""
        return weighted_count(self.req_group, self.req_quantity, len(self.group_nation))

    def max_capacity(self) -> FloatArray:
        """(lines, months): the most each line can make each month, opened as early as allowed."""
        months = np.arange(self.months)
        first = np.where(self.line_active, 0, self.line_earliest + self.line_lead)
        rho = ramp_factor(months[None, :] - first[:, None], self.line_ramp[:, None])
        rho = np.where(self.line_active[:, None], 1.0, rho)
        full = self.line_capacity[:, None] * self.line_availability
        cap: FloatArray = full * rho - self.line_committed
        return np.maximum(cap, 0.0)


def weighted_count(
    keys: IntArray, weights: FloatArray | BoolArray | IntArray, minlength: int
) -> FloatArray:
    """Sum of `weights` per key 0..minlength-1 (np.bincount with a float result type)."""
    total: FloatArray = np.bincount(keys, weights=weights, minlength=minlength).astype(
        np.float64, copy=False
    )
    return total


def _codes(rows: tuple[object, ...], attr: str = "code") -> tuple[str, ...]:
    return tuple(getattr(r, attr) for r in rows)


def _lookup(codes: tuple[str, ...]) -> dict[str, int]:
    return {code: i for i, code in enumerate(codes)}


def _dominance_filtered(pairs: list[tuple[float, float]]) -> Tiers:
    kept: list[tuple[float, float]] = []
    for m, price in sorted(pairs):
        if not kept or price < kept[-1][1]:
            kept.append((m, price))
    return Tiers(
        min_quantity=np.array([m for m, _ in kept], dtype=float),
        unit_price=np.array([p for _, p in kept], dtype=float),
    )


def build_index(scenario: Scenario) -> PlanningIndex:
    """Turn a validated scenario into integer-coded arrays (no checks repeated here)."""
    manifest = scenario.manifest
    start, horizon = manifest.start, manifest.months

    def at(month: str) -> int:
        return month_index(start, month)

    nations = _codes(scenario.nations)
    weapons = _codes(scenario.weapon_systems)
    items = _codes(scenario.items)
    suppliers = _codes(scenario.suppliers)
    nation_of, weapon_of, item_of, supplier_of = map(_lookup, (nations, weapons, items, suppliers))

    requirements = scenario.all_requirements()
    req_codes = _codes(requirements)
    req_of = _lookup(req_codes)
    req_nation = np.array([nation_of[r.nation] for r in requirements], dtype=np.int64)
    req_weapon = np.array([weapon_of[r.weapon_system] for r in requirements], dtype=np.int64)
    shortfall_cost = np.array(manifest.shortfall_cost, dtype=float)
    req_cost = np.array([shortfall_cost[r.priority - 1] for r in requirements], dtype=float)
    req_due = np.array([at(r.due) for r in requirements], dtype=np.int64)
    group_key = req_nation * len(weapons) + req_weapon
    unique_keys, req_group = np.unique(group_key, return_inverse=True)

    lines = scenario.lines
    line_codes = _codes(lines)
    line_of = _lookup(line_codes)
    line_supplier = np.array([supplier_of[ln.supplier] for ln in lines], dtype=np.int64)
    line_item = np.array([item_of[ln.item] for ln in lines], dtype=np.int64)
    pair_key = line_supplier * len(items) + line_item
    unique_pairs, line_pair = np.unique(pair_key, return_inverse=True)
    pair_supplier = unique_pairs // len(items)
    pair_item = unique_pairs % len(items)
    tier_rows: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for price in scenario.prices:
        key = (supplier_of[price.supplier], item_of[price.item])
        tier_rows.setdefault(key, []).append((price.min_quantity, price.unit_price))
    pair_tiers = tuple(
        _dominance_filtered(tier_rows[(int(s), int(i))])
        for s, i in zip(pair_supplier, pair_item, strict=True)
    )

    qualified_from = np.full((len(items), len(weapons)), NOT_QUALIFIED, dtype=np.int64)
    for q in scenario.qualifications:
        qualified_from[item_of[q.item], weapon_of[q.weapon_system]] = (
            0 if q.from_month is None else at(q.from_month)
        )

    components = _codes(scenario.components)
    component_of = _lookup(components)
    supply = np.full((len(components), horizon), np.inf)
    constrained = {s.component for s in scenario.component_supply}
    for code in constrained:
        supply[component_of[code], :] = 0.0
    for s in scenario.component_supply:
        if s.month is None:
            supply[component_of[s.component], :] = s.capacity
    for s in scenario.component_supply:
        if s.month is not None:
            supply[component_of[s.component], at(s.month)] = s.capacity
    bom = np.zeros((len(items), len(components)))
    for b in scenario.bom:
        bom[item_of[b.item], component_of[b.component]] = b.quantity_per_unit

    # Commitments are fixed: they take capacity, components, budget and requirement
    # quantity before planning starts, and their cost is a constant of the objective.
    committed = np.zeros((len(lines), horizon))
    committed_to_req = np.zeros(len(requirements))
    commitment_late = np.zeros(len(requirements))
    budget_used: dict[tuple[int, int], float] = {}
    commitment_cost = 0.0
    for c in scenario.commitments:
        li, ri, t = line_of[c.line], req_of[c.requirement], at(c.month)
        committed[li, t] += c.quantity
        committed_to_req[ri] += c.quantity
        commitment_late[ri] += max(0, t - int(req_due[ri])) * c.quantity
        commitment_cost += c.quantity * c.unit_price
        key = (int(req_nation[ri]), year_of(start, t))
        budget_used[key] = budget_used.get(key, 0.0) + c.quantity * c.unit_price
        supply[:, t] -= bom[line_item[li]] * c.quantity

    budget_nation = np.array([nation_of[b.nation] for b in scenario.budgets], dtype=np.int64)
    budget_year = np.array([b.year for b in scenario.budgets], dtype=np.int64)
    budget_amount = np.array(
        [b.amount - budget_used.get((nation_of[b.nation], b.year), 0.0) for b in scenario.budgets],
        dtype=float,
    )

    availability = np.ones((len(lines), horizon))
    for a in scenario.availability:
        availability[line_of[a.line], at(a.month)] = a.factor

    active = np.array([ln.state == LineState.ACTIVE for ln in lines], dtype=bool)
    return PlanningIndex(
        scenario=scenario,
        months=horizon,
        month_year=np.array([year_of(start, t) for t in range(horizon)], dtype=np.int64),
        nation_codes=nations,
        weapon_codes=weapons,
        item_codes=items,
        supplier_codes=suppliers,
        req_codes=req_codes,
        req_nation=req_nation,
        req_weapon=req_weapon,
        req_quantity=np.array([r.quantity for r in requirements], dtype=float) - committed_to_req,
        req_due=req_due,
        req_shortfall_cost=req_cost,
        req_group=req_group.astype(np.int64),
        group_nation=(unique_keys // len(weapons)).astype(np.int64),
        group_weapon=(unique_keys % len(weapons)).astype(np.int64),
        line_codes=line_codes,
        line_supplier=line_supplier,
        line_item=line_item,
        line_capacity=np.array([ln.capacity_per_month for ln in lines], dtype=float),
        line_active=active,
        line_lead=np.array([ln.lead_months or 0 for ln in lines], dtype=np.int64),
        line_ramp=np.array([ln.ramp_months or 0 for ln in lines], dtype=np.int64),
        line_opening_cost=np.array([ln.opening_cost or 0.0 for ln in lines], dtype=float),
        line_earliest=np.array(
            [0 if ln.earliest_decision is None else at(ln.earliest_decision) for ln in lines],
            dtype=np.int64,
        ),
        line_pair=line_pair.astype(np.int64),
        line_committed=committed,
        line_availability=availability,
        pair_supplier=pair_supplier.astype(np.int64),
        pair_item=pair_item.astype(np.int64),
        pair_tiers=pair_tiers,
        qualified_from=qualified_from,
        component_codes=components,
        component_supply=supply,
        bom=bom,
        budget_nation=budget_nation,
        budget_year=budget_year,
        budget_amount=budget_amount,
        commitment_cost=commitment_cost,
        commitment_late_unit_months=commitment_late,
        committed_to_requirement=committed_to_req,
    )
