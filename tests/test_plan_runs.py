"""Plan runs in the database: Plan ⇄ rows, failed runs, the diff, and `forge plan --db`."""

from __future__ import annotations

import math
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alliedforge.analysis.plandiff import diff_plans
from alliedforge.cli import main as cli_main
from alliedforge.cli.main import app
from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.errors import DomainError, NotFoundError
from alliedforge.domain.plans import repository, service
from alliedforge.domain.plans.models import PlanDelivery, PlanRun, PlanScenario, RunStatus
from alliedforge.domain.record import snapshot_scenario
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.package import read_plan_package
from alliedforge.planning.plan import Costs, Mode, Plan, PlanStatus
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import Item, Qualification, Scenario, load_scenario
from alliedforge.store.engine import DATABASE_URL_ENV, create_db_engine, session_scope
from alliedforge.store.migrate import upgrade

from builders import active, make_scenario, req, tier
from shared_data import GOLDEN

TINY = GOLDEN / "tiny"
runner = CliRunner()


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def tiny_plan(tiny: Scenario) -> Plan:
    return solve_plan(tiny, PlanOptions(time_limit=60))


# --- Plan ⇄ rows -----------------------------------------------------------------------------


def test_a_plan_round_trips_through_the_rows(
    session: Session, tiny: Scenario, tiny_plan: Plan
) -> None:
    assert tiny_plan.deliveries
    assert tiny_plan.requirements
    run_id = service.start_run(session, tiny, PlanOptions(time_limit=60), created_by="tester")
    run = service.get_run(session, run_id)
    assert (run.status, run.plan_status, run.finished_at) == (RunStatus.RUNNING, None, None)
    service.finish_run(session, run_id, tiny_plan)
    session.expire_all()
    assert service.load_plan(session, run_id) == tiny_plan
    assert service.load_scenario(session, run_id) == tiny
    run = service.get_run(session, run_id)
    assert run.status == RunStatus.DONE
    assert run.plan_status == tiny_plan.status.value
    assert run.scenario_hash == tiny.content_hash()
    assert run.options == {
        "mode": "joint",
        "strategy": "auto",
        "time_limit": 60,
        "gap": 1e-4,
        "fair_share": False,
    }
    assert run.solver == "HiGHS"
    assert run.solver_version
    assert run.objective == tiny_plan.objective
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert run.started_at.tzinfo is not None
    assert run.created_by == "tester"


def test_the_scenario_is_stored_once_per_content(session: Session, tiny: Scenario) -> None:
    first = service.start_run(session, tiny)
    second = service.start_run(session, tiny, PlanOptions(mode=Mode.NATIONAL))
    count = select(func.count()).select_from(PlanScenario)
    assert session.scalar(count.where(PlanScenario.hash == tiny.content_hash())) == 1
    ids = {service.get_run(session, i).scenario_id for i in (first, second)}
    assert len(ids) == 1


def test_an_infeasible_plan_round_trips_with_its_reasons(session: Session, tiny: Scenario) -> None:
    nan = float("nan")
    plan = Plan(
        status=PlanStatus.INFEASIBLE,
        mode=Mode.JOINT,
        costs=Costs(nan, nan, nan, nan, nan),
        bound=nan,
        mip_gap=nan,
        build_seconds=0.25,
        solve_seconds=0.0,
        scenario_hash=tiny.content_hash(),
        scenario_name="tiny",
        solver="HiGHS 1.2.3",
        options={"time_limit": 5.0, "gap": 0.01},
        infeasibility=("commitment C1 exceeds line L1", "budget N00 2027"),
    )
    run_id = service.start_run(session, tiny)
    service.finish_run(session, run_id, plan)
    session.expire_all()
    loaded = service.load_plan(session, run_id)
    assert math.isnan(loaded.bound)
    assert math.isnan(loaded.mip_gap)
    assert all(math.isnan(v) for v in (loaded.costs.procurement, loaded.costs.late))
    assert replace(loaded, costs=plan.costs, bound=0.0, mip_gap=0.0) == replace(
        plan, bound=0.0, mip_gap=0.0
    )


def test_a_run_stopped_without_a_bound_is_stored_and_audited(
    session: Session, tiny: Scenario, tiny_plan: Plan
) -> None:
    """A solve stopped at its time limit before any bound has an infinite gap: JSON (the
    audit entry; PostgreSQL refuses Infinity there) records it as null."""
    stopped = replace(tiny_plan, bound=-math.inf, mip_gap=math.inf)
    run_id = service.start_run(session, tiny, PlanOptions(time_limit=60))
    service.finish_run(session, run_id, stopped)
    session.flush()
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "finish").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None
    assert entry.after is not None
    assert entry.after["gap"] is None
    assert entry.after["objective"] == tiny_plan.objective
    assert math.isinf(service.get_run(session, run_id).gap or 0.0)


def test_a_failed_run_is_stored_as_failed_with_its_error(session: Session, tiny: Scenario) -> None:
    run_id = service.start_run(session, tiny)
    service.fail_run(session, run_id, "MemoryError: out of memory")
    session.expire_all()
    run = service.get_run(session, run_id)
    assert run.status == RunStatus.FAILED
    assert run.error == "MemoryError: out of memory"
    assert run.finished_at is not None
    with pytest.raises(DomainError, match="failed"):
        service.load_plan(session, run_id)


def test_an_unknown_run_is_not_found(session: Session) -> None:
    with pytest.raises(NotFoundError, match="no plan run 987654"):
        service.get_run(session, 987654)


def test_deleting_a_run_deletes_its_rows(session: Session, tiny: Scenario, tiny_plan: Plan) -> None:
    run_id = service.start_run(session, tiny)
    service.finish_run(session, run_id, tiny_plan)
    rows = select(func.count()).select_from(PlanDelivery).where(PlanDelivery.plan_run_id == run_id)
    assert session.scalar(rows) == len(tiny_plan.deliveries)
    session.delete(service.get_run(session, run_id))
    session.flush()
    assert session.scalar(rows) == 0


def test_listing_runs_is_newest_first(session: Session, tiny: Scenario) -> None:
    ids = [service.start_run(session, tiny) for _ in range(3)]
    listed = [run.id for run in service.list_runs(session, limit=2)]
    assert listed == ids[::-1][:2]


def test_the_scenario_blob_is_canonical(tiny: Scenario) -> None:
    assert repository.compress_scenario(tiny) == repository.compress_scenario(tiny)
    assert repository.decompress_scenario(repository.compress_scenario(tiny)) == tiny


# --- The diff, by hand ------------------------------------------------------------------------


def _two_nations(howitzer_quantity: float, due: str) -> Scenario:
    """AAA needs shells (family 155mm) for HOW, BBB rockets for MLR; one active line each,
    S1 sells shells at 10, S2 rockets at 20, far below any shortfall penalty."""
    scenario = make_scenario(
        lines=[active("L1", 100), active("L2", 50, supplier="S2", item="RK")],
        prices=[tier(0, 10.0), tier(0, 20.0, supplier="S2", item="RK")],
        requirements=[
            req("R1", howitzer_quantity, due, nation="AAA", weapon_system="HOW"),
            req("R2", 100, "2027-06", nation="BBB", weapon_system="MLR"),
        ],
        qualifications=[Qualification("SH", "HOW"), Qualification("RK", "MLR")],
    )
    return replace(scenario, items=(Item("SH", "Shell", "155mm"), Item("RK", "Rocket", "rocket")))


def test_diff_of_a_raised_requirement_by_hand() -> None:
    # A: 300 shells due 2027-03 = 3 months of L1 at 100/month; B: 400 due 2027-04.
    # Both are met on time, so only AAA's shells grow, by 100 units at 10 each.
    scenario_a, scenario_b = _two_nations(300, "2027-03"), _two_nations(400, "2027-04")
    plan_a, plan_b = solve_plan(scenario_a), solve_plan(scenario_b)
    diff = diff_plans(scenario_a, plan_a, scenario_b, plan_b)
    assert [(c.key, c.a, c.b, c.delta) for c in diff.nations] == [
        ("AAA", 300, 400, 100),
        ("BBB", 100, 100, 0),
    ]
    assert [(c.key, c.a, c.b, c.delta) for c in diff.families] == [
        ("155mm", 300, 400, 100),
        ("rocket", 100, 100, 0),
    ]
    assert [(c.key, c.a, c.b) for c in diff.shortfalls] == [("AAA", 0, 0), ("BBB", 0, 0)]
    costs = {c.key: (c.a, c.b) for c in diff.costs}
    assert costs["procurement"] == pytest.approx((300 * 10 + 100 * 20, 400 * 10 + 100 * 20))
    assert costs["opening"] == (0, 0)
    assert costs["late"] == pytest.approx((0, 0))
    assert diff.objective.delta == pytest.approx(1000)
    assert diff.openings_added == diff.openings_removed == diff.openings_moved == ()
    assert diff.tiers == ()


def test_diff_maps_items_to_families_by_each_plans_own_scenario() -> None:
    scenario = _two_nations(300, "2027-03")
    plan = solve_plan(scenario)
    renamed = replace(scenario, items=(Item("SH", "Shell", "artillery"), scenario.items[1]))
    diff = diff_plans(scenario, plan, renamed, plan)
    assert {c.key: (c.a, c.b) for c in diff.families} == {
        "155mm": (300, 0),
        "artillery": (0, 300),
        "rocket": (100, 100),
    }


# --- The command line -------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    upgrade(url)
    return url


def _run_id(output: str) -> int:
    found = re.search(r"Plan run (\d+) stored", output)
    assert found, output
    return int(found.group(1))


def test_cli_plan_db_list_show_and_diff(cli_db: str, tmp_path: Path, tiny: Scenario) -> None:
    assert runner.invoke(app, ["import", str(TINY)]).exit_code == 0
    first = runner.invoke(app, ["plan", "--db", "--time-limit", "60"])
    assert first.exit_code == 0, first.output
    run_a = _run_id(first.output)
    assert "Cost breakdown" in first.output

    listed = runner.invoke(app, ["plans", "list"])
    assert listed.exit_code == 0, listed.output
    assert "done" in listed.output
    assert tiny.manifest.name in listed.output

    shown = runner.invoke(app, ["plans", "show", str(run_a), "--out", str(tmp_path / "pkg")])
    assert shown.exit_code == 0, shown.output
    assert "Cost breakdown" in shown.output
    expected = solve_plan(tiny, PlanOptions(time_limit=60))
    package = read_plan_package(tmp_path / "pkg")
    assert package.objective == pytest.approx(expected.objective, rel=1e-6)
    engine = create_db_engine(cli_db)
    with session_scope(engine) as session:
        stored = service.load_plan(session, run_a)
    assert package.deliveries == stored.deliveries
    assert package.costs == stored.costs
    assert package.status == stored.status

    # N01's R000 goes from 1000 to 1500 units; re-import and plan again.
    edited = tmp_path / "edited"
    shutil.copytree(TINY, edited)
    requirements = edited / "requirements.csv"
    text = requirements.read_text(encoding="utf-8")
    assert "R000,N01,WS0,1000,2027-06,3" in text
    requirements.write_text(
        text.replace("R000,N01,WS0,1000,2027-06,3", "R000,N01,WS0,1500,2027-06,3"),
        encoding="utf-8",
    )
    assert runner.invoke(app, ["import", str(edited)]).exit_code == 0
    second = runner.invoke(
        app, ["plan", "--db", "--time-limit", "60", "--out", str(tmp_path / "b")]
    )
    assert second.exit_code == 0, second.output
    run_b = _run_id(second.output)
    assert (tmp_path / "b" / "summary.json").is_file()

    with session_scope(engine) as session:
        plan_a, plan_b = service.load_plan(session, run_a), service.load_plan(session, run_b)
        scenario_b = service.load_scenario(session, run_b)
        assert service.load_scenario(session, run_a) == tiny
        assert scenario_b == snapshot_scenario(session)
    engine.dispose()
    n01 = {
        p: {r.requirement: r for r in plan.requirements}
        for p, plan in (("a", plan_a), ("b", plan_b))
    }
    assert n01["b"]["R000"].quantity - n01["a"]["R000"].quantity == 500
    diff = diff_plans(tiny, plan_a, scenario_b, plan_b)
    nation = {c.key: c for c in diff.nations}["N01"]
    short = {c.key: c for c in diff.shortfalls}["N01"]
    # The extra 500 units are delivered or left short: nothing else changes N01's balance.
    assert nation.delta + short.delta == pytest.approx(500, abs=1e-6)

    shown_diff = runner.invoke(app, ["plans", "diff", str(run_a), str(run_b)])
    assert shown_diff.exit_code == 0, shown_diff.output
    assert "Deliveries per nation" in shown_diff.output
    assert "Deliveries per item family" in shown_diff.output
    n01_row = next(line for line in shown_diff.output.splitlines() if "N01" in line)
    assert f"{nation.a:,.0f}" in n01_row
    assert f"{nation.b:,.0f}" in n01_row
    if nation.changed:
        assert f"{nation.delta:+,.0f}" in n01_row


def test_cli_unknown_run_is_a_one_line_error(cli_db: str) -> None:
    for args in (["plans", "show", "42"], ["plans", "diff", "42", "43"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert result.output.strip() == "no plan run 42"
        assert "Traceback" not in result.output


def test_cli_plan_needs_exactly_one_source(cli_db: str, tmp_path: Path) -> None:
    neither = runner.invoke(app, ["plan", "--out", str(tmp_path / "x")])
    assert neither.exit_code == 2
    assert "either a scenario PATH or --db" in neither.output
    both = runner.invoke(app, ["plan", str(TINY), "--db"])
    assert both.exit_code == 2
    assert "not both" in both.output
    no_out = runner.invoke(app, ["plan", str(TINY)])
    assert no_out.exit_code == 2
    assert "--out is required" in no_out.output


def test_cli_plan_db_marks_a_crashed_run_failed(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["import", str(TINY)]).exit_code == 0

    def crash(scenario: Scenario, options: PlanOptions | None = None) -> Plan:
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(cli_main, "solve_plan", crash)
    result = runner.invoke(app, ["plan", "--db"])
    assert isinstance(result.exception, RuntimeError)
    listed = runner.invoke(app, ["plans", "list"])
    assert "failed" in listed.output
    shown = runner.invoke(app, ["plans", "show", "1"])
    assert shown.exit_code == 0, shown.output
    assert "RuntimeError: solver crashed" in shown.output
    refused = runner.invoke(app, ["plans", "show", "1", "--out", "x"])
    assert refused.exit_code == 1
    assert "no plan to write" in refused.output


def test_cli_plans_list_when_empty(cli_db: str) -> None:
    result = runner.invoke(app, ["plans", "list", "--limit", "5"])
    assert result.exit_code == 0
    assert "No plan runs" in result.output


def test_plan_run_rows_keep_the_delivery_order(
    session: Session, tiny: Scenario, tiny_plan: Plan
) -> None:
    run_id = service.start_run(session, tiny)
    service.finish_run(session, run_id, tiny_plan)
    rows = repository.child_rows(session, run_id)["plan_deliveries"]
    assert [(r["line"], r["requirement"], r["month"]) for r in rows] == [
        (d.line, d.requirement, d.month) for d in tiny_plan.deliveries
    ]
    assert session.get(PlanRun, run_id) is not None
