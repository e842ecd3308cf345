"""Queries of plan runs and the pure mapping between a `Plan` (or `Scenario`) and rows."""

from __future__ import annotations

import dataclasses
import gzip
import json
import math
import typing
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from alliedforge.domain.plans.models import (
    PlanDelivery,
    PlanOpening,
    PlanRequirement,
    PlanRun,
    PlanScenario,
    PlanTier,
)
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
from alliedforge.scenario import model as sc

# Each child table with the plan attribute and row type it holds, in the plan's order.
CHILD_TABLES: tuple[tuple[type[Any], str, type[Any]], ...] = (
    (PlanDelivery, "deliveries", Delivery),
    (PlanOpening, "openings", Opening),
    (PlanTier, "tiers", TierChoice),
    (PlanRequirement, "requirements", RequirementOutcome),
)

# Rows per executemany batch: bounds memory on alliance-scale plans (~100k deliveries).
BATCH_ROWS = 10_000


# --- Scenario <-> canonical JSON -------------------------------------------------------------


def scenario_json(scenario: sc.Scenario) -> bytes:
    """The scenario as canonical JSON (sorted keys, no spaces): the same content, same bytes."""
    payload: dict[str, object] = {
        name: [dataclasses.asdict(row) for row in getattr(scenario, name)]
        for name in sc.TABLE_FIELDS
    }
    payload["manifest"] = dataclasses.asdict(scenario.manifest)
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def compress_scenario(scenario: sc.Scenario) -> bytes:
    """Gzip-compressed canonical JSON; `mtime=0` keeps the bytes a function of the content."""
    return gzip.compress(scenario_json(scenario), mtime=0)


def decompress_scenario(data: bytes) -> sc.Scenario:
    """The `Scenario` that `compress_scenario` stored."""
    payload = json.loads(gzip.decompress(data))
    hints = typing.get_type_hints(sc.Scenario)
    tables = {
        name: tuple(_row(_row_type(hints[name]), row) for row in payload[name])
        for name in sc.TABLE_FIELDS
    }
    return sc.Scenario(manifest=_row(sc.Manifest, payload["manifest"]), **tables)


def _row_type(hint: Any) -> type[Any]:
    """`Nation` from the hint `tuple[Nation, ...]`."""
    row_type: type[Any] = typing.get_args(hint)[0]
    return row_type


def _row(row_type: type[Any], values: Mapping[str, Any]) -> Any:
    """A row dataclass from its JSON object, with enums and tuples restored."""
    hints = typing.get_type_hints(row_type)
    restored: dict[str, Any] = {}
    for name, value in values.items():
        hint = hints[name]
        if isinstance(hint, type) and issubclass(hint, Enum):
            value = hint(value)
        elif typing.get_origin(hint) is tuple:
            value = tuple(value)
        restored[name] = value
    return row_type(**restored)


# --- Plan <-> rows ---------------------------------------------------------------------------


def _stored(value: float) -> float | None:
    """NaN (an undefined number) is NULL: SQLite cannot hold NaN."""
    return None if math.isnan(value) else value


def _loaded(value: float | None) -> float:
    return float("nan") if value is None else value


def split_solver(solver: str) -> tuple[str, str | None]:
    """`("HiGHS", "1.7.2")` from `"HiGHS 1.7.2"`."""
    name, _, version = solver.partition(" ")
    return name, version or None


def plan_columns(plan: Plan) -> dict[str, Any]:
    """The `plan_runs` columns a finished plan fills."""
    solver, solver_version = split_solver(plan.solver)
    return {
        "plan_status": plan.status.value,
        "mode": plan.mode.value,
        "scenario_hash": plan.scenario_hash,
        "scenario_name": plan.scenario_name,
        "solver": solver,
        "solver_version": solver_version,
        "strategy": plan.strategy,
        "plan_options": dict(plan.options),
        "objective": _stored(plan.objective),
        "bound": _stored(plan.bound),
        "gap": _stored(plan.mip_gap),
        "cost_procurement": _stored(plan.costs.procurement),
        "cost_opening": _stored(plan.costs.opening),
        "cost_commitment": _stored(plan.costs.commitment),
        "cost_shortfall": _stored(plan.costs.shortfall),
        "cost_late": _stored(plan.costs.late),
        "timings": {"build_seconds": plan.build_seconds, "solve_seconds": plan.solve_seconds},
        "infeasibility": list(plan.infeasibility),
    }


def plan_rows(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """The child-table rows of `plan`, by table name (without `plan_run_id`)."""
    return {
        model.__tablename__: [dataclasses.asdict(row) for row in getattr(plan, attribute)]
        for model, attribute, _ in CHILD_TABLES
    }


def plan_from(run: PlanRun, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> Plan:
    """Rebuild the `Plan` of a finished run from its row and its child rows."""
    if run.plan_status is None:
        raise ValueError(f"plan run {run.id} has no plan (status {run.status})")
    tables: dict[str, tuple[Any, ...]] = {}
    for model, attribute, row_type in CHILD_TABLES:
        fields = [field.name for field in dataclasses.fields(row_type)]
        tables[attribute] = tuple(
            row_type(**{name: row[name] for name in fields}) for row in rows[model.__tablename__]
        )
    timings = run.timings or {}
    return Plan(
        status=PlanStatus(run.plan_status),
        mode=Mode(run.mode),
        costs=Costs(
            procurement=_loaded(run.cost_procurement),
            opening=_loaded(run.cost_opening),
            commitment=_loaded(run.cost_commitment),
            shortfall=_loaded(run.cost_shortfall),
            late=_loaded(run.cost_late),
        ),
        bound=_loaded(run.bound),
        mip_gap=_loaded(run.gap),
        build_seconds=float(timings.get("build_seconds", 0.0)),
        solve_seconds=float(timings.get("solve_seconds", 0.0)),
        scenario_hash=run.scenario_hash,
        scenario_name=run.scenario_name,
        solver=" ".join(part for part in (run.solver, run.solver_version) if part),
        strategy=run.strategy or "",
        options=dict(run.plan_options or {}),
        infeasibility=tuple(run.infeasibility or ()),
        **tables,
    )


# --- Queries ---------------------------------------------------------------------------------


def find_scenario(session: Session, content_hash: str) -> PlanScenario | None:
    """The stored scenario with this content hash, if any."""
    return session.scalars(select(PlanScenario).where(PlanScenario.hash == content_hash)).first()


def get_run(session: Session, run_id: int) -> PlanRun | None:
    return session.get(PlanRun, run_id)


def list_runs(session: Session, limit: int | None = None) -> list[PlanRun]:
    """Runs, newest first."""
    query = select(PlanRun).order_by(PlanRun.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def insert_rows(
    session: Session, run_id: int, rows: Mapping[str, Iterable[dict[str, Any]]]
) -> None:
    """Bulk-insert child rows with Core executemany (the ORM unit of work is far slower)."""
    for model, _, _ in CHILD_TABLES:
        table: Table = model.__table__
        batch: list[dict[str, Any]] = []
        for row in rows[table.name]:
            batch.append({**row, "plan_run_id": run_id, "version": 1})
            if len(batch) >= BATCH_ROWS:
                session.execute(insert(table), batch)
                batch = []
        if batch:
            session.execute(insert(table), batch)


def child_rows(session: Session, run_id: int) -> dict[str, list[dict[str, Any]]]:
    """The child rows of a run, each table in insertion (`id`) order."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for model, _, _ in CHILD_TABLES:
        table: Table = model.__table__
        query = select(table).where(table.c.plan_run_id == run_id).order_by(table.c.id)
        rows[table.name] = [dict(row) for row in session.execute(query).mappings()]
    return rows
