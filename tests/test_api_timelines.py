"""`GET /api/v1/timelines` on a live server (both backends, as the service role behind
row-level security on PostgreSQL): the record's procurements scoped per caller, the stage
statistics in months, the historical file added on request."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from alliedforge.analysis.timelines import DAYS_PER_MONTH, STAGES
from alliedforge.store.engine import create_db_engine

from contracting_world import APPROVED_ON, PEOPLE, STAMPED, backdate, build_world, small
from live_api import add_people, fresh_database, serve
from web_site import BACKENDS

JOINT = "LOT-0002-T1"


@dataclass(frozen=True)
class Service:
    api: str
    tokens: dict[str, str]

    def get(self, user: str | None, query: str = "") -> httpx.Response:
        headers = {} if user is None else {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.get(f"{self.api}/timelines{query}", headers=headers, timeout=60)

    def ok(self, user: str, query: str = "") -> dict[str, Any]:
        response = self.get(user, query)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    with fresh_database(request.param, tmp_path_factory.mktemp("api-timelines")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            world = build_world(session, small())
            backdate(session, world)
            tokens = add_people(session, PEOPLE)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Service(f"{base}/api/v1", tokens)


def _codes(body: dict[str, Any]) -> set[str]:
    return {p["code"] for p in body["procurements"]}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("n01-desk", {f"{JOINT}/N01"}),
        ("s001-desk", {f"{JOINT}/{n}" for n in ("N00", "N01", "N02", "N04")}),
        ("s002-desk", set()),
    ],
)
def test_each_caller_gets_the_analysis_of_its_own_procurements(
    service: Service, user: str, expected: set[str]
) -> None:
    body = service.ok(user)
    assert _codes(body) == expected
    assert (body["record"], body["history"]) == (len(expected), 0)
    assert body["analysis"]["overall"]["procurements"] == len(expected)
    assert {g["group"] for g in body["analysis"]["nations"]} == {
        code.split("/")[1] for code in expected
    }


def test_staff_get_every_procurement_of_the_record(service: Service) -> None:
    body = service.ok("auditor")
    assert f"{JOINT}/N01" in _codes(body)
    assert "FW-DIRECT/N03/155mm-HE" in _codes(body)
    assert not any(code.startswith("LOT-0003") for code in _codes(body))  # cancelled


def test_the_stage_statistics_are_in_months(service: Service) -> None:
    overall = service.ok("n01-desk")["analysis"]["overall"]
    stages = {s["stage"]: s for s in overall["stages"]}
    assert list(stages) == [stage.value for stage in STAGES]
    published = STAMPED[("tender", "joint_tender", "published_at")]
    preparation = (published - APPROVED_ON["R008"]).days / DAYS_PER_MONTH
    assert stages["preparation"]["durations"]["median"] == pytest.approx(preparation)
    assert stages["delivery"]["durations"]["count"] == 1
    assert sum(s["share"] for s in stages.values()) == pytest.approx(1.0)
    assert overall["bottleneck"] == "lead_time"


def test_the_historical_file_is_added_when_asked(service: Service) -> None:
    staff = service.ok("auditor", "?history=true")
    alone = service.ok("auditor")
    assert staff["history"] == 60
    assert staff["record"] == alone["record"]
    assert len(staff["procurements"]) == alone["record"] + 60
    assert service.ok("n01-desk", "?history=true")["history"] == 0  # no N01 in the file
    assert service.ok("s001-desk", "?history=true")["history"] == 0  # suppliers: none


def test_bad_requests_are_refused(service: Service) -> None:
    assert service.get(None).status_code == 401
    assert service.get("auditor", "?history=maybe").status_code == 422
