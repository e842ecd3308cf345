"""One scenario planned two ways: joint versus national buying, fair share versus the optimum."""

from __future__ import annotations

from dataclasses import dataclass, replace

from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Mode, Plan
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario.model import Scenario


@dataclass(frozen=True)
class ModePlans:
    """A scenario's joint plan and its national counterfactual."""

    joint: Plan
    national: Plan

    @property
    def saving(self) -> float:
        """What joint procurement saves over buying alone (currency; > 0 is a saving)."""
        return self.national.objective - self.joint.objective


def solve_both_modes(scenario: Scenario, options: PlanOptions | None = None) -> ModePlans:
    """Solve joint then national, each with the full time limit of `options`."""
    options = options or PlanOptions()
    joint = solve_plan(scenario, replace(options, mode=Mode.JOINT))
    national = solve_plan(scenario, replace(options, mode=Mode.NATIONAL))
    return ModePlans(joint=joint, national=national)


@dataclass(frozen=True)
class FairShareResult:
    """The optimum, the fair-share plan, and what fairness costs (currency)."""

    optimal: Plan
    fair: Plan

    @property
    def cost_of_fairness(self) -> float:
        """Fair objective − optimal objective, both in the spec's costs (≥ 0 up to the gaps)."""
        return self.fair.objective - self.optimal.objective


def solve_fair_share(scenario: Scenario, options: PlanOptions | None = None) -> FairShareResult:
    """Solve without and with fair share, each with the full time limit of `options`."""
    options = options or PlanOptions()
    optimal = solve_plan(scenario, replace(options, fair_share=False))
    fair = solve_plan(scenario, replace(options, fair_share=True))
    return FairShareResult(optimal=optimal, fair=fair)


def shortfall_shares(scenario: Scenario, plan: Plan) -> dict[tuple[str, int], float]:
    """Shortfall ÷ required per (nation, priority): the shares fair share evens out."""
    priority = {r.code: r.priority for r in scenario.all_requirements()}
    required: dict[tuple[str, int], float] = {}
    short: dict[tuple[str, int], float] = {}
    for outcome in plan.requirements:
        key = (outcome.nation, priority[outcome.requirement])
        required[key] = required.get(key, 0.0) + outcome.quantity
        short[key] = short.get(key, 0.0) + outcome.shortfall
    return {key: short[key] / q for key, q in sorted(required.items()) if q > 0}
