"""Stock projections: the pure computation on hand-built cases, and the scoped read that
feeds it the ledger, the latest plan's deliveries and the stockpile targets (both
backends)."""

from __future__ import annotations

from datetime import date
from itertools import accumulate

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.plans import service as plans
from alliedforge.domain.procurement import deliveries, frameworks, stock
from alliedforge.domain.procurement.call_offs import place_call_off
from alliedforge.domain.procurement.evaluation import Units
from alliedforge.domain.procurement.schemas import CallOffCreate, DeliveryCreate, FrameworkCreate
from alliedforge.domain.procurement.stock import StockPoint, Target, TargetOutlook, project_stock
from alliedforge.domain.record import import_scenario
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import Scenario, load_scenario

from shared_data import GOLDEN


def test_no_movement_and_no_plan_keeps_the_opening_up_to_the_due_month() -> None:
    outlook = project_stock(100, [], "2027-03", [], [Target("2027-06", 150)])
    assert outlook.points == (
        StockPoint("2027-03", 100, True),
        StockPoint("2027-04", 100, False),
        StockPoint("2027-05", 100, False),
        StockPoint("2027-06", 100, False),
    )
    assert outlook.targets == (TargetOutlook("2027-06", 150, 100, False, None),)


def test_the_ledger_up_to_now_then_the_plan_month_by_month() -> None:
    moves = [Units("2027-01", 20), Units("2027-03", 30), Units("2027-03", -5)]
    planned = [
        Units("2027-02", 999),  # a past month of the plan: what came is in the ledger
        Units("2027-03", 999),  # the current month too
        Units("2027-05", 40),
        Units("2027-05", 10),
        Units("2027-07", 25),
    ]
    targets = [Target("2027-06", 190), Target("2027-04", 100)]
    outlook = project_stock(100, moves, "2027-03", planned, targets)
    assert [(p.month, p.balance, p.actual) for p in outlook.points] == [
        ("2027-01", 120, True),
        ("2027-02", 120, True),
        ("2027-03", 145, True),
        ("2027-04", 145, False),
        ("2027-05", 195, False),
        ("2027-06", 195, False),
        ("2027-07", 220, False),
    ]
    assert outlook.targets == (
        TargetOutlook("2027-04", 100, 145, True, "2027-01"),
        TargetOutlook("2027-06", 190, 195, True, "2027-05"),
    )


def test_a_target_due_before_the_first_month_is_judged_on_the_opening() -> None:
    outlook = project_stock(50, [Units("2027-05", 10)], "2027-05", [], [Target("2027-02", 55)])
    assert outlook.points == (StockPoint("2027-05", 60, True),)
    assert outlook.targets == (TargetOutlook("2027-02", 55, 50, False, "2027-05"),)


def test_moves_after_the_current_month_have_not_happened() -> None:
    outlook = project_stock(10, [Units("2027-09", 5)], "2027-05", [Units("2027-06", 1)], [])
    assert outlook.points == (StockPoint("2027-05", 10, True), StockPoint("2027-06", 11, False))
    assert outlook.targets == ()


def test_a_target_met_to_the_unit_is_met() -> None:
    outlook = project_stock(0.1, [], "2027-01", [Units("2027-02", 0.2)], [Target("2027-02", 0.3)])
    assert outlook.targets[0].met
    assert outlook.targets[0].reached == "2027-02"


# The scoped read


ROUND = "1320-11-652-6876"  # qualified on WS0 from the start (tiny scenario)
TODAY = date(2027, 5, 20)
N00_ON_HAND, N00_TARGET = 2459.0, 14073.0  # N00's WS0 stockpile, due 2027-12
N00_STOCKPILE = "stockpile:N00:WS0:2027-12"


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(GOLDEN / "tiny")


@pytest.fixture(scope="module")
def tiny_plan(tiny: Scenario) -> Plan:
    return solve_plan(tiny, PlanOptions(time_limit=60))


def _delivered_to_n00(session: Session, agency: Caller) -> None:
    """500 units accepted into N00's WS0 stock today, under a call-off of S001X."""
    supplier = session.scalar(select(db.Supplier.id).where(db.Supplier.code == "S001X"))
    item = next(i for i in session.scalars(select(db.Item)) if i.code == ROUND)
    assert supplier is not None
    session.add(
        db.Line(
            code="L100",
            supplier_id=supplier,
            item_id=item.id,
            capacity_per_month=5000,
            state="active",
        )
    )
    session.flush()
    framework = frameworks.create_framework(
        session,
        agency,
        FrameworkCreate.model_validate(
            {
                "code": "FW-P",
                "supplier": "S001X",
                "parties": ["N00"],
                "items": [{"item": ROUND, "tiers": [{"min_quantity": 0, "unit_price": 20}]}],
                "valid_from": "2027-01-01",
                "valid_to": "2027-12-31",
                "ceiling_quantity": 1000,
                "ceiling_value": 1e6,
            }
        ),
    )
    frameworks.sign_framework(session, agency, framework.id, framework.version)
    stockpile = session.scalar(select(db.Stockpile.id).where(db.Stockpile.target == N00_TARGET))
    call_off = place_call_off(
        session,
        agency,
        CallOffCreate(
            framework_id=framework.id,
            nation="N00",
            item=ROUND,
            quantity=500,
            month="2027-04",
            stockpile=stockpile,
        ),
        date(2027, 3, 1),
    )
    deliveries.record_delivery(
        session,
        agency,
        DeliveryCreate(
            call_off_id=call_off.id, delivered_on=date(2027, 5, 2), quantity=500, accepted=500
        ),
        TODAY,
    )


def test_the_projection_reads_the_ledger_and_the_latest_plan(
    session: Session, tiny: Scenario, tiny_plan: Plan
) -> None:
    import_scenario(session, tiny)
    agency = Caller("agency", Role.PLANNER, "NATO RESTRICTED", nationality="N00")
    before = stock.stock_projection(session, agency, "N00", "WS0", TODAY)
    assert (before.plan_run_id, before.current_month) == (None, "2027-05")
    assert [(p.month, p.balance, p.actual) for p in before.points][:2] == [
        ("2027-05", N00_ON_HAND, True),
        ("2027-06", N00_ON_HAND, False),
    ]
    run_id = plans.start_run(session, tiny, PlanOptions(time_limit=60))
    plans.finish_run(session, run_id, tiny_plan)
    _delivered_to_n00(session, agency)

    projection = stock.stock_projection(session, agency, "N00", "WS0", TODAY)
    assert projection.plan_run_id == run_id
    # N00 has no requirement in the tiny scenario: its stockpile target is all it gets.
    planned = {
        month: sum(
            d.quantity
            for d in tiny_plan.deliveries
            if d.requirement == N00_STOCKPILE and d.month == month
        )
        for month in (f"2027-{m:02d}" for m in range(6, 13))
    }
    assert sum(planned.values()) > 0
    now = N00_ON_HAND + 500
    expected = [("2027-05", now, True)] + [
        (month, now + total, False)
        for month, total in zip(planned, accumulate(planned.values()), strict=True)
    ]
    assert [(p.month, p.actual) for p in projection.points] == [(m, a) for m, _b, a in expected]
    assert [p.balance for p in projection.points] == pytest.approx([b for _m, b, _a in expected])
    [target] = projection.targets
    assert (target.due, target.target) == ("2027-12", N00_TARGET)
    assert target.projected == pytest.approx(expected[-1][1])
    assert target.met == (expected[-1][1] >= N00_TARGET - 1e-6)
    nation = Caller(
        "n00-desk",
        Role.NATION,
        "NATO RESTRICTED",
        nationality="N00",
        nation_id=session.scalar(select(db.Nation.id).where(db.Nation.code == "N00")),
        nation="N00",
    )
    assert stock.stock_projection(session, nation, None, "WS0", TODAY) == projection
