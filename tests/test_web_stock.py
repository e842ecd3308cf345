"""The stock pages, the delivery report and the supplier's track record over HTTP on a real
server (both backends): call-offs and deliveries recorded through the services move the
nation's stock; a delivery recorded and voided through the call-off page moves it and
takes it back; a nation never sees another nation's account; the report's totals are the
accepted units × price recorded; a call-off with accepted deliveries cannot be cancelled."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.plans import service as plans
from alliedforge.domain.procurement import call_offs, deliveries, frameworks
from alliedforge.domain.procurement.schemas import CallOffCreate, DeliveryCreate, FrameworkCreate
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import load_scenario
from alliedforge.store.base import utcnow

from live_api import DESKS
from shared_data import GOLDEN
from web_site import BACKENDS, Site, live_site, token

TINY = load_scenario(GOLDEN / "tiny")
ROUND = "1320-11-652-6876"  # qualified on WS0 from the start (tiny scenario)
PRICE = 25.0
TODAY = utcnow().date()
N00_ON_HAND = 2459.0  # N00's WS0 stockpile in the tiny scenario
RESTRICTED = "NATO RESTRICTED"
AGENCY = Caller("agency", Role.PLANNER, RESTRICTED, nationality="N00")
# (delivered, accepted) per delivery, recorded on the call-offs named.
N00_DELIVERIES = ((400.0, 380.0), (100.0, 100.0))
N01_DELIVERIES = ((300.0, 300.0),)
VOIDED = (50.0, 50.0)  # on the spare call-off, voided at once


@dataclass
class World:
    """Ids of what `_prepare` recorded."""

    call_offs: dict[str, int] = field(default_factory=dict)
    suppliers: dict[str, int] = field(default_factory=dict)
    run_id: int = 0


@dataclass(frozen=True)
class Scene:
    site: Site
    world: World


def _prepare(world: World) -> Any:
    def prepare(session: Session) -> None:
        """A finished plan run of the tiny scenario; an active line L100 of S001X making
        ROUND; a signed framework with S001X for N00 and N01; N00's call-off for its WS0
        stockpile, N01's for requirement R000 (under a NATO RESTRICTED label), and a spare
        N00 call-off whose only delivery is void; deliveries on the first two."""
        world.run_id = plans.start_run(session, TINY)
        plans.finish_run(session, world.run_id, solve_plan(TINY, PlanOptions(time_limit=60)))
        world.suppliers.update(session.execute(select(db.Supplier.code, db.Supplier.id)).all())
        item = next(i for i in session.scalars(select(db.Item)) if i.code == ROUND)
        line = db.Line(
            code="L100",
            supplier_id=world.suppliers["S001X"],
            item_id=item.id,
            capacity_per_month=5000,
            state="active",
        )
        session.add(line)
        session.flush()
        made = frameworks.create_framework(
            session,
            AGENCY,
            FrameworkCreate.model_validate(
                {
                    "code": "FW-STOCK",
                    "supplier": "S001X",
                    "parties": ["N00", "N01"],
                    "items": [{"item": ROUND, "tiers": [{"min_quantity": 0, "unit_price": PRICE}]}],
                    "valid_from": TODAY.isoformat(),
                    "valid_to": (TODAY + timedelta(days=365)).isoformat(),
                    "ceiling_quantity": 10_000,
                    "ceiling_value": 1e7,
                }
            ),
        )
        frameworks.sign_framework(session, AGENCY, made.id, made.version)
        stockpile = session.scalar(
            select(db.Stockpile.id)
            .join(db.Nation, db.Stockpile.nation_id == db.Nation.id)
            .where(db.Nation.code == "N00")
        )
        orders = {
            "n00": {"nation": "N00", "quantity": 600, "stockpile": stockpile},
            "n01": {
                "nation": "N01",
                "quantity": 400,
                "requirement": "R000",
                "label": {"classification": RESTRICTED},
            },
            "spare": {"nation": "N00", "quantity": 100, "stockpile": stockpile},
        }
        for name, order in orders.items():
            data = {"framework_id": made.id, "item": ROUND, "month": "2027-07", **order}
            placed = call_offs.place_call_off(
                session, AGENCY, CallOffCreate.model_validate(data), TODAY
            )
            world.call_offs[name] = placed.id
        for name, recorded in (("n00", N00_DELIVERIES), ("n01", N01_DELIVERIES)):
            for quantity, accepted in recorded:
                _deliver(session, world.call_offs[name], quantity, accepted)
        spare = _deliver(session, world.call_offs["spare"], *VOIDED)
        deliveries.void_delivery(session, AGENCY, spare.id, spare.version, TODAY)

    return prepare


def _deliver(session: Session, call_off_id: int, quantity: float, accepted: float) -> Any:
    data = {
        "call_off_id": call_off_id,
        "delivered_on": TODAY.isoformat(),
        "quantity": quantity,
        "accepted": accepted,
    }
    return deliveries.record_delivery(session, AGENCY, DeliveryCreate.model_validate(data), TODAY)


@pytest.fixture(scope="module", params=BACKENDS)
def scene(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scene]:
    world = World()
    folder = tmp_path_factory.mktemp("web-stock")
    with live_site(request.param, folder, TINY, DESKS, _prepare(world)) as live:
        yield Scene(live, world)


def _json(client: httpx.Client, path: str, **params: str) -> dict[str, Any]:
    response = client.get(path, params={**params, "format": "json"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _account(client: httpx.Client, nation: str, weapon_system: str) -> dict[str, Any]:
    [account] = [
        row
        for row in _json(client, "/stock")["accounts"]
        if (row["nation"], row["weapon_system"]) == (nation, weapon_system)
    ]
    return account


def _accepted(recorded: tuple[tuple[float, float], ...]) -> float:
    return sum(accepted for _quantity, accepted in recorded)


def test_the_stock_page_shows_the_balance_moved_by_the_accepted_units(scene: Scene) -> None:
    moved = _accepted(N00_DELIVERIES)  # the spare call-off's delivery is void
    with scene.site.signed_in("n00-desk") as client:
        account = _account(client, "N00", "WS0")
        assert (account["opening"], account["balance"]) == (N00_ON_HAND, N00_ON_HAND + moved)
        assert account["opened"] is True
        assert [target["due"] for target in account["targets"]] == ["2027-12"]
        listed = client.get("/stock")
        assert '<a href="/stock/N00/WS0">WS0</a>' in listed.text
        assert '<a href="/stock" aria-current="page">Stock</a>' in listed.text

        twin = _json(client, "/stock/N00/WS0")
        assert twin["stock"]["balance"] == N00_ON_HAND + moved
        ledger = [(e["source"], e["units"], e["balance"]) for e in twin["ledger"]]
        assert ledger[:3] == [
            ("opening", N00_ON_HAND, N00_ON_HAND),
            ("delivery", 380.0, N00_ON_HAND + 380),
            ("delivery", 100.0, N00_ON_HAND + 480),
        ]
        assert ledger[-2:] == [
            ("delivery", VOIDED[1], N00_ON_HAND + moved + VOIDED[1]),
            ("void", -VOIDED[1], N00_ON_HAND + moved),
        ]
        projection = twin["projection"]
        assert projection["plan_run_id"] == scene.world.run_id
        assert projection["points"][0]["balance"] == N00_ON_HAND + moved
        assert any(not point["actual"] for point in projection["points"])

        page = client.get("/stock/N00/WS0")
        assert 'data-figure="projection-figure"' in page.text
        assert f'href="/procurement/call-offs/{scene.world.call_offs["n00"]}"' in page.text
        figure = re.search(r'id="projection-figure">(.*?)</script>', page.text, re.S)
        assert figure is not None
        recorded, planned, targets = httpx.Response(200, text=figure.group(1)).json()["data"]
        assert recorded["y"][-1] == N00_ON_HAND + moved
        assert planned["line"]["dash"] == "dash"
        assert planned["y"][0] == recorded["y"][-1]
        assert targets["x"] == ["2027-12"]


def test_a_delivery_recorded_and_voided_on_the_call_off_page_moves_the_stock_and_back(
    scene: Scene,
) -> None:
    before = N00_ON_HAND + _accepted(N00_DELIVERIES)
    path = f"/procurement/call-offs/{scene.world.call_offs['n00']}"
    with scene.site.signed_in("agency") as agency, scene.site.signed_in("n00-desk") as n00:
        form = agency.get(path)
        fields = {"delivered_on": TODAY.isoformat(), "quantity": "70", "accepted": "60"}
        sent = agency.post(f"{path}/deliveries", data={"csrf_token": token(form), **fields})
        assert sent.status_code == 303, sent.text
        assert _account(n00, "N00", "WS0")["balance"] == before + 60

        [made] = [
            row
            for row in _json(agency, path)["deliveries"]
            if row["voided_at"] is None and row["accepted"] == 60
        ]
        page = agency.get(path)
        void = {"csrf_token": token(page), "expected_version": str(made["version"])}
        voided = agency.post(f"/procurement/deliveries/{made['id']}/void", data=void)
        assert voided.status_code == 303, voided.text
        assert _account(n00, "N00", "WS0")["balance"] == before
        sources = [e["source"] for e in _json(n00, "/stock/N00/WS0")["ledger"]]
        assert sources[-2:] == ["delivery", "void"]


def test_a_nation_never_sees_another_nations_account(scene: Scene) -> None:
    n00_balance = N00_ON_HAND + _accepted(N00_DELIVERIES)
    with scene.site.signed_in("n01-desk") as client:
        for path in ("/stock/N00/WS0", "/stock/N00/WS0?format=json", "/stock?nation=N00"):
            answer = client.get(path)
            assert answer.status_code == 404, path
            assert f"{n00_balance:,.0f}" not in answer.text
            assert str(n00_balance) not in answer.text
        listed = _json(client, "/stock")
        assert {row["nation"] for row in listed["accounts"]} == {"N01"}
        assert str(n00_balance) not in client.get("/stock?format=json").text
        own = _json(client, "/stock/N01/WS0")
        assert own["stock"]["balance"] == own["stock"]["opening"] + _accepted(N01_DELIVERIES)
        assert RESTRICTED in own["classification"]  # N01's call-off label, on its deliveries
        assert RESTRICTED in client.get("/stock/N01/WS0").text
    with scene.site.signed_in("s001-desk") as client:
        assert client.get("/stock").status_code == 404
        assert client.get("/stock/N00/WS0").status_code == 404
    with scene.site.signed_in("agency") as client:
        nations = {row["nation"] for row in _json(client, "/stock")["accounts"]}
        assert {"N00", "N01"} <= nations
        chosen = _json(client, "/stock", nation="N01")["accounts"]
        assert [row["nation"] for row in chosen] == ["N01"] * len(chosen)
        assert chosen


def test_the_report_totals_are_the_accepted_units_times_the_price(scene: Scene) -> None:
    n00, n01 = _accepted(N00_DELIVERIES), _accepted(N01_DELIVERIES)
    delivered = sum(quantity for quantity, _ in (*N00_DELIVERIES, *N01_DELIVERIES))
    with scene.site.signed_in("agency") as client:
        report = _json(client, "/reports/deliveries")["report"]
        assert report["start"] == f"{TODAY.year}-01-01"
        assert report["end"] == f"{TODAY.year}-12-31"
        assert (report["delivered"], report["accepted"]) == (delivered, n00 + n01)
        assert report["value"] == pytest.approx((n00 + n01) * PRICE)
        by_nation = {row["nation"]: row["value"] for row in report["rows"]}
        assert by_nation == {"N00": pytest.approx(n00 * PRICE), "N01": pytest.approx(n01 * PRICE)}
        page = client.get("/reports/deliveries")
        assert 'data-figure="report-figure"' in page.text
        assert f'value="{TODAY.year}-01-01"' in page.text
        tomorrow = (TODAY + timedelta(days=1)).isoformat()
        later = _json(client, "/reports/deliveries", **{"from": tomorrow, "to": tomorrow})
        assert later["report"]["rows"] == []
        wrong = client.get("/reports/deliveries", params={"from": "2026-13-01"})
        assert wrong.status_code == 422
        assert 'aria-invalid="true"' in wrong.text
        assert "YYYY-MM-DD" in wrong.text
        period = {"from": "2026-06-01", "to": "2026-01-01"}
        backwards = client.get("/reports/deliveries", params=period)
        assert backwards.status_code == 422
        assert "is before from" in backwards.text
    with scene.site.signed_in("n00-desk") as client:
        own = _json(client, "/reports/deliveries")["report"]
        assert {row["nation"] for row in own["rows"]} == {"N00"}
        assert own["value"] == pytest.approx(n00 * PRICE)
    with scene.site.signed_in("s000-desk") as client:
        assert _json(client, "/reports/deliveries")["report"]["rows"] == []


def test_the_supplier_page_shows_the_track_record_from_the_record(scene: Scene) -> None:
    accepted = _accepted(N00_DELIVERIES) + _accepted(N01_DELIVERIES)
    with scene.site.signed_in("n01-desk") as client:
        path = f"/industry/suppliers/{scene.world.suppliers['S001X']}"
        record = _json(client, path)["track_record"]
        assert (record["frameworks"], record["call_offs"]) == (1, 3)
        assert record["units_accepted"] == accepted
        assert record["value"] == pytest.approx(accepted * PRICE)
        assert record["on_time_rate"] == 1.0  # delivered before the call-offs' month
        page = client.get(path)
        assert "Track record from AlliedForge's records" in page.text
        assert f"{accepted:,.0f}" in page.text
        other = _json(client, f"/industry/suppliers/{scene.world.suppliers['S000X']}")
        assert other["track_record"]["deliveries"] == 0
        assert other["track_record"]["past_performance"] == 1.0


def test_a_call_off_with_accepted_deliveries_cannot_be_cancelled(scene: Scene) -> None:
    with scene.site.signed_in("agency") as client:
        delivered = f"/procurement/call-offs/{scene.world.call_offs['n01']}"
        refused = client.post(f"{delivered}/cancel", data=_step(client, delivered))
        assert refused.status_code == 422
        units = f"{_accepted(N01_DELIVERIES):g} units are delivered; void its deliveries first"
        assert units in refused.text
        assert _json(client, delivered)["call_off"]["status"] == "placed"

        spare = f"/procurement/call-offs/{scene.world.call_offs['spare']}"  # its delivery is void
        assert client.post(f"{spare}/cancel", data=_step(client, spare)).status_code == 303
        assert _json(client, spare)["call_off"]["status"] == "cancelled"


def _step(client: httpx.Client, path: str) -> dict[str, str]:
    """The fields of a workflow step's form on the call-off page at `path`."""
    version = _json(client, path)["call_off"]["version"]
    return {"csrf_token": token(client.get(path)), "expected_version": str(version)}
