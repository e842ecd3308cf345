"""A scenario at a glance: table sizes, horizon, and demand against capacity per item family."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from alliedforge.scenario.capacity import line_capacity
from alliedforge.scenario.model import TABLE_FIELDS, LineState, Scenario
from alliedforge.scenario.months import month_at
from alliedforge.scenario.nsn import canonical_item_code


@dataclass(frozen=True, slots=True)
class FamilyBalance:
    """Demand on an item family against what its lines can make over the horizon (units).

    A requirement counts towards every family with an item qualified on its weapon
    system, so a requirement that two families can serve appears under both.
    """

    family: str
    demand: float
    active_capacity: float  # active lines, every month of the horizon
    capacity: float  # plus dormant and new lines opened as early as allowed


@dataclass(frozen=True, slots=True)
class ScenarioSummary:
    """Counts per table, the horizon, and the per-family balance (units)."""

    name: str
    start: str
    months: int
    end: str  # the last month of the horizon
    counts: dict[str, int]
    total_demand: float  # requirements including those stockpiles imply
    unserved_demand: float  # demand whose weapon system has no qualified item at all
    families: tuple[FamilyBalance, ...]


def summarise(scenario: Scenario) -> ScenarioSummary:
    """Summarise a valid scenario; pure data for the CLI, reports and web pages."""
    manifest = scenario.manifest
    family_of = {canonical_item_code(item.code): item.family for item in scenario.items}
    families_of_system: dict[str, set[str]] = defaultdict(set)
    for q in scenario.qualifications:
        family = family_of.get(canonical_item_code(q.item))
        if family is not None:
            families_of_system[q.weapon_system].add(family)

    demand: dict[str, float] = defaultdict(float)
    total = unserved = 0.0
    for requirement in scenario.all_requirements():
        total += requirement.quantity
        families = families_of_system.get(requirement.weapon_system)
        if not families:
            unserved += requirement.quantity
        for family in families or ():
            demand[family] += requirement.quantity

    active: dict[str, float] = defaultdict(float)
    best: dict[str, float] = defaultdict(float)
    for line in scenario.lines:
        family = family_of.get(canonical_item_code(line.item))
        if family is None:
            continue
        units = float(line_capacity(line, manifest.start, manifest.months).sum())
        best[family] += units
        if line.state is LineState.ACTIVE:
            active[family] += units

    balances = tuple(
        FamilyBalance(family, demand[family], active[family], best[family])
        for family in sorted(set(family_of.values()))
    )
    return ScenarioSummary(
        name=manifest.name,
        start=manifest.start,
        months=manifest.months,
        end=month_at(manifest.start, manifest.months - 1),
        counts={name: len(getattr(scenario, name)) for name in TABLE_FIELDS},
        total_demand=total,
        unserved_demand=unserved,
        families=balances,
    )
