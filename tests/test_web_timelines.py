"""The timelines page over HTTP on a real server (both backends): the analysis with its
charts, tables and JSON twin scoped per caller; the compression what-if started by the
agency, solved in the background and read by each caller as far as it may; the OCDS
downloads; CSRF, roles and the not-found page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Role
from alliedforge.store.engine import create_db_engine
from alliedforge.web.charts.timelines import nation_effects_figure

from contracting_world import PEOPLE, backdate, build_world, small
from live_api import Person, add_people, fresh_database, serve
from web_site import BACKENDS, Site, token

# A planner cleared to read the NATO SECRET call-off.
CHIEF = Person("chief", Role.PLANNER, nationality="N00", clearance="NATO SECRET")
WHAT_IF = re.compile(r"/timelines/what-ifs/(\d+)$")
SOLVED_WITHIN = 180.0  # seconds: two plans of the small scenario take a few


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with fresh_database(request.param, tmp_path_factory.mktemp("web-timelines")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            world = build_world(session, small())
            backdate(session, world)
            add_people(session, (*PEOPLE, CHIEF))
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Site(base)


def _json(client: httpx.Client, path: str) -> dict[str, Any]:
    response = client.get(path, params={"format": "json"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_page_draws_the_analysis_with_its_figures_and_tables(site: Site) -> None:
    with site.signed_in("agency") as client:
        page = client.get("/timelines")
        twin = _json(client, "/timelines")
    assert page.status_code == 200
    html = page.text
    assert twin["history"] == 60
    assert f"{twin['record']} from the record, 60 from the historical file" in html
    for figure in ("stages", "nations", "bottleneck"):
        assert f'data-figure="{figure}-figure"' in html
        assert f'<script type="application/json" id="{figure}-figure">' in html
    assert html.count('role="img"') == 3
    assert "<caption>Stage durations over all" in html
    assert '<a href="/timelines" aria-current="page">Timelines</a>' in html
    assert 'href="/api/v1/ocds/releases" download="ocds-releases.json"' in html
    assert 'action="/timelines/what-ifs"' in html  # planners start what-ifs
    assert "<script>" not in html  # no inline script


def test_the_json_twin_is_the_callers_analysis(site: Site) -> None:
    with site.signed_in("n01-desk") as client:
        page = _json(client, "/timelines")
        api = client.get("/api/v1/timelines", params={"history": "true"}).json()
        alone = _json(client, "/timelines?history=off")
        html = client.get("/timelines").text
    assert [p["code"] for p in page["procurements"]] == ["LOT-0002-T1/N01"]
    assert "1 from the record, 0 from the historical file" in html
    assert page["procurements"] == api["procurements"]
    assert page["analysis"] == api["analysis"]
    assert (alone["record"], alone["history"]) == (1, 0)
    assert 'action="/timelines/what-ifs"' not in html  # nations do not start what-ifs


def test_the_banner_is_the_most_sensitive_label_shown(site: Site) -> None:
    with site.signed_in("chief") as client:
        chief = client.get("/timelines")
    with site.signed_in("n01-desk") as client:
        desk = client.get("/timelines")
    banner = re.compile(r'id="banner-(?:top|bottom)" class="banner [^"]*"[^>]*>([^<]*)<')
    assert banner.findall(chief.text) == ["NATO SECRET", "NATO SECRET"]
    assert banner.findall(desk.text) == ["NATO UNCLASSIFIED", "NATO UNCLASSIFIED"]


def _start(client: httpx.Client, **fields: str) -> httpx.Response:
    form = client.get("/timelines")
    return client.post("/timelines/what-ifs", data={"csrf_token": token(form), **fields})


def test_only_the_agency_starts_a_what_if_through_a_checked_form(site: Site) -> None:
    asked = {"stage": "contracting", "months": "6", "time_limit": "30"}
    with site.signed_in("agency") as client:
        assert client.post("/timelines/what-ifs", data=asked).status_code == 403  # no token
        invalid = _start(client, stage="contracting", months="-1", time_limit="30")
    assert invalid.status_code == 422
    assert 'id="months-error"' in invalid.text
    assert 'aria-invalid="true"' in invalid.text
    for user in ("n01-desk", "auditor", "s001-desk"):
        with site.signed_in(user) as client:
            assert _start(client, **asked).status_code == 403


def _finished(client: httpx.Client, path: str) -> dict[str, Any]:
    deadline = time.monotonic() + SOLVED_WITHIN
    while time.monotonic() < deadline:
        what_if: dict[str, Any] = _json(client, path)["what_if"]
        if what_if["status"] != "running":
            return what_if
        time.sleep(1)
    pytest.fail(f"the what-if did not finish within {SOLVED_WITHIN} s")


def test_a_what_if_solves_in_the_background_and_each_caller_reads_its_part(site: Site) -> None:
    with site.signed_in("agency") as client:
        started = _start(client, stage="contracting", months="6", time_limit="30")
        assert started.status_code == 303, started.text
        path = started.headers["location"]
        assert WHAT_IF.search(path)
        running = client.get(path)
        assert running.status_code == 200
        agency = _finished(client, path)
        status = client.get(f"{path}/status")
        listed = client.get("/timelines").text
    assert agency["status"] == "done"
    assert agency["plans"] == ["optimal", "optimal"]
    assert {n["nation"] for n in agency["nations"]} == {"N00", "N01", "N02", "N03", "N04"}
    objective = agency["alliance"]["objective"]
    # Every compression only widens what the planner may do: never dearer (within the gap).
    assert objective["b"] <= objective["a"] * (1 + 1e-4)
    assert objective["delta"] == pytest.approx(objective["b"] - objective["a"])
    assert "hx-trigger" not in status.text  # finished: the section stops polling
    assert 'id="what-if-nations"' in status.text
    assert 'data-figure="alliance-figure"' in status.text
    assert f'href="{path}"' in listed
    with site.signed_in("n01-desk") as client:
        desk = _json(client, path)["what_if"]
        html = client.get(path).text
    assert [n["nation"] for n in desk["nations"]] == ["N01"]
    assert desk["nations"][0] == next(n for n in agency["nations"] if n["nation"] == "N01")
    assert desk["alliance"] is None
    assert "alliance-figure" not in html
    assert 'data-figure="effects-figure"' in html
    with site.signed_in("s001-desk") as client:
        supplier = _json(client, path)["what_if"]
    assert (supplier["nations"], supplier["alliance"]) == ([], None)


def test_an_unknown_what_if_is_the_not_found_page(site: Site) -> None:
    with site.signed_in("agency") as client:
        missing = client.get("/timelines/what-ifs/999999")
    assert missing.status_code == 404
    assert "Not found" in missing.text


def test_the_ocds_downloads_use_the_signed_in_session(site: Site) -> None:
    with site.signed_in("n01-desk") as client:
        releases = client.get("/api/v1/ocds/releases")
    assert releases.status_code == 200
    assert {r["ocid"] for r in releases.json()["releases"]} == {
        "ocds-afrg01-LOT-0002-T1",
        "ocds-afrg01-FW-JOINT-C001",
    }


def test_the_nation_effects_figure_puts_each_measure_in_its_panel() -> None:
    rows = [
        {
            "nation": nation,
            "shortfall": {"a": 10.0 * k, "b": 8.0 * k},
            "late_unit_months": {"a": 5.0 * k, "b": 4.0 * k},
            "cost": {"a": 100.0 * k, "b": 90.0 * k},
        }
        for k, nation in enumerate(("DEU", "POL"), start=1)
    ]
    figure = nation_effects_figure(rows, "EUR")
    panels = [(t["xaxis"], t["name"], t["y"]) for t in figure["data"]]
    assert panels == [
        ("x", "baseline", [10.0, 20.0]),
        ("x", "compressed", [8.0, 16.0]),
        ("x2", "baseline", [5.0, 10.0]),
        ("x2", "compressed", [4.0, 8.0]),
        ("x3", "baseline", [100.0, 200.0]),
        ("x3", "compressed", [90.0, 180.0]),
    ]
    assert all(t["x"] == ["DEU", "POL"] for t in figure["data"])
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles == ["Shortfall (units)", "Lateness (unit-months)", "Attributed cost (EUR)"]
