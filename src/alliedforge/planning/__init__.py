"""The planning engine: Scenario in, Plan out (HiGHS MILP, exact or scalable)."""

from alliedforge.planning.compare import ModePlans, solve_both_modes
from alliedforge.planning.options import PlanOptions, Progress, ProgressCallback, Strategy
from alliedforge.planning.package import read_plan_package, write_plan_package
from alliedforge.planning.plan import (
    Costs,
    Delivery,
    Mode,
    Opening,
    Plan,
    PlanStatus,
    RequirementOutcome,
    TierChoice,
)
from alliedforge.planning.solve import solve_plan

__all__ = [
    "Costs",
    "Delivery",
    "Mode",
    "ModePlans",
    "Opening",
    "Plan",
    "PlanOptions",
    "PlanStatus",
    "Progress",
    "ProgressCallback",
    "RequirementOutcome",
    "Strategy",
    "TierChoice",
    "read_plan_package",
    "solve_both_modes",
    "solve_plan",
    "write_plan_package",
]
