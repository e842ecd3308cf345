"""`/whatifs`, `/analysis-runs` on a live server over real HTTP (both backends; on
PostgreSQL as the service role behind row-level security): what-ifs made from text or an
uploaded file and checked against the live record, run in the background to a stored
comparison; staff only — nations and suppliers find nothing, auditors only read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from alliedforge.domain.record import import_scenario
from alliedforge.scenario import load_scenario
from alliedforge.store.engine import create_db_engine

from live_api import DESKS, add_people, fresh_database, serve
from shared_data import GOLDEN
from web_site import BACKENDS

FIRE = """
name = "Plant fire"
description = "L001 burns down for half a year."

[[change]]
kind = "line_outage"
line = "L001"
start = "2027-03"
months = 6
"""
SURGE_YAML = b"""
name: Demand surge
change:
  - kind: demand
    factor: 1.5
"""
SOLVED_WITHIN = 120.0  # seconds: two plans of the tiny scenario take a few


@dataclass(frozen=True)
class Service:
    api: str
    tokens: dict[str, str]

    def client(self, user: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=self.api, headers=headers, timeout=60)


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    with fresh_database(request.param, tmp_path_factory.mktemp("api-whatifs")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, load_scenario(GOLDEN / "tiny"))
            tokens = add_people(session, DESKS)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Service(f"{base}/api/v1", tokens)


def _made(client: httpx.Client, text: str = FIRE, **fields: Any) -> dict[str, Any]:
    response = client.post("/whatifs", json={"text": text, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert response.headers["ETag"] == f'"{body["version"]}"'
    return body


def test_a_what_if_from_text_is_kept_and_read_back(service: Service) -> None:
    with service.client("agency") as client:
        made = _made(client, code="fire-text")
    assert made["changes"] == [
        {"kind": "line_outage", "line": "L001", "start": "2027-03", "months": 6}
    ]
    with service.client("auditor") as client:
        read = client.get("/whatifs/fire-text")
        listed = client.get("/whatifs", params={"limit": 500}).json()
    assert read.status_code == 200
    assert read.json() == made
    assert "fire-text" in [w["code"] for w in listed["items"]]


def test_an_uploaded_file_is_kept_under_a_code_made_from_its_name(service: Service) -> None:
    with service.client("agency") as client:
        made = client.post("/whatifs/upload", files={"file": ("surge.yml", SURGE_YAML)})
        wrong = client.post("/whatifs/upload", files={"file": ("surge.txt", SURGE_YAML)})
    assert made.status_code == 201, made.text
    assert made.json()["code"].startswith("demand-surge")
    assert made.json()["changes"] == [{"kind": "demand", "factor": 1.5}]
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["where"] == "surge.txt"


def test_problems_are_located_and_nothing_is_kept(service: Service) -> None:
    bad = FIRE.replace("L001", "L-99").replace('"Plant fire"', '"Fire nowhere"')
    with service.client("agency") as client:
        refused = client.post("/whatifs", json={"text": bad, "code": "fire-nowhere"})
        missing = client.get("/whatifs/fire-nowhere")
        yaml_broken = client.post("/whatifs", json={"text": "name: [", "format": "yaml"})
    assert refused.status_code == 422
    (problem,) = refused.json()["detail"]
    assert problem["where"].endswith("change[1]")
    assert (problem["field"], "L-99" in problem["value"]) == ("line", True)
    assert missing.status_code == 404
    assert yaml_broken.status_code == 422
    assert "YAML" in yaml_broken.json()["detail"][0]["message"]


@pytest.mark.parametrize("outsider", ["n01-desk", "s000-desk"])
def test_nations_and_suppliers_find_nothing(service: Service, outsider: str) -> None:
    with service.client("agency") as client:
        _made(client, code=f"hidden-from-{outsider}")
        run = client.post("/whatifs/fire-text/runs", json={"time_limit": 5})
        if run.status_code == 202:  # let it end: its writes would race the tokens' first use
            _finished(client, run.json()["id"])
    with service.client(outsider) as client:
        answers = [
            client.get("/whatifs"),
            client.post("/whatifs", json={"text": FIRE}),
            client.get(f"/whatifs/hidden-from-{outsider}"),
            client.delete(f"/whatifs/hidden-from-{outsider}", headers={"If-Match": '"1"'}),
            client.post(f"/whatifs/hidden-from-{outsider}/runs", json={}),
            client.get("/analysis-runs"),
        ]
        if run.status_code == 202:
            answers.append(client.get(f"/analysis-runs/{run.json()['id']}"))
    assert [a.status_code for a in answers] == [404] * len(answers)


def test_auditors_read_but_may_not_write(service: Service) -> None:
    with service.client("auditor") as client:
        assert client.post("/whatifs", json={"text": FIRE}).status_code == 403
        assert client.post("/whatifs/fire-text/runs", json={}).status_code == 403
        assert client.get("/analysis-runs").status_code == 200


def _finished(client: httpx.Client, run_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + SOLVED_WITHIN
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(f"/analysis-runs/{run_id}").json()
        if run["status"] in {"succeeded", "failed"}:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish within {SOLVED_WITHIN} s")


def test_a_run_plans_base_and_what_if_and_stores_the_comparison(service: Service) -> None:
    with service.client("agency") as client:
        _made(client, code="fire-run")
        started = client.post("/whatifs/fire-run/runs", json={"time_limit": 20})
        if started.status_code == 409:  # another test's run still solves: wait for it
            time.sleep(5)
            started = client.post("/whatifs/fire-run/runs", json={"time_limit": 20})
        assert started.status_code == 202, started.text
        run = started.json()
        assert started.headers["Location"].endswith(f"/api/v1/analysis-runs/{run['id']}")
        assert (run["kind"], run["whatif"], run["progress"]["total"]) == ("whatif", "fire-run", 2)
        done = _finished(client, run["id"])
        listed = client.get("/analysis-runs", params={"whatif": "fire-run"}).json()["items"]
    assert done["status"] == "succeeded", done["error"]
    assert done["progress"] == {"done": 2, "total": 2}
    names = [case["name"] for case in done["result"]["cases"]]
    assert names == ["base", "Plant fire"]
    assert done["result"]["cases"][1]["changes"][0]["line"] == "L001"
    assert [(r["id"], r["result"]) for r in listed] == [(run["id"], None)]


def test_delete_needs_the_current_version(service: Service) -> None:
    with service.client("agency") as client:
        made = _made(client, code="fire-delete")
        without = client.delete("/whatifs/fire-delete")
        stale = client.delete("/whatifs/fire-delete", headers={"If-Match": '"99"'})
        gone = client.delete("/whatifs/fire-delete", headers={"If-Match": f'"{made["version"]}"'})
        after = client.get("/whatifs/fire-delete")
    assert (without.status_code, stale.status_code) == (428, 412)
    assert (gone.status_code, after.status_code) == (204, 404)


def test_the_endpoints_are_documented(service: Service) -> None:
    with service.client("auditor") as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/whatifs"])
    assert {"get", "delete"} <= set(paths["/api/v1/whatifs/{code}"])
    assert {"409", "422"} <= set(paths["/api/v1/whatifs/{code}/runs"]["post"]["responses"])
    assert "post" in paths["/api/v1/whatifs/upload"]
    assert "get" in paths["/api/v1/analysis-runs/{run_id}"]


def _risk(client: httpx.Client, **asked: Any) -> dict[str, Any]:
    started = client.post("/risk-runs", json=asked)
    for _ in range(50):  # another test's run may still hold the solving slot
        if started.status_code != 409:
            break
        time.sleep(0.5)
        started = client.post("/risk-runs", json=asked)
    assert started.status_code == 202, started.text
    run: dict[str, Any] = started.json()
    assert (run["kind"], run["whatif"]) == ("risk", None)
    assert run["progress"] == {"done": 0, "total": asked["samples"] + 1}
    return _finished(client, run["id"])


def test_a_risk_run_is_reproducible_from_its_seed(service: Service) -> None:
    asked = {"samples": 2, "seed": 11, "time_limit": 20}
    with service.client("agency") as client:
        too_many = client.post("/risk-runs", json={**asked, "samples": 201})
        first, again = _risk(client, **asked), _risk(client, **asked)
    assert too_many.status_code == 422
    assert first["status"] == again["status"] == "succeeded"
    result = first["result"]
    assert (result["seed"], len(result["samples"])) == (11, 2)
    assert [s["changes"] for s in result["samples"]] == [
        s["changes"] for s in again["result"]["samples"]
    ]
    chances = result["summary"]["on_time"]
    assert {c["requirement"] for c in chances} >= {"R000", "R001"}
    assert all(c["samples"] <= 2 for c in chances)
