"""What changed between two plans: deliveries per nation and item family, openings, tiers, costs.

Pure: two (scenario, plan) pairs in, a `PlanDiff` out. Items map to their family through
each plan's own scenario, so a diff stays right after the catalogue changed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from alliedforge.planning.plan import Opening, Plan, TierChoice
from alliedforge.scenario.model import Scenario

COST_COMPONENTS = ("procurement", "opening", "commitment", "shortfall", "late")


@dataclass(frozen=True, slots=True)
class Change:
    """A number in plan A and in plan B (units or scenario currency); NaN where undefined."""

    key: str
    a: float
    b: float

    @property
    def delta(self) -> float:
        return self.b - self.a

    @property
    def changed(self) -> bool:
        if math.isnan(self.a) or math.isnan(self.b):
            return not (math.isnan(self.a) and math.isnan(self.b))
        return not math.isclose(self.a, self.b, rel_tol=1e-9, abs_tol=1e-9)


@dataclass(frozen=True, slots=True)
class OpeningMove:
    """A line both plans open, at different decision months."""

    line: str
    a: Opening
    b: Opening


@dataclass(frozen=True, slots=True)
class TierChange:
    """A supplier–item pair (per nation in national mode) whose reached tier differs; `None`
    where a plan reaches no tier for the pair."""

    supplier: str
    item: str
    nation: str | None
    a: TierChoice | None
    b: TierChoice | None


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """Plan B against plan A; every `Change` lists a value for each key either plan has."""

    nations: tuple[Change, ...]
    families: tuple[Change, ...]
    shortfalls: tuple[Change, ...]
    openings_added: tuple[Opening, ...]
    openings_removed: tuple[Opening, ...]
    openings_moved: tuple[OpeningMove, ...]
    tiers: tuple[TierChange, ...]
    costs: tuple[Change, ...]
    objective: Change


def _changes(a: dict[str, float], b: dict[str, float]) -> tuple[Change, ...]:
    return tuple(Change(key, a.get(key, 0.0), b.get(key, 0.0)) for key in sorted(a.keys() | b))


def _totals(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for key, value in pairs:
        totals[key] += value
    return dict(totals)


def deliveries_by_nation(scenario: Scenario, plan: Plan) -> dict[str, float]:
    """Units delivered to each nation of the scenario (0 for a nation receiving none)."""
    totals = {nation.code: 0.0 for nation in scenario.nations}
    totals.update(_totals((d.nation, d.quantity) for d in plan.deliveries))
    return totals


def deliveries_by_family(scenario: Scenario, plan: Plan) -> dict[str, float]:
    """Units delivered per item family (an item the scenario lacks counts as its own family)."""
    family = {item.code: item.family for item in scenario.items}
    return _totals((family.get(d.item, d.item), d.quantity) for d in plan.deliveries)


def shortfall_by_nation(plan: Plan) -> dict[str, float]:
    """Units each nation is left short of, over its requirements."""
    return _totals((r.nation, r.shortfall) for r in plan.requirements)


def _tier_key(tier: TierChoice) -> tuple[str, str, str]:
    return tier.supplier, tier.item, tier.nation or ""


def diff_plans(scenario_a: Scenario, plan_a: Plan, scenario_b: Scenario, plan_b: Plan) -> PlanDiff:
    """What plan B (of `scenario_b`) changes against plan A (of `scenario_a`)."""
    openings_a = {o.line: o for o in plan_a.openings}
    openings_b = {o.line: o for o in plan_b.openings}
    tiers_a = {_tier_key(t): t for t in plan_a.tiers}
    tiers_b = {_tier_key(t): t for t in plan_b.tiers}
    tiers = tuple(
        TierChange(key[0], key[1], key[2] or None, tiers_a.get(key), tiers_b.get(key))
        for key in sorted(tiers_a.keys() | tiers_b)
        if key not in tiers_a
        or key not in tiers_b
        or tiers_a[key].min_quantity != tiers_b[key].min_quantity
    )
    return PlanDiff(
        nations=_changes(
            deliveries_by_nation(scenario_a, plan_a), deliveries_by_nation(scenario_b, plan_b)
        ),
        families=_changes(
            deliveries_by_family(scenario_a, plan_a), deliveries_by_family(scenario_b, plan_b)
        ),
        shortfalls=_changes(shortfall_by_nation(plan_a), shortfall_by_nation(plan_b)),
        openings_added=tuple(openings_b[line] for line in sorted(openings_b.keys() - openings_a)),
        openings_removed=tuple(openings_a[line] for line in sorted(openings_a.keys() - openings_b)),
        openings_moved=tuple(
            OpeningMove(line, openings_a[line], openings_b[line])
            for line in sorted(openings_a.keys() & openings_b)
            if openings_a[line].decision_month != openings_b[line].decision_month
        ),
        tiers=tiers,
        costs=tuple(
            Change(name, getattr(plan_a.costs, name), getattr(plan_b.costs, name))
            for name in COST_COMPONENTS
        ),
        objective=Change("objective", plan_a.objective, plan_b.objective),
    )
