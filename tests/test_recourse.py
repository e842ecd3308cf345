"""Re-planning with the openings fixed (PlanOptions.openings, planning/recourse.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from alliedforge.planning import Opening, PlanOptions, PlanStatus, solve_plan
from alliedforge.scenario.model import LineAvailability, Scenario

from builders import active, closed, make_scenario, req, tier
from checker import check_plan


def _short_of_shells() -> Scenario:
    """An active line of 100/month and a new line (2 months lead, opening 50,000) against
    1,800 units due in June: opening at the start is worth it (1,000 units short otherwise)."""
    return make_scenario(
        lines=[active("A1", 100.0), closed("N1", 200.0, lead=2, cost=50_000.0)],
        prices=[tier(1, 10.0)],
        requirements=[req("R1", 1800, "2027-06")],
        months=6,
    )


def _opening(line: str, month: str) -> Opening:
    return Opening(line, month, month, 0.0)


def test_fixing_the_optimal_openings_keeps_the_optimum() -> None:
    scenario = _short_of_shells()
    optimal = solve_plan(scenario, PlanOptions(time_limit=10))
    assert [(o.line, o.decision_month) for o in optimal.openings] == [("N1", "2027-01")]
    fixed = solve_plan(scenario, PlanOptions(time_limit=10, openings=optimal.openings))
    assert fixed.status is PlanStatus.OPTIMAL
    assert fixed.objective == pytest.approx(optimal.objective)
    assert fixed.options["openings"] == "fixed"
    assert check_plan(scenario, fixed).ok


def test_a_line_the_plan_does_not_open_stays_closed() -> None:
    scenario = _short_of_shells()
    plan = solve_plan(scenario, PlanOptions(time_limit=10, openings=()))
    assert plan.openings == ()
    assert {d.line for d in plan.deliveries} == {"A1"}
    # 600 from A1 by June, 1,200 short at 10,000 each, 600 bought at 10.
    assert plan.objective == pytest.approx(1200 * 10_000 + 600 * 10.0)
    assert check_plan(scenario, plan).ok


def test_an_opening_planned_before_the_new_earliest_decision_moves_to_it() -> None:
    scenario = _short_of_shells()
    later = replace(
        scenario, lines=(scenario.lines[0], replace(scenario.lines[1], earliest_decision="2027-02"))
    )
    plan = solve_plan(later, PlanOptions(time_limit=10, openings=(_opening("N1", "2027-01"),)))
    assert [(o.line, o.decision_month) for o in plan.openings] == [("N1", "2027-02")]
    assert check_plan(later, plan).ok


def test_fixed_openings_reroute_around_an_outage() -> None:
    scenario = _short_of_shells()
    optimal = solve_plan(scenario, PlanOptions(time_limit=10))
    outage = replace(scenario, availability=(LineAvailability("N1", "2027-04", 0.0),))
    plan = solve_plan(outage, PlanOptions(time_limit=10, openings=optimal.openings))
    april = sum(d.quantity for d in plan.deliveries if d.line == "N1" and d.month == "2027-04")
    assert april == 0.0
    # N1 makes 200 in March, May and June; A1 600: 1,200 delivered, 600 short.
    assert plan.requirements[0].shortfall == pytest.approx(600.0)
    assert check_plan(outage, plan).ok
