"""What the dashboard shows, per role: aggregates over the record and the latest plan,
each computed by the database and scoped exactly as the services are.

- Demand against capacity per item family and year: staff see every requirement and line;
  a nation its own requirements against the alliance's capacity in families with at least
  `MIN_SUPPLIERS` suppliers (no single supplier's capacity can be read off); a supplier its
  own lines against the alliance demand signal (`demand_aggregates`, ≥ 3 nations a cell).
- Coverage of requirements (on time / late / short) per nation, from the latest finished
  plan: staff all nations, a nation its own, a supplier none.
- Stockpiles on hand against target: staff per nation, a nation per weapon system.
- Lines opening soon in the latest plan: staff all, a supplier its own, a nation the lines
  that deliver to it.
- What joint procurement saves: the latest finished joint plan against a national plan of
  the same scenario (plan runs are alliance-wide summaries, as in the API).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from alliedforge.analysis.capacity import UNQUALIFIED_FAMILY, families_by_majority
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.catalogue.models import Item, Qualification, WeaponSystem
from alliedforge.domain.catalogue.repository import readable
from alliedforge.domain.demand import service as demand
from alliedforge.domain.demand.schemas import AggregateFilter
from alliedforge.domain.industry.models import Line, Supplier
from alliedforge.domain.industry.repository import owned_by_supplier
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.plans.models import (
    PlanDelivery,
    PlanOpening,
    PlanRequirement,
    PlanRun,
    RunStatus,
)
from alliedforge.domain.requirements.models import Requirement, RequirementStatus, Stockpile
from alliedforge.domain.requirements.repository import visible
from alliedforge.domain.settings.models import ScenarioSettings
from alliedforge.planning.plan import Mode
from alliedforge.scenario.capacity import line_capacity
from alliedforge.scenario.model import Line as ScenarioLine
from alliedforge.scenario.model import LineState
from alliedforge.scenario.months import month_at, month_index
from alliedforge.store.scope import staff_scope

# A nation sees alliance capacity only in families at least this many suppliers make.
MIN_SUPPLIERS = 3
# "Opening soon": first output within this many months of the current month.
OPENING_WINDOW = 12


@dataclass(frozen=True, slots=True)
class FamilyYear:
    """Units due and units the lines can make in one item family and calendar year."""

    family: str
    year: int
    demand: float
    capacity: float | None  # None: not shown to this caller


@dataclass(slots=True)
class Overview:
    """The dashboard's figures for one caller, and the labels of the records behind them."""

    requirements_by_status: dict[str, int]
    demand_capacity: list[FamilyYear]
    demand_basis: str
    capacity_basis: str
    coverage: list[dict[str, Any]] = field(default_factory=list)
    stockpiles: list[dict[str, Any]] = field(default_factory=list)
    openings: list[dict[str, Any]] = field(default_factory=list)
    latest_plan: dict[str, Any] | None = None
    joint_value: dict[str, Any] | None = None
    labels: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "requirements_by_status": self.requirements_by_status,
            "requirements_total": sum(self.requirements_by_status.values()),
            "demand_capacity": [
                {"family": c.family, "year": c.year, "demand": c.demand, "capacity": c.capacity}
                for c in self.demand_capacity
            ],
            "demand_basis": self.demand_basis,
            "capacity_basis": self.capacity_basis,
            "coverage": self.coverage,
            "stockpiles": self.stockpiles,
            "openings": self.openings,
            "latest_plan": self.latest_plan,
            "joint_value": self.joint_value,
        }


def dashboard_overview(session: Session, caller: Caller, today: str) -> Overview:
    """The dashboard for `caller`; `today` is the current month (`YYYY-MM`)."""
    labels: list[dict[str, Any]] = []
    by_status = _requirements_by_status(session, caller, labels)
    settings = session.scalars(select(ScenarioSettings)).first()
    demand_capacity, demand_basis, capacity_basis = _demand_capacity(
        session, caller, settings, labels
    )
    overview = Overview(by_status, demand_capacity, demand_basis, capacity_basis, labels=labels)
    overview.stockpiles = _stockpiles(session, caller, labels)
    run = _latest_run(session, caller)
    if run is not None:
        labels.append(Label.parse(run.classification, run.releasable_to).as_stanag_4774())
        overview.latest_plan = _run_summary(run)
        overview.coverage = _coverage(session, caller, run.id)
        window_start = today if settings is None else max(today, settings.start)
        overview.openings = _openings(session, caller, run.id, window_start)
        overview.joint_value = _joint_value(session, caller, run)
    return overview


# --- requirements ------------------------------------------------------------------------


def _label_rows(rows: Iterable[Sequence[Any]], labels: list[dict[str, Any]]) -> None:
    labels.extend(Label.parse(c, r).as_stanag_4774() for c, r in rows)


def _requirements_by_status(
    session: Session, caller: Caller, labels: list[dict[str, Any]]
) -> dict[str, int]:
    counts = dict(
        session.execute(
            visible(select(Requirement.status, func.count()), caller).group_by(Requirement.status)
        ).all()
    )
    kinds = visible(
        select(Requirement.classification, Requirement.releasable_to).distinct(), caller
    )
    _label_rows(session.execute(kinds).all(), labels)
    return {str(status): int(counts.get(str(status), 0)) for status in RequirementStatus}


# --- demand against capacity -------------------------------------------------------------


def _families(session: Session, caller: Caller) -> dict[int, str]:
    """Weapon system id → the item family its demand counts under (analysis's rule)."""
    query = readable(
        readable(
            select(Qualification.weapon_system_id, Item.family).join(
                Item, Qualification.item_id == Item.id
            ),
            Qualification,
            caller,
        ),
        Item,
        caller,
    )
    pairs = ((str(ws), family) for ws, family in session.execute(query).all())
    return {int(ws): family for ws, family in families_by_majority(pairs).items()}


def _own_demand(session: Session, caller: Caller) -> dict[tuple[str, int], float]:
    year = func.substr(Requirement.due, literal_column("1"), literal_column("4"))
    query = visible(
        select(Requirement.weapon_system_id, year, func.sum(Requirement.quantity)),
        caller,
    ).where(Requirement.status != RequirementStatus.REJECTED)
    query = query.group_by(Requirement.weapon_system_id, year)
    family_of = _families(session, caller)
    units: dict[tuple[str, int], float] = defaultdict(float)
    for weapon_system_id, due_year, quantity in session.execute(query).all():
        family = family_of.get(weapon_system_id, UNQUALIFIED_FAMILY)
        units[(family, int(due_year))] += float(quantity)
    return units


def _capacity(
    session: Session,
    caller: Caller,
    settings: ScenarioSettings,
    labels: list[dict[str, Any]],
    alliance: bool,
) -> dict[tuple[str, int], float]:
    """Best-case capacity (every line opened at its earliest decision) per family and
    year: the caller's lines (their labels join `labels`), or with `alliance` every line
    in families with at least `MIN_SUPPLIERS` suppliers (an aggregate no line is read off)."""
    query = (
        select(Line, Supplier.code, Item.family)
        .join(Supplier, Line.supplier_id == Supplier.id)
        .join(Item, Line.item_id == Item.id)
    )
    if alliance:
        with staff_scope(session):
            rows = session.execute(query).all()
    else:
        rows = session.execute(readable(owned_by_supplier(query, Line, caller), Line, caller)).all()
        _label_rows({(line.classification, line.releasable_to) for line, _s, _f in rows}, labels)
    suppliers: dict[str, set[str]] = defaultdict(set)
    for _line, supplier, family in rows:
        suppliers[family].add(supplier)
    start, months = settings.start, settings.months
    years = np.array([int(month_at(start, t)[:4]) for t in range(months)])
    units: dict[tuple[str, int], float] = defaultdict(float)
    for line, supplier, family in rows:
        if alliance and len(suppliers[family]) < MIN_SUPPLIERS:
            continue
        monthly = line_capacity(_scenario_line(line, supplier), start, months)
        for year in np.unique(years):
            units[(family, int(year))] += float(monthly[years == year].sum())
    return units


def _scenario_line(line: Line, supplier: str) -> ScenarioLine:
    return ScenarioLine(
        code=line.code,
        supplier=supplier,
        item=str(line.item_id),
        capacity_per_month=line.capacity_per_month,
        state=LineState(line.state),
        lead_months=line.lead_months,
        opening_cost=line.opening_cost,
        ramp_months=line.ramp_months,
        earliest_decision=line.earliest_decision,
    )


def _demand_capacity(
    session: Session,
    caller: Caller,
    settings: ScenarioSettings | None,
    labels: list[dict[str, Any]],
) -> tuple[list[FamilyYear], str, str]:
    if caller.role is Role.SUPPLIER:
        signal = demand.demand_aggregates(session, caller, AggregateFilter())
        demand_units = {(c.family, c.year): c.quantity for c in signal.cells}
        demand_basis = f"alliance demand signal (cells of ≥ {signal.min_nations} nations)"
        capacity_basis = "your lines"
    else:
        demand_units = _own_demand(session, caller)
        demand_basis = (
            "your nation's requirements" if caller.role is Role.NATION else "all requirements"
        )
        capacity_basis = (
            f"alliance lines (families of ≥ {MIN_SUPPLIERS} suppliers)"
            if caller.role is Role.NATION
            else "all lines"
        )
    capacity = (
        {}
        if settings is None
        else _capacity(session, caller, settings, labels, alliance=caller.role is Role.NATION)
    )
    cells = sorted(set(demand_units) | set(capacity))
    rows = [
        FamilyYear(
            family, year, demand_units.get((family, year), 0.0), capacity.get((family, year))
        )
        for family, year in cells
    ]
    return rows, demand_basis, capacity_basis


# --- stockpiles ----------------------------------------------------------------------------


def _stockpiles(
    session: Session, caller: Caller, labels: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """On hand against target: per nation for staff, per weapon system for a nation."""
    if caller.role is Role.SUPPLIER:
        return []
    key = WeaponSystem.code if caller.role is Role.NATION else Nation.code
    query = (
        select(key, func.sum(Stockpile.on_hand), func.sum(Stockpile.target))
        .join(Nation, Stockpile.nation_id == Nation.id)
        .join(WeaponSystem, Stockpile.weapon_system_id == WeaponSystem.id)
        .group_by(key)
        .order_by(key)
    )
    kinds = select(Stockpile.classification, Stockpile.releasable_to).distinct()
    if caller.role is Role.NATION:
        query = query.where(Stockpile.nation_id == caller.nation_id)
        kinds = kinds.where(Stockpile.nation_id == caller.nation_id)
    query, kinds = readable(query, Stockpile, caller), readable(kinds, Stockpile, caller)
    _label_rows(session.execute(kinds).all(), labels)
    return [
        {
            "name": name,
            "on_hand": float(on_hand),
            "target": float(target),
            "coverage": float(on_hand) / float(target) if target else None,
        }
        for name, on_hand, target in session.execute(query).all()
    ]


# --- the latest plan -------------------------------------------------------------------------


def _latest_run(session: Session, caller: Caller) -> PlanRun | None:
    query = select(PlanRun).where(PlanRun.status == RunStatus.DONE).order_by(PlanRun.id.desc())
    for run in session.scalars(query.limit(20)):
        if caller.reads(Label.parse(run.classification, run.releasable_to)):
            return run
    return None


def _run_summary(run: PlanRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "scenario": run.scenario_name,
        "mode": run.mode,
        "status": run.status,
        "plan_status": run.plan_status,
        "objective": run.objective,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }


def _coverage(session: Session, caller: Caller, run_id: int) -> list[dict[str, Any]]:
    """Units on time, late and short per nation in the run."""
    if not (caller.is_staff or caller.unrestricted or caller.role is Role.NATION):
        return []
    query = (
        select(
            PlanRequirement.nation,
            func.sum(PlanRequirement.quantity),
            func.sum(PlanRequirement.delivered_on_time),
            func.sum(PlanRequirement.delivered),
            func.sum(PlanRequirement.shortfall),
        )
        .where(PlanRequirement.plan_run_id == run_id)
        .group_by(PlanRequirement.nation)
        .order_by(PlanRequirement.nation)
    )
    if caller.role is Role.NATION:
        query = query.where(PlanRequirement.nation == caller.nation)
    return [
        {
            "nation": nation,
            "required": float(required),
            "on_time": float(on_time),
            "late": float(delivered) - float(on_time),
            "short": float(short),
        }
        for nation, required, on_time, delivered, short in session.execute(query).all()
    ]


def _openings(session: Session, caller: Caller, run_id: int, start: str) -> list[dict[str, Any]]:
    """Lines whose first output falls within `OPENING_WINDOW` months from `start`."""
    query = (
        select(PlanOpening.line, PlanOpening.decision_month, PlanOpening.first_output_month)
        .where(PlanOpening.plan_run_id == run_id)
        .order_by(PlanOpening.first_output_month, PlanOpening.line)
    )
    if caller.role is Role.NATION:
        serving = select(PlanDelivery.line).where(
            PlanDelivery.plan_run_id == run_id, PlanDelivery.nation == caller.nation
        )
        query = query.where(PlanOpening.line.in_(serving))
    elif caller.role is Role.SUPPLIER:
        own = select(PlanDelivery.line).where(
            PlanDelivery.plan_run_id == run_id, PlanDelivery.supplier == caller.supplier
        )
        query = query.where(PlanOpening.line.in_(own))
    elif not (caller.is_staff or caller.unrestricted):
        return []
    return [
        {"line": line, "decision_month": decision, "first_output_month": output}
        for line, decision, output in session.execute(query).all()
        if 0 <= month_index(start, output) < OPENING_WINDOW
    ]


def _joint_value(session: Session, caller: Caller, latest: PlanRun) -> dict[str, Any] | None:
    """What pooling saved: the latest joint and national plans of `latest`'s scenario."""
    query = (
        select(PlanRun)
        .where(
            PlanRun.status == RunStatus.DONE,
            PlanRun.scenario_hash == latest.scenario_hash,
            PlanRun.objective.is_not(None),
        )
        .order_by(PlanRun.id.desc())
    )
    newest: dict[str, PlanRun] = {}
    for run in session.scalars(query.limit(50)):
        if caller.reads(Label.parse(run.classification, run.releasable_to)):
            newest.setdefault(run.mode, run)
    joint, national = newest.get(Mode.JOINT), newest.get(Mode.NATIONAL)
    if joint is None or national is None or joint.objective is None:
        return None
    national_cost = national.objective or 0.0
    saving = national_cost - joint.objective
    return {
        "joint_run": joint.id,
        "national_run": national.id,
        "joint_cost": joint.objective,
        "national_cost": national_cost,
        "saving": saving,
        "saving_share": saving / national_cost if national_cost else None,
    }
