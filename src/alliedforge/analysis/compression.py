"""The compression what-if: re-plan as if one stage of the acquisition timeline were shorter.

Each stage shortens one parameter of every dormant or new line (docs/timelines.md):
- preparation, bidding, evaluation, contracting (requirement approved → contract signed)
  come before a line can be opened: `earliest_decision` moves N months earlier, clamped at
  the horizon's start (a line without one may already be opened at the start);
- lead_time (contract signed → first delivery): `lead_months` is N months shorter, at least 0;
- delivery (first delivery → completed): `ramp_months` is N months shorter, at least 0, so
  full rate comes sooner.
Active lines and commitments do not change. Each change only widens what the planner may
do, so the optimal objective of the compressed scenario is never higher.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from alliedforge.analysis.kpis import nation_kpis
from alliedforge.analysis.plandiff import Change, PlanDiff, diff_plans
from alliedforge.analysis.timelines import Stage
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan, PlanStatus
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario.model import Line, LineState, Scenario
from alliedforge.scenario.shift import shift_earliest_decision


class Lever(StrEnum):
    """The line parameter a stage's compression shortens."""

    EARLIEST_DECISION = "earliest_decision"
    LEAD_MONTHS = "lead_months"
    RAMP_MONTHS = "ramp_months"


LEVERS: dict[Stage, Lever] = {
    Stage.PREPARATION: Lever.EARLIEST_DECISION,
    Stage.BIDDING: Lever.EARLIEST_DECISION,
    Stage.EVALUATION: Lever.EARLIEST_DECISION,
    Stage.CONTRACTING: Lever.EARLIEST_DECISION,
    Stage.LEAD_TIME: Lever.LEAD_MONTHS,
    Stage.DELIVERY: Lever.RAMP_MONTHS,
}


@dataclass(frozen=True, slots=True)
class LineShift:
    """A line whose parameter the compression changed (a month `YYYY-MM`, or months)."""

    line: str
    lever: Lever
    before: str | int | None
    after: str | int | None


@dataclass(frozen=True, slots=True)
class NationEffect:
    """What the compression changes for one nation (units, unit-months, attributed cost)."""

    nation: str
    shortfall: Change
    late_unit_months: Change
    cost: Change


@dataclass(frozen=True, slots=True)
class CompressionValue:
    """What shortening `stage` by `months` buys: plan A is the baseline, plan B compressed.

    `diff` holds the cost components, the objective and the line openings that moved.
    """

    stage: Stage
    months: int
    lever: Lever
    lines: tuple[LineShift, ...]
    shortfall: Change
    late_unit_months: Change
    diff: PlanDiff
    nations: tuple[NationEffect, ...]


@dataclass(frozen=True, slots=True)
class CompressionWhatIf:
    """Both scenarios, both plans, and their comparison (None when a plan is infeasible)."""

    scenario: Scenario
    compressed: Scenario
    baseline: Plan
    plan: Plan
    value: CompressionValue | None


Solver = Callable[[Scenario, PlanOptions, str], Plan]


def _shorten(line: Line, lever: Lever, months: int, start: str, horizon: int) -> Line:
    if lever is Lever.EARLIEST_DECISION:
        return shift_earliest_decision(line, -months, start, horizon)
    value = getattr(line, lever.value)
    return line if value is None else replace(line, **{lever.value: max(0, value - months)})


def compress(scenario: Scenario, stage: Stage, months: int) -> Scenario:
    """`scenario` as if `stage` took `months` (≥ 0) fewer months; see the module docstring."""
    if months < 0:
        raise ValueError(f"a stage can be compressed by 0 or more months, not {months}")
    lever, manifest = LEVERS[stage], scenario.manifest
    lines = tuple(
        line
        if line.state is LineState.ACTIVE
        else _shorten(line, lever, months, manifest.start, manifest.months)
        for line in scenario.lines
    )
    return replace(scenario, lines=lines)


def line_shifts(scenario: Scenario, compressed: Scenario, lever: Lever) -> tuple[LineShift, ...]:
    """The lines whose `lever` differs between the two scenarios, in line order."""
    after = {line.code: line for line in compressed.lines}
    shifts = []
    for line in scenario.lines:
        if line.code not in after:
            continue
        old, new = getattr(line, lever.value), getattr(after[line.code], lever.value)
        if old != new:
            shifts.append(LineShift(line.code, lever, old, new))
    return tuple(shifts)


def _comparable(plan: Plan, scenario: Scenario, which: str) -> None:
    if plan.status is PlanStatus.INFEASIBLE:
        raise ValueError(f"the {which} plan is infeasible: there is nothing to compare")
    if plan.scenario_hash and plan.scenario_hash != scenario.content_hash():
        raise ValueError(f"the {which} plan was made for another scenario")


def compression_value(
    scenario: Scenario,
    compressed: Scenario,
    stage: Stage,
    months: int,
    baseline: Plan,
    plan: Plan,
) -> CompressionValue:
    """Compare the baseline plan of `scenario` with the plan of its `compressed` form."""
    _comparable(baseline, scenario, "baseline")
    _comparable(plan, compressed, "compressed")
    before = {k.nation: k for k in nation_kpis(scenario, baseline)}
    after = {k.nation: k for k in nation_kpis(compressed, plan)}
    nations = tuple(
        NationEffect(
            nation=code,
            shortfall=Change(code, before[code].shortfall, after[code].shortfall),
            late_unit_months=Change(
                code, before[code].late_unit_months, after[code].late_unit_months
            ),
            cost=Change(code, before[code].costs.total, after[code].costs.total),
        )
        for code in before
    )
    return CompressionValue(
        stage=stage,
        months=months,
        lever=LEVERS[stage],
        lines=line_shifts(scenario, compressed, LEVERS[stage]),
        shortfall=Change(
            "shortfall", sum(n.shortfall.a for n in nations), sum(n.shortfall.b for n in nations)
        ),
        late_unit_months=Change(
            "late unit-months",
            sum(n.late_unit_months.a for n in nations),
            sum(n.late_unit_months.b for n in nations),
        ),
        diff=diff_plans(scenario, baseline, compressed, plan),
        nations=nations,
    )


def _solve(scenario: Scenario, options: PlanOptions, label: str) -> Plan:
    return solve_plan(scenario, options)


def plan_compression(
    scenario: Scenario,
    stage: Stage,
    months: int,
    options: PlanOptions | None = None,
    solve: Solver = _solve,
) -> CompressionWhatIf:
    """Plan `scenario` and its compressed form with the same options, and compare the two.

    `solve` is called with a label ("baseline", "compressed") a caller may show as progress.
    """
    options = options or PlanOptions()
    compressed = compress(scenario, stage, months)
    baseline = solve(scenario, options, "baseline")
    plan = solve(compressed, options, "compressed")
    feasible = PlanStatus.INFEASIBLE not in (baseline.status, plan.status)
    value = (
        compression_value(scenario, compressed, stage, months, baseline, plan) if feasible else None
    )
    return CompressionWhatIf(scenario, compressed, baseline, plan, value)
