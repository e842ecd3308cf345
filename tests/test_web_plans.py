"""The plans pages over HTTP on a real server: start a plan from the form, follow it, read
as much of its results as each role may see, compare two runs, download the package."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Role
from alliedforge.domain.plans.models import PlanRun
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import Scenario, load_scenario
from alliedforge.store.engine import create_db_engine

from live_api import Person, add_people, fresh_database, serve
from shared_data import GOLDEN
from web_site import BACKENDS, Site, token

TINY = load_scenario(GOLDEN / "tiny")
PEOPLE = (
    Person("agency", Role.PLANNER, nationality="N01"),
    Person("n01-desk", Role.NATION, nation="N01", nationality="N01"),
    Person("n02-desk", Role.NATION, nation="N02", nationality="N02"),
    Person("s000-desk", Role.SUPPLIER, supplier="S000X"),
    Person("auditor", Role.AUDITOR),
)
RUN_PATH = re.compile(r"/plans/(\d+)")


@dataclass(frozen=True)
class Live:
    """The live site and the database behind it (for the one label a test sets)."""

    site: Site
    url: str


@contextmanager
def live(
    backend: str, folder: Path, scenario: Scenario | None, people: tuple[Person, ...] = PEOPLE
) -> Iterator[Live]:
    """The service over a fresh database holding `scenario` (if any) and `people`."""
    with fresh_database(backend, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            if scenario is not None:
                import_scenario(session, scenario)
            add_people(session, people)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Live(Site(base), url)


@pytest.fixture(scope="module", params=BACKENDS)
def tiny(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with live(request.param, tmp_path_factory.mktemp("plans"), TINY) as site:
        yield site


def start(client: httpx.Client, **fields: str) -> httpx.Response:
    """Fill in and send the form on /plans."""
    form = client.get("/plans")
    assert form.status_code == 200
    data = {"csrf_token": token(form), "mode": "joint", "time_limit": "60", "gap": "0", **fields}
    return client.post("/plans", data=data)


def run_id(response: httpx.Response) -> int:
    assert response.status_code == 303, response.text
    found = RUN_PATH.fullmatch(response.headers["location"])
    assert found is not None, response.headers["location"]
    return int(found.group(1))


def finished(client: httpx.Client, run: int, timeout: float = 120) -> dict[str, Any]:
    """The run's page as JSON once the run has ended."""
    deadline = time.monotonic() + timeout
    while True:
        twin: dict[str, Any] = client.get(f"/plans/{run}?format=json").json()
        if twin["run"]["status"] != "running":
            return twin
        assert time.monotonic() < deadline, "the plan run did not finish"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def runs(tiny: Live) -> dict[str, int]:
    """A joint and a national plan of the tiny scenario, started from the form."""
    ids: dict[str, int] = {}
    with tiny.site.signed_in("agency") as client:
        for mode in ("joint", "national"):
            ids[mode] = run_id(start(client, mode=mode))
            assert finished(client, ids[mode])["run"]["status"] == "done"
    return ids


def deliveries(client: httpx.Client, run: int) -> list[dict[str, Any]]:
    """The run's planned deliveries the API gives the client (through its session cookie)."""
    answer = client.get(f"/api/v1/plans/{run}/deliveries", params={"limit": 500})
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    assert page["next_after"] is None
    items: list[dict[str, Any]] = page["items"]
    return items


def test_plans_need_sign_in(tiny: Live) -> None:
    with tiny.site.client() as client:
        for path in ("/plans", "/plans/1", "/plans/diff?a=1&b=2"):
            response = client.get(path)
            assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_only_planners_get_the_form_and_may_post_it(tiny: Live) -> None:
    with tiny.site.signed_in("agency") as client:
        assert 'action="/plans"' in client.get("/plans").text
    for user in ("n01-desk", "s000-desk", "auditor"):
        with tiny.site.signed_in(user) as client:
            listing = client.get("/plans")
            assert listing.status_code == 200
            assert 'action="/plans"' not in listing.text
            refused = client.post("/plans", data={"csrf_token": token(listing), "mode": "joint"})
            assert refused.status_code == 403
            assert "Not allowed" in refused.text


def test_the_form_needs_its_csrf_token(tiny: Live) -> None:
    with tiny.site.signed_in("agency") as client:
        refused = client.post("/plans", data={"mode": "joint", "time_limit": "10"})
        assert refused.status_code == 403
        assert "Form rejected" in refused.text


def test_form_errors_are_shown_next_to_the_field(tiny: Live) -> None:
    with tiny.site.signed_in("agency") as client:
        response = start(client, time_limit="-5", gap="2")
        assert response.status_code == 422
        assert 'id="time_limit-error"' in response.text
        assert 'id="gap-error"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert 'value="-5"' in response.text  # what was typed is kept


def test_the_runs_are_listed_newest_first(tiny: Live, runs: dict[str, int]) -> None:
    with tiny.site.signed_in("n01-desk") as client:
        twin = client.get("/plans?format=json").json()
        page = client.get("/plans").text
        older = client.get(f"/plans?before={runs['national']}&format=json").json()
    ids = [item["id"] for item in twin["items"]]
    assert ids == sorted(ids, reverse=True)
    assert {runs["joint"], runs["national"]} <= set(ids)
    listed = next(item for item in twin["items"] if item["id"] == runs["national"])
    assert (listed["mode"], listed["status"], listed["created_by"]) == (
        "national",
        "done",
        "agency",
    )
    assert f'<a href="/plans/{runs["joint"]}">' in page
    assert runs["joint"] in [item["id"] for item in older["items"]]
    assert all(item["id"] < runs["national"] for item in older["items"])


def test_staff_see_every_nation(tiny: Live, runs: dict[str, int]) -> None:
    with tiny.site.signed_in("auditor") as client:
        twin = client.get(f"/plans/{runs['joint']}?format=json").json()
        every = deliveries(client, runs["joint"])
        page = client.get(f"/plans/{runs['joint']}").text
    results = twin["results"]
    assert len({row["nation"] for row in every}) > 1
    assert {row["nation"] for row in results["deliveries"]} == {n.code for n in TINY.nations}
    total = sum(sum(row["units"]) for row in results["deliveries"])
    assert total == pytest.approx(sum(row["quantity"] for row in every))
    assert {row["line"] for row in results["production"]} == {row["line"] for row in every}
    costs = results["costs"]
    assert sum(costs.values()) == pytest.approx(twin["run"]["objective"], rel=1e-9)
    for chart in ("production", "deliveries", "openings", "tiers", "outcomes", "costs"):
        assert f'data-figure="{chart}-figure"' in page
    assert page.count('role="img"') >= 6


def test_a_nation_sees_only_its_own_numbers(tiny: Live, runs: dict[str, int]) -> None:
    with tiny.site.signed_in("agency") as client:
        every = deliveries(client, runs["joint"])
    with tiny.site.signed_in("n01-desk") as client:
        answer = client.get(f"/plans/{runs['joint']}?format=json")
        page = client.get(f"/plans/{runs['joint']}")
    own = [row for row in every if row["nation"] == "N01"]
    others = {row["nation"] for row in every} - {"N01"}
    assert own
    assert others, "the plan serves other nations too"
    # Not one word of another nation, in the HTML, the charts' data or the JSON twin.
    for nation in others:
        assert nation not in answer.text
        assert nation not in page.text
    results = answer.json()["results"]
    assert [row["nation"] for row in results["deliveries"]] == ["N01"]
    assert sum(results["deliveries"][0]["units"]) == pytest.approx(sum(r["quantity"] for r in own))
    assert [row["nation"] for row in results["nations"]] == ["N01"]
    lines = {row["line"] for row in own}
    assert {row["line"] for row in results["production"]} == lines
    assert {row["line"] for row in results["openings"]} <= lines
    pairs = {(row["supplier"], row["item"]) for row in own}
    assert {(t["supplier"], t["item"]) for t in results["tiers"]} <= pairs
    spent = sum(row["quantity"] * row["unit_price"] for row in own if not row["committed"])
    assert results["costs"]["procurement"] == pytest.approx(spent)
    assert 'href="/api/v1/plans/' not in page.text  # the package is for staff


def test_a_supplier_sees_only_its_lines(tiny: Live, runs: dict[str, int]) -> None:
    with tiny.site.signed_in("agency") as client:
        every = deliveries(client, runs["joint"])
    with tiny.site.signed_in("s000-desk") as client:
        results = client.get(f"/plans/{runs['joint']}?format=json").json()["results"]
    made = [row for row in every if row["supplier"] == "S000X"]
    assert made
    assert [row for row in every if row["supplier"] != "S000X"], "others deliver too"
    own_lines = {line.code for line in TINY.lines if line.supplier == "S000X"}
    assert {row["line"] for row in results["production"]} == {row["line"] for row in made}
    assert {row["line"] for row in results["openings"]} <= own_lines
    assert {t["supplier"] for t in results["tiers"]} <= {"S000X"}
    delivered = sum(sum(row["units"]) for row in results["deliveries"])
    assert delivered == pytest.approx(sum(row["quantity"] for row in made))
    assert results["nations"] == []
    assert results["costs"] is None


def test_joint_against_national(tiny: Live, runs: dict[str, int]) -> None:
    with tiny.site.signed_in("agency") as client:
        twin = client.get(f"/plans/{runs['joint']}?format=json").json()
        national = client.get(f"/plans/{runs['national']}?format=json").json()
    expected = json.loads((GOLDEN / "tiny" / "expected.json").read_text())
    comparison = twin["comparison"]
    assert (comparison["joint_run"], comparison["national_run"]) == (
        runs["joint"],
        runs["national"],
    )
    assert comparison["total"]["joint"] == pytest.approx(expected["joint"], rel=1e-6)
    assert comparison["total"]["national"] == pytest.approx(expected["national"], rel=1e-6)
    shares = sum(v["national"] for v in comparison["nations"])
    assert shares == pytest.approx(comparison["total"]["national"], rel=1e-9)
    assert national["comparison"] == comparison  # the same pair, seen from the other run
    with tiny.site.signed_in("n01-desk") as client:
        own = client.get(f"/plans/{runs['joint']}?format=json").json()["comparison"]
    assert [v["nation"] for v in own["nations"]] == ["N01"]
    assert own["total"] is None
    mine = next(v for v in comparison["nations"] if v["nation"] == "N01")
    assert own["nations"][0] == mine


def test_the_diff_of_two_runs(tiny: Live, runs: dict[str, int]) -> None:
    a, b = runs["joint"], runs["national"]
    with tiny.site.signed_in("agency") as client:
        twin = client.get(f"/plans/diff?a={a}&b={b}&format=json")
        page = client.get(f"/plans/diff?a={a}&b={b}")
        units = {run: deliveries(client, run) for run in (a, b)}
        assert client.get(f"/plans/diff?a={a}&b=999999").status_code == 404
        assert client.get(f"/plans/diff?a={a}").status_code == 400
    assert twin.status_code == 200, twin.text
    assert page.status_code == 200
    assert 'data-figure="diff-deliveries-figure"' in page.text
    for row in twin.json()["nations"]:
        for side, run in (("a", a), ("b", b)):
            total = sum(d["quantity"] for d in units[run] if d["nation"] == row["key"])
            assert row[side] == pytest.approx(total)
    objective = next(row for row in twin.json()["costs"] if row["key"] == "objective")
    assert objective["b"] - objective["a"] == pytest.approx(objective["delta"])
    for user in ("n01-desk", "s000-desk"):
        with tiny.site.signed_in(user) as client:
            assert client.get(f"/plans/diff?a={a}&b={b}").status_code == 403


def test_the_package_downloads_for_staff_as_zip_and_workbook(
    tiny: Live, runs: dict[str, int]
) -> None:
    run = runs["joint"]
    with tiny.site.signed_in("auditor") as client:
        page = client.get(f"/plans/{run}").text
        assert f'href="/api/v1/plans/{run}/package"' in page
        assert f'href="/api/v1/plans/{run}/package.xlsx"' in page
        packed = client.get(f"/api/v1/plans/{run}/package")
        book = client.get(f"/api/v1/plans/{run}/package.xlsx")
    assert packed.status_code == 200
    assert book.status_code == 200
    assert book.headers["content-disposition"] == f'attachment; filename="plan-{run}.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True)
    with zipfile.ZipFile(io.BytesIO(packed.content)) as archive:
        summary = json.loads(archive.read("summary.json"))
        for table in ("deliveries", "openings", "tiers", "requirements"):
            text = archive.read(f"{table}.csv").decode()
            expected = list(csv.reader(io.StringIO(text)))
            sheet = list(workbook[table].iter_rows(values_only=True))
            assert len(sheet) == len(expected)
            assert list(sheet[0]) == expected[0]
            for cells, row in zip(sheet[1:], expected[1:], strict=True):
                padded = [*cells, *[None] * (len(row) - len(cells))]  # empty cells at the end
                for cell, value in zip(padded, row, strict=True):
                    if isinstance(cell, int | float):
                        assert cell == pytest.approx(float(value), rel=1e-12)
                    else:
                        assert (cell or "") == value
    written = dict(workbook["summary"].iter_rows(min_row=2, values_only=True))
    assert written["objective"] == pytest.approx(summary["objective"], rel=1e-12)
    assert written["mode"] == summary["mode"]
    workbook.close()
    with tiny.site.signed_in("n01-desk") as client:
        assert client.get(f"/api/v1/plans/{run}/package.xlsx").status_code == 403


def stored_run(live: Live, **values: Any) -> int:
    """A finished run of the tiny scenario whose stored row then gets `values`."""
    with live.site.signed_in("agency") as client:
        run = run_id(start(client, time_limit="30"))
        finished(client, run)
    engine = create_db_engine(live.url)
    try:
        with Session(engine) as session:
            session.execute(update(PlanRun).where(PlanRun.id == run).values(**values))
            session.commit()
    finally:
        engine.dispose()
    return run


def test_the_banner_is_the_runs_label(tiny: Live) -> None:
    run = stored_run(tiny, classification="NATO RESTRICTED", releasable_to="N01")
    banner = "NATO RESTRICTED — Releasable to N01"
    with tiny.site.signed_in("n01-desk") as client:
        page = client.get(f"/plans/{run}")
        assert page.status_code == 200
        assert page.text.count(banner) == 2  # top and bottom
        assert banner in client.get("/plans").text
    with tiny.site.signed_in("n02-desk") as client:
        assert client.get(f"/plans/{run}").status_code == 404
        assert run not in [item["id"] for item in client.get("/plans?format=json").json()["items"]]
        assert client.get(f"/api/v1/plans/{run}/events").status_code == 404


def test_a_failed_run_shows_its_error_escaped(tiny: Live, runs: dict[str, int]) -> None:
    error = "RuntimeError: <b>HiGHS</b> stopped"
    run = stored_run(tiny, status="failed", plan_status=None, error=error)
    with tiny.site.signed_in("n01-desk") as client:
        page = client.get(f"/plans/{run}")
        twin = client.get(f"/plans/{run}?format=json").json()
    assert page.status_code == 200
    assert "RuntimeError: &lt;b&gt;HiGHS&lt;/b&gt; stopped" in page.text
    assert "data-figure" not in page.text
    assert (twin["run"]["error"], twin["results"]) == (error, None)
    with tiny.site.signed_in("agency") as client:
        refused = client.get(f"/plans/diff?a={runs['joint']}&b={run}")
    assert refused.status_code == 409
    assert "no plan to compare" in refused.text


def test_a_run_solving_in_no_server_says_so(tiny: Live) -> None:
    run = stored_run(tiny, status="running")  # as after a restart: a row, no solver
    with tiny.site.signed_in("agency") as client:
        page = client.get(f"/plans/{run}")
        with client.stream("GET", f"/api/v1/plans/{run}/events") as stream:
            lines = [line for line in stream.iter_lines() if line.startswith("data: ")]
    assert "not solving in this server" in page.text
    assert f'data-plan-events="/api/v1/plans/{run}/events"' in page.text
    final = json.loads(lines[-1].removeprefix("data: "))
    assert (final["status"], final["phase"]) == ("running", "not solving in this server")


def test_an_unknown_run_is_the_not_found_page(tiny: Live) -> None:
    with tiny.site.signed_in("agency") as client:
        response = client.get("/plans/999999")
    assert response.status_code == 404
    assert "Not found" in response.text


@pytest.fixture(params=BACKENDS)
def medium(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Live]:
    """A scenario that keeps the solver busy for a few seconds."""
    with live(request.param, tmp_path, load_scenario(GOLDEN / "medium")) as site:
        yield site


def test_a_running_plan_shows_its_progress_and_holds_the_solver(medium: Live) -> None:
    with medium.site.signed_in("agency") as client:
        run = run_id(start(client, time_limit="4"))
        page = client.get(f"/plans/{run}")
        assert f'data-plan-events="/api/v1/plans/{run}/events"' in page.text
        assert "<progress" in page.text
        assert '<script src="/static/plan-progress.js"' in page.text
        busy = start(client)
        assert busy.status_code == 409
        assert f'<a href="/plans/{run}">' in busy.text
        # The page's script follows the API's event stream with the session cookie alone.
        events: list[dict[str, Any]] = []
        with client.stream("GET", f"/api/v1/plans/{run}/events") as stream:
            assert stream.status_code == 200
            for line in stream.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
        assert events[-1]["status"] == "done", events
        done = client.get(f"/plans/{run}")
        assert "data-plan-events" not in done.text
        assert 'data-figure="deliveries-figure"' in done.text
    with medium.site.client() as anonymous:
        assert anonymous.get(f"/api/v1/plans/{run}/events").status_code == 401


def test_invalid_live_data_is_listed_by_location(tmp_path: Path) -> None:
    with live("sqlite", tmp_path, TINY) as site, site.site.signed_in("agency") as client:
        form = client.get("/requirements/new")
        late = {
            "csrf_token": token(form),
            "code": "BEYOND-HORIZON",
            "nation": "N01",
            "weapon_system": "WS0",
            "quantity": "10",
            "due": "2031-01",
            "priority": "1",
            "classification": "NATO UNCLASSIFIED",
            "releasable_to": "",
        }
        assert client.post("/requirements/new", data=late).status_code == 303
        response = start(client)
        assert response.status_code == 422
        assert 'id="data-problems"' in response.text
        row = re.search(r"<th scope=\"row\">requirements</th>\s*<td[^>]*>(\d+)</td>", response.text)
        assert row is not None
        assert "2031-01" in response.text
        assert "due" in response.text
        assert client.get("/plans?format=json").json()["items"] == []  # nothing was started


def test_an_empty_record_has_nothing_to_plan(tmp_path: Path) -> None:
    with (
        live("sqlite", tmp_path, None, PEOPLE[:1]) as site,
        site.site.signed_in("agency") as client,
    ):
        response = start(client)
    assert response.status_code == 422
    assert 'id="data-problems"' in response.text
    assert "a scenario in the record" in response.text
