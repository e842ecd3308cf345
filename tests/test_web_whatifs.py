"""The what-if and risk pages over HTTP on a real server (both backends): a planner adds a
what-if (pasted or uploaded, problems located), runs it, follows the run and compares runs;
starts a risk run and reads its distributions; each page has its JSON twin. Nations and
suppliers find none of it, auditors read it only."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from markupsafe import escape

from alliedforge.scenario import load_scenario

from live_api import DESKS
from shared_data import GOLDEN
from web_site import BACKENDS, Site, live_site, token

TINY = load_scenario(GOLDEN / "tiny")
FIRE = """
name = "Plant fire"
description = "L001 burns down for half a year."

[[change]]
kind = "line_outage"
line = "L001"
start = "2027-03"
months = 6
"""
SURGE = """
name = "Demand surge"

[[change]]
kind = "demand"
factor = 1.5
nation = "N01"
"""
FINISHED_WITHIN = 120.0  # seconds: the tiny scenario plans in well under one
RUN = re.compile(r"/whatifs/runs/(\d+)$")
RISK_RUN = re.compile(r"/risk/(\d+)$")


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with live_site(request.param, tmp_path_factory.mktemp("web-whatifs"), TINY, DESKS) as site:
        yield site


def _json(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params={"format": "json", **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _add(client: httpx.Client, text: str, **fields: Any) -> httpx.Response:
    form = client.get("/whatifs")
    files = fields.pop("files", None)
    data = {"csrf_token": token(form), "text": text, "format": "toml", "code": "", **fields}
    if files is None:  # a multipart form, as the browser sends it
        files = {"file": ("", b"", "application/octet-stream")}
    return client.post("/whatifs", data=data, files=files)


def _finished(client: httpx.Client, path: str) -> dict[str, Any]:
    deadline = time.monotonic() + FINISHED_WITHIN
    while time.monotonic() < deadline:
        run: dict[str, Any] = _json(client, path)["run"]
        if run["status"] in {"succeeded", "failed"}:
            return run
        time.sleep(0.2)
    raise AssertionError(f"{path} did not finish within {FINISHED_WITHIN} s")


def _run(client: httpx.Client, code: str) -> int:
    page = client.get(f"/whatifs/{code}")
    started = client.post(
        f"/whatifs/{code}/runs",
        data={"csrf_token": token(page), "mode": "joint", "time_limit": "20"},
    )
    assert started.status_code == 303, started.text
    found = RUN.search(started.headers["location"])
    assert found is not None
    run_id = int(found.group(1))
    assert _finished(client, f"/whatifs/runs/{run_id}")["status"] == "succeeded"
    return run_id


def test_a_planner_adds_a_what_if_and_reads_its_changes(site: Site) -> None:
    with site.signed_in("agency") as client:
        listing = client.get("/whatifs")
        added = _add(client, FIRE, code="fire")
        page = client.get("/whatifs/fire")
        twin = _json(client, "/whatifs/fire")
    assert 'enctype="multipart/form-data"' in listing.text
    assert '<a href="/whatifs" aria-current="page">What-ifs</a>' in listing.text
    assert (added.status_code, added.headers["location"]) == (303, "/whatifs/fire")
    assert '<table id="changes">' in page.text
    assert "line outage" in page.text
    assert "<code>L001</code>" in page.text
    assert 'action="/whatifs/fire/runs"' in page.text
    assert twin["whatif"]["changes"] == [
        {"kind": "line_outage", "line": "L001", "start": "2027-03", "months": 6}
    ]
    assert "<script>" not in page.text  # no inline script


def test_an_uploaded_file_takes_the_place_of_the_text(site: Site) -> None:
    surge = SURGE.replace("Demand surge", "Uploaded surge").encode()
    with site.signed_in("agency") as client:
        added = _add(client, "", files={"file": ("surge.toml", surge, "application/toml")})
    assert added.status_code == 303, added.text
    assert added.headers["location"] == "/whatifs/uploaded-surge"


def test_problems_are_shown_located_and_nothing_is_kept(site: Site) -> None:
    bad = FIRE.replace("L001", "L-99").replace("Plant fire", "Nowhere fire")
    with site.signed_in("agency") as client:
        refused = _add(client, bad)
        empty = _add(client, "   ")
        twin = _json(client, "/whatifs")
    assert refused.status_code == 422
    assert 'id="problems"' in refused.text
    assert "change[1]" in refused.text
    assert "L-99" in refused.text
    assert str(escape(bad.strip())) in refused.text  # kept in the form to correct it
    assert empty.status_code == 422
    assert "paste a what-if" in empty.text
    assert "Nowhere fire" not in [w["name"] for w in twin["whatifs"]]


def test_forms_without_the_token_are_refused(site: Site) -> None:
    with site.signed_in("agency") as client:
        sent = client.post("/whatifs", data={"text": FIRE}, files={"file": ("", b"")})
    assert sent.status_code == 403


@pytest.mark.parametrize("outsider", ["n01-desk", "s000-desk"])
def test_nations_and_suppliers_find_no_page(site: Site, outsider: str) -> None:
    with site.signed_in(outsider) as client:
        dashboard = client.get("/")
        answers = [client.get(path) for path in ("/whatifs", "/whatifs/fire", "/risk", "/risk/1")]
        answers.append(client.get("/whatifs", params={"format": "json"}))
    assert 'href="/whatifs"' not in dashboard.text
    assert [a.status_code for a in answers] == [404] * len(answers)


def test_auditors_read_without_forms(site: Site) -> None:
    with site.signed_in("auditor") as client:
        listing = client.get("/whatifs")
        risk = client.get("/risk")
        refused = client.post(
            "/risk", data={"csrf_token": token(listing), "samples": "2", "seed": "1"}
        )
    assert listing.status_code == 200
    assert 'action="/whatifs"' not in listing.text
    assert risk.status_code == 200
    assert 'action="/risk"' not in risk.text
    assert refused.status_code == 403


def test_runs_are_followed_then_compared_side_by_side(site: Site) -> None:
    with site.signed_in("agency") as client:
        if client.get("/whatifs/fire").status_code == 404:
            _add(client, FIRE, code="fire")
        _add(client, SURGE, code="surge")
        fire, surge = _run(client, "fire"), _run(client, "surge")
        run_page = client.get(f"/whatifs/runs/{fire}")
        run_twin = _json(client, f"/whatifs/runs/{fire}")
        compared = client.get("/whatifs/compare", params={"run": [fire, surge]})
        compared_twin = _json(client, "/whatifs/compare", run=[fire, surge])
        one = client.get("/whatifs/compare", params={"run": [fire]})
    assert 'id="comparison-kpis"' in run_page.text
    assert [c["name"] for c in run_twin["comparison"]["cases"]] == ["base", "Plant fire"]
    for name in ("costs", "shortfall", "lateness", "openings"):
        assert f'data-figure="whatif-{name}-figure"' in compared.text
    cases = [c["name"] for c in compared_twin["comparison"]["cases"]]
    assert cases == ["base", "Plant fire", "Demand surge"]
    objective = next(k for k in compared_twin["comparison"]["kpis"] if k["key"] == "objective")
    values, deltas = objective["values"], objective["deltas"]
    assert deltas[0] is None
    assert deltas[2] == pytest.approx(values[2] - values[0])
    assert 'id="comparison-nations"' in compared.text
    assert one.status_code == 422


def test_a_risk_run_draws_its_distributions(site: Site) -> None:
    with site.signed_in("agency") as client:
        form = client.get("/risk")
        invalid = client.post(
            "/risk", data={"csrf_token": token(form), "samples": "500", "seed": "1"}
        )
        started = client.post(
            "/risk",
            data={"csrf_token": token(form), "samples": "3", "seed": "7", "time_limit": "20"},
        )
        assert started.status_code == 303, started.text
        found = RISK_RUN.search(started.headers["location"])
        assert found is not None
        path = f"/risk/{found.group(1)}"
        run = _finished(client, path)
        page = client.get(path)
        twin = _json(client, path)
        listing = _json(client, "/risk")
    assert invalid.status_code == 422
    assert 'id="samples-error"' in invalid.text
    assert run["status"] == "succeeded", run["error"]
    assert run["progress"] == {"done": 4, "total": 4}  # the base plan and three samples
    risk = twin["risk"]
    assert (risk["samples"], risk["seed"]) == (3, 7)
    assert {row["requirement"] for row in risk["on_time"]} >= {"R000", "R001"}
    for chance in risk["on_time"]:
        assert chance["low"] <= chance["probability"] <= chance["high"]
    for name in ("total", "shortfall", "lateness", "families", "on-time"):
        assert f'data-figure="risk-{name}-figure"' in page.text
    assert 'id="risk-on-time"' in page.text
    assert 'id="risk-nations"' in page.text
    assert run["id"] in [r["id"] for r in listing["runs"]]
