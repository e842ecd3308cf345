"""Joint versus national buying: the same scenario solved in both modes."""

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
