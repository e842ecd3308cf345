"""Analysis on a hand-built scenario and plans: capacity, KPIs, attribution, figures, report."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from plotly.offline import get_plotlyjs

from alliedforge.analysis.capacity import UNQUALIFIED_FAMILY, capacity_by_family
from alliedforge.analysis.figures import (
    COST_COMPARISON_TITLE,
    DELIVERIES_TITLE,
    DEMAND_CAPACITY_TITLE,
    OPENINGS_TITLE,
    SHORTFALL_TITLE,
    TIERS_TITLE,
    demand_capacity_figure,
    openings_figure,
)
from alliedforge.analysis.kpis import (
    attribute_costs,
    compare_plans,
    deliveries_by_nation,
    nation_kpis,
)
from alliedforge.analysis.report import write_report
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
from alliedforge.scenario.capacity import line_capacity
from alliedforge.scenario.model import (
    Commitment,
    Item,
    Line,
    LineState,
    Manifest,
    Nation,
    Price,
    Qualification,
    Requirement,
    Scenario,
    Stockpile,
    Supplier,
    WeaponSystem,
)

STOCKPILE = "stockpile:B:W1:2027-08"


def make_scenario(name: str = "Tiny", nation_b: str = "Bravo") -> Scenario:
    """Two nations, two families; L2 is dormant (decision ≥ 2027-02, lead 2, ramp 3)."""
    return Scenario(
        manifest=Manifest(
            name=name,
            start="2027-01",
            months=8,
            shortfall_cost=(1000.0, 500.0, 200.0, 100.0, 50.0),
            late_fraction=0.1,
        ),
        nations=(Nation("A", "Alpha"), Nation("B", nation_b)),
        weapon_systems=(WeaponSystem("W1", "Gun"), WeaponSystem("W2", "Mortar")),
        items=(Item("I1", "Shell", "F1"), Item("I2", "Bomb", "F2")),
        qualifications=(Qualification("I1", "W1"), Qualification("I2", "W2")),
        suppliers=(Supplier("S1", "Maker 1", "A"), Supplier("S2", "Maker 2", "B")),
        lines=(
            Line("L1", "S1", "I1", 100.0, LineState.ACTIVE),
            Line("L2", "S2", "I1", 60.0, LineState.DORMANT, 2, 600.0, 3, "2027-02"),
            Line("L3", "S1", "I2", 10.0, LineState.ACTIVE),
        ),
        prices=(
            Price("S1", "I1", 0.0, 10.0),
            Price("S2", "I1", 0.0, 20.0),
            Price("S1", "I2", 0.0, 5.0),
        ),
        requirements=(
            Requirement("RA1", "A", "W1", 300.0, "2027-03", 1),
            Requirement("RB1", "B", "W1", 200.0, "2027-04", 2),
            Requirement("RA2", "A", "W2", 50.0, "2027-06", 3),
        ),
        commitments=(Commitment("C1", "L1", "RA1", "2027-01", 50.0, 9.0),),
        stockpiles=(Stockpile("B", "W1", 10.0, 40.0, "2027-08"),),
    )


def _deliveries(price_factor_b: float) -> tuple[Delivery, ...]:
    """The hand-made schedule; nation B's planned unit prices scaled by `price_factor_b`."""
    rows = [
        ("L1", "S1", "I1", "RA1", "A", "2027-01", 50.0, 9.0, True),
        ("L1", "S1", "I1", "RA1", "A", "2027-02", 100.0, 10.0, False),
        ("L1", "S1", "I1", "RA1", "A", "2027-03", 100.0, 10.0, False),
        ("L1", "S1", "I1", "RB1", "B", "2027-04", 100.0, 10.0, False),
        ("L2", "S2", "I1", "RB1", "B", "2027-05", 40.0, 20.0, False),  # 1 month late
        ("L2", "S2", "I1", "RB1", "B", "2027-06", 60.0, 20.0, False),  # 2 months late
        ("L2", "S2", "I1", "RA1", "A", "2027-07", 50.0, 20.0, False),  # 4 months late
        ("L3", "S1", "I2", "RA2", "A", "2027-05", 10.0, 5.0, False),
        ("L3", "S1", "I2", "RA2", "A", "2027-06", 10.0, 5.0, False),
        ("L1", "S1", "I1", STOCKPILE, "B", "2027-08", 30.0, 10.0, False),
    ]
    return tuple(
        Delivery(
            line,
            supplier,
            item,
            req,
            nation,
            month,
            qty,
            price * (price_factor_b if nation == "B" and not committed else 1.0),
            committed,
        )
        for line, supplier, item, req, nation, month, qty, price, committed in rows
    )


OUTCOMES = (
    RequirementOutcome("RA1", "A", 300.0, 300.0, 250.0, 200.0, 0.0),
    RequirementOutcome("RB1", "B", 200.0, 200.0, 100.0, 160.0, 0.0),
    RequirementOutcome("RA2", "A", 50.0, 20.0, 20.0, 0.0, 30.0),
    RequirementOutcome(STOCKPILE, "B", 30.0, 30.0, 30.0, 0.0, 0.0),
)


def make_plan(mode: Mode = Mode.JOINT) -> Plan:
    """Joint: procurement A 3100 + B 3300; national: B pays 1.5× (4950)."""
    national = mode is Mode.NATIONAL
    return Plan(
        status=PlanStatus.OPTIMAL,
        mode=mode,
        # shortfall 30·S(3); late 0.1·(160·S(2) + 200·S(1))
        costs=Costs(
            procurement=8050.0 if national else 6400.0,
            opening=600.0,
            commitment=450.0,
            shortfall=6000.0,
            late=28000.0,
        ),
        bound=41000.0,
        mip_gap=1e-5,
        build_seconds=0.1,
        solve_seconds=0.2,
        deliveries=_deliveries(1.5 if national else 1.0),
        openings=(Opening("L2", "2027-02", "2027-04", 600.0),),
        tiers=(
            TierChoice("S1", "I1", None, 0.0, 10.0, 330.0),
            TierChoice("S2", "I1", None, 0.0, 20.0, 150.0),
            TierChoice("S1", "I2", None, 0.0, 5.0, 20.0),
        ),
        requirements=OUTCOMES,
        scenario_name="Tiny",
        solver="hand",
    )


def test_dormant_line_follows_lead_and_ramp() -> None:
    series = capacity_by_family(make_scenario())
    # opened 2027-02 (τ=1), lead 2: ρ(t−3) = 0,0,0,1/3,2/3,1,1,1 of 60, plus active L1 (100)
    expected_l2 = 60.0 * np.array([0, 0, 0, 1 / 3, 2 / 3, 1, 1, 1])
    np.testing.assert_allclose(series.capacity[series.families.index("F1")], 100.0 + expected_l2)
    np.testing.assert_allclose(series.capacity[series.families.index("F2")], 10.0)
    np.testing.assert_allclose(series.cumulative_capacity[0, -1], 800.0 + expected_l2.sum())


@pytest.mark.parametrize("ramp", [0, None])
def test_line_without_ramp_reaches_full_capacity_at_once(ramp: int | None) -> None:
    line = Line("L", "S", "I", 50.0, LineState.NEW, lead_months=1, ramp_months=ramp)
    capacity = line_capacity(line, "2027-01", 5, decision=2)
    np.testing.assert_allclose(capacity, [0, 0, 0, 50, 50])


def test_demand_counts_every_requirement_at_its_due_month() -> None:
    scenario = make_scenario()
    extra = Requirement("RX", "A", "W9", 7.0, "2027-02", 5)  # no item qualified on W9
    series = capacity_by_family(replace(scenario, requirements=(*scenario.requirements, extra)))
    assert series.families == ("F1", "F2", UNQUALIFIED_FAMILY)
    np.testing.assert_allclose(series.demand[0], [0, 0, 300, 200, 0, 0, 0, 30])
    np.testing.assert_allclose(series.demand[1], [0, 0, 0, 0, 0, 50, 0, 0])
    np.testing.assert_allclose(series.cumulative_demand[2], [0, 7, 7, 7, 7, 7, 7, 7])
    assert series.planned is None


def test_planned_production_sums_deliveries_by_family_and_month() -> None:
    series = capacity_by_family(make_scenario(), make_plan())
    assert series.planned is not None
    np.testing.assert_allclose(series.planned[0], [50, 100, 100, 100, 40, 60, 50, 30])
    np.testing.assert_allclose(series.planned[1], [0, 0, 0, 0, 10, 10, 0, 0])


def test_nation_kpis() -> None:
    a, b = nation_kpis(make_scenario(), make_plan())
    assert (a.nation, a.required, a.delivered, a.on_time) == ("A", 350.0, 320.0, 270.0)
    assert (a.late_unit_months, a.shortfall, a.spend) == (200.0, 30.0, 3550.0)
    assert (b.nation, b.required, b.delivered, b.on_time) == ("B", 230.0, 230.0, 130.0)
    assert (b.late_unit_months, b.shortfall, b.spend) == (160.0, 0.0, 3300.0)


def test_deliveries_by_nation() -> None:
    series = deliveries_by_nation(make_scenario(), make_plan())
    np.testing.assert_allclose(series.quantity[0], [50, 100, 100, 0, 10, 10, 50, 0])
    np.testing.assert_allclose(series.spend.sum(axis=1), [3550.0, 3300.0])
    assert series.months[-1] == "2027-08"


def test_cost_attribution_adds_up_to_the_objective() -> None:
    plan = make_plan()
    costs = attribute_costs(make_scenario(), plan)
    # L2 delivered 50 units to A and 100 to B: its 600 opening splits 200 / 400
    assert costs["A"] == Costs(3100.0, 200.0, 450.0, 6000.0, 20000.0)
    assert costs["B"] == Costs(3300.0, 400.0, 0.0, 0.0, 8000.0)
    assert sum(c.total for c in costs.values()) == pytest.approx(plan.objective)


def test_opening_of_an_idle_line_is_shared_by_all_units_received() -> None:
    plan = make_plan()
    idle = Opening("L9", "2027-01", "2027-02", 1000.0)
    plan = replace(plan, openings=(*plan.openings, idle), costs=replace(plan.costs, opening=1600))
    costs = attribute_costs(make_scenario(), plan)
    # all units: A 320, B 230 of 550
    assert costs["A"].opening == pytest.approx(200.0 + 1000.0 * 320 / 550)
    assert sum(c.total for c in costs.values()) == pytest.approx(plan.objective)


def test_compare_plans_reports_savings_in_total_and_per_nation() -> None:
    comparison = compare_plans(make_scenario(), make_plan(), make_plan(Mode.NATIONAL))
    assert comparison.total.saving == pytest.approx(1650.0)
    assert comparison.total.saving_percent == pytest.approx(100 * 1650 / 43100)
    a, b = comparison.nations
    assert a.nation == "A"
    assert a.saving == pytest.approx(0.0)
    assert (b.nation, b.national, b.joint) == ("B", 13350.0, 11700.0)
    assert b.saving_percent == pytest.approx(100 * 1650 / 13350)
    assert sum(v.saving for v in comparison.nations) == pytest.approx(comparison.total.saving)


def test_compare_plans_rejects_wrong_modes_and_infeasible_plans() -> None:
    scenario = make_scenario()
    with pytest.raises(ValueError, match="national plan"):
        compare_plans(scenario, make_plan(), make_plan())
    infeasible = replace(make_plan(Mode.NATIONAL), status=PlanStatus.INFEASIBLE)
    with pytest.raises(ValueError, match="infeasible"):
        compare_plans(scenario, make_plan(), infeasible)


def test_demand_figure_has_a_dropdown_per_family() -> None:
    fig = demand_capacity_figure(capacity_by_family(make_scenario(), make_plan()))
    assert fig.layout.title.text == DEMAND_CAPACITY_TITLE
    assert len(fig.data) == 2 * 3
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["F1", "F2"]
    assert list(fig.layout.updatemenus[0].buttons[1].args[0]["visible"]) == [False] * 3 + [True] * 3


def test_openings_figure_spans_decision_to_horizon_end() -> None:
    lead, producing = openings_figure(make_scenario(), make_plan()).data
    day = 86_400_000
    assert (lead.base[0], lead.x[0]) == ("2027-02-01", 59 * day)  # Feb + Mar 2027
    assert (producing.base[0], producing.x[0]) == ("2027-04-01", 153 * day)  # to 2027-09-01


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_report_is_self_contained_with_every_figure(tmp_path: Path) -> None:
    scenario = make_scenario()
    out = write_report(
        tmp_path / "r" / "report.html", scenario, make_plan(), make_plan(Mode.NATIONAL)
    )
    text = _read(out)
    titles = (
        DEMAND_CAPACITY_TITLE,
        DELIVERIES_TITLE,
        OPENINGS_TITLE,
        SHORTFALL_TITLE,
        COST_COMPARISON_TITLE,
        TIERS_TITLE,
    )
    for title in titles:
        assert title in text
    assert scenario.content_hash() in text
    assert "41,450.00" in text  # objective
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", text, re.I)
    assert text.count(get_plotlyjs()[:2000]) == 1


def test_report_escapes_scenario_strings(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script>'
    out = write_report(tmp_path / "report.html", make_scenario(f"Evil {evil}", evil), make_plan())
    text = _read(out)
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


def test_report_without_a_valid_comparison_says_why(tmp_path: Path) -> None:
    out = write_report(tmp_path / "report.html", make_scenario(), make_plan(), make_plan())
    text = _read(out)
    assert "Both plans are joint" in text
    assert COST_COMPARISON_TITLE not in text


def test_report_of_an_infeasible_plan_lists_the_reasons(tmp_path: Path) -> None:
    plan = Plan(
        status=PlanStatus.INFEASIBLE,
        mode=Mode.JOINT,
        costs=Costs(),
        bound=0.0,
        mip_gap=0.0,
        build_seconds=0.0,
        solve_seconds=0.0,
        infeasibility=("budgets: A & B cannot pay for their commitments",),
    )
    text = _read(write_report(tmp_path / "report.html", make_scenario(), plan))
    assert "A &amp; B cannot pay" in text
    assert "This plan reports no requirement outcomes" in text
