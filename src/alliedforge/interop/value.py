"""The value of interoperability: what qualifying an item on a weapon system would save, and
what each existing qualification is worth (docs/interop.md).

Every value is measured against the base plan: a candidate scenario (the base with one
qualification added, advanced or removed) is planned and its objective compared with the
base plan's. Money is in the scenario currency, quantities in units, lateness in
unit-months. Work is saved in two ways.

Answers known without solving:
- removing a qualification the base plan does not use (no planned or committed delivery of
  the item to the system) leaves the base plan feasible and so optimal: 0, no solve;
- with no line making the item, or no requirement of the system, no arc can change: 0.

Two passes for the rest:
1. every candidate is planned with the base plan's openings fixed (planning/recourse.py),
   about a tenth of a free plan's time. That plan is feasible for the candidate, so it
   bounds the value from one side: a saving is at least what it finds, a loss at most;
2. the `refine` most valuable gains and holdings are planned again with openings free,
   the better plan so far as cutoff; the solver's bound closes the interval's other side.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from alliedforge.planning.batch import PlanJob, PlanRunner
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan, PlanStatus
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.months import is_month, month_at, month_index
from alliedforge.whatif.apply import apply_changes
from alliedforge.whatif.changes import (
    Change,
    QualificationAdded,
    QualificationMoved,
    QualificationRemoved,
)

BASE_KEY = "base"
# Gains and holdings planned again with the openings free (the ranking's top of each).
DEFAULT_REFINE = 4
# The base plan is the yardstick of every value: it gets at least this long (s).
BASE_MIN_SECONDS = 120.0
# A found plan must beat the base by more than rounding to count as a saving.
CUTOFF_SLACK = 1e-9

Progress = Callable[[int, int], None]  # (candidates done, candidates in all)


class InteropError(ValueError):
    """The ranking cannot be made: a bad `from` month, or a base that cannot be planned."""


class Direction(StrEnum):
    """What a candidate does to the qualification of its item on its weapon system."""

    ADD = "add"  # missing: qualify it
    ADVANCE = "advance"  # pending: qualified only later, bring it forward
    REMOVE = "remove"  # existing: what it is worth, by taking it away


class Basis(StrEnum):
    """How a value was obtained."""

    SOLVED = "solved"  # planned with free openings within the gap
    TIME_LIMIT = "time_limit"  # planned with free openings, stopped by the time limit
    OPENINGS_FIXED = "openings_fixed"  # planned with the base plan's openings only
    UNUSED = "unused"  # removal of a qualification the base plan does not use
    NO_SUPPLY = "no_supply"  # no line makes the item
    NO_DEMAND = "no_demand"  # no requirement is for the weapon system


@dataclass(frozen=True, slots=True)
class Candidate:
    """One (item, weapon system) qualification to value; `qualified_from` is its current
    first month (None: missing for ADD, from the start for REMOVE)."""

    item: str
    weapon_system: str
    direction: Direction
    qualified_from: str | None = None

    @property
    def key(self) -> str:
        return f"{self.direction.value}:{self.item}@{self.weapon_system}"

    def change(self, from_month: str) -> Change:
        """The what-if change that makes this candidate's scenario from the base."""
        match self.direction:
            case Direction.ADD:
                return QualificationAdded(self.item, self.weapon_system, from_month)
            case Direction.ADVANCE:
                return QualificationMoved(self.item, self.weapon_system, from_month)
            case Direction.REMOVE:
                return QualificationRemoved(self.item, self.weapon_system)


@dataclass(frozen=True, slots=True)
class NationValue:
    """A nation's part of a value: shortfall units and late unit-months it avoids."""

    nation: str
    shortfall: float
    late_unit_months: float


@dataclass(frozen=True, slots=True)
class InteropValue:
    """What a candidate is worth (currency), always counted so that more is more valuable:
    for ADD/ADVANCE the saving over the base plan, for REMOVE the loss without it.

    `value` comes from the plan found; [`low`, `high`] holds the true value whenever the
    base plan is optimal (the candidate's dual bound gives the other end).
    """

    candidate: Candidate
    value: float
    low: float
    high: float
    shortfall: float  # units avoided (ADD/ADVANCE) or lost (REMOVE)
    late_unit_months: float
    nations: tuple[NationValue, ...]
    basis: Basis


@dataclass(frozen=True)
class InteropRanking:
    """Candidates ranked by value, the base plan they are measured against, and the month."""

    scenario_name: str
    currency: str
    from_month: str
    base: Plan
    gains: tuple[InteropValue, ...]  # ADD/ADVANCE, most valuable first
    holdings: tuple[InteropValue, ...]  # REMOVE, most valuable first

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe document (interop.json)."""
        return {
            "scenario_name": self.scenario_name,
            "currency": self.currency,
            "from_month": self.from_month,
            "base": {
                "status": self.base.status.value,
                "objective": _finite(self.base.objective),
                "bound": _finite(self.base.bound),
                "mip_gap": _finite(self.base.mip_gap),
            },
            "gains": [_value_dict(v) for v in self.gains],
            "holdings": [_value_dict(v) for v in self.holdings],
        }


def _value_dict(v: InteropValue) -> dict[str, Any]:
    c = v.candidate
    return {
        "item": c.item,
        "weapon_system": c.weapon_system,
        "direction": c.direction.value,
        "qualified_from": c.qualified_from,
        "value": v.value,
        "low": v.low,
        "high": _finite(v.high),
        "shortfall": v.shortfall,
        "late_unit_months": v.late_unit_months,
        "basis": v.basis.value,
        "nations": [
            {"nation": n.nation, "shortfall": n.shortfall, "late_unit_months": n.late_unit_months}
            for n in v.nations
        ],
    }


def _finite(value: float) -> float | None:
    """JSON has no infinity or NaN: an unknown number is null."""
    return value if math.isfinite(value) else None


def find_candidates(scenario: Scenario, from_month: str) -> tuple[Candidate, ...]:
    """Missing or pending (item, weapon system) pairs worth valuing, in scenario order.

    A pair counts when the item's family is already qualified on the system through
    another item (a 155 mm round on a howitzer, never on a mortar) and the system is
    fielded by a nation with requirements, or required directly.
    """
    family = {item.code: item.family for item in scenario.items}
    qualified = {(q.item, q.weapon_system): q.from_month for q in scenario.qualifications}
    families_on = {(family[item], system) for item, system in qualified}
    requirements = scenario.all_requirements()
    demanding = {r.nation for r in requirements}
    fielded = {f.weapon_system for f in scenario.fleets if f.nation in demanding}
    fielded |= {r.weapon_system for r in requirements}
    start = scenario.manifest.start
    found: list[Candidate] = []
    for item in scenario.items:
        for system in scenario.weapon_systems:
            pair = (item.code, system.code)
            if system.code not in fielded or (item.family, system.code) not in families_on:
                continue
            if pair not in qualified:
                found.append(Candidate(item.code, system.code, Direction.ADD))
                continue
            month = qualified[pair]
            if month is not None and month_index(start, month) > month_index(start, from_month):
                found.append(Candidate(item.code, system.code, Direction.ADVANCE, month))
    return tuple(found)


def existing_qualifications(scenario: Scenario) -> tuple[Candidate, ...]:
    """Every qualification of the scenario, as a candidate for removal."""
    return tuple(
        Candidate(q.item, q.weapon_system, Direction.REMOVE, q.from_month)
        for q in scenario.qualifications
    )


def rank_interop(
    scenario: Scenario,
    runner: PlanRunner,
    *,
    from_month: str | None = None,
    reverse: bool = True,
    options: PlanOptions | None = None,
    refine: int = DEFAULT_REFINE,
    progress: Progress | None = None,
) -> InteropRanking:
    """Value every candidate (and, with `reverse`, every existing qualification) by planning
    its scenario through `runner` (see the module docstring for the two passes); `options`
    apply to each candidate (time limit per plan), the base plan gets at least
    BASE_MIN_SECONDS."""
    options = options or PlanOptions()
    month = _from_month(scenario, from_month)
    base_options = replace(options, time_limit=max(options.time_limit, BASE_MIN_SECONDS))
    base = runner.run([PlanJob(BASE_KEY, scenario, base_options)])[BASE_KEY]
    if base.status is PlanStatus.INFEASIBLE:
        raise InteropError("the base scenario is infeasible: " + "; ".join(base.infeasibility))

    candidates = find_candidates(scenario, month)
    if reverse:
        candidates += existing_qualifications(scenario)
    shortcuts = {c.key: basis for c in candidates if (basis := _shortcut(scenario, base, c))}
    planned = [c for c in candidates if c.key not in shortcuts]
    scenarios = {c.key: apply_changes(scenario, [c.change(month)]) for c in planned}
    total = len(candidates) + min(refine, len(planned))
    done = [len(shortcuts)]

    def on_done(key: str, plan: Plan) -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    if progress is not None:
        progress(done[0], total)
    fixed = replace(options, openings=base.openings)
    jobs = [PlanJob(key, candidate, fixed) for key, candidate in scenarios.items()]
    first = runner.run(jobs, on_done) if jobs else {}
    values = {
        c.key: _zero(c, shortcuts[c.key])
        if c.key in shortcuts
        else _value(c, base, first[c.key], None)
        for c in candidates
    }
    again = _to_refine(values.values(), refine)
    jobs = [
        PlanJob(v.candidate.key, scenarios[v.candidate.key], _free(options, first[v.candidate.key]))
        for v in again
    ]
    second = runner.run(jobs, on_done) if jobs else {}
    for key, plan in second.items():
        values[key] = _value(values[key].candidate, base, first[key], plan)
    return InteropRanking(
        scenario_name=scenario.manifest.name,
        currency=scenario.manifest.currency,
        from_month=month,
        base=base,
        gains=_ranked(v for v in values.values() if v.candidate.direction is not Direction.REMOVE),
        holdings=_ranked(v for v in values.values() if v.candidate.direction is Direction.REMOVE),
    )


def _to_refine(values: Iterable[InteropValue], refine: int) -> list[InteropValue]:
    """The `refine` most valuable planned gains and as many holdings."""
    planned = [v for v in values if v.basis is Basis.OPENINGS_FIXED]
    gains = _ranked(v for v in planned if v.candidate.direction is not Direction.REMOVE)
    holdings = _ranked(v for v in planned if v.candidate.direction is Direction.REMOVE)
    return [*gains[:refine], *holdings[:refine]]


def _free(options: PlanOptions, fixed: Plan) -> PlanOptions:
    """Openings free; the fixed-openings plan's objective prunes what cannot beat it."""
    return replace(options, openings=None, cutoff=fixed.objective * (1 + CUTOFF_SLACK))


def _from_month(scenario: Scenario, month: str | None) -> str:
    start, months = scenario.manifest.start, scenario.manifest.months
    if month is None:
        return start
    last = month_at(start, months - 1)
    if not is_month(month) or not 0 <= month_index(start, month) < months:
        raise InteropError(f"from month {month!r} is not a month of the horizon {start}–{last}")
    return month


def _shortcut(scenario: Scenario, base: Plan, candidate: Candidate) -> Basis | None:
    """The basis on which the candidate is worth exactly 0 without planning, if any."""
    item, system = candidate.item, candidate.weapon_system
    if candidate.direction is Direction.REMOVE:
        requirement_system = {r.code: r.weapon_system for r in scenario.all_requirements()}
        used = any(
            d.item == item and requirement_system[d.requirement] == system for d in base.deliveries
        )
        return None if used else Basis.UNUSED
    if not any(line.item == item for line in scenario.lines):
        return Basis.NO_SUPPLY
    if not any(r.weapon_system == system for r in scenario.all_requirements()):
        return Basis.NO_DEMAND
    return None


def _zero(candidate: Candidate, basis: Basis) -> InteropValue:
    return InteropValue(candidate, 0.0, 0.0, 0.0, 0.0, 0.0, (), basis)


def _value(candidate: Candidate, base: Plan, fixed: Plan, free: Plan | None) -> InteropValue:
    """The candidate's value, signed so that more is more valuable, from the plan with the
    base openings (`fixed`) and, once refined, the plan with free openings (`free`).

    The better plan found bounds the candidate's optimum from above; only a free plan's
    bound bounds it from below (unknown before refining: an open interval end).
    """
    best = fixed if free is None or free.objective >= fixed.objective else free
    if free is None:
        bound, basis = -math.inf, Basis.OPENINGS_FIXED
    else:
        bound = min(free.bound, best.objective)
        gap = float(free.options.get("gap", 0.0))
        proven = best.objective - bound <= gap * abs(best.objective)
        basis = Basis.SOLVED if free.status is PlanStatus.OPTIMAL or proven else Basis.TIME_LIMIT
    if candidate.direction is Direction.REMOVE:
        value = max(best.objective - base.objective, 0.0)
        low = min(max(bound - base.objective, 0.0), value)
        return _with_outcomes(candidate, base, best, value, low, value, basis, sign=-1.0)
    high = max(base.objective - bound, 0.0)
    if best.objective >= base.objective:
        # Nothing better than the base plan was found.
        return InteropValue(candidate, 0.0, 0.0, high, 0.0, 0.0, (), basis)
    value = base.objective - best.objective
    return _with_outcomes(candidate, base, best, value, value, max(high, value), basis, sign=1.0)


def _with_outcomes(
    candidate: Candidate,
    base: Plan,
    plan: Plan,
    value: float,
    low: float,
    high: float,
    basis: Basis,
    *,
    sign: float,
) -> InteropValue:
    """Shortfall and lateness avoided per nation: base − candidate, times `sign`."""
    before, after = _per_nation(base), _per_nation(plan)
    nations = tuple(
        NationValue(
            nation,
            sign * (before[nation][0] - after.get(nation, (0.0, 0.0))[0]),
            sign * (before[nation][1] - after.get(nation, (0.0, 0.0))[1]),
        )
        for nation in sorted(before)
    )
    return InteropValue(
        candidate,
        value,
        low,
        high,
        sum(n.shortfall for n in nations),
        sum(n.late_unit_months for n in nations),
        tuple(n for n in nations if n.shortfall or n.late_unit_months),
        basis,
    )


def _per_nation(plan: Plan) -> dict[str, tuple[float, float]]:
    """(shortfall units, late unit-months) per nation."""
    totals: dict[str, tuple[float, float]] = {}
    for o in plan.requirements:
        short, late = totals.get(o.nation, (0.0, 0.0))
        totals[o.nation] = (short + o.shortfall, late + o.late_unit_months)
    return totals


def _ranked(values: Iterable[InteropValue]) -> tuple[InteropValue, ...]:
    """Most valuable first; ties by item and weapon system for a stable report."""
    return tuple(
        sorted(values, key=lambda v: (-v.value, v.candidate.item, v.candidate.weapon_system))
    )
