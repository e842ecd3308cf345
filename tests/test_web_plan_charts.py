"""The plan pages' numbers and figures as pure functions: what each scope sees of a small
hand-made plan of the tiny scenario, and the figure dicts drawn from it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from alliedforge.analysis.plandiff import Change
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
from alliedforge.scenario import load_scenario
from alliedforge.web.charts.plans import (
    Scope,
    comparison_figure,
    comparison_view,
    costs_figure,
    deliveries_figure,
    diff_deliveries_figure,
    openings_figure,
    outcomes_figure,
    plan_view,
    production_figure,
    tiers_figure,
)

from shared_data import GOLDEN

TINY = load_scenario(GOLDEN / "tiny")  # horizon 2027-01 .. 2027-12
ITEM = {line.code: line.item for line in TINY.lines}
STAFF, N01, S001X = Scope(staff=True), Scope(nation="N01"), Scope(supplier="S001X")


def _outcome(code: str, nation: str, short: float, late: float) -> RequirementOutcome:
    return RequirementOutcome(code, nation, 1000, 1000 - short, 1000 - short, late, short)


PLAN = Plan(
    status=PlanStatus.OPTIMAL,
    mode=Mode.JOINT,
    costs=Costs(procurement=2900, opening=1500, commitment=150, shortfall=7, late=3),
    bound=4560,
    mip_gap=0,
    build_seconds=0,
    solve_seconds=0,
    deliveries=(
        Delivery("L000", "S000X", ITEM["L000"], "R000", "N01", "2027-03", 100, 10),
        Delivery("L000", "S000X", ITEM["L000"], "R001", "N02", "2027-03", 50, 10),
        Delivery("L001", "S001X", ITEM["L001"], "R001", "N02", "2027-05", 70, 20),
        Delivery("L002", "S000X", ITEM["L002"], "R002", "N01", "2027-06", 30, 5, committed=True),
    ),
    openings=(
        Opening("L000", "2027-01", "2027-02", 1000),
        Opening("L003", "2027-02", "2027-07", 500),  # S001X's line, delivering nothing
    ),
    tiers=(
        TierChoice("S000X", ITEM["L000"], None, 0, 10, 150),
        TierChoice("S001X", ITEM["L001"], None, 0, 20, 70),
    ),
    requirements=(
        _outcome("R000", "N01", short=900, late=0),
        _outcome("R001", "N02", short=880, late=140),
        _outcome("R002", "N01", short=970, late=60),
    ),
)


def _strict_json(figure: dict[str, Any]) -> str:
    """The figure as the page embeds it: JSON without NaN, which browsers cannot parse."""
    return json.dumps(figure, allow_nan=False)


def test_staff_see_the_whole_plan() -> None:
    view = plan_view(TINY, PLAN, STAFF)
    assert [row.nation for row in view.deliveries] == ["N00", "N01", "N02"]
    assert [sum(row.units) for row in view.deliveries] == [0, 130, 120]
    assert [row.line for row in view.production] == ["L000", "L001", "L002"]
    assert view.production[0].units[2] == 150  # L000 in March, for both nations
    assert {o.line for o in view.openings} == {"L000", "L003"}
    assert len(view.tiers) == 2
    assert [k.nation for k in view.nations] == ["N00", "N01", "N02"]
    assert view.costs == PLAN.costs
    assert view.months[0] == "2027-01"
    assert (len(view.months), view.horizon_end) == (12, "2028-01")


def test_a_nation_sees_its_deliveries_and_the_lines_that_serve_it() -> None:
    view = plan_view(TINY, PLAN, N01)
    assert [row.nation for row in view.deliveries] == ["N01"]
    units = view.deliveries[0].units
    assert (units[2], units[5], sum(units)) == (100, 30, 130)
    assert view.deliveries[0].spend[2] == 1000
    # L000 makes 150 in March; N01 sees only the 100 it receives.
    assert [(row.line, sum(row.units)) for row in view.production] == [("L000", 100), ("L002", 30)]
    assert [o.line for o in view.openings] == ["L000"]
    assert [(t.supplier, t.item) for t in view.tiers] == [("S000X", ITEM["L000"])]
    assert [k.nation for k in view.nations] == ["N01"]
    assert (view.nations[0].shortfall, view.nations[0].late_unit_months) == (1870, 60)
    assert view.costs is not None
    assert (view.costs.procurement, view.costs.commitment) == (1000, 150)
    # L000's opening is shared 100:50 by the units it delivered; L003 delivered nothing,
    # so its cost is shared by all units received, 130:120.
    assert view.costs.opening == pytest.approx(1000 * 100 / 150 + 500 * 130 / 250)


def test_a_supplier_sees_its_own_lines() -> None:
    view = plan_view(TINY, PLAN, S001X)
    assert [(row.nation, sum(row.units)) for row in view.deliveries] == [("N02", 70)]
    assert [row.line for row in view.production] == ["L001"]
    assert [o.line for o in view.openings] == ["L003"]  # its own, delivering nothing yet
    assert [t.supplier for t in view.tiers] == ["S001X"]
    assert view.nations == []
    assert view.costs is None


def test_national_tiers_of_another_nation_stay_hidden() -> None:
    plan = replace(
        PLAN,
        mode=Mode.NATIONAL,
        tiers=(
            TierChoice("S000X", ITEM["L000"], "N01", 0, 10, 100),
            TierChoice("S000X", ITEM["L000"], "N02", 0, 10, 50),
        ),
    )
    assert [t.nation for t in plan_view(TINY, plan, N01).tiers] == ["N01"]
    assert [t.nation for t in plan_view(TINY, plan, STAFF).tiers] == ["N01", "N02"]


def test_nobody_in_particular_sees_nothing() -> None:
    view = plan_view(TINY, PLAN, Scope())
    assert (view.deliveries, view.production, view.openings, view.tiers) == ([], [], [], [])
    assert (view.nations, view.costs) == ([], None)


def test_comparison_per_scope() -> None:
    national = replace(PLAN, mode=Mode.NATIONAL, costs=replace(PLAN.costs, procurement=3900))
    full = comparison_view(TINY, (1, PLAN), (2, national), STAFF)
    assert full is not None
    assert full.total is not None
    assert (full.total.joint, full.total.national) == (PLAN.objective, national.objective)
    assert [v.nation for v in full.nations] == ["N00", "N01", "N02"]
    own = comparison_view(TINY, (1, PLAN), (2, national), N01)
    assert own is not None
    assert own.total is None
    assert own.nations == [v for v in full.nations if v.nation == "N01"]
    assert comparison_view(TINY, (1, PLAN), (2, national), S001X) is None
    figure = comparison_figure(own, "EUR")
    assert [trace["name"] for trace in figure["data"]] == ["National", "Joint"]
    assert [trace["x"] for trace in figure["data"]] == [["N01"], ["N01"]]
    _strict_json(figure)


def test_the_deliveries_and_production_figures_carry_the_views_numbers() -> None:
    view = plan_view(TINY, PLAN, N01)
    deliveries = deliveries_figure(view)
    assert [trace["name"] for trace in deliveries["data"]] == ["N01"]
    assert deliveries["data"][0]["y"] == view.deliveries[0].units
    assert "annotations" not in deliveries["layout"]
    production = production_figure(view)
    heatmap = production["data"][0]
    assert (heatmap["type"], heatmap["y"]) == ("heatmap", ["L000", "L002"])
    assert heatmap["z"][0][2] == 100
    assert len(heatmap["x"]) == 12
    for figure in (deliveries, production):
        _strict_json(figure)


def test_the_openings_timeline_runs_from_decision_to_the_horizons_end() -> None:
    figure = openings_figure(plan_view(TINY, PLAN, STAFF))
    lead, producing = figure["data"]
    assert (lead["name"], producing["name"]) == ("Lead time", "Producing")
    assert lead["y"] == producing["y"] == ["L000", "L003"]
    day = 86_400_000
    assert lead["base"][0] == "2027-01-01"
    assert lead["x"][0] == 31 * day  # January
    assert producing["base"][1] == "2027-07-01"
    assert producing["x"][1] == 184 * day  # July to the end of December
    assert figure["layout"]["xaxis"]["type"] == "date"


def test_tiers_outcomes_and_costs_figures() -> None:
    view = plan_view(TINY, PLAN, STAFF)
    tiers = tiers_figure(view)
    assert tiers["data"][0]["x"] == [150, 70]
    assert tiers["data"][1]["x"] == [0, 0]
    outcomes = outcomes_figure(view)
    short, late = outcomes["data"]
    assert short["x"] == late["x"] == ["N00", "N01", "N02"]
    assert (short["y"], late["y"]) == ([0, 1870, 880], [0, 60, 140])
    assert late["yaxis"] == "y2"
    costs = costs_figure(PLAN.costs, "EUR")
    assert costs["data"][0]["y"] == [2900, 1500, 150, 7, 3]
    for figure in (tiers, outcomes, costs):
        _strict_json(figure)


def test_empty_views_say_so_in_the_plot() -> None:
    view = plan_view(TINY, PLAN, Scope())
    for figure in (
        production_figure(view),
        deliveries_figure(view),
        openings_figure(view),
        tiers_figure(view),
        outcomes_figure(view),
    ):
        notes = figure["layout"]["annotations"]
        assert len(notes) == 1
        assert "in your view" in notes[0]["text"]
        _strict_json(figure)


def test_the_diff_figure_puts_run_a_beside_run_b() -> None:
    figure = diff_deliveries_figure((Change("N01", 130, 100), Change("N02", 120, 150)), 4, 7)
    a, b = figure["data"]
    assert (a["name"], b["name"]) == ("Run 4", "Run 7")
    assert (a["y"], b["y"]) == ([130, 120], [100, 150])
    assert a["x"] == ["N01", "N02"]
    _strict_json(figure)
