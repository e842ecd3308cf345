"""Deliveries, the stockpile ledger, projections, delivery reports and track records over
HTTP on a real server (as the service role behind row-level security on PostgreSQL): a
supplier delivers against a nation's call-off, the nation's stock moves, a void takes it
back; rule errors that change nothing; scoping per role."""

from __future__ import annotations

import os
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
ROUND = "1320-11-652-6876"  # qualified on WS0 from the start


N00_ON_HAND = 2459.0  # N00's WS0 stockpile in the tiny scenario
PRICE = 25.0


@dataclass(frozen=True)
class Service:
    base: str
    run_id: int
    suppliers: dict[str, int]
    tokens: dict[str, str]

    def client(self, user: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=30)


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The tiny scenario with a finished plan run, an active line L100 of S001X making
    ROUND, and the desks of live_api."""
    scenario = load_scenario(GOLDEN / "tiny")
    plan = solve_plan(scenario, PlanOptions(time_limit=60))
    folder: Path = tmp_path_factory.mktemp("deliveries-api")
    with fresh_database(request.param, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, scenario)
            run_id = plans.start_run(session, scenario)
            plans.finish_run(session, run_id, plan)
            suppliers = dict(session.execute(select(db.Supplier.code, db.Supplier.id)).all())
            item = next(i for i in session.scalars(select(db.Item)) if i.code == ROUND)
            session.add(
                db.Line(
                    code="L100",
                    supplier_id=suppliers["S001X"],
                    item_id=item.id,
                    capacity_per_month=5000,
                    state="active",
                )
            )
            tokens = add_people(session, DESKS)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Service(base, run_id, suppliers, tokens)


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _invalid(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    return str(error["loc"][-1]), str(error["msg"])


def _call_off(api: Service, code: str, quantity: float) -> dict[str, Any]:
    """A signed framework `code` with S001X for N00 and N01, and N00's call-off of
    `quantity` units for its WS0 stockpile."""
    with api.client("agency") as agency, api.client("n00-desk") as n00:
        made = _ok(
            agency.post(
                "/frameworks",
                json={
                    "code": code,
                    "supplier": "S001X",
                    "parties": ["N00", "N01"],
                    "items": [{"item": ROUND, "tiers": [{"min_quantity": 0, "unit_price": PRICE}]}],
                    "valid_from": today().isoformat(),
                    "valid_to": (today() + timedelta(days=365)).isoformat(),
                    "ceiling_quantity": 5000,
                    "ceiling_value": 1e7,
                },
            ),
            status=201,
        )
        agency.post(f"/frameworks/{made['id']}/sign", headers={"If-Match": f'"{made["version"]}"'})
        [stockpile] = _ok(n00.get("/stockpiles"))["items"]
        body = {
            "framework_id": made["id"],
            "item": ROUND,
            "quantity": quantity,
            "month": "2027-07",
            "stockpile": stockpile["id"],
        }
        return _ok(n00.post("/call-offs", json=body), status=201)


def _ledger(client: httpx.Client, **filters: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = _ok(client.get("/stockpiles/ledger", params=filters))["items"]
    return items


def test_a_delivery_moves_the_nations_stock_and_a_void_takes_it_back(api: Service) -> None:
    call_off = _call_off(api, "FW-DLV", 600)
    agency, s001, s000 = api.client("agency"), api.client("s001-desk"), api.client("s000-desk")
    n00, n01, auditor = api.client("n00-desk"), api.client("n01-desk"), api.client("auditor")
    delivery = {
        "call_off_id": call_off["id"],
        "delivered_on": today().isoformat(),
        "quantity": 400,
        "accepted": 380,
        "note": "20 rounds with damaged fuzes",
    }
    for client in (n00, auditor):
        assert client.post("/deliveries", json=delivery).status_code == 403
    assert _invalid(s000.post("/deliveries", json=delivery))[0] == "call_off_id"
    response = s001.post("/deliveries", json=delivery)
    made = _ok(response, status=201)
    assert response.headers["Location"].endswith(f"/api/v1/deliveries/{made['id']}")
    assert (made["status"], made["months_late"], made["value"]) == ("partial", 0, 380 * PRICE)
    assert (made["weapon_system"], made["nation"], made["note"]) == (
        "WS0",
        "N00",
        delivery["note"],
    )

    expected = [
        ("opening", N00_ON_HAND, N00_ON_HAND),
        ("delivery", 380, N00_ON_HAND + 380),
    ]
    own = _ledger(n00)
    assert [(e["source"], e["units"], e["balance"]) for e in own] == expected
    assert _ledger(agency, nation="N00", weapon_system="WS0") == own
    assert _ledger(n01) == []
    assert _ledger(n01, nation="N00") == []
    assert _ledger(s001) == []

    for client in (n00, s001, agency, auditor):
        assert _ok(client.get(f"/deliveries/{made['id']}"))["accepted"] == 380
    for client in (n01, s000):
        assert client.get(f"/deliveries/{made['id']}").status_code == 404
        assert _ok(client.get("/deliveries"))["items"] == []

    projection = _ok(n00.get("/stockpiles/projection", params={"weapon_system": "WS0"}))
    assert projection["plan_run_id"] == api.run_id
    assert projection["points"][0] == {
        "month": projection["current_month"],
        "balance": N00_ON_HAND + 380,
        "actual": True,
    }
    assert [t["due"] for t in projection["targets"]] == ["2027-12"]
    for client in (n01, s001):
        answer = client.get(
            "/stockpiles/projection", params={"nation": "N00", "weapon_system": "WS0"}
        )
        assert answer.status_code == 404

    etag = s001.get(f"/deliveries/{made['id']}").headers["ETag"]
    assert s001.post(f"/deliveries/{made['id']}/void").status_code == 428
    assert (
        s001.post(f"/deliveries/{made['id']}/void", headers={"If-Match": '"99"'}).status_code == 412
    )
    assert n00.post(f"/deliveries/{made['id']}/void", headers={"If-Match": etag}).status_code == 403
    voided = _ok(s001.post(f"/deliveries/{made['id']}/void", headers={"If-Match": etag}))
    assert voided["voided_at"] is not None
    assert [(e["source"], e["balance"]) for e in _ledger(n00)][-1] == ("void", N00_ON_HAND)
    for client in (agency, s001, s000, n00, n01, auditor):
        client.close()


def test_a_delivery_breaking_a_rule_is_422_naming_the_field_and_changes_nothing(
    api: Service,
) -> None:
    call_off = _call_off(api, "FW-RULES", 100)
    base = {"call_off_id": call_off["id"], "delivered_on": today().isoformat()}
    cases = [
        ({"quantity": 10, "accepted": 11}, "accepted", "more than the 10 units delivered"),
        ({"quantity": 150, "accepted": 101}, "accepted", "100 more can be"),
        (
            {
                "quantity": 10,
                "accepted": 10,
                "delivered_on": (today() + timedelta(days=1)).isoformat(),
            },
            "delivered_on",
            "after today",
        ),
        (
            {
                "quantity": 10,
                "accepted": 10,
                "delivered_on": (today() - timedelta(days=1)).isoformat(),
            },
            "delivered_on",
            "before call-off",
        ),
    ]
    with api.client("s001-desk") as desk, api.client("agency") as agency:
        deliveries = _ok(agency.get("/deliveries"))["items"]
        ledger = _ledger(agency)
        for fields, field, message in cases:
            answer = _invalid(desk.post("/deliveries", json={**base, **fields}))
            assert answer[0] == field
            assert message in answer[1]
        assert _ok(agency.get("/deliveries"))["items"] == deliveries
        assert _ledger(agency) == ledger
        unknown = {**base, "call_off_id": 2**31 - 1, "quantity": 1, "accepted": 1}
        assert _invalid(desk.post("/deliveries", json=unknown))[0] == "call_off_id"


def test_the_report_and_the_track_record(api: Service) -> None:
    call_off = _call_off(api, "FW-REPORT", 300)
    with api.client("agency") as agency:
        made = agency.post(
            "/deliveries",
            json={
                "call_off_id": call_off["id"],
                "delivered_on": today().isoformat(),
                "quantity": 300,
                "accepted": 300,
            },
        )
        assert made.status_code == 201, made.text
        period = {"from": today().isoformat(), "to": today().isoformat()}
        report = _ok(agency.get("/reports/deliveries", params=period))
        listed = _ok(agency.get("/deliveries", params={"limit": 500}))["items"]
        live = [d for d in listed if d["voided_at"] is None]
        assert report["accepted"] == sum(d["accepted"] for d in live)
        assert report["value"] == pytest.approx(sum(d["value"] for d in live))
        assert {(r["nation"], r["family"]) for r in report["rows"]} == {("N00", "155mm-HE")}
        backwards = {"from": today().isoformat(), "to": (today() - timedelta(days=1)).isoformat()}
        assert _invalid(agency.get("/reports/deliveries", params=backwards))[0] == "to"
    with api.client("n01-desk") as n01:
        assert _ok(n01.get("/reports/deliveries", params=period))["rows"] == []
        record = _ok(n01.get(f"/suppliers/{api.suppliers['S001X']}/track-record"))
    assert record["supplier"] == "S001X"
    assert record["units_accepted"] == sum(d["accepted"] for d in live)
    assert record["on_time_rate"] == 1.0
    with api.client("s000-desk") as rival:
        assert _ok(rival.get(f"/suppliers/{api.suppliers['S001X']}/track-record")) == record
        assert rival.get(f"/suppliers/{2**31 - 1}/track-record").status_code == 404


def test_delivery_routes_declare_their_errors(api: Service) -> None:
    with api.client("auditor") as client:
        paths = client.get("/openapi.json").json()["paths"]
    void = paths["/api/v1/deliveries/{delivery_id}/void"]["post"]["responses"]
    assert {"401", "403", "404", "412", "422", "428"} <= set(void)
    record = paths["/api/v1/deliveries"]["post"]["responses"]
    assert {"201", "400", "401", "403", "422"} <= set(record)
    assert "404" in paths["/api/v1/stockpiles/projection"]["get"]["responses"]
