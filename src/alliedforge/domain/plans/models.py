"""ORM models of plan runs: the run with its lineage, the plan's tables, the planned scenario."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from alliedforge.store.base import Record, one_of, utcnow

# Values of `PlanStatus` and `Mode` (planning/plan.py), repeated so the schema stands alone.
PLAN_STATUSES = ("optimal", "time_limit", "infeasible")
MODES = ("joint", "national")


class RunStatus(StrEnum):
    """Where a plan run stands: started, finished with a plan, or stopped by an error."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PlanScenario(Record):
    """A planned scenario, stored once per content hash as gzip-compressed canonical JSON."""

    __tablename__ = "plan_scenarios"

    hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanRun(Record):
    """One plan run: what was asked (mode, options), what produced it, how it ended.

    `status` is the run's own state; `plan_status` the planner's outcome once done. Floats
    the planner leaves undefined (NaN, as for an infeasible plan) are stored as NULL.
    """

    __tablename__ = "plan_runs"
    __table_args__ = (
        one_of("status", tuple(RunStatus), "status"),
        one_of("plan_status", PLAN_STATUSES, "plan_status"),
        one_of("mode", MODES, "mode"),
    )

    scenario_id: Mapped[int] = mapped_column(ForeignKey("plan_scenarios.id"), index=True)
    scenario_hash: Mapped[str] = mapped_column(String(64), index=True)
    scenario_name: Mapped[str] = mapped_column(String)
    mode: Mapped[str] = mapped_column(String)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String, index=True)
    plan_status: Mapped[str | None] = mapped_column(String)
    solver: Mapped[str | None] = mapped_column(String)
    solver_version: Mapped[str | None] = mapped_column(String)
    strategy: Mapped[str | None] = mapped_column(String)
    plan_options: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    cost_procurement: Mapped[float | None] = mapped_column(Float)
    cost_opening: Mapped[float | None] = mapped_column(Float)
    cost_commitment: Mapped[float | None] = mapped_column(Float)
    cost_shortfall: Mapped[float | None] = mapped_column(Float)
    cost_late: Mapped[float | None] = mapped_column(Float)
    timings: Mapped[dict[str, float] | None] = mapped_column(JSON)
    infeasibility: Mapped[list[str] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()  # the solver's last sign of life
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String)


def _run_id() -> Mapped[int]:
    return mapped_column(ForeignKey("plan_runs.id", ondelete="CASCADE"), index=True)


class PlanDelivery(Record):
    """A row of the plan's `deliveries.csv`; rows keep the plan's order by `id`."""

    __tablename__ = "plan_deliveries"

    plan_run_id: Mapped[int] = _run_id()
    line: Mapped[str] = mapped_column(String)
    supplier: Mapped[str] = mapped_column(String)
    item: Mapped[str] = mapped_column(String)
    requirement: Mapped[str] = mapped_column(String)
    nation: Mapped[str] = mapped_column(String)
    month: Mapped[str] = mapped_column(String(7))
    quantity: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[float] = mapped_column(Float)
    committed: Mapped[bool] = mapped_column(Boolean)


class PlanOpening(Record):
    """A line the plan opens."""

    __tablename__ = "plan_openings"

    plan_run_id: Mapped[int] = _run_id()
    line: Mapped[str] = mapped_column(String)
    decision_month: Mapped[str] = mapped_column(String(7))
    first_output_month: Mapped[str] = mapped_column(String(7))
    opening_cost: Mapped[float] = mapped_column(Float)


class PlanTier(Record):
    """The volume tier a supplier–item pair reaches (per nation in national mode)."""

    __tablename__ = "plan_tiers"

    plan_run_id: Mapped[int] = _run_id()
    supplier: Mapped[str] = mapped_column(String)
    item: Mapped[str] = mapped_column(String)
    nation: Mapped[str | None] = mapped_column(String)
    min_quantity: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[float] = mapped_column(Float)
    quantity: Mapped[float] = mapped_column(Float)


class PlanRequirement(Record):
    """How well the plan serves a requirement: delivered, on time, late, short."""

    __tablename__ = "plan_requirements"

    plan_run_id: Mapped[int] = _run_id()
    requirement: Mapped[str] = mapped_column(String)
    nation: Mapped[str] = mapped_column(String)
    quantity: Mapped[float] = mapped_column(Float)
    delivered: Mapped[float] = mapped_column(Float)
    delivered_on_time: Mapped[float] = mapped_column(Float)
    late_unit_months: Mapped[float] = mapped_column(Float)
    shortfall: Mapped[float] = mapped_column(Float)


__all__ = [
    "PlanDelivery",
    "PlanOpening",
    "PlanRequirement",
    "PlanRun",
    "PlanScenario",
    "PlanTier",
    "RunStatus",
]
