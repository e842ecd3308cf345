"""Demand against production capacity per item family and month (units)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from alliedforge.planning.plan import Plan
from alliedforge.scenario.capacity import line_capacity
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.months import month_at, month_index

FloatArray = NDArray[np.float64]

UNQUALIFIED_FAMILY = "(no qualified item)"
"""Family under which demand counts when no item is qualified on its weapon system."""


@dataclass(frozen=True, slots=True, eq=False)
class FamilySeries:
    """Monthly demand, best-case capacity and planned production per item family.

    Arrays have shape (len(families), len(months)) and hold units per month.
    `planned` is None when no plan was given.
    """

    families: tuple[str, ...]
    months: tuple[str, ...]
    demand: FloatArray
    capacity: FloatArray
    planned: FloatArray | None = None

    @property
    def cumulative_demand(self) -> FloatArray:
        """Units due by the end of each month."""
        return np.cumsum(self.demand, axis=1)

    @property
    def cumulative_capacity(self) -> FloatArray:
        """Units the lines could have made by the end of each month, at best."""
        return np.cumsum(self.capacity, axis=1)

    @property
    def cumulative_planned(self) -> FloatArray | None:
        """Units the plan delivers by the end of each month."""
        return None if self.planned is None else np.cumsum(self.planned, axis=1)


def horizon_column(scenario: Scenario, month: str) -> int:
    """Month index of a plan's month; a month outside the horizon means a foreign plan."""
    t = month_index(scenario.manifest.start, month)
    if not 0 <= t < scenario.manifest.months:
        raise ValueError(f"month {month} lies outside the scenario's horizon")
    return t


def weapon_system_families(scenario: Scenario) -> dict[str, str]:
    """The item family each weapon system's demand counts under.

    A weapon system served by items of several families counts under the family
    with most qualified items (ties: first by name), so that every requirement
    counts exactly once and the families' demands add up to the total.
    """
    family_of_item = {item.code: item.family for item in scenario.items}
    return families_by_majority(
        (q.weapon_system, family_of_item[q.item]) for q in scenario.qualifications
    )


def families_by_majority(qualified: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each weapon system's family among its (weapon system, item family) qualification
    pairs: the family with most qualified items, ties by name (see
    `weapon_system_families`)."""
    counts: dict[str, Counter[str]] = {}
    for weapon_system, family in qualified:
        counts.setdefault(weapon_system, Counter())[family] += 1
    return {
        ws: min(counter, key=lambda family: (-counter[family], family))
        for ws, counter in counts.items()
    }


def capacity_by_family(scenario: Scenario, plan: Plan | None = None) -> FamilySeries:
    """Demand due and best-case capacity per item family and month; planned output if given.

    Demand is every requirement (stockpile-derived included) at its due month.
    Capacity assumes every dormant or new line opens at its earliest decision.
    Planned production sums the plan's deliveries (commitments included) by month.
    """
    start, horizon = scenario.manifest.start, scenario.manifest.months
    family_of_item = {item.code: item.family for item in scenario.items}
    family_of_ws = weapon_system_families(scenario)
    requirements = scenario.all_requirements()
    demand_families = [family_of_ws.get(r.weapon_system, UNQUALIFIED_FAMILY) for r in requirements]
    families = tuple(sorted(set(family_of_item.values())))
    if UNQUALIFIED_FAMILY in demand_families:
        families += (UNQUALIFIED_FAMILY,)
    row = {family: i for i, family in enumerate(families)}

    demand = np.zeros((len(families), horizon))
    if requirements:
        # A hand-built scenario may carry dues outside the horizon; counting them at
        # the nearest edge keeps the family totals equal to the total requirement.
        due = np.clip([month_index(start, r.due) for r in requirements], 0, horizon - 1)
        rows = np.array([row[family] for family in demand_families])
        np.add.at(demand, (rows, due), [r.quantity for r in requirements])

    capacity = np.zeros((len(families), horizon))
    for line in scenario.lines:
        capacity[row[family_of_item[line.item]]] += line_capacity(line, start, horizon)

    planned = None
    if plan is not None:
        planned = np.zeros((len(families), horizon))
        for d in plan.deliveries:
            planned[row[family_of_item[d.item]], horizon_column(scenario, d.month)] += d.quantity

    months = tuple(month_at(start, t) for t in range(horizon))
    return FamilySeries(families, months, demand, capacity, planned)
