"""Per-nation KPIs of a plan, attribution of its cost, and the value of joint procurement.

Attribution rule (`attribute_costs`): the objective is split among nations so that
the shares add up to it exactly —
- procurement and commitment: each nation pays for its own deliveries,
  quantity × unit price (planned deliveries at their tier price, commitments at
  their contract price);
- shortfall and lateness: each nation bears the penalties of its own
  requirements, S(p)·shortfall and late_fraction·S(p)·late unit-months;
- opening: each opened line's cost is shared pro rata to the units each nation
  received from that line. A line that delivered nothing is shared pro rata to
  all units each nation received, and equally if the plan delivers nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from alliedforge.analysis.capacity import FloatArray, horizon_column
from alliedforge.planning.plan import Costs, Mode, Plan, PlanStatus
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.months import month_at


@dataclass(frozen=True, slots=True)
class NationKpis:
    """How one nation fares under a plan (units, unit-months, scenario currency)."""

    nation: str
    required: float
    delivered: float
    on_time: float
    late_unit_months: float
    shortfall: float
    spend: float  # Σ quantity × unit price of its deliveries, commitments included
    costs: Costs  # its share of the objective, see `attribute_costs`


@dataclass(frozen=True, slots=True, eq=False)
class NationSeries:
    """Deliveries per nation and month: units and spend, arrays (nations, months)."""

    nations: tuple[str, ...]
    months: tuple[str, ...]
    quantity: FloatArray
    spend: FloatArray


@dataclass(frozen=True, slots=True)
class JointValue:
    """Cost of one nation (or of the alliance, `nation` None) bought alone vs jointly."""

    nation: str | None
    national: float
    joint: float

    @property
    def saving(self) -> float:
        """What joint procurement saves (negative: it costs more)."""
        return self.national - self.joint

    @property
    def saving_percent(self) -> float | None:
        """Saving as a percentage of the national cost; None when that cost is zero."""
        return None if self.national == 0 else 100.0 * self.saving / self.national


@dataclass(frozen=True, slots=True)
class ModeComparison:
    """The value of joint procurement: totals (the objectives) and per nation."""

    total: JointValue
    nations: tuple[JointValue, ...]


def _nation_rows(scenario: Scenario) -> dict[str, int]:
    return {n.code: i for i, n in enumerate(scenario.nations)}


def _row(rows: dict[str, int], nation: str) -> int:
    if nation not in rows:
        raise ValueError(f"plan names nation {nation!r}, which the scenario does not have")
    return rows[nation]


def deliveries_by_nation(scenario: Scenario, plan: Plan) -> NationSeries:
    """Units delivered to, and money spent by, each nation in each month (commitments included)."""
    rows = _nation_rows(scenario)
    horizon = scenario.manifest.months
    quantity = np.zeros((len(rows), horizon))
    spend = np.zeros((len(rows), horizon))
    for d in plan.deliveries:
        at = (_row(rows, d.nation), horizon_column(scenario, d.month))
        quantity[at] += d.quantity
        spend[at] += d.quantity * d.unit_price
    months = tuple(month_at(scenario.manifest.start, t) for t in range(horizon))
    return NationSeries(tuple(rows), months, quantity, spend)


def _opening_shares(scenario: Scenario, plan: Plan) -> FloatArray:
    """Opening cost borne by each nation (scenario currency), per the module's rule."""
    rows = _nation_rows(scenario)
    shares = np.zeros(len(rows))
    if not plan.openings or not rows:
        return shares
    units_by_line: dict[str, FloatArray] = defaultdict(lambda: np.zeros(len(rows)))
    all_units = np.zeros(len(rows))
    for d in plan.deliveries:
        i = _row(rows, d.nation)
        units_by_line[d.line][i] += d.quantity
        all_units[i] += d.quantity
    fallback = all_units if all_units.sum() > 0 else np.ones(len(rows))
    for opening in plan.openings:
        units = units_by_line.get(opening.line)
        weights = units if units is not None and units.sum() > 0 else fallback
        shares += opening.opening_cost * weights / weights.sum()
    return shares


def attribute_costs(scenario: Scenario, plan: Plan) -> dict[str, Costs]:
    """Each nation's share of the plan's objective, keyed by nation code in scenario order.

    See the module docstring for the rule; the shares' totals add up to the objective
    of a plan whose costs agree with its deliveries, openings and outcomes.
    """
    rows = _nation_rows(scenario)
    procurement = np.zeros(len(rows))
    commitment = np.zeros(len(rows))
    for d in plan.deliveries:
        spent = commitment if d.committed else procurement
        spent[_row(rows, d.nation)] += d.quantity * d.unit_price

    manifest = scenario.manifest
    priority = {r.code: r.priority for r in scenario.all_requirements()}
    shortfall = np.zeros(len(rows))
    late = np.zeros(len(rows))
    for outcome in plan.requirements:
        if outcome.requirement not in priority:
            raise ValueError(f"plan names requirement {outcome.requirement!r} not in the scenario")
        penalty = manifest.shortfall_cost[priority[outcome.requirement] - 1]
        i = _row(rows, outcome.nation)
        shortfall[i] += penalty * outcome.shortfall
        late[i] += manifest.late_fraction * penalty * outcome.late_unit_months

    opening = _opening_shares(scenario, plan)
    return {
        nation: Costs(
            procurement=float(procurement[i]),
            opening=float(opening[i]),
            commitment=float(commitment[i]),
            shortfall=float(shortfall[i]),
            late=float(late[i]),
        )
        for nation, i in rows.items()
    }


def nation_kpis(scenario: Scenario, plan: Plan) -> tuple[NationKpis, ...]:
    """Required, delivered, on-time, late, short and spent per nation, in scenario order."""
    rows = _nation_rows(scenario)
    required = np.zeros(len(rows))
    for r in scenario.all_requirements():
        required[_row(rows, r.nation)] += r.quantity
    # delivered, on time, late unit-months, shortfall
    served = np.zeros((len(rows), 4))
    for o in plan.requirements:
        served[_row(rows, o.nation)] += (
            o.delivered,
            o.delivered_on_time,
            o.late_unit_months,
            o.shortfall,
        )
    spend = deliveries_by_nation(scenario, plan).spend.sum(axis=1)
    costs = attribute_costs(scenario, plan)
    return tuple(
        NationKpis(
            nation=nation,
            required=float(required[i]),
            delivered=float(served[i, 0]),
            on_time=float(served[i, 1]),
            late_unit_months=float(served[i, 2]),
            shortfall=float(served[i, 3]),
            spend=float(spend[i]),
            costs=costs[nation],
        )
        for nation, i in rows.items()
    )


def _check_comparable(scenario: Scenario, plan: Plan, mode: Mode) -> None:
    if plan.mode is not mode:
        raise ValueError(f"expected a {mode} plan, got a {plan.mode} one")
    if plan.status is PlanStatus.INFEASIBLE:
        raise ValueError(f"the {mode} plan is infeasible: it has no cost to compare")
    if plan.scenario_hash and plan.scenario_hash != scenario.content_hash():
        raise ValueError(f"the {mode} plan was made for another scenario")


def compare_plans(scenario: Scenario, joint: Plan, national: Plan) -> ModeComparison:
    """What joint procurement saves against each nation buying alone, in total and per nation.

    The total compares the objectives; per nation it compares the attributed costs
    (`attribute_costs`), so the nations' savings add up to the total saving.
    """
    _check_comparable(scenario, joint, Mode.JOINT)
    _check_comparable(scenario, national, Mode.NATIONAL)
    joint_costs = attribute_costs(scenario, joint)
    national_costs = attribute_costs(scenario, national)
    return ModeComparison(
        total=JointValue(None, national=national.objective, joint=joint.objective),
        nations=tuple(
            JointValue(nation, national=national_costs[nation].total, joint=costs.total)
            for nation, costs in joint_costs.items()
        ),
    )
