"""The procurement pages over HTTP on a real server: lots made from a plan run through the
form, a tender published, bid on by two suppliers, closed, evaluated and awarded, a
framework made and signed, a nation calling off — each page for each role; a supplier
never sees another's bid, a nation never another nation's lot lines or cost share; forms
without their CSRF token are refused; a refused call-off shows its error at the field and
changes nothing."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.plans import service as plans
from alliedforge.domain.procurement.models import BidStatus
from alliedforge.domain.procurement.schemas import BidRead, NationShare, ScheduleIn, TierIn
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import load_scenario
from alliedforge.store.base import utcnow
from alliedforge.web.charts.procurement import ranking, scores_figure, shares_figure

from live_api import DESKS
from shared_data import GOLDEN, today
from web_site import BACKENDS, Site, live_site, token

TINY = load_scenario(GOLDEN / "tiny")
ROUND = "1320-12-578-1794"  # qualified on WS0 from 2027-06
VERSION = re.compile(r'name="expected_version" value="(\d+)"')
STAFF = ("agency", "auditor")


def _prepare(session: Session) -> None:
    """A finished plan run of the tiny scenario, and an active line L100 of S001X making
    ROUND (3,000 a month) for the call-offs."""
    run_id = plans.start_run(session, TINY)
    plans.finish_run(session, run_id, solve_plan(TINY, PlanOptions(time_limit=60)))
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


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("procurement-web")
    with live_site(request.param, folder, TINY, DESKS, _prepare) as live:
        yield live


def _version(response: httpx.Response) -> str:
    found = VERSION.search(response.text)
    assert found is not None, "the page has no workflow form"
    return found.group(1)


def _redirected(response: httpx.Response, pattern: str) -> int:
    assert response.status_code == 303, response.text
    found = re.fullmatch(pattern, response.headers["location"])
    assert found is not None, response.headers["location"]
    return int(found.group(1))


def _json(client: httpx.Client, path: str) -> dict[str, Any]:
    response = client.get(path, params={"format": "json"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _step(client: httpx.Client, page: str, action: str, **fields: str) -> httpx.Response:
    """Send the workflow form `action` of `page` at the version the page shows."""
    shown = client.get(page)
    assert f'action="{action}"' in shown.text, f"{page} offers no {action}"
    data = {"csrf_token": token(shown), "expected_version": _version(shown), **fields}
    return client.post(action, data=data)


def _bid(client: httpx.Client, tender: int, price: float, units: float) -> httpx.Response:
    shown = client.get(f"/procurement/tenders/{tender}")
    assert shown.status_code == 200
    assert 'action="/procurement/tenders/' + str(tender) + '/bids"' in shown.text
    data = {
        "csrf_token": token(shown),
        "tier-0-min_quantity": "0",
        "tier-0-unit_price": str(price),
        "tier-1-min_quantity": "",
        "tier-1-unit_price": "",
        "schedule-0-month": "2027-06",
        "schedule-0-quantity": str(math.ceil(units)),
        "capacity_per_month": str(math.ceil(units)),
    }
    return client.post(f"/procurement/tenders/{tender}/bids", data=data)


@dataclass(frozen=True)
class Contracted:
    """The records the form-driven flow made: a lot, its tender, the two bids (by
    supplier), the framework made from the award."""

    lot: int
    tender: int
    bids: dict[str, int]
    framework: int


@pytest.fixture(scope="module")
def contracted(site: Site) -> Contracted:
    """From the plan run to a signed framework, every step through the pages' forms."""
    with site.signed_in("agency") as agency:
        form = agency.get("/procurement/lots/new")
        assert form.status_code == 200
        run = re.search(r'<option value="(\d+)"', form.text)
        assert run is not None, "no finished run offered"
        made = agency.post(
            "/procurement/lots/new",
            data={
                "csrf_token": token(form),
                "run_id": run.group(1),
                "grouping": "family",
                "min_participants": "3",
            },
        )
        assert made.status_code == 201, made.text
        [lot] = {int(found) for found in re.findall(r'href="/procurement/lots/(\d+)"', made.text)}
        lot_page = agency.get(f"/procurement/lots/{lot}")
        published = agency.post(
            f"/procurement/lots/{lot}/tender",
            data={
                "csrf_token": token(lot_page),
                "opens_on": today().isoformat(),
                "closes_on": today().isoformat(),
                "method": "lowest_price",
                "weight_price": "0.6",
                "weight_delivery": "0.3",
                "weight_past_performance": "0.1",
            },
        )
        tender = _redirected(published, r"/procurement/tenders/(\d+)")
        units = _json(agency, f"/procurement/lots/{lot}")["lot"]["quantity"]
    bids = {}
    for user, price in (("s000-desk", 5000), ("s001-desk", 4000)):
        with site.signed_in(user) as supplier:
            _redirected(_bid(supplier, tender, price, units), r"/procurement/tenders/(\d+)")
            [mine] = _json(supplier, f"/procurement/tenders/{tender}")["bids"]
            bids[user] = mine["id"]
    page = f"/procurement/tenders/{tender}"
    with site.signed_in("agency") as agency:
        for step in ("close", "evaluate"):
            _redirected(_step(agency, page, f"{page}/{step}"), r"/procurement/tenders/(\d+)")
        awarded = _step(agency, page, f"{page}/award", bid_id=str(bids["s001-desk"]))
        _redirected(awarded, r"/procurement/tenders/(\d+)")
        shown = agency.get(page)
        made_framework = agency.post(
            f"{page}/framework",
            data={
                "csrf_token": token(shown),
                "code": "FW-WEB",
                "valid_from": today().isoformat(),
                "valid_to": (today() + timedelta(days=365)).isoformat(),
            },
        )
        framework = _redirected(made_framework, r"/procurement/frameworks/(\d+)")
        fw_page = f"/procurement/frameworks/{framework}"
        _redirected(_step(agency, fw_page, f"{fw_page}/sign"), r"/procurement/frameworks/(\d+)")
    return Contracted(lot, tender, bids, framework)


# --- sign-in, forms, CSRF ---------------------------------------------------------------


def test_pages_need_sign_in(site: Site) -> None:
    with site.client() as client:
        for path in ("/procurement", "/procurement/lots/new", "/procurement/lots/1"):
            response = client.get(path)
            assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_only_the_agency_makes_lots(site: Site) -> None:
    with site.signed_in("agency") as agency:
        hub = agency.get("/procurement")
        assert 'href="/procurement/lots/new"' in hub.text
    for user in ("n00-desk", "s000-desk", "auditor"):
        with site.signed_in(user) as client:
            hub = client.get("/procurement")
            assert hub.status_code == 200
            assert 'href="/procurement/lots/new"' not in hub.text
            assert client.get("/procurement/lots/new").status_code == 403
            refused = client.post(
                "/procurement/lots/new", data={"csrf_token": token(hub), "run_id": "1"}
            )
            assert refused.status_code == 403
            assert "Not allowed" in refused.text


def test_a_form_without_its_csrf_token_is_refused(site: Site, contracted: Contracted) -> None:
    posts = {
        "agency": ("/procurement/lots/new", f"/procurement/tenders/{contracted.tender}/close"),
        "s000-desk": (f"/procurement/tenders/{contracted.tender}/bids",),
        "n01-desk": (f"/procurement/frameworks/{contracted.framework}/call-offs",),
    }
    with site.signed_in("agency") as agency:
        before = _json(agency, f"/procurement/tenders/{contracted.tender}")
        lots_before = _json(agency, "/procurement")["lots"]
    for user, paths in posts.items():
        with site.signed_in(user) as client:
            for path in paths:
                for data in ({}, {"csrf_token": "0" * 64}):
                    refused = client.post(path, data={**data, "expected_version": "1"})
                    assert refused.status_code == 403, path
                    assert "Form rejected" in refused.text
    with site.signed_in("agency") as agency:
        assert _json(agency, f"/procurement/tenders/{contracted.tender}") == before
        assert _json(agency, "/procurement")["lots"] == lots_before
    with site.signed_in("n01-desk") as n01:
        framework = _json(n01, f"/procurement/frameworks/{contracted.framework}")
        assert framework["call_offs"] == []


def test_a_lot_form_with_errors_shows_them_at_their_fields(site: Site) -> None:
    with site.signed_in("agency") as agency:
        form = agency.get("/procurement/lots/new")
        wrong = agency.post(
            "/procurement/lots/new",
            data={"csrf_token": token(form), "run_id": "999999", "min_participants": "0"},
        )
        assert wrong.status_code == 422
        assert 'id="min_participants-error"' in wrong.text
        assert 'value="0"' in wrong.text  # what was typed is kept
        unknown = agency.post(
            "/procurement/lots/new", data={"csrf_token": token(form), "run_id": "999999"}
        )
        assert unknown.status_code == 422
        assert 'id="run_id-error"' in unknown.text
        assert "no such plan run" in unknown.text


# --- who sees what ----------------------------------------------------------------------


def test_the_hub_lists_what_each_role_may_see(site: Site, contracted: Contracted) -> None:
    for user in ("agency", "auditor", "n01-desk", "s001-desk"):
        with site.signed_in(user) as client:
            hub = client.get("/procurement")
            assert hub.status_code == 200
            twin = _json(client, "/procurement")
            assert [t["id"] for t in twin["tenders"]["items"]] == [contracted.tender]
            assert f'href="/procurement/tenders/{contracted.tender}"' in hub.text
            assert [f["id"] for f in twin["frameworks"]["items"]] == [contracted.framework]
    with site.signed_in("s000-desk") as loser:
        twin = _json(loser, "/procurement")
        assert twin["frameworks"]["items"] == []  # another supplier's framework
        assert (
            f'href="/procurement/frameworks/{contracted.framework}"'
            not in loser.get("/procurement").text
        )


def test_a_nation_sees_only_its_own_lines_and_share(site: Site, contracted: Contracted) -> None:
    path = f"/procurement/lots/{contracted.lot}"
    with site.signed_in("agency") as agency:
        everyone = _json(agency, path)["lot"]
    nations = {line["nation"] for line in everyone["lines"]}
    assert {"N01", "N02"} <= nations
    assert {share["nation"] for share in everyone["shares"]} == nations
    with site.signed_in("n01-desk") as n01:
        page = n01.get(path)
        twin = _json(n01, path)
    assert page.status_code == 200
    assert {line["nation"] for line in twin["lot"]["lines"]} == {"N01"}
    assert [share["nation"] for share in twin["lot"]["shares"]] == ["N01"]
    others = [line for line in everyone["lines"] if line["nation"] != "N01"]
    for line in others:
        assert line["requirement"] is None or f"requirement {line['requirement']}<" not in page.text
    assert '<th scope="row">N02</th>' not in page.text  # neither a line nor a share row
    figure = re.search(r'id="shares-figure">(.*?)</script>', page.text, re.S)
    assert figure is not None
    assert '"N02"' not in figure.group(1)
    assert 'action="/procurement/lots/' not in page.text  # no agency steps


def test_a_supplier_sees_the_tendered_lot_without_requirements_or_shares(
    site: Site, contracted: Contracted
) -> None:
    path = f"/procurement/lots/{contracted.lot}"
    with site.signed_in("s000-desk") as supplier:
        twin = _json(supplier, path)["lot"]
        page = supplier.get(path)
    assert twin["shares"] == []
    assert twin["lines"]
    assert all(line["requirement"] is None for line in twin["lines"])
    assert 'id="shares-chart"' not in page.text
    assert "requirement R0" not in page.text


def test_a_supplier_never_sees_another_suppliers_bid(site: Site, contracted: Contracted) -> None:
    path = f"/procurement/tenders/{contracted.tender}"
    codes = {"s000-desk": "S000X", "s001-desk": "S001X"}
    for user, other in (("s000-desk", "s001-desk"), ("s001-desk", "s000-desk")):
        with site.signed_in(user) as supplier:
            page = supplier.get(path)
            twin = supplier.get(path, params={"format": "json"})
        assert [bid["id"] for bid in twin.json()["bids"]] == [contracted.bids[user]]
        assert twin.json()["ranking"] == []
        for shown in (page.text, twin.text):
            assert codes[other] not in shown
        assert f"Bid {contracted.bids[other]}" not in page.text
        assert f"Bid {contracted.bids[user]}" in page.text
        assert 'id="scores-chart"' not in page.text


def test_a_nation_sees_the_tender_of_its_lot_without_bids(
    site: Site, contracted: Contracted
) -> None:
    path = f"/procurement/tenders/{contracted.tender}"
    with site.signed_in("n01-desk") as nation:
        page = nation.get(path)
        twin = _json(nation, path)
    assert page.status_code == 200
    assert twin["bids"] == []
    assert twin["ranking"] == []
    assert "S000X" not in page.text
    assert 'action="/procurement/tenders/' not in page.text


def test_the_agency_reads_the_evaluation(site: Site, contracted: Contracted) -> None:
    path = f"/procurement/tenders/{contracted.tender}"
    for user in STAFF:
        with site.signed_in(user) as client:
            page = client.get(path)
            twin = _json(client, path)
        assert [place["bid_id"] for place in twin["ranking"]] == [
            contracted.bids["s001-desk"],
            contracted.bids["s000-desk"],
        ]
        assert twin["ranking"][0]["awarded"] is True
        assert 'id="scores-chart"' in page.text
        assert 'role="img"' in page.text
        assert twin["framework"]["id"] == contracted.framework
        # Every step is taken: none is offered any more.
        assert f'action="{path}/' not in page.text


def test_a_framework_for_each_role(site: Site, contracted: Contracted) -> None:
    path = f"/procurement/frameworks/{contracted.framework}"
    with site.signed_in("n00-desk") as n00:
        framework = _json(n00, path)["framework"]
        assert 'action="' + path + '/call-offs"' in n00.get(path).text
    assert framework["parties"] == ["N00", "N01", "N02"]
    assert framework["status"] == "signed"
    with site.signed_in("s000-desk") as loser:
        missing = loser.get(path)
        assert missing.status_code == 404
        assert "Not found" in missing.text
        assert loser.get(path, params={"format": "json"}).status_code == 404
    for user in ("agency", "auditor", "s001-desk"):
        with site.signed_in(user) as client:
            page = client.get(path)
            assert page.status_code == 200
            assert 'action="' + path + '/call-offs"' not in page.text
            assert ('action="' + path + '/close"' in page.text) == (user == "agency")
            assert '<progress id="ceiling-units"' in page.text


# --- call-offs --------------------------------------------------------------------------


def _call_off(client: httpx.Client, framework: int, **fields: str) -> httpx.Response:
    path = f"/procurement/frameworks/{framework}"
    shown = client.get(path)
    data = {
        "csrf_token": token(shown),
        "item": ROUND,
        "line": "",
        "serves": "requirement:R000",
        "month": "2027-07",
        "quantity": "400",
        **fields,
    }
    return client.post(f"{path}/call-offs", data=data)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"quantity": "99999999"}, "quantity", "exceeds the ceiling"),
        ({"month": "2027-05"}, "month", "qualified"),
        ({"month": "July"}, "month", "YYYY-MM"),
        ({"line": "L003"}, "line", "call-offs need an active one"),
        ({"line": "L001"}, "line", "does not make item"),
        ({"serves": "requirement:R001"}, "serves", "N01 has no such requirement"),
        ({"serves": ""}, "serves", "name a requirement or a stockpile"),
        ({"item": "1320-11-652-6876"}, "item", "not in framework"),
    ],
)
def test_a_refused_call_off_shows_its_error_at_the_field_and_changes_nothing(
    site: Site, contracted: Contracted, fields: dict[str, str], field: str, message: str
) -> None:
    path = f"/procurement/frameworks/{contracted.framework}"
    with site.signed_in("n01-desk") as n01:
        before = _json(n01, path)
        refused = _call_off(n01, contracted.framework, **fields)
        after = _json(n01, path)
    assert refused.status_code == 422, refused.text
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', refused.text)
    assert error is not None, refused.text
    assert message in error.group(1)
    assert 'aria-invalid="true"' in refused.text
    assert after["framework"]["remaining_quantity"] == before["framework"]["remaining_quantity"]
    assert after["call_offs"] == before["call_offs"]


def test_a_nation_calls_off_and_cancels(site: Site, contracted: Contracted) -> None:
    framework_path = f"/procurement/frameworks/{contracted.framework}"
    with site.signed_in("n01-desk") as n01:
        ceiling = _json(n01, framework_path)["framework"]["remaining_quantity"]
        call_off = _redirected(
            _call_off(n01, contracted.framework), r"/procurement/call-offs/(\d+)"
        )
        path = f"/procurement/call-offs/{call_off}"
        placed = _json(n01, path)["call_off"]
        assert (placed["nation"], placed["line"], placed["quantity"]) == ("N01", "L100", 400)
        assert placed["requirement"] == "R000"
        assert placed["status"] == "placed"
        page = n01.get(path)
        assert f'href="/api/v1/commitments/{placed["commitment_id"]}"' in page.text
        assert _json(n01, framework_path)["framework"]["remaining_quantity"] == pytest.approx(
            ceiling - 400
        )
    with site.signed_in("n00-desk") as n00:
        assert n00.get(path).status_code == 404  # another buyer's call-off
    with site.signed_in("s001-desk") as supplier:
        shown = supplier.get(path)
        assert shown.status_code == 200
        assert f'action="{path}/cancel"' not in shown.text
    with site.signed_in("n01-desk") as n01:
        shown = n01.get(path)
        form = {"csrf_token": token(shown), "expected_version": _version(shown)}
        cancelled = n01.post(f"{path}/cancel", data=form)
        assert _redirected(cancelled, r"/procurement/call-offs/(\d+)") == call_off
        assert _json(n01, path)["call_off"]["status"] == "cancelled"
        assert _json(n01, framework_path)["framework"]["remaining_quantity"] == pytest.approx(
            ceiling
        )
        stale = n01.post(f"{path}/cancel", data=form)  # the same form again: a conflict
        assert stale.status_code == 409
        assert "changed since you read it" in stale.text


# --- the figures ------------------------------------------------------------------------
def _bid_read(bid_id: int, supplier: str, score: float | None, status: str) -> BidRead:
    return BidRead(
        id=bid_id,
        tender_id=1,
        supplier=supplier,
        tiers=[TierIn(min_quantity=0, unit_price=10)],
        schedule=[ScheduleIn(month="2027-01", quantity=5)],
        capacity_per_month=5,
        cost=50.0 * bid_id,
        delivery=0.5,
        score=score,
        status=BidStatus(status),
        submitted_at=utcnow(),
        withdrawn_at=None,
        version=1,
        label={"classification": "NATO UNCLASSIFIED", "categories": []},
    )


def test_the_ranking_orders_scored_bids_best_first_ties_to_the_earlier() -> None:
    bids = [
        _bid_read(1, "S1", 0.5, "not_awarded"),
        _bid_read(2, "S2", None, "withdrawn"),
        _bid_read(3, "S3", 0.9, "awarded"),
        _bid_read(4, "S4", 0.5, "not_awarded"),
    ]
    ranked = ranking(bids)
    assert [(place.rank, place.bid_id) for place in ranked] == [(1, 3), (2, 1), (3, 4)]
    assert [place.awarded for place in ranked] == [True, False, False]
    figure = scores_figure(ranked)
    [trace] = figure["data"]
    assert trace["y"] == [0.9, 0.5, 0.5]
    colours = trace["marker"]["color"]
    assert colours[0] != colours[1]
    assert colours[1] == colours[2]


def test_the_shares_figure_holds_the_shares_it_is_given_escaped() -> None:
    shares = [
        NationShare(nation="N01", quantity=30, value=300, share=0.75),
        NationShare(nation="<b>", quantity=10, value=100, share=0.25),
    ]
    [trace] = shares_figure(shares, "EUR")["data"]
    assert trace["x"] == ["N01", "&lt;b&gt;"]
    assert trace["y"] == pytest.approx([75, 25])
    assert trace["customdata"] == [300, 100]


def test_the_supplier_records_deliveries_the_buyer_reads_them(
    site: Site, contracted: Contracted
) -> None:
    with site.signed_in("n01-desk") as n01:
        placed = _call_off(n01, contracted.framework, quantity="300")
        call_off = _redirected(placed, r"/procurement/call-offs/(\d+)")
        path = f"/procurement/call-offs/{call_off}"
        assert 'action="' + path + '/deliveries"' not in n01.get(path).text
    with site.signed_in("s001-desk") as supplier:
        shown = supplier.get(path)
        delivery = {"csrf_token": token(shown), "delivered_on": today().isoformat()}
        too_many = supplier.post(
            f"{path}/deliveries", data={**delivery, "quantity": "300", "accepted": "301"}
        )
        assert too_many.status_code == 422
        assert re.search(r'id="accepted-error">more than the 300 units', too_many.text)
        future = (today() + timedelta(days=1)).isoformat()
        early = supplier.post(
            f"{path}/deliveries",
            data={**delivery, "delivered_on": future, "quantity": "1", "accepted": "1"},
        )
        assert early.status_code == 422
        assert 'id="delivered_on-error">is after today' in early.text
        assert _json(supplier, path)["deliveries"] == []
        recorded = supplier.post(
            f"{path}/deliveries",
            data={**delivery, "quantity": "300", "accepted": "200", "note": "<b>100 wet</b>"},
        )
        assert _redirected(recorded, r"/procurement/call-offs/(\d+)") == call_off
        twin = _json(supplier, path)
    [made] = twin["deliveries"]
    assert (made["quantity"], made["accepted"], made["status"]) == (300, 200, "partial")
    assert twin["accepted"] == 200
    with site.signed_in("n01-desk") as n01:
        page = n01.get(path)
        assert [d["id"] for d in _json(n01, path)["deliveries"]] == [made["id"]]
        assert "&lt;b&gt;100 wet&lt;/b&gt;" in page.text  # the note, escaped
        assert f'action="/procurement/deliveries/{made["id"]}/void"' not in page.text
    with site.signed_in("n00-desk") as n00:
        assert n00.get(path).status_code == 404
    with site.signed_in("s001-desk") as supplier:
        voided = _step(supplier, path, f"/procurement/deliveries/{made['id']}/void")
        assert voided.status_code == 303
        [after] = _json(supplier, path)["deliveries"]
        assert after["voided_at"] is not None
        assert _json(supplier, path)["accepted"] == 0
