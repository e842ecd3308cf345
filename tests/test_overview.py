"""The dashboard's read model: every figure equals the same figure computed from the
scenario and the plan objects, scoped per role; nothing of another nation shows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.analysis.capacity import UNQUALIFIED_FAMILY, weapon_system_families
from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.overview import MIN_SUPPLIERS, dashboard_overview
from alliedforge.domain.plans import service as plan_runs
from alliedforge.domain.record import import_scenario
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Mode, Plan
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import Scenario, load_scenario
from alliedforge.scenario.capacity import line_capacity
from alliedforge.scenario.months import month_at

from shared_data import GOLDEN

TODAY = "2020-01"  # before every horizon: the window of openings starts at the horizon


def _staff() -> Caller:
    return Caller("planner", Role.PLANNER, "NATO SECRET")


def _nation(session: Session, code: str) -> Caller:
    nation_id = session.scalars(select(db.Nation.id).where(db.Nation.code == code)).one()
    return Caller("desk", Role.NATION, "NATO SECRET", code, nation_id=nation_id, nation=code)


def _supplier(session: Session, code: str) -> Caller:
    supplier_id = session.scalars(select(db.Supplier.id).where(db.Supplier.code == code)).one()
    return Caller("maker", Role.SUPPLIER, "NATO SECRET", supplier_id=supplier_id, supplier=code)


def _plan(session: Session, scenario: Scenario, mode: Mode) -> Plan:
    options = PlanOptions(mode=mode, time_limit=60)
    run_id = plan_runs.start_run(session, scenario, options)
    plan = solve_plan(scenario, options)
    plan_runs.finish_run(session, run_id, plan)
    return plan


@pytest.fixture
def scenario(session: Session) -> Scenario:
    """The small golden scenario (five suppliers make its one family), imported."""
    loaded = load_scenario(GOLDEN / "small")
    import_scenario(session, loaded)
    return loaded


def _demand(scenario: Scenario, nation: str | None = None) -> dict[tuple[str, int], float]:
    family = weapon_system_families(scenario)
    units: dict[tuple[str, int], float] = defaultdict(float)
    for r in scenario.requirements:
        if nation is None or r.nation == nation:
            units[(family.get(r.weapon_system, UNQUALIFIED_FAMILY), int(r.due[:4]))] += r.quantity
    return units


def _capacity(scenario: Scenario, keep: set[str] | None = None) -> dict[tuple[str, int], float]:
    start, months = scenario.manifest.start, scenario.manifest.months
    family = {item.code: item.family for item in scenario.items}
    years = np.array([int(month_at(start, t)[:4]) for t in range(months)])
    units: dict[tuple[str, int], float] = defaultdict(float)
    for line in scenario.lines:
        if keep is not None and line.code not in keep:
            continue
        monthly = line_capacity(line, start, months)
        for year in np.unique(years):
            units[(family[line.item], int(year))] += float(monthly[years == year].sum())
    return units


def _cells(overview_json: dict[str, object], key: str) -> dict[tuple[str, int], float]:
    cells = overview_json["demand_capacity"]
    assert isinstance(cells, list)
    return {(c["family"], c["year"]): c[key] for c in cells if c[key]}


def test_staff_see_all_demand_and_capacity(session: Session, scenario: Scenario) -> None:
    data = dashboard_overview(session, _staff(), TODAY).as_json()
    assert _cells(data, "demand") == pytest.approx(dict(_demand(scenario)))
    assert _cells(data, "capacity") == pytest.approx(
        {k: v for k, v in _capacity(scenario).items() if v}
    )
    total = sum(data["requirements_by_status"].values())
    assert total == len(scenario.requirements)


def test_a_nation_sees_its_demand_and_only_well_supplied_capacity(
    session: Session, scenario: Scenario
) -> None:
    nation = scenario.nations[0].code
    data = dashboard_overview(session, _nation(session, nation), TODAY).as_json()
    assert _cells(data, "demand") == pytest.approx(_demand(scenario, nation))
    family = {item.code: item.family for item in scenario.items}
    makers: dict[str, set[str]] = defaultdict(set)
    for line in scenario.lines:
        makers[family[line.item]].add(line.supplier)
    shown = {
        line.code for line in scenario.lines if len(makers[family[line.item]]) >= MIN_SUPPLIERS
    }
    expected = {k: v for k, v in _capacity(scenario, shown).items() if v}
    assert _cells(data, "capacity") == pytest.approx(expected)
    assert sum(data["requirements_by_status"].values()) == sum(
        1 for r in scenario.requirements if r.nation == nation
    )


def test_a_supplier_sees_its_own_capacity_and_no_nation_figures(
    session: Session, scenario: Scenario
) -> None:
    supplier = scenario.lines[0].supplier
    _plan(session, scenario, Mode.JOINT)
    data = dashboard_overview(session, _supplier(session, supplier), TODAY).as_json()
    own = {line.code for line in scenario.lines if line.supplier == supplier}
    expected = {k: v for k, v in _capacity(scenario, own).items() if v}
    assert _cells(data, "capacity") == pytest.approx(expected)
    assert data["requirements_by_status"] == dict.fromkeys(data["requirements_by_status"], 0)
    assert data["coverage"] == []
    assert data["stockpiles"] == []


def test_coverage_is_the_plans_outcome_per_nation_and_a_nation_sees_only_its_own(
    session: Session, scenario: Scenario
) -> None:
    plan = _plan(session, scenario, Mode.JOINT)
    expected: dict[tuple[str, str], float] = defaultdict(float)
    for outcome in plan.requirements:
        expected[(outcome.nation, "on_time")] += outcome.delivered_on_time
        expected[(outcome.nation, "late")] += outcome.delivered - outcome.delivered_on_time
        expected[(outcome.nation, "short")] += outcome.shortfall
    staff = dashboard_overview(session, _staff(), TODAY).as_json()
    got = {
        (r["nation"], key): r[key]
        for r in staff["coverage"]
        for key in ("on_time", "late", "short")
    }
    assert got == pytest.approx(dict(expected))
    nation = scenario.nations[0].code
    own = dashboard_overview(session, _nation(session, nation), TODAY).as_json()
    assert [r["nation"] for r in own["coverage"]] == [nation]
    serving = {d.line for d in plan.deliveries if d.nation == nation}
    assert {row["line"] for row in own["openings"]} <= serving


def test_the_value_of_joint_procurement_compares_the_two_latest_plans(
    session: Session, scenario: Scenario
) -> None:
    assert dashboard_overview(session, _staff(), TODAY).joint_value is None
    joint = _plan(session, scenario, Mode.JOINT)
    assert dashboard_overview(session, _staff(), TODAY).joint_value is None
    national = _plan(session, scenario, Mode.NATIONAL)
    value = dashboard_overview(session, _staff(), TODAY).joint_value
    assert value is not None
    assert value["saving"] == pytest.approx(national.objective - joint.objective)
    assert value["saving"] >= -1e-6 * national.objective  # pooling never costs more


def test_a_restricted_requirement_raises_the_banner_only_for_those_who_see_it(
    session: Session, scenario: Scenario
) -> None:
    first = scenario.requirements[0]
    row = session.scalars(select(db.Requirement).where(db.Requirement.code == first.code)).first()
    assert row is not None
    row.classification, row.releasable_to = "NATO CONFIDENTIAL", first.nation
    session.flush()
    staff = dashboard_overview(session, replace(_staff(), nationality=first.nation), TODAY)
    assert "NATO CONFIDENTIAL" in {label["classification"] for label in staff.labels}
    other = next(n.code for n in scenario.nations if n.code != first.nation)
    theirs = dashboard_overview(session, _nation(session, other), TODAY)
    assert "NATO CONFIDENTIAL" not in {label["classification"] for label in theirs.labels}
