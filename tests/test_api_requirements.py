"""The requirements API over HTTP on a real server: auth, scoping, ETags, workflow, errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Role
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import load_scenario
from alliedforge.store.engine import create_db_engine

from live_api import PASSWORD, TEST_URL_ENV, Person, add_people, fresh_database, serve
from shared_data import GOLDEN

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_URL_ENV) else [])


@dataclass(frozen=True)
class Service:
    base: str
    tokens: dict[str, str]  # user name → API token
    nations: tuple[str, str]
    weapon_system: str

    def client(self, user: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=30)


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    scenario = load_scenario(GOLDEN / "tiny")
    own, other = scenario.nations[0].code, scenario.nations[1].code
    folder: Path = tmp_path_factory.mktemp("api")
    with fresh_database(request.param, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, scenario)
            tokens = add_people(
                session,
                [
                    Person("own-desk", Role.NATION, nation=own),
                    Person("other-desk", Role.NATION, nation=other),
                    Person("agency", Role.PLANNER, nationality=own),
                    Person("auditor", Role.AUDITOR, nationality=own),
                ],
            )
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Service(base, tokens, (own, other), scenario.weapon_systems[0].code)


def _draft(api: Service, code: str, **extra: object) -> dict[str, object]:
    return {
        "code": code,
        "weapon_system": api.weapon_system,
        "quantity": 100,
        "due": "2027-06",
        "priority": 2,
        **extra,
    }


def test_no_credentials_is_401(api: Service) -> None:
    with api.client() as client:
        assert client.get("/requirements").status_code == 401
        bad = client.get("/requirements", headers={"Authorization": "Bearer afg_nope"})
        assert bad.status_code == 401


def test_create_read_update_with_etags(api: Service) -> None:
    with api.client("own-desk") as client:
        created = client.post("/requirements", json=_draft(api, "API-1"))
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["nation"], body["status"], body["label"]["policy_identifier"]) == (
            api.nations[0],
            "draft",
            "NATO",
        )
        location = created.headers["Location"]
        fetched = client.get(location)
        assert fetched.status_code == 200
        tag = fetched.headers["ETag"]
        assert client.patch(location, json={"quantity": 120}).status_code == 428
        changed = client.patch(location, json={"quantity": 120}, headers={"If-Match": tag})
        assert changed.status_code == 200
        assert changed.headers["ETag"] != tag
        stale = client.patch(location, json={"quantity": 130}, headers={"If-Match": tag})
        assert stale.status_code == 412
        assert client.get(location).json()["quantity"] == 120


def test_another_nation_gets_404_and_does_not_list_it(api: Service) -> None:
    with api.client("own-desk") as client:
        created = client.post("/requirements", json=_draft(api, "API-2")).json()
    with api.client("other-desk") as client:
        assert client.get(f"/requirements/{created['id']}").status_code == 404
        tag = {"If-Match": f'"{created["version"]}"'}
        assert (
            client.patch(
                f"/requirements/{created['id']}", json={"quantity": 1}, headers=tag
            ).status_code
            == 404
        )
        ids = {
            row["id"] for row in client.get("/requirements", params={"limit": 500}).json()["items"]
        }
        assert created["id"] not in ids
        same_code = client.post("/requirements", json=_draft(api, "API-2"))
        assert same_code.status_code == 201  # codes are per nation: no hint the code is used


def test_workflow_over_http(api: Service) -> None:
    with api.client("own-desk") as desk, api.client("agency") as agency:
        draft = desk.post("/requirements", json=_draft(api, "API-3")).json()
        url = f"/requirements/{draft['id']}"
        submitted = desk.post(f"{url}/submit", headers={"If-Match": f'"{draft["version"]}"'})
        assert submitted.json()["status"] == "submitted"
        tag = {"If-Match": submitted.headers["ETag"]}
        assert desk.post(f"{url}/approve", headers=tag).status_code == 403
        assert agency.post(f"{url}/reject", json={"reason": ""}, headers=tag).status_code == 422
        approved = agency.post(f"{url}/approve", headers=tag)
        assert (approved.status_code, approved.json()["status"]) == (200, "approved")


def test_bad_input_is_422_naming_the_field(api: Service) -> None:
    with api.client("own-desk") as client:
        negative = client.post("/requirements", json=_draft(api, "API-4", quantity=-1))
        assert negative.status_code == 422
        assert negative.json()["detail"][0]["loc"][-1] == "quantity"
        month = client.post("/requirements", json=_draft(api, "API-4", due="2027-13"))
        assert (month.status_code, month.json()["detail"][0]["loc"][-1]) == (422, "due")
        unknown = client.post("/requirements", json=_draft(api, "API-4", weapon_system="NOPE"))
        assert (unknown.status_code, unknown.json()["detail"][0]["loc"][-1]) == (
            422,
            "weapon_system",
        )


def test_auditor_reads_but_cannot_write(api: Service) -> None:
    with api.client("auditor") as client:
        assert client.get("/requirements").status_code == 200
        refused = client.post("/requirements", json=_draft(api, "API-5", nation=api.nations[0]))
        assert refused.status_code == 403


def test_openapi_and_offline_docs(api: Service) -> None:
    with httpx.Client(base_url=api.base) as client:
        schema = client.get("/api/v1/openapi.json").json()
        assert "/api/v1/requirements" in schema["paths"]
        page = client.get("/api/docs").text
        assert "/api/docs-assets/swagger-ui-bundle.js" in page
        assert "cdn" not in page.lower()
        assert client.get("/api/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_auditors_read_the_chained_log_nations_do_not(api: Service) -> None:
    with api.client("own-desk") as desk:
        created = desk.post("/requirements", json=_draft(api, "API-6")).json()
        assert desk.get("/audit").status_code == 403
    with api.client("auditor") as auditor:
        entries = auditor.get("/audit", params={"entity": "requirement", "limit": 500}).json()
        mine = [e for e in entries["items"] if e["entity_id"] == created["id"]]
        assert [(e["action"], e["actor"]) for e in mine] == [("create", "own-desk")]
        assert mine[0]["after"]["code"] == "API-6"
        assert auditor.get("/audit/verify").json()["intact"] is True


def test_sign_in_cookie_sign_out_and_the_login_rate_limit(api: Service) -> None:
    with api.client() as client:
        signed_in = client.post("/auth/login", json={"name": "agency", "password": PASSWORD})
        assert signed_in.status_code == 200
        assert signed_in.json()["role"] == "planner"
        assert client.get("/me").json()["name"] == "agency"  # the session cookie
        assert client.post("/auth/logout").status_code == 204
        assert client.get("/me").status_code == 401
    with api.client() as client:
        wrong = {"name": "auditor", "password": "not the password"}
        statuses = [client.post("/auth/login", json=wrong).status_code for _ in range(5)]
        assert statuses == [401] * 5
        limited = client.post("/auth/login", json={"name": "auditor", "password": PASSWORD})
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) > 0


def test_a_revoked_token_stops_working_at_once(api: Service) -> None:
    with api.client("own-desk") as client:
        created = client.post("/tokens", json={"name": "short-lived", "days": 1})
        assert created.status_code == 201
        fresh = created.json()
        headers = {"Authorization": f"Bearer {fresh['token']}"}
        assert client.get("/me", headers=headers).status_code == 200
        assert fresh["token"] not in client.get("/tokens").text  # never listed again
        assert client.delete(f"/tokens/{fresh['id']}").status_code == 204
        assert client.get("/me", headers=headers).status_code == 401
