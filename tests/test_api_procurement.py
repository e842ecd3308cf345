"""Joint procurement over HTTP on a real server (as the service role behind row-level
security on PostgreSQL): a plan run pooled into a lot, tendered, bid on, awarded, made a
framework, signed and called off by a nation; scoping per role; rule errors that change
nothing; two simultaneous call-offs that would together pass the ceiling."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.plans import service as plans
from alliedforge.domain.record import import_scenario
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import load_scenario
from alliedforge.store.engine import create_db_engine

from live_api import DESKS, TEST_URL_ENV, add_people, fresh_database, serve
from shared_data import GOLDEN, today

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_URL_ENV) else [])
ROUND = "1320-12-578-1794"  # qualified on WS0 from 2027-06


@dataclass(frozen=True)
class Service:
    base: str
    run_id: int
    tokens: dict[str, str]

    def client(self, user: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=30)


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The tiny scenario with a finished plan run, an active line L100 of S001X making
    ROUND (3,000 a month), and the desks of live_api."""
    scenario = load_scenario(GOLDEN / "tiny")
    plan = solve_plan(scenario, PlanOptions(time_limit=60))
    folder: Path = tmp_path_factory.mktemp("procurement-api")
    with fresh_database(request.param, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, scenario)
            run_id = plans.start_run(session, scenario)
            plans.finish_run(session, run_id, plan)
            supplier = session.scalar(select(db.Supplier.id).where(db.Supplier.code == "S001X"))
            item = next(i for i in session.scalars(select(db.Item)) if i.code == ROUND)
            assert supplier is not None
            session.add(
                db.Line(
                    code="L100",
                    supplier_id=supplier,
                    item_id=item.id,
                    capacity_per_month=3000,
                    state="active",
                )
            )
            tokens = add_people(session, DESKS)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Service(base, run_id, tokens)


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _post(client: httpx.Client, path: str, etag: str | None = None, **body: Any) -> httpx.Response:
    headers = {"If-Match": etag} if etag is not None else {}
    return client.post(path, json=body or None, headers=headers)


def _invalid(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    return str(error["loc"][-1]), str(error["msg"])


def _stockpile_of(api: Service, user: str) -> int:
    with api.client(user) as client:
        [stockpile] = _ok(client.get("/stockpiles"))["items"]
    return int(stockpile["id"])


def test_from_a_plan_to_a_call_off_the_planner_honours(api: Service) -> None:
    agency, s0, s1 = api.client("agency"), api.client("s000-desk"), api.client("s001-desk")
    n00, n01 = api.client("n00-desk"), api.client("n01-desk")
    made = _ok(_post(agency, "/lots/from-plan", run_id=api.run_id, grouping="family"), status=201)
    [lot] = made["lots"]
    assert set(lot["participants"]) >= {"N00", "N01"}
    assert _post(n00, "/lots/from-plan", run_id=api.run_id).status_code == 403
    mine = _ok(n01.get(f"/lots/{lot['id']}"))
    assert {line["nation"] for line in mine["lines"]} == {"N01"}
    assert [share["nation"] for share in mine["shares"]] == ["N01"]
    assert s0.get(f"/lots/{lot['id']}").status_code == 404

    tender = _ok(
        _post(
            agency,
            "/tenders",
            lot_id=lot["id"],
            opens_on=today().isoformat(),
            closes_on=today().isoformat(),
            method="lowest_price",
        ),
        status=201,
    )
    assert tender["ocid"].endswith(f"{lot['code']}-T1")
    schedule = [{"month": "2027-06", "quantity": lot["quantity"]}]
    bids = {}
    for client, price in ((s0, 5000), (s1, 4000)):
        response = _post(
            client,
            f"/tenders/{tender['id']}/bids",
            tiers=[{"min_quantity": 0, "unit_price": price}],
            schedule=schedule,
            capacity_per_month=lot["quantity"],
        )
        bids[price] = _ok(response, status=201)
        assert response.headers["Location"].endswith(f"/api/v1/bids/{bids[price]['id']}")
    assert [b["id"] for b in _ok(s0.get(f"/tenders/{tender['id']}/bids"))["items"]] == [
        bids[5000]["id"]
    ]
    assert s0.get(f"/bids/{bids[4000]['id']}").status_code == 404
    assert _ok(n01.get(f"/tenders/{tender['id']}/bids"))["items"] == []
    assert _ok(s0.get(f"/lots/{lot['id']}"))["shares"] == []

    etag = agency.get(f"/tenders/{tender['id']}").headers["ETag"]
    assert _post(agency, f"/tenders/{tender['id']}/close").status_code == 428
    assert _post(agency, f"/tenders/{tender['id']}/close", '"99"').status_code == 412
    closed = agency.post(f"/tenders/{tender['id']}/close", headers={"If-Match": etag})
    _ok(closed)
    evaluated = _ok(_post(agency, f"/tenders/{tender['id']}/evaluate", closed.headers["ETag"]))
    assert [entry["bid_id"] for entry in evaluated["ranking"]] == [
        bids[4000]["id"],
        bids[5000]["id"],
    ]
    etag = agency.get(f"/tenders/{tender['id']}").headers["ETag"]
    awarded = _ok(_post(agency, f"/tenders/{tender['id']}/award", etag, bid_id=bids[4000]["id"]))
    assert awarded["status"] == "awarded"

    framework = _ok(
        _post(
            agency,
            "/frameworks/from-tender",
            tender_id=tender["id"],
            code="FW-API",
            valid_from=today().isoformat(),
            valid_to=(today() + timedelta(days=365)).isoformat(),
        ),
        status=201,
    )
    assert (framework["supplier"], framework["ocid"]) == ("S001X", tender["ocid"])
    response = _post(agency, f"/frameworks/{framework['id']}/sign", f'"{framework["version"]}"')
    framework = _ok(response)
    assert framework["status"] == "signed"

    call_off = {
        "framework_id": framework["id"],
        "item": ROUND,
        "quantity": 400,
        "month": "2027-07",
        "requirement": "R000",
    }
    assert _post(n00, "/call-offs", **{**call_off, "nation": "N01"}).status_code == 403
    assert _post(s1, "/call-offs", **call_off).status_code == 403
    placed = _ok(_post(n01, "/call-offs", **call_off), status=201)
    assert (placed["line"], placed["unit_price"], placed["nation"]) == ("L100", 4000, "N01")
    commitment = _ok(n01.get(f"/commitments/{placed['commitment_id']}"))
    assert (commitment["code"], commitment["quantity"], commitment["requirement"]) == (
        placed["code"],
        400,
        "R000",
    )
    after = _ok(n01.get(f"/frameworks/{framework['id']}"))
    assert after["remaining_quantity"] == pytest.approx(framework["ceiling_quantity"] - 400)
    assert _ok(s1.get(f"/call-offs/{placed['id']}"))["requirement"] == "R000"
    assert n00.get(f"/call-offs/{placed['id']}").status_code == 404
    assert _ok(n00.get("/call-offs"))["items"] == []

    etag = n01.get(f"/call-offs/{placed['id']}").headers["ETag"]
    cancelled = _ok(_post(n01, f"/call-offs/{placed['id']}/cancel", etag))
    assert (cancelled["status"], cancelled["commitment_id"]) == ("cancelled", None)
    assert n01.get(f"/commitments/{placed['commitment_id']}").status_code == 404
    for client in (agency, s0, s1, n00, n01):
        client.close()


def _direct_framework(api: Service, code: str, ceiling: float) -> dict[str, Any]:
    with api.client("agency") as agency:
        made = _ok(
            _post(
                agency,
                "/frameworks",
                code=code,
                supplier="S001X",
                parties=["N00", "N01"],
                items=[{"item": ROUND, "tiers": [{"min_quantity": 0, "unit_price": 10}]}],
                valid_from=today().isoformat(),
                valid_to=(today() + timedelta(days=30)).isoformat(),
                ceiling_quantity=ceiling,
                ceiling_value=1e9,
            ),
            status=201,
        )
        return _ok(_post(agency, f"/frameworks/{made['id']}/sign", f'"{made["version"]}"'))


def test_a_call_off_breaking_a_rule_is_422_naming_the_field_and_changes_nothing(
    api: Service,
) -> None:
    framework = _direct_framework(api, "FW-RULES", 1000)
    base = {"framework_id": framework["id"], "item": ROUND, "month": "2027-08"}
    cases = [
        ({"quantity": 1001, "requirement": "R008"}, "quantity", "exceeds the ceiling"),
        ({"quantity": 10, "item": "1320-10-695-4190", "requirement": "R008"}, "item", "not in"),
        ({"quantity": 10, "requirement": "R008", "line": "L000"}, "line", "S000X's"),
        ({"quantity": 10, "requirement": "R008", "month": "2027-05"}, "month", "from 2027-06"),
    ]
    with api.client("n01-desk") as desk:
        commitments = _ok(desk.get("/commitments"))["items"]
        for fields, field, message in cases:
            answer = _invalid(_post(desk, "/call-offs", **{**base, **fields}))
            assert answer[0] == field
            assert message in answer[1]
        assert _ok(desk.get("/commitments"))["items"] == commitments
        assert _ok(desk.get(f"/frameworks/{framework['id']}")) == framework
        assert _post(desk, "/call-offs", **{**base, "framework_id": 2**40}).status_code == 422
    with api.client("s000-desk") as outsider:
        assert outsider.get(f"/frameworks/{framework['id']}").status_code == 404


def test_two_simultaneous_call_offs_cannot_together_pass_the_ceiling(api: Service) -> None:
    framework = _direct_framework(api, "FW-RACE", 1000)
    stockpile = _stockpile_of(api, "n00-desk")
    requests = {
        "n00-desk": {"stockpile": stockpile, "month": "2027-08"},
        "n01-desk": {"requirement": "R008", "month": "2027-09"},
    }
    start = threading.Barrier(len(requests))
    answers: dict[str, httpx.Response] = {}

    def call_off(user: str) -> None:
        body = {"framework_id": framework["id"], "item": ROUND, "quantity": 600, **requests[user]}
        with api.client(user) as client:
            start.wait()
            answers[user] = client.post("/call-offs", json=body)

    threads = [threading.Thread(target=call_off, args=(user,)) for user in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(answer.status_code for answer in answers.values())
    assert statuses == [201, 422], [answer.text for answer in answers.values()]
    refused = next(answer for answer in answers.values() if answer.status_code == 422)
    assert "400 of 1000 units remain" in _invalid(refused)[1]
    with api.client("agency") as agency:
        after = _ok(agency.get(f"/frameworks/{framework['id']}"))
    assert after["called_off_quantity"] == 600


def test_procurement_routes_declare_their_errors(api: Service) -> None:
    with api.client("auditor") as client:
        paths = client.get("/openapi.json").json()["paths"]
    sign = paths["/api/v1/frameworks/{framework_id}/sign"]["post"]["responses"]
    assert {"401", "403", "404", "412", "422", "428"} <= set(sign)
    place = paths["/api/v1/call-offs"]["post"]["responses"]
    assert {"201", "400", "401", "403", "422"} <= set(place)
    assert "404" not in place
    with api.client("auditor") as client:
        assert _post(client, "/lots/from-plan", run_id=api.run_id).status_code == 403
        assert client.get("/lots/999999").status_code == 404
