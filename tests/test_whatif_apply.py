"""Applying what-if changes to tiny scenarios: each kind, the cuts that keep a scenario
plannable, located errors, and the planner's answer worked out by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import PlanStatus
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import (
    BomEntry,
    Budget,
    Commitment,
    ComponentSupply,
    Qualification,
    Scenario,
    Stockpile,
    check_scenario,
)
from alliedforge.scenario.model import LineAvailability
from alliedforge.whatif.apply import apply_changes
from alliedforge.whatif.changes import (
    BudgetChange,
    CapacityChange,
    ComponentShock,
    ContractingShift,
    DemandFactor,
    LeadTimeSlip,
    LineOutage,
    PriceChange,
    QualificationAdded,
    QualificationMoved,
    QualificationRemoved,
    SupplierLoss,
)
from alliedforge.whatif.errors import WhatIfError

from builders import active, closed, make_scenario, req, tier


def _one_line(**extra: object) -> Scenario:
    """L1 (active, 100/month, S1) and L2 (new, S2); R1 600 units due 2027-06 for AAA."""
    defaults: dict[str, object] = {
        "lines": [active("L1", 100), closed("L2", 50, lead=2, cost=1000, supplier="S2")],
        "prices": [tier(0, 10), tier(0, 12, supplier="S2")],
        "requirements": [req("R1", 600, "2027-06")],
    }
    return make_scenario(**(defaults | extra))  # type: ignore[arg-type]


def _factors(scenario: Scenario) -> dict[tuple[str, str], float]:
    return {(a.line, a.month): a.factor for a in scenario.availability}


def test_a_line_outage_zeroes_its_months_within_the_horizon() -> None:
    changed = apply_changes(_one_line(), [LineOutage("L1", "2027-11", 4)])
    assert _factors(changed) == {("L1", "2027-11"): 0.0, ("L1", "2027-12"): 0.0}


def test_capacity_changes_multiply_with_rows_already_there() -> None:
    base = replace(_one_line(), availability=(LineAvailability("L1", "2027-12", 0.5),))
    changed = apply_changes(base, [CapacityChange("L1", 0.5, "2027-11")])
    assert _factors(changed) == {("L1", "2027-11"): 0.5, ("L1", "2027-12"): 0.25}
    assert check_scenario(changed) == []


def test_a_supplier_loss_stops_every_line_of_the_supplier() -> None:
    changed = apply_changes(_one_line(), [SupplierLoss("S2", "2027-10")])
    assert _factors(changed) == {("L2", m): 0.0 for m in ("2027-10", "2027-11", "2027-12")}


def test_commitments_beyond_the_reduced_capacity_are_cut_to_fit() -> None:
    commitments = [
        Commitment("C1", "L1", "R1", "2027-02", 60, 9),
        Commitment("C2", "L1", "R1", "2027-02", 20, 9),
        Commitment("C3", "L1", "R1", "2027-03", 30, 9),
    ]
    base = _one_line(commitments=commitments)
    changed = apply_changes(base, [CapacityChange("L1", 0.4, "2027-02")])
    # 40 units are left in 2027-02: each commitment keeps half, in whole units; 2027-03 fits.
    assert [(c.code, c.quantity) for c in changed.commitments] == [
        ("C1", 30.0),
        ("C2", 10.0),
        ("C3", 30.0),
    ]
    outage = apply_changes(base, [LineOutage("L1", "2027-02", 1)])
    assert [c.code for c in outage.commitments] == ["C3"]


def test_the_planner_makes_up_for_an_outage_late_at_the_hand_computed_cost() -> None:
    base = _one_line(lines=[active("L1", 100)], prices=[tier(0, 10)])
    options = PlanOptions(time_limit=20)
    before = solve_plan(base, options)
    after = solve_plan(apply_changes(base, [LineOutage("L1", "2027-02", 2)]), options)
    assert before.status is after.status is PlanStatus.OPTIMAL
    assert before.objective == pytest.approx(600 * 10)
    # 400 units by the due month, then 100 one month late and 100 two months late:
    # 300 late unit-months at 0.01 × 10000 each, far cheaper than 200 units short.
    assert after.costs.late == pytest.approx(300 * 100)
    assert after.objective == pytest.approx(600 * 10 + 300 * 100)


def test_component_shocks_never_cut_below_what_commitments_use() -> None:
    base = _one_line(
        bom=[BomEntry("SH", "NC", 1.0)],
        component_supply=[ComponentSupply("NC", None, 100), ComponentSupply("NC", "2027-05", 80)],
        commitments=[Commitment("C1", "L1", "R1", "2027-03", 60, 9)],
    )
    changed = apply_changes(base, [ComponentShock("NC", 0.1, "2027-02", 4)])
    supply = {s.month: s.capacity for s in changed.component_supply}
    assert supply == {
        None: 100,
        "2027-02": pytest.approx(10),
        "2027-03": 60,  # the commitment's use
        "2027-04": pytest.approx(10),
        "2027-05": pytest.approx(8),
    }


def test_a_shock_to_an_unlimited_component_changes_nothing() -> None:
    base = _one_line(bom=[BomEntry("SH", "NC", 1.0)])
    assert apply_changes(base, [ComponentShock("NC", 0.5)]) == base


def test_demand_scales_matching_requirements_never_below_commitments() -> None:
    base = _one_line(
        requirements=[
            req("R1", 100, "2027-03"),
            req("R2", 100, "2027-08"),
            req("R3", 100, "2027-08", nation="BBB"),
            req("R4", 100, "2027-08", weapon_system="MOR"),
        ],
        qualifications=[Qualification("SH", "HOW")],
        commitments=[Commitment("C1", "L1", "R2", "2027-02", 80, 9)],
    )
    changed = apply_changes(base, [DemandFactor(0.5, nation="AAA", from_month="2027-04")])
    assert [r.quantity for r in changed.requirements] == [100, 80, 100, 50]
    # MOR has no item of the family qualified: its requirement is of no family.
    doubled = apply_changes(base, [DemandFactor(2.0, family="155mm-HE")])
    assert [r.quantity for r in doubled.requirements] == [200, 200, 200, 100]


def test_demand_scales_the_gap_of_a_stockpile_not_what_is_on_hand() -> None:
    base = _one_line(stockpiles=[Stockpile("AAA", "HOW", 100, 300, "2027-09")])
    changed = apply_changes(base, [DemandFactor(1.5)])
    assert changed.stockpiles[0].target == 100 + 1.5 * 200


def test_qualifications_are_added_moved_and_removed() -> None:
    base = _one_line(
        qualifications=[Qualification("SH", "HOW")],
        commitments=[Commitment("C1", "L1", "R1", "2027-02", 50, 9)],
    )
    moved = apply_changes(base, [QualificationMoved("SH", "HOW", "2027-03")])
    assert moved.qualifications == (Qualification("SH", "HOW", "2027-03"),)
    assert moved.commitments == ()  # delivered before the item was qualified
    removed = apply_changes(base, [QualificationRemoved("SH", "HOW")])
    assert removed.qualifications == ()
    assert removed.commitments == ()
    again = apply_changes(removed, [QualificationAdded("SH", "HOW", "2027-05")])
    assert again.qualifications == (Qualification("SH", "HOW", "2027-05"),)


def test_the_planner_uses_a_new_qualification() -> None:
    base = make_scenario(
        lines=[active("L1", 100), active("L2", 100, item="XX")],
        prices=[tier(0, 10), tier(0, 10, item="XX")],
        requirements=[req("R1", 200, "2027-02")],
        qualifications=[Qualification("SH", "HOW")],
    )
    options = PlanOptions(time_limit=20)
    before = solve_plan(base, options)
    after = solve_plan(apply_changes(base, [QualificationAdded("XX", "HOW")]), options)
    # Alone, L1 makes 200 by the due month 2027-02; with XX, 400 could come: same cost.
    assert sum(r.shortfall for r in before.requirements) == 0
    early = make_scenario(
        lines=base.lines,
        prices=base.prices,
        requirements=[req("R1", 200, "2027-01")],
        qualifications=[Qualification("SH", "HOW")],
    )
    late_alone = solve_plan(early, options)
    both = solve_plan(apply_changes(early, [QualificationAdded("XX", "HOW")]), options)
    assert late_alone.costs.late == pytest.approx(100 * 100)  # 100 units one month late
    assert both.costs.late == pytest.approx(0)
    assert after.objective == pytest.approx(before.objective)


def test_budgets_scale_but_never_below_what_commitments_cost() -> None:
    base = _one_line(
        budgets=[Budget("AAA", 2027, 1000)],
        commitments=[Commitment("C1", "L1", "R1", "2027-02", 50, 9)],
    )
    assert apply_changes(base, [BudgetChange(0.5)]).budgets[0].amount == 500
    assert apply_changes(base, [BudgetChange(0.1, nation="AAA")]).budgets[0].amount == 450


def test_contracting_and_lead_time_shift_only_closed_lines_within_bounds() -> None:
    base = _one_line(
        lines=[
            active("L1", 100),
            closed("L2", 50, lead=2, earliest="2027-03"),
            closed("L3", 50, lead=1, supplier="S2"),
        ],
        prices=[tier(0, 10), tier(0, 12, supplier="S2")],
    )
    earlier = apply_changes(base, [ContractingShift(-6)])
    assert [ln.earliest_decision for ln in earlier.lines] == [None, "2027-01", None]
    later = apply_changes(base, [ContractingShift(20)])
    assert [ln.earliest_decision for ln in later.lines] == [None, "2027-12", "2027-12"]
    slipped = apply_changes(base, [LeadTimeSlip(-5, supplier="S2"), LeadTimeSlip(3, line="L2")])
    assert [ln.lead_months for ln in slipped.lines] == [None, 5, 0]


def test_prices_scale_for_the_pair_named() -> None:
    base = _one_line()
    changed = apply_changes(base, [PriceChange(1.5, supplier="S2", item="SH")])
    assert [p.unit_price for p in changed.prices] == [10, 18]


def test_every_problem_is_located_and_nothing_is_applied() -> None:
    changes = [
        LineOutage("L9", "2026-12", 0),
        DemandFactor(math.nan, nation="ZZZ", family="nope"),
        CapacityChange("L1", -1.0, "2027-13"),
        QualificationAdded("SH", "HOW"),
        QualificationRemoved("SH", "TANK"),
        BudgetChange(0.5, nation="AAA", year=2031),
        LeadTimeSlip(2, line="L1"),
        ComponentShock("FUZE", 0.5, months=0),
        PriceChange(2.0, supplier="S1", item="ZZ"),
    ]
    with pytest.raises(WhatIfError) as caught:
        apply_changes(_one_line(), changes)
    found = {(p.where, p.field, p.value) for p in caught.value.problems}
    assert found == {
        ("change[1]", "line", '"L9"'),
        ("change[1]", "start", '"2026-12"'),
        ("change[1]", "months", "0"),
        ("change[2]", "factor", "nan"),
        ("change[2]", "nation", '"ZZZ"'),
        ("change[2]", "family", '"nope"'),
        ("change[3]", "factor", "-1.0"),
        ("change[3]", "from_month", '"2027-13"'),
        ("change[4]", "weapon_system", '"HOW"'),
        ("change[5]", "weapon_system", '"TANK"'),
        ("change[6]", "year", "2031"),
        ("change[7]", "line", '"L1"'),
        ("change[8]", "component", '"FUZE"'),
        ("change[8]", "months", "0"),
        ("change[9]", "item", '"ZZ"'),
    }
    assert 'change[1].line = "L9": no such line' in str(caught.value)


def test_later_changes_see_what_earlier_ones_did() -> None:
    base = _one_line(qualifications=[Qualification("SH", "HOW")])
    changes = [QualificationRemoved("SH", "HOW"), QualificationMoved("SH", "HOW", "2027-02")]
    with pytest.raises(WhatIfError) as caught:
        apply_changes(base, changes)
    assert [p.where for p in caught.value.problems] == ["change[2]"]
