"""Fair share: within a priority, shortfall spread over nations in proportion to requirements.

Hand arithmetic uses the builders' round numbers: S(1) = 10000, S(2) = 5000 per unit short,
late_fraction 0.01 (a priority-1 unit-month late costs 100), one tier at 4000/unit.
"""

from __future__ import annotations

import pytest

from alliedforge.planning.compare import shortfall_shares, solve_fair_share
from alliedforge.planning.options import PlanOptions, Strategy
from alliedforge.planning.plan import Mode, Plan, PlanStatus
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario.model import Scenario

from builders import active, closed, make_scenario, req, tier
from checker import assert_plan_valid

PRICE = [tier(0, 4000)]
TIGHT = PlanOptions(time_limit=60, gap=1e-9)


def _shared_new_line(priority_b: int = 1) -> Scenario:
    """One new line (lead 1, so output only in February: 100 units) for AAA and BBB, 100 each.

    AAA is due in January, so every unit it gets is a month late; BBB is due in February.
    """
    return make_scenario(
        months=2,
        lines=[closed("L1", 100, lead=1)],
        prices=PRICE,
        requirements=[
            req("RA", 100, "2027-01", nation="AAA"),
            req("RB", 100, "2027-02", priority=priority_b, nation="BBB"),
        ],
    )


def _short(plan: Plan, requirement: str) -> float:
    (outcome,) = (o for o in plan.requirements if o.requirement == requirement)
    return outcome.shortfall


def test_without_fairness_the_on_time_nation_gets_everything() -> None:
    scenario = _shared_new_line()
    plan = solve_plan(scenario, TIGHT)
    assert_plan_valid(scenario, plan)
    # 100 units to BBB on time: 100 × 4000 + AAA's 100 short × 10000.
    assert plan.objective == pytest.approx(1_400_000, rel=1e-9)
    assert (_short(plan, "RA"), _short(plan, "RB")) == pytest.approx((100, 0))


def test_fair_share_gives_both_nations_the_same_share() -> None:
    scenario = _shared_new_line()
    result = solve_fair_share(scenario, TIGHT)
    fair = result.fair
    assert fair.status is PlanStatus.OPTIMAL
    assert_plan_valid(scenario, fair)
    assert (_short(fair, "RA"), _short(fair, "RB")) == pytest.approx((50, 50))
    # Same units and shortfall; AAA's 50 units are one month late: 50 × 100.
    assert fair.objective == pytest.approx(1_405_000, rel=1e-9)
    assert result.cost_of_fairness == pytest.approx(5_000, rel=1e-6)
    assert fair.options["fair_share"] == "yes"
    assert "fair_share" not in result.optimal.options
    assert shortfall_shares(scenario, fair) == pytest.approx({("AAA", 1): 0.5, ("BBB", 1): 0.5})


def test_shares_follow_the_size_of_requirements() -> None:
    # 300 units in February for 100 (AAA) and 500 (BBB): 300 short spread 1 : 5.
    scenario = make_scenario(
        months=2,
        lines=[closed("L1", 300, lead=1)],
        prices=PRICE,
        requirements=[
            req("RA", 100, "2027-01", nation="AAA"),
            req("RB", 500, "2027-02", nation="BBB"),
        ],
    )
    fair = solve_plan(scenario, PlanOptions(time_limit=60, gap=1e-9, fair_share=True))
    assert_plan_valid(scenario, fair)
    assert (_short(fair, "RA"), _short(fair, "RB")) == pytest.approx((50, 250))


def test_fairness_stays_within_a_priority() -> None:
    # BBB's requirement is priority 2: AAA (priority 1) keeps first call on the line.
    scenario = make_scenario(
        months=1,
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[
            req("RA", 100, "2027-01", nation="AAA"),
            req("RB", 100, "2027-01", priority=2, nation="BBB"),
        ],
    )
    result = solve_fair_share(scenario, TIGHT)
    assert (_short(result.fair, "RA"), _short(result.fair, "RB")) == pytest.approx((0, 100))
    assert result.cost_of_fairness == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("strategy", list(Strategy))
def test_every_mode_and_strategy_plans_fairly(mode: Mode, strategy: Strategy) -> None:
    scenario = _shared_new_line()
    options = PlanOptions(mode=mode, strategy=strategy, time_limit=60, gap=1e-9)
    result = solve_fair_share(scenario, options)
    assert result.fair.mode is mode
    assert result.fair.strategy == Strategy.EXACT.value  # fair share is solved exactly
    assert_plan_valid(scenario, result.fair)
    assert (_short(result.fair, "RA"), _short(result.fair, "RB")) == pytest.approx((50, 50))
    assert result.cost_of_fairness >= -1e-6


def test_an_unreachable_nation_does_not_hold_the_others_back() -> None:
    # CCC fields a system no item is qualified on: nothing can reach it, so it takes no
    # part, and AAA and BBB still split the line evenly.
    scenario = _shared_new_line()
    unreachable = make_scenario(
        months=2,
        lines=list(scenario.lines),
        prices=PRICE,
        requirements=[
            *scenario.requirements,
            req("RC", 100, "2027-01", nation="CCC", weapon_system="MOR"),
        ],
        qualifications=list(scenario.qualifications),
    )
    fair = solve_plan(unreachable, PlanOptions(time_limit=60, gap=1e-9, fair_share=True))
    assert_plan_valid(unreachable, fair)
    assert (_short(fair, "RA"), _short(fair, "RB"), _short(fair, "RC")) == pytest.approx(
        (50, 50, 100)
    )
