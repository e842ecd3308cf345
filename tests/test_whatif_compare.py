"""Comparing cases: KPIs and deltas against the first, JSON round trip, figures, report."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace

import pytest
from plotly.offline import get_plotlyjs

from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import PlanStatus
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import Commitment, Scenario
from alliedforge.scenario.model import LineAvailability
from alliedforge.whatif.changes import LineOutage, WhatIf
from alliedforge.whatif.compare import Case, Comparison, compare_cases
from alliedforge.whatif.figures import comparison_figures
from alliedforge.whatif.report import render_comparison_report
from alliedforge.whatif.run import run_whatif

from builders import active, closed, make_scenario, req, tier

OPTIONS = PlanOptions(time_limit=20)


def _base() -> Scenario:
    """L1 makes 100/month; L2 (new, lead 2, opening 1000) 100/month; AAA needs 600 by
    2027-06 and BBB 300 by 2027-12."""
    return make_scenario(
        lines=[active("L1", 100), closed("L2", 100, lead=2, cost=1000)],
        prices=[tier(0, 10)],
        requirements=[req("R1", 600, "2027-06"), req("R2", 300, "2027-12", nation="BBB")],
    )


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    fire = WhatIf("fire", (LineOutage("L1", "2027-02", 3),))
    return run_whatif(_base(), fire, OPTIONS).comparison


def test_kpis_and_deltas_follow_from_the_plans(comparison: Comparison) -> None:
    base, fire = comparison.cases
    assert (base.name, fire.name) == ("base", "fire")
    assert fire.changes == ({"kind": "line_outage", "line": "L1", "start": "2027-02", "months": 3},)
    # Without L1 for three months AAA's 600 units by June need L2, opened in January.
    assert [o.line for o in fire.openings] == ["L2"]
    assert base.openings == ()
    (delta,) = comparison.deltas
    objective = delta.costs[-1]
    assert (objective.key, objective.a, objective.b) == (
        "objective",
        base.objective,
        fire.objective,
    )
    assert objective.delta == pytest.approx(1000.0)
    assert [o.line for o in delta.openings_added] == ["L2"]
    assert [c.key for c in delta.shortfall] == ["AAA", "BBB"]
    assert all(c.delta == 0 for c in delta.shortfall)
    assert base.on_time_share == fire.on_time_share == 1.0


def test_kpis_per_nation_add_up_to_the_plan() -> None:
    scenario = make_scenario(
        lines=[active("L1", 100)],
        prices=[tier(0, 10)],
        requirements=[
            req("R1", 500, "2027-02"),
            req("R2", 100, "2027-03", nation="BBB", priority=3),
        ],
        months=4,
    )
    plan = solve_plan(scenario, OPTIONS)
    (case,) = compare_cases([Case("only", scenario, plan)]).cases
    assert case.total("shortfall") == pytest.approx(sum(r.shortfall for r in plan.requirements))
    assert case.total("late_unit_months") == pytest.approx(
        sum(r.late_unit_months for r in plan.requirements)
    )
    assert sum(n.cost for n in case.nations) == pytest.approx(plan.objective)
    assert case.total("shortfall") > 0  # 600 units wanted, 400 can be made in four months


def test_the_dict_form_is_json_and_rebuilds_the_comparison(comparison: Comparison) -> None:
    text = json.dumps(comparison.to_dict(), allow_nan=False)
    rebuilt = Comparison.from_dict(json.loads(text))
    assert rebuilt == comparison
    assert rebuilt.deltas == comparison.deltas


def test_an_infeasible_case_has_no_numbers_but_still_serialises() -> None:
    base = _base()
    broken = make_scenario(
        lines=base.lines,
        prices=base.prices,
        requirements=base.requirements,
        commitments=[Commitment("C1", "L1", "R1", "2027-01", 100, 10)],
    )
    # Availability made by hand (not by a what-if) can leave a commitment no room.
    broken = replace(broken, availability=(LineAvailability("L1", "2027-01", 0.0),))
    plan = solve_plan(broken, OPTIONS)
    assert plan.status is PlanStatus.INFEASIBLE
    good = solve_plan(base, OPTIONS)
    comparison = compare_cases([Case("base", base, good), Case("broken", broken, plan)])
    data = json.loads(json.dumps(comparison.to_dict(), allow_nan=False))
    assert data["cases"][1]["costs"]["procurement"] is None
    rebuilt = Comparison.from_dict(data)
    assert math.isnan(rebuilt.cases[1].objective)
    assert "broken is infeasible" in render_comparison_report(rebuilt)


def test_figures_have_a_trace_per_case(comparison: Comparison) -> None:
    figures = comparison_figures(comparison)
    assert len(figures) == 4
    for figure in figures:
        assert [trace.name for trace in figure.data] == ["base", "fire"]


def test_the_report_is_self_contained(comparison: Comparison) -> None:
    page = render_comparison_report(comparison)
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", page, re.I)
    assert page.count(get_plotlyjs()[:2000]) == 1
    assert "fire against base" in page
    assert "line_outage" in page
