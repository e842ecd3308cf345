"""The plans and scenario-upload API over HTTP on a real server: upload, solve, follow, read."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Role
from alliedforge.scenario import load_scenario, write_scenario
from alliedforge.store.engine import create_db_engine

from live_api import TEST_URL_ENV, Person, add_people, fresh_database, serve
from shared_data import GOLDEN

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_URL_ENV) else [])
TINY = GOLDEN / "tiny"


@dataclass(frozen=True)
class Service:
    base: str
    tokens: dict[str, str]  # user name → API token
    nation: str
    supplier: str
    upload: dict[str, Any]  # the answer to the initial scenario upload

    def client(self, user: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=60)


def _zip(folder: Path, change: dict[str, str] | None = None, nest: str = "") -> bytes:
    """The CSV folder as zip bytes, some files' text replaced by `change`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.name == "expected.json":
                continue
            text = (change or {}).get(path.name, path.read_text())
            archive.writestr(f"{nest}{path.name}", text)
    return buffer.getvalue()


def _add_users(url: str, people: list[Person]) -> dict[str, str]:
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            tokens = add_people(session, people)
            session.commit()
    finally:
        engine.dispose()
    return tokens


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """A server over a database that holds only the agency's user until the planner
    uploads the tiny scenario; nation and supplier users are added after."""
    scenario = load_scenario(TINY)
    nation, supplier = scenario.nations[0].code, scenario.suppliers[0].code
    folder: Path = tmp_path_factory.mktemp("plans")
    with fresh_database(request.param, folder) as url:
        tokens = _add_users(url, [Person("agency", Role.PLANNER)])
        with serve(url) as base:
            headers = {"Authorization": f"Bearer {tokens['agency']}"}
            answer = httpx.post(
                f"{base}/api/v1/scenario",
                headers=headers,
                files={"file": ("tiny.zip", _zip(TINY, nest="tiny/"), "application/zip")},
                timeout=60,
            )
            assert answer.status_code == 200, answer.text
            tokens |= _add_users(
                url,
                [
                    Person("desk", Role.NATION, nation=nation),
                    Person("maker", Role.SUPPLIER, supplier=supplier),
                    Person("auditor", Role.AUDITOR),
                ],
            )
            yield Service(base, tokens, nation, supplier, answer.json())


@pytest.fixture(scope="module")
def done_run(api: Service) -> dict[str, Any]:
    """A joint plan of the tiny scenario, started by the planner and polled until done."""
    with api.client("agency") as client:
        started = client.post("/plans", json={"mode": "joint", "time_limit": 60, "gap": 0})
        assert started.status_code == 202, started.text
        run: dict[str, Any] = started.json()
        assert run["status"] == "running"
        assert started.headers["location"].endswith(f"/api/v1/plans/{run['id']}")
        deadline = time.monotonic() + 120
        while run["status"] == "running":
            assert time.monotonic() < deadline, "the plan run did not finish"
            time.sleep(0.1)
            run = client.get(started.headers["location"]).json()
    assert run["status"] == "done", run
    return run


def test_upload_creates_every_table(api: Service) -> None:
    tables = api.upload["tables"]
    assert api.upload["changed"] is True
    assert tables["nations"]["created"] == len(load_scenario(TINY).nations)
    assert all(counts["updated"] == 0 for counts in tables.values())


def test_reupload_changes_nothing(api: Service) -> None:
    with api.client("agency") as client:
        answer = client.post(
            "/scenario", files={"file": ("tiny.zip", _zip(TINY), "application/zip")}
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] is False


def test_bad_upload_names_table_and_row(api: Service) -> None:
    text = (TINY / "requirements.csv").read_text().replace("R000,N01,WS0,1000", "R000,N01,WS0,many")
    with api.client("agency") as client:
        answer = client.post(
            "/scenario",
            files={"file": ("bad.zip", _zip(TINY, {"requirements.csv": text}), "application/zip")},
        )
    assert answer.status_code == 422, answer.text
    problems = answer.json()["detail"]
    assert any(
        p["table"] == "requirements" and p["row"] == 2 and p["value"] == "many" for p in problems
    ), problems


def test_zip_slip_is_refused(api: Service) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.csv", "x\n")
    with api.client("agency") as client:
        answer = client.post(
            "/scenario", files={"file": ("evil.zip", buffer.getvalue(), "application/zip")}
        )
    assert answer.status_code == 422
    assert "../evil.csv" in answer.json()["detail"][0]["message"]


def test_oversized_upload_is_refused(api: Service) -> None:
    blob = b"\0" * (50 * 1024 * 1024 + 1)
    with api.client("agency") as client:
        answer = client.post("/scenario", files={"file": ("big.zip", blob, "application/zip")})
    assert answer.status_code == 413


def test_only_the_agency_plans_and_uploads(api: Service) -> None:
    for user in ("desk", "maker", "auditor"):
        with api.client(user) as client:
            assert client.post("/plans", json={"mode": "joint"}).status_code == 403
            files = {"file": ("tiny.zip", _zip(TINY), "application/zip")}
            assert client.post("/scenario", files=files).status_code == 403
    with api.client() as anonymous:
        assert anonymous.get("/plans").status_code == 401


def test_plan_objective_matches_golden(api: Service, done_run: dict[str, Any]) -> None:
    expected = json.loads((TINY / "expected.json").read_text())["joint"]
    assert done_run["objective"] == pytest.approx(expected, rel=1e-6)
    assert done_run["plan_status"] == "optimal"
    assert done_run["created_by"] == "agency"
    with api.client("desk") as client:
        runs = client.get("/plans").json()
    assert done_run["id"] in [run["id"] for run in runs["items"]]


def test_events_stream_ends_with_status(api: Service) -> None:
    with api.client("agency") as client:
        started = client.post("/plans", json={"mode": "national", "time_limit": 60})
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        events: list[dict[str, Any]] = []
        with client.stream("GET", f"/plans/{run_id}/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for line in stream.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
        assert events, "no events"
        assert events[-1]["status"] == "done", events
        assert events[-1]["run_id"] == run_id
        assert all(event["status"] == "running" for event in events[:-1])
        # The stream closes only once the run's row is stored.
        assert client.get(f"/plans/{run_id}").json()["status"] == "done"


def test_deliveries_are_scoped(api: Service, done_run: dict[str, Any]) -> None:
    path = f"/plans/{done_run['id']}/deliveries"
    with api.client("agency") as client:
        every = client.get(path, params={"limit": 500}).json()["items"]
    with api.client("desk") as client:
        own = client.get(path, params={"limit": 500}).json()["items"]
    with api.client("maker") as client:
        made = client.get(path, params={"limit": 500}).json()["items"]
    assert own
    assert len({row["nation"] for row in every}) > 1
    assert own == [row for row in every if row["nation"] == api.nation]
    assert made == [row for row in every if row["supplier"] == api.supplier]


def test_package_is_for_staff(api: Service, done_run: dict[str, Any]) -> None:
    path = f"/plans/{done_run['id']}/package"
    with api.client("auditor") as client:
        answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert "summary.json" in archive.namelist()
        summary = json.loads(archive.read("summary.json"))
    assert summary["objective"] == pytest.approx(done_run["objective"], rel=1e-9)
    with api.client("desk") as client:
        assert client.get(path).status_code == 403


def test_unknown_run_is_404(api: Service) -> None:
    with api.client("agency") as client:
        assert client.get("/plans/999999").status_code == 404
        assert client.get("/plans/999999/events").status_code == 404


def test_workbook_upload(api: Service, tmp_path: Path) -> None:
    workbook = tmp_path / "tiny.xlsx"
    write_scenario(load_scenario(TINY), workbook)
    with api.client("agency") as client:
        answer = client.post("/scenario", files={"file": ("tiny.xlsx", workbook.read_bytes())})
        broken = client.post("/scenario", files={"file": ("broken.xlsx", b"not a workbook")})
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] is False
    assert broken.status_code == 422, broken.text
