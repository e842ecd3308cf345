"""Synthetic contracts and limits: commitments, shared components and national budgets.

Commitments are drawn first; component supply and budgets are then set so that the
commitments alone never break them, which keeps every generated scenario feasible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alliedforge.scenario.model import (
    BomEntry,
    Budget,
    Commitment,
    Component,
    ComponentSupply,
)
from alliedforge.scenario.months import month_at, year_of
from alliedforge.scenario.synth.catalogue import Catalogue
from alliedforge.scenario.synth.demand import Demand
from alliedforge.scenario.synth.industry import Industry, PriceBook
from alliedforge.scenario.synth.numbers import FloatArray, IntArray, floor_sig, round_sig
from alliedforge.scenario.synth.reference import COMPONENTS

COMMITTED_SHARE = 0.1  # share of requirements with deliveries already under contract
COMMITTED_LOAD = 0.6  # most of a line's monthly capacity that commitments take
CONTRACT_MONTHS = 12  # commitments fall in the first year a line may serve a requirement
BUDGETED_SHARE = 0.7  # share of nations with budget rows
BUDGET_TO_SPEND = (0.5, 1.3)  # budget over expected spend: below 1 binds


@dataclass(frozen=True, slots=True)
class Commitments:
    """Deliveries under contract as parallel arrays (index = commitment)."""

    line: IntArray
    requirement: IntArray
    month: IntArray
    quantity: FloatArray
    unit_price: FloatArray

    @classmethod
    def none(cls) -> Commitments:
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, empty, np.zeros(0), np.zeros(0))

    def rows(
        self, line_codes: list[str], requirement_codes: list[str], start: str
    ) -> tuple[Commitment, ...]:
        width = max(3, len(str(self.line.size - 1)))
        return tuple(
            Commitment(
                code=f"C{k:0{width}d}",
                line=line_codes[self.line[k]],
                requirement=requirement_codes[self.requirement[k]],
                month=month_at(start, int(self.month[k])),
                quantity=float(self.quantity[k]),
                unit_price=float(self.unit_price[k]),
            )
            for k in range(self.line.size)
        )


def draw_commitments(
    rng: np.random.Generator,
    industry: Industry,
    qualifications: tuple[IntArray, IntArray, IntArray],
    demand: Demand,
    prices: PriceBook,
    months: int,
) -> Commitments:
    """Contracts on active lines whose item is qualified on the requirement's system.

    Each fits the requirement's quantity and the line's capacity in its month, together
    with every other commitment.
    """
    item, system, from_month = qualifications
    options: dict[int, list[tuple[int, int]]] = {}
    for active in np.flatnonzero(industry.active):
        for q in np.flatnonzero(item == industry.line_item[active]):
            options.setdefault(int(system[q]), []).append((int(active), int(from_month[q])))
    wanted = max(1, round(COMMITTED_SHARE * demand.nation.size))
    load = np.zeros((industry.line_item.size, months))
    remaining = demand.quantity.copy()
    records: list[tuple[int, int, int, float, float]] = []
    contracted = 0
    for r in rng.permutation(demand.nation.size):
        choices = options.get(int(demand.system[r]))
        if not choices or contracted >= wanted:
            continue
        line, first = choices[rng.integers(len(choices))]
        window = np.arange(first, min(months, first + CONTRACT_MONTHS))
        count = min(window.size, int(rng.integers(1, 4)))
        list_price = prices.list_price[
            (int(industry.line_supplier[line]), int(industry.line_item[line]))
        ]
        before = len(records)
        for t in np.sort(rng.choice(window, size=count, replace=False)):
            room = COMMITTED_LOAD * industry.capacity[line] - load[line, t]
            want = demand.quantity[r] * rng.uniform(0.1, 0.25)
            limit = np.array([min(want, remaining[r], room)])
            # Whole units, rounded down so that the limits hold exactly.
            quantity = float(np.floor(floor_sig(limit, 2)[0]))
            if quantity < 1:
                continue
            price = float(round_sig(np.array([list_price * rng.uniform(0.9, 1.1)]), 3)[0])
            load[line, t] += quantity
            remaining[r] -= quantity
            records.append((line, int(r), int(t), quantity, price))
        contracted += len(records) > before
    if not records:
        return Commitments.none()
    line_, req_, month_, qty_, price_ = zip(*records, strict=True)
    return Commitments(
        line=np.array(line_, dtype=np.int64),
        requirement=np.array(req_, dtype=np.int64),
        month=np.array(month_, dtype=np.int64),
        quantity=np.array(qty_),
        unit_price=np.array(price_),
    )


@dataclass(frozen=True, slots=True)
class ComponentTables:
    """The rows of the components, bom and component_supply tables."""

    components: tuple[Component, ...]
    bom: tuple[BomEntry, ...]
    supply: tuple[ComponentSupply, ...]


def draw_components(
    rng: np.random.Generator,
    catalogue: Catalogue,
    industry: Industry,
    commitments: Commitments,
    item_codes: list[str],
    months: int,
    start: str,
) -> ComponentTables:
    """Energetics, fuzes and rocket motors shared across families, short early on.

    Supply starts below what the active lines could use and steps up quarterly (new
    energetics plants) towards most of what all lines could use; it never falls below
    what the commitments need.
    """
    used = [c for c in COMPONENTS if any(c is b[0] for f in catalogue.families for b in f.kind.bom)]
    per_unit = np.zeros((catalogue.item_family.size, len(used)))
    for i, f in enumerate(catalogue.item_family):
        for component, low, high in catalogue.families[f].kind.bom:
            per_unit[i, used.index(component)] = low if low == high else rng.uniform(low, high)
    per_unit = round_sig(per_unit, 3)
    line_use = industry.capacity[:, None] * per_unit[industry.line_item]
    active_use = line_use[industry.active].sum(axis=0)
    full_use = line_use.sum(axis=0)
    first = active_use * rng.uniform(0.6, 0.9, size=len(used))
    last = np.maximum(first, full_use * rng.uniform(0.7, 1.0, size=len(used)))
    ramp_end = rng.integers(max(1, months // 3), max(2, months), size=len(used))
    quarter = (np.arange(months) // 3 * 3)[:, None]
    supply = first + (last - first) * np.minimum(1.0, quarter / ramp_end)
    committed = np.zeros((months, len(used)))
    np.add.at(
        committed,
        commitments.month,
        commitments.quantity[:, None] * per_unit[industry.line_item[commitments.line]],
    )
    supply = np.maximum(supply, committed * 1.02)
    decimals = np.array([c.decimals for c in used])
    supply = np.ceil(supply * 10.0**decimals) / 10.0**decimals
    components = tuple(Component(c.code, c.name) for c in used)
    bom = tuple(
        BomEntry(item_codes[i], used[c].code, float(per_unit[i, c]))
        for i, c in zip(*np.nonzero(per_unit), strict=True)
    )
    rows = []
    for c, component in enumerate(used):
        plateau = float(supply[-1, c])
        rows.append(ComponentSupply(component.code, None, plateau))
        rows.extend(
            ComponentSupply(component.code, month_at(start, int(t)), float(supply[t, c]))
            for t in np.flatnonzero(supply[:, c] != plateau)
        )
    return ComponentTables(components, bom, tuple(rows))


def draw_budgets(
    rng: np.random.Generator,
    catalogue: Catalogue,
    demand: Demand,
    prices: PriceBook,
    commitments: Commitments,
    months: int,
    start: str,
) -> tuple[Budget, ...]:
    """Yearly budgets for most nations, around what their requirements would cost."""
    pair_item = np.array([i for _, i in prices.list_price], dtype=np.int64)
    pair_family = catalogue.item_family[pair_item]
    families = len(catalogue.families)
    total = np.bincount(pair_family, weights=list(prices.list_price.values()), minlength=families)
    family_price = total / np.maximum(np.bincount(pair_family, minlength=families), 1)
    value = demand.quantity * family_price[catalogue.system_family[demand.system]]
    # Half of a requirement's spend falls evenly before its due month, half evenly over the
    # horizon, as scarce capacity stretches deliveries.
    before_due = np.arange(months)[None, :] <= demand.due[:, None]
    profile = 0.5 * before_due / (demand.due[:, None] + 1) + 0.5 / months
    monthly = value[:, None] * profile
    years = np.array([year_of(start, t) for t in range(months)])
    first_year = int(years[0])
    spend = np.zeros((len(catalogue.nations), int(years[-1]) - first_year + 1))
    np.add.at(spend, (demand.nation[:, None], years[None, :] - first_year), monthly)
    committed = np.zeros_like(spend)
    np.add.at(
        committed,
        (demand.nation[commitments.requirement], years[commitments.month] - first_year),
        commitments.quantity * commitments.unit_price,
    )
    budgeted = rng.random(len(catalogue.nations)) < BUDGETED_SHARE
    amount = spend * rng.uniform(*BUDGET_TO_SPEND, size=spend.shape)
    # 5% above the commitments survives rounding to three significant digits.
    amount = round_sig(np.maximum(amount, committed * 1.05), 3)
    return tuple(
        Budget(catalogue.nations[n].code, first_year + int(y), float(amount[n, y]))
        for n, y in zip(*np.nonzero(budgeted[:, None] & (amount > 0)), strict=True)
    )
