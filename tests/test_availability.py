"""Line availability (what-if outages and capacity changes) as the planner honours it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from alliedforge.planning import PlanOptions, PlanStatus, solve_plan
from alliedforge.scenario.model import Commitment, LineAvailability, Scenario

from builders import active, closed, make_scenario, req, tier
from checker import check_plan


def _one_line(capacity: float = 100.0) -> Scenario:
    """One active line, one requirement of 300 due in March: 100/month fills it on time."""
    return make_scenario(
        lines=[active("L1", capacity)],
        prices=[tier(1, 10.0)],
        requirements=[req("R1", 300, "2027-03")],
        months=6,
    )


def test_an_outage_month_makes_nothing_and_the_checker_agrees() -> None:
    base = _one_line()
    outage = replace(base, availability=(LineAvailability("L1", "2027-02", 0.0),))
    plan = solve_plan(outage, PlanOptions(time_limit=10))
    assert plan.status is PlanStatus.OPTIMAL
    by_month: dict[str, float] = {}
    for d in plan.deliveries:
        by_month[d.month] = by_month.get(d.month, 0.0) + d.quantity
    assert by_month.get("2027-02", 0.0) == 0.0
    # January and March on time (200), the rest one month late in April.
    outcome = plan.requirements[0]
    assert outcome.delivered_on_time == pytest.approx(200.0)
    assert outcome.late_unit_months == pytest.approx(100.0)
    assert check_plan(outage, plan).ok


def test_a_half_capacity_month_halves_an_opened_lines_output() -> None:
    scenario = make_scenario(
        lines=[closed("N1", 100.0, lead=0)],
        prices=[tier(1, 10.0)],
        requirements=[req("R1", 600, "2027-06")],
        months=6,
    )
    halved = replace(scenario, availability=(LineAvailability("N1", "2027-03", 0.5),))
    plan = solve_plan(halved, PlanOptions(time_limit=10))
    march = sum(d.quantity for d in plan.deliveries if d.month == "2027-03")
    assert march == pytest.approx(50.0)
    assert plan.requirements[0].shortfall == pytest.approx(50.0)
    assert check_plan(halved, plan).ok


def test_commitments_above_the_reduced_capacity_make_the_scenario_infeasible() -> None:
    base = _one_line()
    committed = replace(
        base,
        commitments=(Commitment("C1", "L1", "R1", "2027-02", 80.0, 10.0),),
        availability=(LineAvailability("L1", "2027-02", 0.5),),
    )
    plan = solve_plan(committed, PlanOptions(time_limit=10))
    assert plan.status is PlanStatus.INFEASIBLE
    assert any("L1" in reason and "2027-02" in reason for reason in plan.infeasibility)


def test_availability_changes_the_content_hash_but_none_keeps_it() -> None:
    base = _one_line()
    assert replace(base, availability=()).content_hash() == base.content_hash()
    outage = replace(base, availability=(LineAvailability("L1", "2027-02", 0.0),))
    assert outage.content_hash() != base.content_hash()
