"""The read-only record API over HTTP: catalogue, nations, industry and demand resources,
scoped by role and label, keyset-paged in id order, with ETags."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import load_scenario
from alliedforge.store.engine import create_db_engine

from live_api import DESKS, TEST_URL_ENV, add_people, fresh_database, serve
from shared_data import GOLDEN

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_URL_ENV) else [])
RESOURCES = (
    "nations",
    "weapon-systems",
    "items",
    "qualifications",
    "components",
    "suppliers",
    "lines",
    "prices",
    "budgets",
    "stockpiles",
    "fleets",
    "commitments",
)
# The tiny scenario: N00 and N01 are nations, S000X and S001X suppliers; the fleet of N02
# is labelled above every user's clearance, one item is releasable to N01 only.
SECRET_FLEET = ("N02", "WS2")
N01_ONLY_ITEM = "1320137799249"


@dataclass(frozen=True)
class Service:
    base: str
    tokens: dict[str, str]  # user name → API token
    secret_fleet: int  # the id of the fleet labelled NATO SECRET

    def client(self, user: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=30)


def _add_record(session: Session) -> int:
    """Commitments on both suppliers' lines for both nations, and two labelled rows."""
    lines = dict(session.execute(select(db.Line.code, db.Line.id)).all())
    nations = dict(session.execute(select(db.Nation.code, db.Nation.id)).all())
    requirements = {
        (nation, code): row_id
        for code, nation, row_id in session.execute(
            select(db.Requirement.code, db.Nation.code, db.Requirement.id).join(db.Nation)
        )
    }
    stockpile = session.scalars(
        select(db.Stockpile.id).where(db.Stockpile.nation_id == nations["N00"])
    ).one()
    session.add_all(
        [
            db.Commitment(
                code="C-REQ",
                line_id=lines["L001"],
                requirement_id=requirements[("N01", "R000")],
                month="2027-03",
                quantity=100,
                unit_price=4645,
            ),
            db.Commitment(
                code="C-STK",
                line_id=lines["L001"],
                stockpile_id=stockpile,
                month="2027-04",
                quantity=50,
                unit_price=4645,
            ),
            db.Commitment(
                code="C-OTHER",
                line_id=lines["L000"],
                requirement_id=requirements[("N02", "R001")],
                month="2027-05",
                quantity=10,
                unit_price=3973,
            ),
        ]
    )
    ws2 = session.scalars(select(db.WeaponSystem.id).where(db.WeaponSystem.code == "WS2")).one()
    secret = session.scalars(
        update(db.Fleet)
        .where(db.Fleet.nation_id == nations[SECRET_FLEET[0]], db.Fleet.weapon_system_id == ws2)
        .values(classification="NATO SECRET")
        .returning(db.Fleet.id)
    ).one()
    session.execute(update(db.Item).where(db.Item.nsn == N01_ONLY_ITEM).values(releasable_to="N01"))
    return secret


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    scenario = load_scenario(GOLDEN / "tiny")
    folder: Path = tmp_path_factory.mktemp("record-api")
    with fresh_database(request.param, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, scenario)
            secret_fleet = _add_record(session)
            tokens = add_people(session, DESKS)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Service(base, tokens, secret_fleet)


def _all(client: httpx.Client, resource: str, **params: str | int) -> list[dict[str, Any]]:
    response = client.get(f"/{resource}", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_after"] is None
    items: list[dict[str, Any]] = body["items"]
    return items


def _codes(rows: list[dict[str, Any]], key: str = "code") -> set[object]:
    return {row[key] for row in rows}


def test_no_credentials_is_401(api: Service) -> None:
    with api.client() as client:
        for resource in RESOURCES:
            assert client.get(f"/{resource}").status_code == 401


@pytest.mark.parametrize("resource", RESOURCES)
def test_each_resource_lists_and_gets_with_an_etag(api: Service, resource: str) -> None:
    with api.client("agency") as client:
        rows = _all(client, resource)
        assert rows
        assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
        for row in rows:
            assert {"id", "version", "label"} <= row.keys()
            assert row["label"]["policy_identifier"] == "NATO"
        one = client.get(f"/{resource}/{rows[0]['id']}")
        assert one.status_code == 200
        assert one.json() == rows[0]
        assert one.headers["ETag"] == f'"{rows[0]["version"]}"'
        assert client.get(f"/{resource}/999999").status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
def test_paging_returns_every_row_once(api: Service, resource: str) -> None:
    with api.client("agency") as client:
        every = [row["id"] for row in _all(client, resource)]
        seen: list[int] = []
        after: int | None = None
        while True:
            params: dict[str, int] = {"limit": 2}
            if after is not None:
                params["after"] = after
            body = client.get(f"/{resource}", params=params).json()
            assert len(body["items"]) <= 2
            seen += [row["id"] for row in body["items"]]
            after = body["next_after"]
            if after is None:
                break
        assert seen == every


def test_items_show_formatted_nsn_and_filter_by_family(api: Service) -> None:
    with api.client("n01-desk") as client:
        items = _all(client, "items")
        first = items[0]
        assert first["code"] == "1320-10-695-4190"
        assert (first["supply_class"], first["family"], first["stanag"]) == (
            "1320",
            "155mm-HE",
            "4425",
        )
        assert len(_all(client, "items", family="155mm-HE")) == len(items)
        assert _all(client, "items", family="no-such-family") == []


def test_qualification_filters(api: Service) -> None:
    with api.client("agency") as client:
        everything = _all(client, "qualifications")
        by_item = _all(client, "qualifications", item="1320116526876")  # NSN without dashes
        assert _codes(by_item, "item") == {"1320-11-652-6876"}
        assert _codes(by_item, "weapon_system") == {"WS0", "WS2"}
        ws2 = _all(client, "qualifications", weapon_system="WS2")
        assert ws2
        assert _codes(ws2, "weapon_system") == {"WS2"}
        statuses = {row["status"] for row in everything}
        for status in statuses:
            assert _codes(_all(client, "qualifications", status=status), "status") == {status}
        assert client.get("/qualifications", params={"status": "maybe"}).status_code == 422


def test_lines_carry_codes_and_filter(api: Service) -> None:
    with api.client("agency") as client:
        lines = {row["code"]: row for row in _all(client, "lines")}
        assert lines["L000"]["supplier"] == "S000X"
        assert lines["L000"]["item"] == "1320-13-779-9249"
        assert (lines["L000"]["state"], lines["L000"]["opening_cost"]) == ("dormant", 3450000)
        assert _codes(_all(client, "lines", supplier="S001X")) == {"L001", "L003"}
        assert _codes(_all(client, "lines", item="1320-12-578-1794")) == {"L002", "L003", "L004"}
        assert _codes(_all(client, "lines", state="new", supplier="S001X")) == {"L003"}
        prices = _all(client, "prices", supplier="S000X")
        assert prices
        assert _codes(prices, "supplier") == {"S000X"}


def test_supplier_profiles_are_public_and_filter_by_country(api: Service) -> None:
    for user in ("n00-desk", "s000-desk", "agency"):
        with api.client(user) as client:
            suppliers = _all(client, "suppliers")
            assert _codes(suppliers) == {"S000X", "S001X", "S002X"}
            assert {"contacts", "track_record", "ownership", "products"} <= suppliers[0].keys()
            assert _codes(_all(client, "suppliers", country="n01")) == {"S000X", "S002X"}


def test_catalogue_is_visible_to_every_role(api: Service) -> None:
    for user in ("n00-desk", "s001-desk", "auditor"):
        with api.client(user) as client:
            for resource in ("nations", "weapon-systems", "qualifications", "components"):
                assert _all(client, resource), (user, resource)


def test_a_nation_sees_only_its_own_demand_and_no_industry_secrets(api: Service) -> None:
    with api.client("agency") as agency:
        budgets = {row["nation"]: row for row in _all(agency, "budgets")}
    with api.client("n00-desk") as client:
        assert _codes(_all(client, "budgets"), "nation") == {"N00"}
        assert client.get(f"/budgets/{budgets['N02']['id']}").status_code == 404
        assert client.get(f"/budgets/{budgets['N00']['id']}").status_code == 200
        assert _codes(_all(client, "stockpiles"), "nation") == {"N00"}
        assert _codes(_all(client, "fleets"), "nation") == {"N00"}
        assert _all(client, "budgets", nation="N02") == []
        assert _all(client, "lines") == []
        assert _all(client, "prices") == []
        with api.client("agency") as agency:
            line = _all(agency, "lines")[0]
        assert client.get(f"/lines/{line['id']}").status_code == 404
        commitments = _all(client, "commitments")
        assert _codes(commitments) == {"C-STK"}  # its stockpile, on another nation's supplier
        assert commitments[0]["requirement"] is None
        assert commitments[0]["stockpile"]
    with api.client("n01-desk") as client:
        commitments = _all(client, "commitments")
        assert _codes(commitments) == {"C-REQ"}
        assert (commitments[0]["requirement"], commitments[0]["nation"]) == ("R000", "N01")


def test_a_supplier_sees_only_its_own_lines_prices_and_commitments(api: Service) -> None:
    with api.client("s000-desk") as client:
        assert _codes(_all(client, "lines")) == {"L000", "L002"}
        assert _codes(_all(client, "prices"), "supplier") == {"S000X"}
        assert _codes(_all(client, "commitments")) == {"C-OTHER"}
        for resource in ("budgets", "stockpiles", "fleets"):
            assert _all(client, resource) == []
    with api.client("s001-desk") as client:
        lines = _all(client, "lines")
        assert _codes(lines) == {"L001", "L003"}
        assert _codes(_all(client, "commitments")) == {"C-REQ", "C-STK"}
        assert _all(client, "lines", supplier="S000X") == []
    with api.client("s000-desk") as client:
        assert client.get(f"/lines/{lines[0]['id']}").status_code == 404


def test_a_label_above_clearance_hides_the_row(api: Service) -> None:
    with api.client("agency") as client:
        fleets = _all(client, "fleets")
        assert fleets
        assert api.secret_fleet not in _codes(fleets, "id")
        assert SECRET_FLEET not in {(row["nation"], row["weapon_system"]) for row in fleets}
        assert client.get(f"/fleets/{api.secret_fleet}").status_code == 404
        assert "1320-13-779-9249" not in _codes(_all(client, "items"))  # releasable to N01
    with api.client("n01-desk") as client:
        item = next(row for row in _all(client, "items") if row["code"] == "1320-13-779-9249")
        categories = item["label"]["categories"]
        assert categories[0]["values"] == ["N01"]
    with api.client("n00-desk") as client:
        assert client.get(f"/items/{item['id']}").status_code == 404
