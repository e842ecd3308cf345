"""The plan checker passes a valid hand-written plan and reports each kind of violation."""

from __future__ import annotations

import dataclasses

import pytest

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
from alliedforge.scenario.model import (
    BomEntry,
    Budget,
    Commitment,
    ComponentSupply,
    Qualification,
    Scenario,
)

from builders import active, closed, make_scenario, req, tier
from checker import CheckReport, assert_plan_valid, check_plan

# Four months 2027-01..04. L1 active, L2 new (lead 2), L3 makes XX, qualified only from 2027-04.
# S1/SH tiers: 5000 from 50 units, 4000 from 200. One fuze per SH, 150 fuzes a month.
SCENARIO = make_scenario(
    months=4,
    lines=[
        active("L1", 100),
        closed("L2", 100, lead=2, cost=10000),
        active("L3", 100, supplier="S2", item="XX"),
    ],
    prices=[tier(50, 5000), tier(200, 4000), tier(0, 1000, supplier="S2", item="XX")],
    requirements=[req("R1", 300, "2027-03")],
    qualifications=[Qualification("SH", "HOW"), Qualification("XX", "HOW", "2027-04")],
    budgets=[Budget("AAA", 2027, 2_000_000)],
    bom=[BomEntry("SH", "FUZE", 1)],
    component_supply=[ComponentSupply("FUZE", None, 150)],
    commitments=[Commitment("C1", "L1", "R1", "2027-01", 20, 3000)],
)

LINES = {ln.code: ln for ln in SCENARIO.lines}


def delivery(
    line: str, month: str, quantity: float, price: float, *, committed: bool = False
) -> Delivery:
    ln = LINES[line]
    return Delivery(line, ln.supplier, ln.item, "R1", "AAA", month, quantity, price, committed)


COMMITTED = delivery("L1", "2027-01", 20, 3000, committed=True)
OPEN_L2 = Opening("L2", "2027-01", "2027-03", 10000)
DELIVERIES = (
    COMMITTED,
    delivery("L1", "2027-01", 80, 4000),
    delivery("L1", "2027-02", 100, 4000),
    delivery("L2", "2027-03", 100, 4000),
)

# Hand-computed: procurement 280 × 4000 = 1,120,000 (280 ≥ 200 reaches the 4000 tier);
# opening 10,000; commitment 20 × 3000 = 60,000; nothing short or late. Total 1,190,000.
VALID = Plan(
    status=PlanStatus.OPTIMAL,
    mode=Mode.JOINT,
    costs=Costs(procurement=1_120_000, opening=10_000, commitment=60_000),
    bound=1_190_000,
    mip_gap=0.0,
    build_seconds=0.0,
    solve_seconds=0.0,
    deliveries=DELIVERIES,
    openings=(OPEN_L2,),
    tiers=(TierChoice("S1", "SH", None, 200, 4000, 280),),
    requirements=(RequirementOutcome("R1", "AAA", 300, 300, 300, 0, 0),),
)


def consistent(
    deliveries: tuple[Delivery, ...],
    openings: tuple[Opening, ...] = (OPEN_L2,),
    scenario: Scenario = SCENARIO,
    mode: Mode = Mode.JOINT,
) -> Plan:
    """A plan whose costs, outcomes and tiers agree with its deliveries, so that only the
    violation a test plants is reported."""
    draft = dataclasses.replace(VALID, deliveries=deliveries, openings=openings, mode=mode)
    report = check_plan(scenario, draft)
    return dataclasses.replace(
        draft,
        costs=report.costs,
        bound=report.costs.total,
        requirements=tuple(report.outcomes.values()),
        tiers=tuple(report.tiers),
    )


def only(report: CheckReport, family: str, *words: str) -> None:
    """Exactly one violation, of `family`, mentioning every word."""
    assert len(report.violations) == 1, str(report)
    message = report.violations[0]
    assert message.startswith(f"{family}:"), message
    for word in words:
        assert word in message, message


def test_valid_plan_passes() -> None:
    report = assert_plan_valid(SCENARIO, VALID)
    assert report.costs == VALID.costs
    assert report.outcomes["R1"] == VALID.requirements[0]


def test_consistent_helper_keeps_a_valid_plan_valid() -> None:
    assert check_plan(SCENARIO, consistent(DELIVERIES)).ok


def test_over_capacity() -> None:
    # L1 carries 130 in February; L2 gives 30 back so that volume and costs stay the same.
    plan = consistent(
        (
            COMMITTED,
            delivery("L1", "2027-01", 80, 4000),
            delivery("L1", "2027-02", 130, 4000),
            delivery("L2", "2027-03", 70, 4000),
        )
    )
    only(check_plan(SCENARIO, plan), "capacity", "L1", "2027-02", "130")


def test_commitment_consumes_capacity() -> None:
    # 20 committed + 81 planned in January exceed L1's 100.
    plan = consistent(
        (
            COMMITTED,
            delivery("L1", "2027-01", 81, 4000),
            delivery("L1", "2027-02", 100, 4000),
            delivery("L2", "2027-03", 99, 4000),
        )
    )
    only(check_plan(SCENARIO, plan), "capacity", "L1", "2027-01", "101")


def test_unqualified_arc() -> None:
    # XX is qualified on HOW only from 2027-04; a March delivery is not usable.
    plan = consistent(
        (
            *DELIVERIES[:3],
            delivery("L2", "2027-03", 90, 4000),
            delivery("L3", "2027-03", 10, 1000),
        )
    )
    only(check_plan(SCENARIO, plan), "arc", "L3", "2027-03", "from 2027-04")


def test_qualified_from_month_is_usable() -> None:
    plan = consistent(
        (
            *DELIVERIES[:3],
            delivery("L2", "2027-03", 90, 4000),
            delivery("L3", "2027-04", 10, 1000),
        )
    )
    assert check_plan(SCENARIO, plan).ok


def test_delivery_before_first_output() -> None:
    # L2 decided 2027-01 with lead 2 produces from 2027-03, not 2027-02.
    plan = consistent(
        (
            *DELIVERIES[:2],
            delivery("L2", "2027-02", 100, 4000),
            delivery("L1", "2027-03", 100, 4000),
        )
    )
    only(check_plan(SCENARIO, plan), "capacity", "L2", "2027-02", "first output month 2027-03")


def test_unopened_line_delivers_nothing() -> None:
    plan = consistent(DELIVERIES, openings=())
    only(check_plan(SCENARIO, plan), "capacity", "L2", "never opened")


def test_opening_before_earliest_decision() -> None:
    l2 = dataclasses.replace(LINES["L2"], earliest_decision="2027-02")
    late_decision = dataclasses.replace(SCENARIO, lines=(LINES["L1"], l2, LINES["L3"]))
    only(check_plan(late_decision, consistent(DELIVERIES)), "opening", "L2", "earliest")


def test_wrong_first_output_month() -> None:
    opening = dataclasses.replace(OPEN_L2, first_output_month="2027-04")
    only(check_plan(SCENARIO, consistent(DELIVERIES, (opening,))), "opening", "L2", "2027-03")


def test_active_line_cannot_be_opened() -> None:
    openings = (OPEN_L2, Opening("L1", "2027-01", "2027-01", 0))
    only(check_plan(SCENARIO, consistent(DELIVERIES, openings)), "opening", "L1", "active")


def test_tier_price_not_the_cheapest_reached() -> None:
    # 280 units reach the 4000 tier; paying 5000 is a valid tier but never optimal.
    plan = consistent(tuple(_repriced(d, 5000) for d in DELIVERIES))
    only(check_plan(SCENARIO, plan), "tier", "5000", "4000")


def test_price_that_is_no_tier() -> None:
    plan = consistent(tuple(_repriced(d, 4500) for d in DELIVERIES))
    only(check_plan(SCENARIO, plan), "tier", "4500", "no tier")


def test_one_pair_at_two_prices() -> None:
    plan = consistent((*DELIVERIES[:3], _repriced(DELIVERIES[3], 5000)))
    only(check_plan(SCENARIO, plan), "tier", "several unit prices")


def test_below_minimum_order() -> None:
    # 30 planned units are below the 50-unit minimum of S1/SH (commitments do not count).
    plan = consistent((COMMITTED, delivery("L1", "2027-01", 30, 5000)), openings=())
    only(check_plan(SCENARIO, plan), "minimum order", "S1/SH", "30", "50")


def test_national_mode_counts_tiers_per_nation() -> None:
    two_nations = make_scenario(
        months=3,
        lines=[active("L1", 200)],
        prices=[tier(0, 5000), tier(200, 4000)],
        requirements=[
            req("RA", 150, "2027-03", nation="AAA"),
            req("RB", 150, "2027-03", nation="BBB"),
        ],
    )
    rows = tuple(
        Delivery("L1", "S1", "SH", r, n, month, 150, 4000)
        for r, n, month in (("RA", "AAA", "2027-01"), ("RB", "BBB", "2027-02"))
    )
    assert check_plan(two_nations, consistent(rows, (), two_nations)).ok
    national = consistent(rows, (), two_nations, Mode.NATIONAL)
    report = check_plan(two_nations, national)
    assert len(report.violations) == 2, str(report)
    assert all(v.startswith("tier:") and "150" in v for v in report.violations)


def test_budget_exceeded() -> None:
    # The plan spends 1,120,000 + 60,000 = 1,180,000 in 2027.
    tight = dataclasses.replace(SCENARIO, budgets=(Budget("AAA", 2027, 1_000_000),))
    only(check_plan(tight, VALID), "budget", "AAA", "2027", "1180000")


def test_component_exceeded() -> None:
    # A dated row overrides the every-month 150: only 80 fuzes in February, the plan uses 100.
    supply = (ComponentSupply("FUZE", None, 150), ComponentSupply("FUZE", "2027-02", 80))
    short = dataclasses.replace(SCENARIO, component_supply=supply)
    only(check_plan(short, VALID), "component", "FUZE", "2027-02", "80")


def test_component_without_blank_row_has_nothing_in_other_months() -> None:
    january_only = dataclasses.replace(
        SCENARIO, component_supply=(ComponentSupply("FUZE", "2027-01", 150),)
    )
    report = check_plan(january_only, VALID)
    assert sorted(report.violations) == [
        "component: FUZE used 100 in 2027-02, supply 0",
        "component: FUZE used 100 in 2027-03, supply 0",
    ]


def test_requirement_over_delivered() -> None:
    plan = consistent((*DELIVERIES, delivery("L1", "2027-04", 10, 4000)))
    only(check_plan(SCENARIO, plan), "requirement", "R1", "310")


def test_missing_commitment() -> None:
    plan = consistent(DELIVERIES[1:])
    only(check_plan(SCENARIO, plan), "commitment", "L1", "R1", "2027-01")


def test_commitment_at_wrong_price() -> None:
    plan = consistent((delivery("L1", "2027-01", 20, 3500, committed=True), *DELIVERIES[1:]))
    only(check_plan(SCENARIO, plan), "commitment", "3500")


def test_objective_mis_added() -> None:
    costs = dataclasses.replace(VALID.costs, procurement=VALID.costs.procurement + 1000)
    report = check_plan(SCENARIO, dataclasses.replace(VALID, costs=costs, bound=1_191_000))
    assert len(report.violations) == 2, str(report)
    assert report.violations[0].startswith("objective: procurement cost 1121000")
    assert report.violations[1].startswith("objective: objective 1191000")


def test_wrong_requirement_outcome() -> None:
    outcome = RequirementOutcome("R1", "AAA", 300, 300, 250, 0, 0)
    report = check_plan(SCENARIO, dataclasses.replace(VALID, requirements=(outcome,)))
    only(report, "outcome", "R1", "delivered_on_time", "250")


def test_late_commitment_counts_as_late() -> None:
    # A commitment in 2027-05 on a requirement due 2027-03: 20 units × 2 months = 40
    # unit-months; late cost 0.01 × 10000 × 40 = 4000 (COMMITTED_DELIVERIES_ACCRUE_LATENESS).
    scenario = make_scenario(
        months=6,
        lines=[active("L1", 100)],
        prices=[tier(0, 4000)],
        requirements=[req("R1", 20, "2027-03")],
        commitments=[Commitment("C1", "L1", "R1", "2027-05", 20, 3000)],
    )
    row = Delivery("L1", "S1", "SH", "R1", "AAA", "2027-05", 20, 3000, committed=True)
    report = check_plan(scenario, consistent((row,), (), scenario))
    assert report.ok, str(report)
    assert report.costs.late == pytest.approx(4000)
    assert report.outcomes["R1"].late_unit_months == pytest.approx(40)
    assert report.outcomes["R1"].delivered_on_time == 0


def test_bound_above_objective() -> None:
    report = check_plan(SCENARIO, dataclasses.replace(VALID, bound=1_200_000))
    only(report, "bound", "above objective")


def test_optimal_plan_must_be_within_the_gap() -> None:
    # (1,190,000 − 1,000,000) / 1,190,000 ≈ 0.16 > 1e-4: not optimal, though honestly reported.
    loose = dataclasses.replace(VALID, bound=1_000_000, mip_gap=190_000 / 1_190_000)
    only(check_plan(SCENARIO, loose), "bound", "optimal", "1000000")
    assert check_plan(SCENARIO, dataclasses.replace(loose, status=PlanStatus.TIME_LIMIT)).ok
    # A looser gap asked for in the options is honoured.
    asked = dataclasses.replace(loose, options={"gap": 0.2})
    assert check_plan(SCENARIO, asked).ok


def test_reported_gap_must_match_objective_and_bound() -> None:
    wrong = dataclasses.replace(VALID, bound=1_000_000, status=PlanStatus.TIME_LIMIT)
    only(check_plan(SCENARIO, wrong), "bound", "mip_gap 0", "0.16")


def test_infeasible_plan() -> None:
    infeasible = dataclasses.replace(
        VALID,
        status=PlanStatus.INFEASIBLE,
        deliveries=(),
        infeasibility=("budget AAA 2027: commitments cost 60,000",),
    )
    assert check_plan(SCENARIO, infeasible).ok
    report = check_plan(SCENARIO, dataclasses.replace(infeasible, infeasibility=()))
    only(report, "infeasible", "explanation")
    report = check_plan(SCENARIO, dataclasses.replace(infeasible, deliveries=DELIVERIES))
    only(report, "infeasible", "4 deliveries")


def test_assert_plan_valid_lists_every_violation() -> None:
    costs = dataclasses.replace(VALID.costs, late=5.0)
    bad = dataclasses.replace(VALID, costs=costs, openings=())
    with pytest.raises(AssertionError) as raised:
        assert_plan_valid(SCENARIO, bad)
    text = str(raised.value)
    assert "never opened" in text
    assert "late cost 5" in text
    assert "opening cost 10000, recomputed 0" in text


def _repriced(d: Delivery, price: float) -> Delivery:
    return d if d.committed else dataclasses.replace(d, unit_price=price)
