"""One tiny scenario per rule of planning-model.md, each with a hand-computed optimal objective."""

from __future__ import annotations

import pytest

from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Mode, Plan, PlanStatus
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario.model import (
    BomEntry,
    Budget,
    Commitment,
    ComponentSupply,
    LineState,
    Qualification,
    Scenario,
    Stockpile,
)

from builders import active, closed, make_scenario, req, tier
from checker import assert_plan_valid

# Unless a test says otherwise (make_scenario defaults): shortfall cost per unit
# S = (10000, 5000, 2000, 1000, 500) for priority 1..5, late_fraction 0.01, so a priority-1
# unit-month late costs 0.01 × 10000 = 100. Supplier S1 makes item SH at one tier, 4000/unit.
PRICE = [tier(0, 4000)]


def solve(scenario: Scenario, mode: Mode = Mode.JOINT) -> Plan:
    """Solve to a proven optimum (tight gap: the expected objectives are exact) and verify."""
    plan = solve_plan(scenario, PlanOptions(mode=mode, time_limit=60, gap=1e-9))
    if plan.status is not PlanStatus.INFEASIBLE:
        assert plan.status is PlanStatus.OPTIMAL, plan.status
        assert plan.mode is mode
    assert_plan_valid(scenario, plan)
    return plan


def outcome(plan: Plan, requirement: str) -> tuple[float, float, float]:
    """(delivered, late unit-months, shortfall) of one requirement."""
    (o,) = (o for o in plan.requirements if o.requirement == requirement)
    return o.delivered, o.late_unit_months, o.shortfall


# --- Capacity ---------------------------------------------------------------------------


def test_short_capacity_leaves_shortfall() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 500, "2027-03")],
    )
    plan = solve(scenario)
    # 3 months × 100 = 300 delivered on time: 300 × 4000 = 1,200,000;
    # 200 short × 10000 = 2,000,000. Total 3,200,000.
    assert plan.objective == pytest.approx(3_200_000, rel=1e-6)
    assert outcome(plan, "R1") == pytest.approx((300, 0, 200))


def test_new_line_opens_at_earliest_decision_and_produces_after_lead() -> None:
    scenario = make_scenario(
        lines=[closed("L2", 100, lead=3, cost=50_000, earliest="2027-03")],
        prices=PRICE,
        requirements=[req("R1", 500, "2027-08")],
    )
    plan = solve(scenario)
    # Earliest decision 2027-03 (month 2) + lead 3 → first output 2027-06 (month 5).
    # 100/month in months 5..9: 300 on time (5, 6, 7 ≤ due 7), 100 one month late (8),
    # 100 two months late (9): 300 unit-months × 100 = 30,000.
    # 50,000 opening + 500 × 4000 = 2,000,000 + 30,000 late = 2,080,000.
    assert plan.objective == pytest.approx(2_080_000, rel=1e-6)
    assert [(o.decision_month, o.first_output_month) for o in plan.openings] == [
        ("2027-03", "2027-06")
    ]
    assert min(d.month for d in plan.deliveries if d.quantity > 1e-9) == "2027-06"


def test_opening_not_worth_its_cost_is_skipped() -> None:
    scenario = make_scenario(
        months=3,
        lines=[closed("L2", 100, lead=0, cost=2_000_000, state=LineState.DORMANT)],
        prices=PRICE,
        requirements=[req("R1", 100, "2027-03")],
    )
    plan = solve(scenario)
    # Opening: 2,000,000 + 100 × 4000 = 2,400,000 > all short: 100 × 10000 = 1,000,000.
    assert plan.objective == pytest.approx(1_000_000, rel=1e-6)
    assert plan.openings == ()


def test_ramp_gives_half_capacity_first() -> None:
    scenario = make_scenario(
        months=3,
        lines=[closed("L2", 100, lead=0, cost=10_000, ramp=2, state=LineState.DORMANT)],
        prices=PRICE,
        requirements=[req("R1", 300, "2027-03")],
    )
    plan = solve(scenario)
    # Opened 2027-01 with lead 0 and ramp 2: ρ(0) = 1/2, ρ(1) = ρ(2) = 1 → 50 + 100 + 100 = 250.
    # 10,000 opening + 250 × 4000 = 1,000,000 + 50 short × 10000 = 500,000. Total 1,510,000.
    assert plan.objective == pytest.approx(1_510_000, rel=1e-6)
    january = sum(d.quantity for d in plan.deliveries if d.month == "2027-01")
    assert january == pytest.approx(50)


# --- Usable arcs ------------------------------------------------------------------------


def test_item_usable_only_from_its_qualification_month() -> None:
    scenario = make_scenario(
        months=6,
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 100, "2027-02")],
        qualifications=[Qualification("SH", "HOW", "2027-04")],
    )
    plan = solve(scenario)
    # Nothing usable before 2027-04 (month 3); all 100 then, 2 months after due 2027-02:
    # 200 unit-months × 100 = 20,000. 100 × 4000 = 400,000 + 20,000 = 420,000.
    assert plan.objective == pytest.approx(420_000, rel=1e-6)
    assert outcome(plan, "R1") == pytest.approx((100, 200, 0))


def test_item_qualified_on_another_system_is_unusable() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 100), active("L2", 100, supplier="S2", item="XX")],
        prices=[*PRICE, tier(0, 1000, supplier="S2", item="XX")],
        requirements=[req("R1", 400, "2027-03")],
        qualifications=[Qualification("SH", "HOW"), Qualification("XX", "MORTAR")],
    )
    plan = solve(scenario)
    # The cheap XX fits only MORTAR: L1 alone, 300 × 4000 = 1,200,000;
    # 100 short × 10000 = 1,000,000. Total 2,200,000.
    assert plan.objective == pytest.approx(2_200_000, rel=1e-6)


# --- All-units tiers and minimum orders -------------------------------------------------


def test_buying_more_to_reach_a_cheaper_tier() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 100)],
        prices=[tier(0, 5000), tier(300, 4000)],
        requirements=[req("R1", 200, "2027-03", 1), req("R2", 100, "2027-03", 2)],
    )
    plan = solve(scenario)
    # Serving only R1: 200 × 5000 = 1,000,000 + R2 short 100 × 5000 = 500,000 → 1,500,000.
    # Serving R2 too reaches 300 units: 300 × 4000 = 1,200,000 for everything. Optimal.
    assert plan.objective == pytest.approx(1_200_000, rel=1e-6)
    reached = [(t.unit_price, t.quantity) for t in plan.tiers if t.quantity > 1e-9]
    assert reached == [pytest.approx((4000, 300))]


def test_price_is_that_of_the_highest_tier_reached() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 100)],
        prices=[tier(0, 5000), tier(200, 4500), tier(400, 4000)],
        requirements=[req("R1", 300, "2027-03")],
    )
    plan = solve(scenario)
    # 300 units reach the 200 tier but not the 400 one: 300 × 4500 = 1,350,000.
    assert plan.objective == pytest.approx(1_350_000, rel=1e-6)


def test_minimum_order_not_worth_reaching_leaves_shortfall() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 200)],
        prices=[tier(500, 4000)],
        requirements=[req("R1", 100, "2027-03", 1), req("R2", 400, "2027-03", 5)],
    )
    plan = solve(scenario)
    # Demand is 500, so the only order is all 500: 500 × 4000 = 2,000,000.
    # Buying nothing: 100 × 10000 + 400 × 500 = 1,200,000. Optimal.
    assert plan.objective == pytest.approx(1_200_000, rel=1e-6)
    assert sum(d.quantity for d in plan.deliveries) == pytest.approx(0)


def test_joint_procurement_reaches_a_tier_nations_alone_do_not() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 200)],
        prices=[tier(0, 5000), tier(300, 4000)],
        requirements=[
            req("RA", 200, "2027-03", nation="AAA"),
            req("RB", 200, "2027-03", nation="BBB"),
        ],
    )
    joint = solve(scenario, Mode.JOINT)
    national = solve(scenario, Mode.NATIONAL)
    # Joint: 400 pooled units reach the 300 tier: 400 × 4000 = 1,600,000.
    # National: 200 per nation stays at 5000: 2 × 200 × 5000 = 2,000,000.
    assert joint.objective == pytest.approx(1_600_000, rel=1e-6)
    assert national.objective == pytest.approx(2_000_000, rel=1e-6)
    # Value of joint procurement: 400 units × (5000 − 4000) = 400,000.
    assert national.objective - joint.objective == pytest.approx(400_000, rel=1e-6)


# --- Budgets ----------------------------------------------------------------------------


def test_budget_caps_spend_and_shortfall_appears() -> None:
    scenario = make_scenario(
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 200, "2027-03")],
        budgets=[Budget("AAA", 2027, 600_000)],
    )
    plan = solve(scenario)
    # The whole horizon is 2027: 600,000 / 4000 = 150 units; 50 short × 10000 = 500,000.
    # 600,000 + 500,000 = 1,100,000.
    assert plan.objective == pytest.approx(1_100_000, rel=1e-6)


def test_budget_binds_per_calendar_year() -> None:
    scenario = make_scenario(
        start="2027-10",
        months=6,
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 200, "2027-12")],
        budgets=[Budget("AAA", 2027, 600_000)],
    )
    plan = solve(scenario)
    # 150 units fit the 2027 budget; 2028 has no row, so the other 50 come in 2028-01,
    # one month late: 50 × 100 = 5,000. 200 × 4000 = 800,000 + 5,000 = 805,000.
    assert plan.objective == pytest.approx(805_000, rel=1e-6)


def test_infeasible_when_commitments_exceed_a_budget() -> None:
    scenario = make_scenario(
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 200, "2027-03")],
        budgets=[Budget("AAA", 2027, 200_000)],
        commitments=[Commitment("C1", "L1", "R1", "2027-01", 100, 3000)],
    )
    plan = solve(scenario)
    # The commitment alone costs 100 × 3000 = 300,000 > 200,000 in 2027.
    assert plan.status is PlanStatus.INFEASIBLE
    assert any("budget" in reason.lower() for reason in plan.infeasibility), plan.infeasibility


# --- Components -------------------------------------------------------------------------


def test_binding_fuze_supply_with_a_dated_override() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 300, "2027-03")],
        bom=[BomEntry("SH", "FUZE", 1)],
        component_supply=[
            ComponentSupply("FUZE", None, 60),
            ComponentSupply("FUZE", "2027-02", 90),
        ],
    )
    plan = solve(scenario)
    # One fuze per shell: 60 + 90 + 60 = 210 shells; 90 short.
    # 210 × 4000 = 840,000 + 90 × 10000 = 900,000. Total 1,740,000.
    assert plan.objective == pytest.approx(1_740_000, rel=1e-6)


def test_component_without_blank_row_has_nothing_in_other_months() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 300, "2027-03")],
        bom=[BomEntry("SH", "ENERGETICS", 2)],
        component_supply=[ComponentSupply("ENERGETICS", "2027-02", 150)],
    )
    plan = solve(scenario)
    # Only 2027-02 has energetics: 150 / 2 per shell = 75 shells; 225 short.
    # 75 × 4000 = 300,000 + 225 × 10000 = 2,250,000. Total 2,550,000.
    assert plan.objective == pytest.approx(2_550_000, rel=1e-6)


# --- Commitments ------------------------------------------------------------------------


def test_commitment_consumes_capacity_and_costs_its_price() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 100, "2027-03"), req("R2", 300, "2027-03")],
        commitments=[Commitment("C1", "L1", "R1", "2027-01", 60, 3000)],
    )
    plan = solve(scenario)
    # Capacity 300 = 60 committed + 240 planned; demand 400 → 100 short.
    # 240 × 4000 = 960,000 + 60 × 3000 = 180,000 + 100 × 10000 = 1,000,000. Total 2,140,000.
    assert plan.objective == pytest.approx(2_140_000, rel=1e-6)
    assert plan.costs.commitment == pytest.approx(180_000, rel=1e-6)


def test_commitments_do_not_count_toward_tiers() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 100)],
        prices=[tier(0, 5000), tier(300, 4000)],
        requirements=[req("R1", 300, "2027-03")],
        commitments=[Commitment("C1", "L1", "R1", "2027-01", 100, 3000)],
    )
    plan = solve(scenario)
    # Planned volume is 200 (< 300, the commitment does not count): 200 × 5000 = 1,000,000;
    # commitment 100 × 3000 = 300,000. Total 1,300,000.
    assert plan.objective == pytest.approx(1_300_000, rel=1e-6)


# --- Stockpiles -------------------------------------------------------------------------


def test_stockpile_becomes_a_priority_2_requirement() -> None:
    scenario = make_scenario(
        months=3,
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 200, "2027-03")],
        stockpiles=[
            Stockpile("AAA", "HOW", on_hand=100, target=300, due="2027-03"),
            Stockpile("AAA", "HOW", on_hand=500, target=400, due="2027-02"),  # above target
        ],
    )
    plan = solve(scenario)
    # Stockpile: 300 − 100 = 200 units at priority 2 (S = 5000); the second row adds nothing.
    # Capacity 300: R1 (priority 1) gets 200, the stockpile 100, short 100 × 5000 = 500,000.
    # 300 × 4000 = 1,200,000 + 500,000 = 1,700,000.
    assert plan.objective == pytest.approx(1_700_000, rel=1e-6)
    assert {o.requirement for o in plan.requirements} == {"R1", "stockpile:AAA:HOW:2027-03"}
    assert outcome(plan, "stockpile:AAA:HOW:2027-03") == pytest.approx((100, 0, 100))


# --- Lateness and priorities ------------------------------------------------------------


def test_late_delivery_beats_shortfall() -> None:
    scenario = make_scenario(
        months=6,
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 300, "2027-02")],
    )
    plan = solve(scenario)
    # 200 on time (2027-01, 2027-02), 100 in 2027-03, one month late: 100 × 100 = 10,000
    # (cheaper than 100 × 10000 short). 300 × 4000 = 1,200,000 + 10,000 = 1,210,000.
    assert plan.objective == pytest.approx(1_210_000, rel=1e-6)
    assert outcome(plan, "R1") == pytest.approx((300, 100, 0))


def test_lateness_is_accepted_until_it_costs_more_than_shortfall() -> None:
    scenario = make_scenario(
        months=6,
        late_fraction=0.25,
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 500, "2027-01")],
    )
    plan = solve(scenario)
    # A unit k months late costs 4000 + 0.25 × 10000 × k = 4000 + 2500k against 10000 short:
    # k = 0, 1, 2 pay (4000, 6500, 9000), k = 3 does not (11500). 100/month → 300 delivered.
    # 300 × 4000 = 1,200,000; late (100 × 1 + 100 × 2) × 2500 = 750,000;
    # 200 short × 10000 = 2,000,000. Total 3,950,000.
    assert plan.objective == pytest.approx(3_950_000, rel=1e-6)
    assert outcome(plan, "R1") == pytest.approx((300, 300, 200))


def test_scarce_capacity_goes_to_priority_1() -> None:
    scenario = make_scenario(
        months=3,
        shortfall_cost=(10000, 8000, 6000, 5000, 4500),
        lines=[active("L1", 100)],
        prices=PRICE,
        requirements=[req("R1", 200, "2027-03", 2), req("R2", 200, "2027-03", 1)],
    )
    plan = solve(scenario)
    # Capacity 300: R2 (priority 1) gets all 200, R1 (priority 2) 100, short 100 × 8000.
    # 300 × 4000 = 1,200,000 + 800,000 = 2,000,000 (the reverse would cost 2,200,000).
    assert plan.objective == pytest.approx(2_000_000, rel=1e-6)
    assert outcome(plan, "R2") == pytest.approx((200, 0, 0))
    assert outcome(plan, "R1") == pytest.approx((100, 0, 100))
