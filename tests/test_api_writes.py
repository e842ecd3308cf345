"""Writing the record over HTTP on a real server: nation-owned, supplier-owned and agency
resources (create, ETag, If-Match, delete), ownership, validation, audit; and the
alliance-wide demand aggregates with small cells suppressed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import load_scenario
from alliedforge.store.engine import create_db_engine

from live_api import DESKS, TEST_URL_ENV, add_people, fresh_database, serve
from shared_data import GOLDEN

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_URL_ENV) else [])
STALE = '"999"'
# Demand for the aggregates: family AGG on WS-AGG; 2030 has three nations, 2031 one.
AGGREGATE_DEMAND = (
    ("N00", 2030, 100.0),
    ("N01", 2030, 200.0),
    ("N02", 2030, 300.0),
    ("N00", 2031, 50.0),
)


@dataclass(frozen=True)
class Service:
    base: str
    url: str
    tokens: dict[str, str]  # user name → API token

    def client(self, user: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=30)


def _add_aggregate_demand(session: Session) -> None:
    """A weapon system firing one item of family AGG, and requirements of three nations."""
    weapon_system = db.WeaponSystem(code="WS-AGG", name="Aggregated", calibre="155mm")
    item = db.Item(name="Aggregated round", family="AGG")
    item.code = "AGG-ROUND"
    session.add_all([weapon_system, item])
    session.flush()
    session.add(db.Qualification(item_id=item.id, weapon_system_id=weapon_system.id))
    nations = dict(session.execute(select(db.Nation.code, db.Nation.id)).all())
    for number, (nation, year, quantity) in enumerate(AGGREGATE_DEMAND):
        session.add(
            db.Requirement(
                code=f"AGG-{number}",
                nation_id=nations[nation],
                weapon_system_id=weapon_system.id,
                quantity=quantity,
                due=f"{year}-06",
                priority=1,
            )
        )


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    scenario = load_scenario(GOLDEN / "tiny")
    folder: Path = tmp_path_factory.mktemp("writes-api")
    with fresh_database(request.param, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, scenario)
            _add_aggregate_demand(session)
            tokens = add_people(session, DESKS)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Service(base, url, tokens)


def _lifecycle(
    api: Service,
    user: str,
    resource: str,
    new: dict[str, Any],
    change: dict[str, Any],
) -> dict[str, Any]:
    """Create → get (ETag) → stale patch 412 → patch → stale delete 412 → delete → 404;
    returns the row as last read, before the delete."""
    with api.client(user) as client:
        made = client.post(f"/{resource}", json=new)
        assert made.status_code == 201, made.text
        row = made.json()
        location = made.headers["Location"]
        assert location.endswith(f"/api/v1/{resource}/{row['id']}")
        assert made.headers["ETag"] == f'"{row["version"]}"'
        got = client.get(location)
        assert got.status_code == 200
        assert got.json() == row
        etag = got.headers["ETag"]
        assert client.patch(location, json=change).status_code == 428
        stale = client.patch(location, json=change, headers={"If-Match": STALE})
        assert stale.status_code == 412, stale.text
        changed = client.patch(location, json=change, headers={"If-Match": etag})
        assert changed.status_code == 200, changed.text
        updated: dict[str, Any] = changed.json()
        assert updated["version"] == row["version"] + 1
        assert changed.headers["ETag"] == f'"{updated["version"]}"'
        for field, value in change.items():
            if field != "label":
                assert updated[field] == value, field
        assert client.delete(location, headers={"If-Match": etag}).status_code == 412
        gone = client.delete(location, headers={"If-Match": changed.headers["ETag"]})
        assert gone.status_code == 204, gone.text
        assert client.get(location).status_code == 404
        return updated


def _audited(api: Service, entity: str, entity_id: int) -> list[str]:
    """The actions the audit log holds on one row, oldest first (ids are never reused)."""
    engine = create_db_engine(api.url)
    try:
        with Session(engine) as session:
            query = (
                select(AuditEntry.action)
                .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
                .order_by(AuditEntry.id)
            )
            return list(session.scalars(query))
    finally:
        engine.dispose()


def _invalid_field(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    return {str(error["loc"][-1]) for error in response.json()["detail"]}


def _rows(client: httpx.Client, resource: str, **params: str | int) -> list[dict[str, Any]]:
    response = client.get(f"/{resource}", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


# Nation-owned: budgets, stockpiles, fleets.


@pytest.mark.parametrize("user", ["n00-desk", "agency"])
def test_budget_lifecycle_is_audited(api: Service, user: str) -> None:
    year = 2040 if user == "agency" else 2041
    new: dict[str, Any] = {"year": year, "amount": 1e6}
    if user == "agency":
        new["nation"] = "N00"
    row = _lifecycle(api, user, "budgets", new, {"amount": 2e6})
    assert row["nation"] == "N00"
    assert _audited(api, "budget", row["id"]) == ["create", "update", "delete"]


def test_stockpile_and_fleet_lifecycles(api: Service) -> None:
    stockpile = _lifecycle(
        api,
        "n01-desk",
        "stockpiles",
        {"weapon_system": "WS2", "on_hand": 10, "target": 500, "due": "2029-01"},
        {"target": 800, "due": "2029-06"},
    )
    assert (stockpile["nation"], stockpile["weapon_system"]) == ("N01", "WS2")
    fleet = _lifecycle(
        api,
        "n00-desk",
        "fleets",
        {"weapon_system": "WS1", "quantity": 12},
        {"quantity": 14},
    )
    assert fleet["nation"] == "N00"
    assert _audited(api, "fleet", fleet["id"]) == ["create", "update", "delete"]


def test_a_nation_writes_its_own_rows_only(api: Service) -> None:
    with api.client("agency") as agency:
        foreign = next(row for row in _rows(agency, "budgets") if row["nation"] == "N02")
    with api.client("n00-desk") as client:
        response = client.post("/budgets", json={"nation": "N02", "year": 2042, "amount": 1})
        assert response.status_code == 403
        location = f"/budgets/{foreign['id']}"
        etag = f'"{foreign["version"]}"'
        patched = client.patch(location, json={"amount": 1}, headers={"If-Match": etag})
        assert patched.status_code == 404
        assert client.delete(location, headers={"If-Match": etag}).status_code == 404
    with api.client("agency") as agency:
        assert agency.get(location).json() == foreign


def _refused(user: str) -> int:
    """An auditor sees the row it may not change (403); a supplier or a nation does not
    even see another owner's row (404)."""
    return 403 if user == "auditor" else 404


@pytest.mark.parametrize("user", ["s000-desk", "auditor"])
def test_suppliers_and_auditors_cannot_write_nation_rows(api: Service, user: str) -> None:
    with api.client(user) as client:
        for resource, body in (
            ("budgets", {"nation": "N00", "year": 2043, "amount": 1}),
            ("stockpiles", {"nation": "N00", "weapon_system": "WS0", "on_hand": 0,
                            "target": 1, "due": "2030-01"}),
            ("fleets", {"nation": "N00", "weapon_system": "WS2"}),
        ):  # fmt: skip
            assert client.post(f"/{resource}", json=body).status_code == 403, resource
            patched = client.patch(f"/{resource}/1", json={}, headers={"If-Match": '"1"'})
            assert patched.status_code == _refused(user), resource


def test_nation_rows_validate_and_name_the_field(api: Service) -> None:
    with api.client("n00-desk") as client:
        assert _invalid_field(client.post("/budgets", json={"year": 2027, "amount": 1})) == {
            "year"  # N00 has a 2027 budget already: only its own can clash
        }
        assert _invalid_field(client.post("/budgets", json={"year": 2044, "amount": -1})) == {
            "amount"
        }
        bad_month = {"weapon_system": "WS0", "on_hand": 0, "target": 1, "due": "2030-13"}
        assert _invalid_field(client.post("/stockpiles", json=bad_month)) == {"due"}
        no_system = {"weapon_system": "WS9", "on_hand": 0, "target": 1, "due": "2030-01"}
        assert _invalid_field(client.post("/stockpiles", json=no_system)) == {"weapon_system"}
        assert _invalid_field(client.post("/fleets", json={"weapon_system": "WS0"})) == {
            "weapon_system"  # N00 has a WS0 fleet
        }
    with api.client("agency") as agency:
        assert _invalid_field(agency.post("/budgets", json={"year": 2045, "amount": 1})) == {
            "nation"
        }


# Supplier-owned: lines, prices.


def test_line_and_price_lifecycles(api: Service) -> None:
    line = _lifecycle(
        api,
        "s000-desk",
        "lines",
        {
            "code": "S000X-NEW",
            "item": "1320106954190",
            "capacity_per_month": 300,
            "state": "new",
            "lead_months": 4,
            "opening_cost": 1e6,
            "earliest_decision": "2027-05",
        },
        {"capacity_per_month": 350, "state": "dormant", "lead_months": None},
    )
    assert (line["supplier"], line["item"]) == ("S000X", "1320-10-695-4190")
    assert _audited(api, "line", line["id"]) == ["create", "update", "delete"]
    price = _lifecycle(
        api,
        "agency",
        "prices",
        {"supplier": "S001X", "item": "1320-10-695-4190", "min_quantity": 5000,
         "unit_price": 4000},
        {"unit_price": 3900},
    )  # fmt: skip
    assert price["supplier"] == "S001X"


def test_a_supplier_writes_its_own_rows_only(api: Service) -> None:
    with api.client("agency") as agency:
        foreign = next(row for row in _rows(agency, "lines") if row["supplier"] == "S001X")
    with api.client("s000-desk") as client:
        location = f"/lines/{foreign['id']}"
        etag = f'"{foreign["version"]}"'
        patched = client.patch(location, json={"capacity_per_month": 1}, headers={"If-Match": etag})
        assert patched.status_code == 404
        assert client.delete(location, headers={"If-Match": etag}).status_code == 404
        other = {"supplier": "S001X", "item": "1320-10-695-4190", "unit_price": 1}
        assert client.post("/prices", json=other).status_code == 403
        # Another supplier's namespace, even for a code nobody uses: nothing to learn.
        for code in ("L001", "S001X-ANY"):
            body = {"code": code, "item": "1320-10-695-4190", "capacity_per_month": 1,
                    "state": "new"}  # fmt: skip
            assert _invalid_field(client.post("/lines", json=body)) == {"code"}
    with api.client("agency") as agency:
        assert agency.get(location).json() == foreign


@pytest.mark.parametrize("user", ["n00-desk", "auditor"])
def test_nations_and_auditors_cannot_write_supplier_rows(api: Service, user: str) -> None:
    with api.client(user) as client:
        body = {"supplier": "S000X", "item": "1320-10-695-4190", "unit_price": 1}
        assert client.post("/prices", json=body).status_code == 403
        patched = client.patch("/lines/1", json={}, headers={"If-Match": '"1"'})
        assert patched.status_code == _refused(user)


def test_supplier_rows_validate_and_name_the_field(api: Service) -> None:
    base = {"code": "S000X-BAD", "item": "1320-10-695-4190", "capacity_per_month": 1,
            "state": "active"}  # fmt: skip
    with api.client("s000-desk") as client:
        for field, value in (
            ("state", "closed"),
            ("earliest_decision", "2027-1"),
            ("capacity_per_month", -5),
            ("opening_cost", "Infinity"),
            ("item", "9999-99-999-9999"),
        ):
            assert _invalid_field(client.post("/lines", json={**base, field: value})) == {field}
        prices = _rows(client, "prices")
        tier = {"item": prices[0]["item"], "min_quantity": prices[0]["min_quantity"],
                "unit_price": 1}  # fmt: skip
        assert _invalid_field(client.post("/prices", json=tier)) == {"min_quantity"}


def test_a_line_with_commitments_cannot_be_deleted(api: Service) -> None:
    with api.client("agency") as agency:
        line = next(row for row in _rows(agency, "lines") if row["code"] == "L001")
        commitment = agency.post(
            "/commitments",
            json={"code": "C-W1", "line": "L001", "nation": "N01", "requirement": "R000",
                  "month": "2027-05", "quantity": 10, "unit_price": 4600},
        )  # fmt: skip
        assert commitment.status_code == 201, commitment.text
        refused = agency.delete(
            f"/lines/{line['id']}", headers={"If-Match": f'"{line["version"]}"'}
        )
        assert refused.status_code == 422, refused.text
        assert "referred to" in refused.text
        assert agency.get(f"/lines/{line['id']}").status_code == 200
        gone = agency.delete(
            f"/commitments/{commitment.json()['id']}",
            headers={"If-Match": commitment.headers["ETag"]},
        )
        assert gone.status_code == 204


def test_supplier_profile_by_its_own_users_and_the_agency(api: Service) -> None:
    with api.client("s000-desk") as client:
        suppliers = {row["code"]: row for row in _rows(client, "suppliers")}
        own, other = suppliers["S000X"], suppliers["S001X"]
        change = {
            "description": "Shells",
            "contacts": {"email": "sales@example.org"},
            "track_record": {"contracts": 12},
        }
        updated = client.patch(
            f"/suppliers/{own['id']}", json=change, headers={"If-Match": f'"{own["version"]}"'}
        )
        assert updated.status_code == 200, updated.text
        body = updated.json()
        assert (body["description"], body["contacts"]["email"]) == ("Shells", "sales@example.org")
        assert body["track_record"]["contracts"] == 12
        assert body["name"] == own["name"]
        other_etag = {"If-Match": f'"{other["version"]}"'}
        assert (
            client.patch(f"/suppliers/{other['id']}", json=change, headers=other_etag).status_code
            == 403
        )
    with api.client("n00-desk") as client:
        assert (
            client.patch(f"/suppliers/{own['id']}", json=change, headers=other_etag).status_code
            == 403
        )
    with api.client("agency") as agency:
        cleared = agency.patch(
            f"/suppliers/{own['id']}",
            json={"description": None},
            headers={"If-Match": updated.headers["ETag"]},
        )
        assert cleared.status_code == 200
        assert cleared.json()["description"] is None
    assert _audited(api, "supplier", own["id"])[-2:] == ["update", "update"]


# Agency-only: the catalogue and commitments.


def test_catalogue_lifecycles(api: Service) -> None:
    system = _lifecycle(
        api, "agency", "weapon-systems", {"code": "WS-NEW", "name": "New"}, {"calibre": "120mm"}
    )
    assert _audited(api, "weapon system", system["id"]) == ["create", "update", "delete"]
    item = _lifecycle(
        api,
        "agency",
        "items",
        {"code": "1320990000001", "name": "Round X", "family": "155mm-HE"},
        {"stanag": "4425"},
    )
    assert (item["code"], item["supply_class"]) == ("1320-99-000-0001", "1320")
    other = _lifecycle(
        api, "agency", "items", {"code": "MORTAR-81", "name": "M", "family": "81mm"}, {"name": "N"}
    )
    assert other["supply_class"] is None
    _lifecycle(api, "agency", "components", {"code": "FUZE-9", "name": "Fuze"}, {"name": "Fz"})
    qualification = _lifecycle(
        api,
        "agency",
        "qualifications",
        {"item": "1320-12-578-1794", "weapon_system": "WS1", "status": "in_progress",
         "month": "2028-01", "evidence": "trials"},
        {"status": "qualified", "month": None},
    )  # fmt: skip
    assert qualification["evidence"] == "trials"


def test_commitment_lifecycle(api: Service) -> None:
    with api.client("agency") as agency:
        stockpile = next(row for row in _rows(agency, "stockpiles") if row["nation"] == "N00")
    row = _lifecycle(
        api,
        "agency",
        "commitments",
        {"code": "C-W2", "line": "L001", "nation": "N00", "stockpile": stockpile["id"],
         "month": "2027-08", "quantity": 20, "unit_price": 4600},
        {"quantity": 25},
    )  # fmt: skip
    assert (row["nation"], row["stockpile"], row["requirement"]) == ("N00", stockpile["id"], None)


@pytest.mark.parametrize("user", ["n00-desk", "s000-desk", "auditor"])
def test_only_the_agency_writes_the_catalogue(api: Service, user: str) -> None:
    with api.client(user) as client:
        for resource, body in (
            ("weapon-systems", {"code": "WS-X", "name": "X"}),
            ("items", {"code": "X-1", "name": "X", "family": "F"}),
            ("components", {"code": "C-X", "name": "X"}),
            ("qualifications", {"item": "1320-10-695-4190", "weapon_system": "WS0"}),
            ("commitments", {"code": "C-X", "line": "L001", "nation": "N00",
                             "requirement": "R000", "month": "2027-01", "quantity": 1,
                             "unit_price": 1}),
        ):  # fmt: skip
            assert client.post(f"/{resource}", json=body).status_code == 403, resource
            # 403 on a row the caller sees (the catalogue), 404 on one it does not.
            seen = client.get(f"/{resource}/1").status_code == 200
            patched = client.patch(f"/{resource}/1", json={}, headers={"If-Match": '"1"'})
            assert patched.status_code == (403 if seen else 404), resource


def test_catalogue_writes_validate_and_name_the_field(api: Service) -> None:
    with api.client("agency") as agency:
        duplicate = {"code": "1320-10-695-4190", "name": "Again", "family": "155mm-HE"}
        assert _invalid_field(agency.post("/items", json=duplicate)) == {"code"}
        same_nsn = {**duplicate, "code": "1320106954190"}
        assert _invalid_field(agency.post("/items", json=same_nsn)) == {"code"}
        assert _invalid_field(
            agency.post("/weapon-systems", json={"code": "WS0", "name": "x"})
        ) == {"code"}
        pair = {"item": "1320-11-652-6876", "weapon_system": "WS0"}
        assert _invalid_field(agency.post("/qualifications", json=pair)) == {"item"}
        status = {"item": "1320-10-695-4190", "weapon_system": "WS1", "status": "maybe"}
        assert _invalid_field(agency.post("/qualifications", json=status)) == {"status"}
        dormant = {"code": "C-X", "line": "L000", "nation": "N01", "requirement": "R000",
                   "month": "2027-01", "quantity": 1, "unit_price": 1}  # fmt: skip
        assert _invalid_field(agency.post("/commitments", json=dormant)) == {"line"}
        both = {**dormant, "line": "L001", "stockpile": 1}
        assert _invalid_field(agency.post("/commitments", json=both)) == {"requirement"}
        system = agency.get("/weapon-systems", params={"limit": 500}).json()["items"][0]
        refused = agency.delete(
            f"/weapon-systems/{system['id']}", headers={"If-Match": f'"{system["version"]}"'}
        )
        assert refused.status_code == 422  # requirements and fleets refer to it


# Aggregates.


def _cells(client: httpx.Client, **params: str | int) -> dict[tuple[str, int], dict[str, Any]]:
    response = client.get("/demand/aggregates", params=params)
    assert response.status_code == 200, response.text
    return {(cell["family"], cell["year"]): cell for cell in response.json()["cells"]}


def test_aggregates_suppress_small_cells_outside_the_agency(api: Service) -> None:
    with api.client("agency") as agency:
        cells = _cells(agency, family="AGG")
        assert cells[("AGG", 2030)] == {"family": "AGG", "year": 2030, "quantity": 600,
                                        "nations": 3}  # fmt: skip
        assert cells[("AGG", 2031)]["nations"] == 1
        assert set(_cells(agency, family="AGG", year=2031)) == {("AGG", 2031)}
        assert ("155mm-HE", 2027) in _cells(agency)  # N01's WS0 demand, one nation
    for user in ("n00-desk", "s000-desk"):
        with api.client(user) as client:
            cells = _cells(client)
            assert set(cells) == {("AGG", 2030)}, user
            assert cells[("AGG", 2030)]["quantity"] == 600
            assert _cells(client, year=2031) == {}
