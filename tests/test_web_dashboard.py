"""The dashboard over HTTP, per role: its JSON twin holds exactly what the role may see,
and the page draws the charts of those figures."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Role
from alliedforge.domain.plans import service as plan_runs
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Mode, Plan
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import Scenario, load_scenario
from alliedforge.web.charts.dashboard import demand_capacity_figure

from live_api import Person
from shared_data import GOLDEN
from web_site import BACKENDS, Site, live_site

SCENARIO = load_scenario(GOLDEN / "small")
OWN, OTHER = SCENARIO.nations[0].code, SCENARIO.nations[1].code
MAKER = SCENARIO.lines[0].supplier
PLANS: dict[Mode, Plan] = {}
FIGURE = re.compile(r'<script type="application/json" id="[a-z]+-figure">(.*?)</script>', re.S)


def _plan_both(scenario: Scenario) -> None:
    for mode in (Mode.JOINT, Mode.NATIONAL):
        PLANS[mode] = solve_plan(scenario, PlanOptions(mode=mode, time_limit=60))


def _store_plans(session: Session) -> None:
    for mode, plan in PLANS.items():
        run_id = plan_runs.start_run(session, SCENARIO, PlanOptions(mode=mode))
        plan_runs.finish_run(session, run_id, plan)


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    if not PLANS:
        _plan_both(SCENARIO)
    people = [
        Person("desk", Role.NATION, nation=OWN),
        Person("maker", Role.SUPPLIER, supplier=MAKER),
        Person("agency", Role.PLANNER),
    ]
    folder = tmp_path_factory.mktemp("dashboard")
    with live_site(request.param, folder, SCENARIO, people, _store_plans) as live:
        yield live


def test_the_agency_sees_every_nation_and_the_value_of_pooling(site: Site) -> None:
    with site.signed_in("agency") as client:
        data = client.get("/?format=json").json()
        assert {row["nation"] for row in data["coverage"]} == {
            outcome.nation for outcome in PLANS[Mode.JOINT].requirements
        }
        saving = PLANS[Mode.NATIONAL].objective - PLANS[Mode.JOINT].objective
        assert data["joint_value"]["saving"] == pytest.approx(saving)
        page = client.get("/").text
        for name in ("demand", "coverage"):
            assert f'data-figure="{name}-figure"' in page
        assert 'id="joint-value"' in page


def test_a_nation_sees_no_other_nation_anywhere_on_its_dashboard(site: Site) -> None:
    with site.signed_in("desk") as client:
        data = client.get("/?format=json").json()
        assert [row["nation"] for row in data["coverage"]] == [OWN]
        page = client.get("/").text
        figures = re.findall(
            r'<script type="application/json" id="[a-z]+-figure">(.*?)</script>', page, re.S
        )
        assert figures
        for figure in figures:
            assert OTHER not in json.dumps(json.loads(figure))
        own_units = sum(r.quantity for r in SCENARIO.requirements if r.nation == OWN)
        assert sum(c["demand"] for c in data["demand_capacity"]) == pytest.approx(own_units)


def test_a_supplier_sees_its_lines_and_no_nation_figures(site: Site) -> None:
    with site.signed_in("maker") as client:
        data = client.get("/?format=json").json()
        assert data["coverage"] == []
        assert data["stockpiles"] == []
        assert data["requirements_total"] == 0
        own = {line.code for line in SCENARIO.lines if line.supplier == MAKER}
        assert {row["line"] for row in data["openings"]} <= own


def test_the_family_menu_shows_one_familys_pair_of_traces_at_a_time() -> None:
    cells = [
        {"family": "A", "year": 2027, "demand": 10.0, "capacity": 5.0},
        {"family": "B", "year": 2027, "demand": 30.0, "capacity": None},
        {"family": "B", "year": 2028, "demand": 5.0, "capacity": 7.0},
    ]
    figure = demand_capacity_figure(cells)
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["B: demand", "B: capacity", "A: demand", "A: capacity"]  # biggest first
    assert [trace["visible"] for trace in figure["data"]] == [True, True, False, False]
    buttons = figure["layout"]["updatemenus"][0]["buttons"]
    assert [b["label"] for b in buttons] == ["B", "A"]
    assert buttons[1]["args"][0]["visible"] == [False, False, True, True]
    assert figure["data"][0]["y"] == [30.0, 5.0]
    assert figure["data"][1]["y"] == [None, 7.0]
