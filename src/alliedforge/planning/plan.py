"""The `Plan`: what the planner decided, what it costs, and what produced it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Mode(StrEnum):
    """How volume tiers are counted: pooled across nations, or each nation alone."""

    JOINT = "joint"
    NATIONAL = "national"


class PlanStatus(StrEnum):
    """Outcome of a plan run (scenario-format.md, `summary.json`)."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"


@dataclass(frozen=True, slots=True)
class Delivery:
    """Units a line delivers to a requirement in a month, at a unit price (EUR/unit)."""

    line: str
    supplier: str
    item: str
    requirement: str
    nation: str
    month: str
    quantity: float
    unit_price: float
    committed: bool = False


@dataclass(frozen=True, slots=True)
class Opening:
    """A dormant or new line opened at `decision_month`, producing from `first_output_month`."""

    line: str
    decision_month: str
    first_output_month: str
    opening_cost: float


@dataclass(frozen=True, slots=True)
class TierChoice:
    """The volume tier reached by a supplier–item pair (per nation in national mode)."""

    supplier: str
    item: str
    nation: str | None
    min_quantity: float
    unit_price: float
    quantity: float


@dataclass(frozen=True, slots=True)
class RequirementOutcome:
    """How well a requirement is served: units delivered, on time, late unit-months, short."""

    requirement: str
    nation: str
    quantity: float
    delivered: float
    delivered_on_time: float
    late_unit_months: float
    shortfall: float


@dataclass(frozen=True, slots=True)
class Costs:
    """The objective's components (currency of the scenario)."""

    procurement: float = 0.0
    opening: float = 0.0
    commitment: float = 0.0
    shortfall: float = 0.0
    late: float = 0.0

    @property
    def total(self) -> float:
        return self.procurement + self.opening + self.commitment + self.shortfall + self.late


@dataclass(frozen=True, slots=True)
class Plan:
    """A solved (or proven infeasible) scenario, ready to be written as a plan package."""

    status: PlanStatus
    mode: Mode
    costs: Costs
    bound: float
    mip_gap: float
    build_seconds: float
    solve_seconds: float
    deliveries: tuple[Delivery, ...] = ()
    openings: tuple[Opening, ...] = ()
    tiers: tuple[TierChoice, ...] = ()
    requirements: tuple[RequirementOutcome, ...] = ()
    scenario_hash: str = ""
    scenario_name: str = ""
    solver: str = ""
    strategy: str = ""
    options: dict[str, float | str] = field(default_factory=dict)
    infeasibility: tuple[str, ...] = ()

    @property
    def objective(self) -> float:
        return self.costs.total
