"""Changes to what industry can supply: line availability, component supply, budgets, and the
commitments cut so that what is already contracted still fits (the scenario stays plannable)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace

from alliedforge.scenario.model import (
    Budget,
    Commitment,
    ComponentSupply,
    LineAvailability,
    Scenario,
)
from alliedforge.scenario.months import month_at, month_index, parse_month

# A commitment left with less than this (units) is dropped rather than kept as dust.
_DUST = 1e-9


def months_of(scenario: Scenario, first: int, count: int | None = None) -> range:
    """Month indices from `first` for `count` months (None: to the end), within the horizon."""
    end = (
        scenario.manifest.months if count is None else min(first + count, scenario.manifest.months)
    )
    return range(max(first, 0), end)


def scale_availability(scenario: Scenario, spans: Mapping[str, range], factor: float) -> Scenario:
    """Capacity of each line × `factor` in the months of its span (month indices).

    Factors multiply with availability rows already present; the result has one row per
    line and month. Commitments that no longer fit are then cut (`fit_commitments`).
    """
    start = scenario.manifest.start
    factors: dict[tuple[str, str], float] = {
        (a.line, a.month): a.factor for a in scenario.availability
    }
    for line, span in spans.items():
        for t in span:
            key = (line, month_at(start, t))
            factors[key] = factors.get(key, 1.0) * factor
    rows = tuple(LineAvailability(line, month, f) for (line, month), f in factors.items())
    return fit_commitments(replace(scenario, availability=rows))


def fit_commitments(scenario: Scenario) -> Scenario:
    """Cut the commitments of each line and month to the capacity left available there.

    A line-month whose commitments exceed capacity × availability keeps the same share of
    every commitment in it, rounded down to whole units (contracts are for units); the
    part cut is open demand again for the planner. Commitments cut to nothing are dropped.
    """
    share = {(a.line, a.month): a.factor for a in scenario.availability}
    capacity = {line.code: line.capacity_per_month for line in scenario.lines}
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for c in scenario.commitments:
        totals[(c.line, c.month)] += c.quantity
    ratios = {
        key: capacity[key[0]] * share.get(key, 1.0) / total
        for key, total in totals.items()
        if total > capacity[key[0]] * share.get(key, 1.0)
    }
    if not ratios:
        return scenario

    def cut(c: Commitment) -> Commitment:
        ratio = ratios.get((c.line, c.month))
        return c if ratio is None else replace(c, quantity=float(math.floor(c.quantity * ratio)))

    return keep_commitments(scenario, cut)


def keep_commitments(
    scenario: Scenario, cut: Callable[[Commitment], Commitment | None]
) -> Scenario:
    """The scenario with each commitment replaced by `cut(commitment)` (None or nothing left:
    dropped)."""
    kept = []
    for commitment in scenario.commitments:
        after = cut(commitment)
        if after is not None and after.quantity > _DUST:
            kept.append(after)
    return replace(scenario, commitments=tuple(kept))


def close_supplier(scenario: Scenario, supplier: str, first: int) -> Scenario:
    """Every line of `supplier` makes nothing from month index `first` on."""
    span = months_of(scenario, first)
    return scale_availability(
        scenario, {line.code: span for line in scenario.lines if line.supplier == supplier}, 0.0
    )


def committed_component_use(scenario: Scenario, component: str) -> dict[str, float]:
    """Units of `component` the commitments consume, by month (`YYYY-MM`)."""
    per_unit = {b.item: b.quantity_per_unit for b in scenario.bom if b.component == component}
    item_of = {line.code: line.item for line in scenario.lines}
    use: dict[str, float] = defaultdict(float)
    for c in scenario.commitments:
        use[c.month] += per_unit.get(item_of.get(c.line, ""), 0.0) * c.quantity
    return dict(use)


def shock_component(scenario: Scenario, component: str, span: range, factor: float) -> Scenario:
    """Supply of `component` × `factor` in the months of `span`, never below what the
    commitments use then. A component without supply rows is unlimited and stays so.

    Each shocked month gets its own dated row, from the blank-month default where it had
    none (scenario-format.md: a dated row overrides the blank-month row).
    """
    rows = [s for s in scenario.component_supply if s.component == component]
    if not rows:
        return scenario
    start = scenario.manifest.start
    default = next((s.capacity for s in rows if s.month is None), 0.0)
    dated = {s.month: s.capacity for s in rows if s.month is not None}
    use = committed_component_use(scenario, component)
    shocked = {}
    for t in span:
        month = month_at(start, t)
        shocked[month] = max(dated.get(month, default) * factor, use.get(month, 0.0))
    supply = [
        ComponentSupply(s.component, s.month, shocked.pop(s.month))
        if s.component == component and s.month in shocked
        else s
        for s in scenario.component_supply
    ]
    supply += [ComponentSupply(component, month, capacity) for month, capacity in shocked.items()]
    return replace(scenario, component_supply=tuple(supply))


def scale_budgets(
    scenario: Scenario, factor: float, nation: str | None, year: int | None
) -> Scenario:
    """Budget rows matching the filters × `factor`, never below what the nation's
    commitments cost in that year (calendar year of the commitment month)."""
    nation_of = {r.code: r.nation for r in scenario.all_requirements()}
    spent: dict[tuple[str, int], float] = defaultdict(float)
    for c in scenario.commitments:
        spent[(nation_of[c.requirement], parse_month(c.month)[0])] += c.quantity * c.unit_price

    def scaled(b: Budget) -> Budget:
        if nation not in (None, b.nation) or year not in (None, b.year):
            return b
        return replace(b, amount=max(b.amount * factor, spent.get((b.nation, b.year), 0.0)))

    return replace(scenario, budgets=tuple(scaled(b) for b in scenario.budgets))


def month_number(scenario: Scenario, month: str | None) -> int:
    """Month index of `month` in the horizon (None: the start)."""
    return 0 if month is None else month_index(scenario.manifest.start, month)
