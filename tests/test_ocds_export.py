"""OCDS export of the record (both backends): a full contracting workflow on the small golden
scenario (`contracting_world`) exported as release and record packages valid against the
official OCDS 1.1.5 schemas (resolved locally); frameworks as the first stage of their
tender's process, call-offs linked to them; deliveries as milestones and payments; each
audience's export holding only what it may read; `forge ocds export` and the API."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alliedforge.cli.main import app
from alliedforge.contracting.ocds import EmptyExportError
from alliedforge.domain import models as db
from alliedforge.domain.access import repository as users
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.service import caller_of
from alliedforge.domain.procurement.ocds_export import (
    export_processes,
    ocds_prefix,
    records_of,
    releases_of,
)
from alliedforge.store.engine import DATABASE_URL_ENV, create_db_engine
from ocds_schema import RECORD_PACKAGE, RELEASE_PACKAGE, valid

from contracting_world import AGENCY, PEOPLE, World, build_world, small
from live_api import Person, add_people, fresh_database, serve
from web_site import BACKENDS

PREFIX = "ocds-afrg01"
PUBLISHED = datetime(2027, 10, 1, 12, tzinfo=UTC)
URI = "https://forge.example.org/api/v1/ocds/releases"
# A supplier that never bid nor won: it may read no process.
OUTSIDER = Person("s003-desk", PEOPLE[2].role, supplier="S003X")
runner = CliRunner(env={"COLUMNS": "200"})


@dataclass(frozen=True)
class Record:
    url: str
    world: World
    tokens: dict[str, str]


@pytest.fixture(scope="module", params=BACKENDS)
def record(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Record]:
    with fresh_database(request.param, tmp_path_factory.mktemp("ocds-export")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            world = build_world(session, small())
            tokens = add_people(session, (*PEOPLE, OUTSIDER))
            session.commit()
        engine.dispose()
        yield Record(url, world, tokens)


@pytest.fixture(scope="module")
def engine(record: Record) -> Iterator[Engine]:
    engine = create_db_engine(record.url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def _as(session: Session, name: str) -> Caller:
    user = users.user_by_name(session, name)
    assert user is not None
    return caller_of(session, user)


def _ocid(session: Session, model: Any, row_id: int) -> str:
    found = session.get(model, row_id)
    assert found is not None
    return str(found.ocid)


def _releases(session: Session, caller: Caller) -> dict[str, Any]:
    return releases_of(session, caller, PREFIX, PUBLISHED, URI)


def _compiled(session: Session, caller: Caller) -> dict[str, dict[str, Any]]:
    package = records_of(session, caller, PREFIX, PUBLISHED, URI)
    return {record["ocid"]: record["compiledRelease"] for record in package["records"]}


def _lot_units(session: Session, tender_id: int, nation: str | None) -> dict[str, float]:
    """Units per item code of the tender's lot lines (of one nation, or of all)."""
    tender = session.get(db.Tender, tender_id)
    assert tender is not None
    query = (
        select(db.LotLine, db.Item, db.Nation.code)
        .join(db.Item, db.LotLine.item_id == db.Item.id)
        .join(db.Nation, db.LotLine.nation_id == db.Nation.id)
        .where(db.LotLine.lot_id == tender.lot_id)
    )
    units: dict[str, float] = defaultdict(float)
    for line, item, code in session.execute(query):
        if nation is None or code == nation:
            units[item.code] += line.quantity
    return dict(units)


def _served(session: Session, tender_id: int, nation: str) -> list[str]:
    """Codes of the requirements the nation's lines of the tender's lot serve, in line order."""
    tender = session.get(db.Tender, tender_id)
    assert tender is not None
    query = (
        select(db.Requirement.code)
        .join(db.LotLine, db.LotLine.requirement_id == db.Requirement.id)
        .join(db.Nation, db.LotLine.nation_id == db.Nation.id)
        .where(db.LotLine.lot_id == tender.lot_id, db.Nation.code == nation)
        .order_by(db.LotLine.id)
    )
    return list(dict.fromkeys(session.scalars(query)))


def test_the_whole_record_exports_as_valid_release_and_record_packages(
    session: Session, record: Record
) -> None:
    operator = Caller.operator()
    releases = _releases(session, operator)
    records = records_of(session, operator, PREFIX, PUBLISHED, URI)
    valid(RELEASE_PACKAGE, releases)
    valid(RECORD_PACKAGE, records)
    world = record.world
    expected = {
        _ocid(session, db.Tender, world.joint_tender),
        _ocid(session, db.Tender, world.open_tender),
        _ocid(session, db.Tender, world.cancelled_tender),
        _ocid(session, db.Framework, world.direct_framework),
        *(_ocid(session, db.CallOff, call_off) for call_off in world.call_offs.values()),
    }
    assert {r["ocid"] for r in records["records"]} == expected
    assert {r["ocid"] for r in releases["releases"]} == expected
    assert releases["extensions"]  # frameworks use the techniques extension


def test_a_framework_is_the_first_stage_of_its_tender_and_call_offs_link_to_it(
    session: Session, record: Record
) -> None:
    world = record.world
    compiled = _compiled(session, Caller.operator())
    tender_ocid = _ocid(session, db.Tender, world.joint_tender)
    assert _ocid(session, db.Framework, world.joint_framework) == tender_ocid
    joint = compiled[tender_ocid]
    assert joint["tender"]["techniques"] == {"hasFrameworkAgreement": True}
    (agreement,) = joint["awards"]
    framework = session.get(db.Framework, world.joint_framework)
    assert framework is not None
    assert agreement["value"]["amount"] == pytest.approx(framework.ceiling_value)
    assert [s["id"] for s in agreement["suppliers"]] == ["supplier-S001X"]
    assert "contracts" not in joint
    direct_ocid = _ocid(session, db.Framework, world.direct_framework)
    for key, framework_ocid in (
        ("N01", tender_ocid),
        ("N02", tender_ocid),
        ("N03", direct_ocid),
    ):
        call_off = compiled[_ocid(session, db.CallOff, world.call_offs[key])]
        assert call_off["relatedProcesses"] == [
            {
                "id": "framework",
                "relationship": ["framework"],
                "scheme": "ocid",
                "identifier": framework_ocid,
            }
        ]
    assert "relatedProcesses" not in joint
    assert compiled[tender_ocid]["tender"]["numberOfTenderers"] == 2
    cancelled = compiled[_ocid(session, db.Tender, world.cancelled_tender)]
    assert cancelled["tender"]["status"] == "cancelled"
    open_tender = compiled[_ocid(session, db.Tender, world.open_tender)]
    assert (open_tender["tender"]["status"], "awards" in open_tender) == ("active", False)


def test_deliveries_are_milestones_and_accepted_units_are_paid(
    session: Session, record: Record
) -> None:
    call_off_id = record.world.call_offs["N01"]
    call_off = session.get(db.CallOff, call_off_id)
    assert call_off is not None
    compiled = _compiled(session, Caller.operator())
    (contract,) = compiled[call_off.ocid]["contracts"]
    assert contract["status"] == "active"
    assert contract["value"]["amount"] == pytest.approx(call_off.value)
    implementation = contract["implementation"]
    # 400 of 600 accepted first (the call-off still short), then the last 200.
    assert [m["status"] for m in implementation["milestones"]] == ["partiallyMet", "met"]
    assert [m["dateMet"] for m in implementation["milestones"]] == [
        "2027-07-20T00:00:00Z",
        "2027-08-25T00:00:00Z",
    ]
    paid = [t["value"]["amount"] for t in implementation["transactions"]]
    assert paid == pytest.approx([400 * call_off.unit_price, 200 * call_off.unit_price])
    assert {t["payer"]["id"] for t in implementation["transactions"]} == {"nation-N01"}
    assert {t["payee"]["id"] for t in implementation["transactions"]} == {"supplier-S001X"}
    # N02's call-off: 250 of 300 accepted; the 50 still due are a scheduled delivery.
    short = session.get(db.CallOff, record.world.call_offs["N02"])
    assert short is not None
    (contract,) = compiled[short.ocid]["contracts"]
    milestones = contract["implementation"]["milestones"]
    assert [(m["status"], m.get("dateMet")) for m in milestones] == [
        ("partiallyMet", "2027-06-15T00:00:00Z"),
        ("scheduled", None),
    ]
    assert milestones[1]["description"] == "50 units of item 1320-16-136-9647"


def test_a_nation_exports_its_own_processes_parties_and_quantities_only(
    session: Session, record: Record
) -> None:
    n01 = _as(session, "n01-desk")
    package = _releases(session, n01)
    valid(RELEASE_PACKAGE, package)
    text = json.dumps(package)
    for other in ("N00", "N02", "N03", "N04"):
        assert f"nation-{other}" not in text
        assert f"Nation {other}" not in text
    world = record.world
    tender_ocid = _ocid(session, db.Tender, world.joint_tender)
    # Its own call-off; not the NATO SECRET one (above its clearance), nor other nations'.
    assert {r["ocid"] for r in package["releases"]} == {
        tender_ocid,
        _ocid(session, db.CallOff, world.call_offs["N01"]),
    }
    mine = _compiled(session, n01)[tender_ocid]
    own = _lot_units(session, world.joint_tender, "N01")
    assert {i["id"]: i["quantity"] for i in mine["tender"]["items"]} == pytest.approx(own)
    everyone = _compiled(session, AGENCY)[tender_ocid]
    every = _lot_units(session, world.joint_tender, None)
    assert {i["id"]: i["quantity"] for i in everyone["tender"]["items"]} == pytest.approx(every)
    assert sum(own.values()) < sum(every.values())
    served = _served(session, world.joint_tender, "N01")
    assert mine["planning"]["rationale"] == f"Serves the requirements {', '.join(served)}."
    assert "tenderers" not in mine["tender"]  # nations see no bids


def test_a_supplier_exports_its_own_bids_and_no_other_supplier(
    session: Session, record: Record
) -> None:
    package = _releases(session, _as(session, "s002-desk"))
    valid(RELEASE_PACKAGE, package)
    text = json.dumps(package)
    assert "supplier-S001X" not in text
    assert "Maker S001X" not in text
    assert {r["ocid"] for r in package["releases"]} == {
        _ocid(session, db.Tender, record.world.joint_tender)
    }
    (joint,) = _compiled(session, _as(session, "s002-desk")).values()
    assert [t["id"] for t in joint["tender"]["tenderers"]] == ["supplier-S002X"]
    assert "awards" not in joint  # the award went to another supplier
    assert "rationale" not in joint["planning"]  # suppliers see no requirements


def test_labels_leave_out_what_the_caller_may_not_read(session: Session, record: Record) -> None:
    world = record.world
    secret = _ocid(session, db.CallOff, world.call_offs["N01-secret"])
    n03_only = _ocid(session, db.CallOff, world.call_offs["N03"])
    exported = {p.ocid for p in export_processes(session, AGENCY, PREFIX)}
    assert secret in exported  # the agency is cleared NATO SECRET
    assert n03_only not in exported  # but it is no N03 national
    auditor = {p.ocid for p in export_processes(session, _as(session, "auditor"), PREFIX)}
    assert secret not in auditor
    assert n03_only not in auditor
    operator = {p.ocid for p in export_processes(session, Caller.operator(), PREFIX)}
    assert {secret, n03_only} <= operator


def test_the_ocid_prefix_is_the_deployments(session: Session) -> None:
    assert ocds_prefix({}) == "ocds-afrg01"
    own = ocds_prefix({"ALLIEDFORGE_OCDS_PREFIX": "ocds-zz9x1q"})
    processes = export_processes(session, Caller.operator(), own)
    assert processes
    assert all(p.ocid.startswith("ocds-zz9x1q-") for p in processes)
    links = {p.framework for p in processes if p.framework is not None}
    assert links
    assert all(link.startswith("ocds-zz9x1q-") for link in links)
    with pytest.raises(ValueError, match="ALLIEDFORGE_OCDS_PREFIX"):
        ocds_prefix({"ALLIEDFORGE_OCDS_PREFIX": "ocds-TOO-LONG"})


def test_an_audience_that_may_read_nothing_has_nothing_to_export(session: Session) -> None:
    with pytest.raises(EmptyExportError):
        _releases(session, _as(session, "s003-desk"))


# The command line


def test_the_cli_writes_valid_packages(record: Record, tmp_path: Path) -> None:
    env = {DATABASE_URL_ENV: record.url}
    result = runner.invoke(app, ["ocds", "export", "--out", str(tmp_path), "--records"], env=env)
    assert result.exit_code == 0, result.output
    releases = json.loads((tmp_path / "ocds-releases.json").read_text(encoding="utf-8"))
    records = json.loads((tmp_path / "ocds-records.json").read_text(encoding="utf-8"))
    valid(RELEASE_PACKAGE, releases)
    valid(RECORD_PACKAGE, records)
    assert len(records["records"]) == 8  # the operator exports every process
    assert releases["uri"] == (tmp_path / "ocds-releases.json").resolve().as_uri().replace(
        "file://", "file://localhost", 1
    )


def test_the_cli_exports_as_a_user_and_to_a_file(record: Record, tmp_path: Path) -> None:
    env = {DATABASE_URL_ENV: record.url}
    target = tmp_path / "n01.json"
    result = runner.invoke(
        app, ["ocds", "export", "--out", str(target), "--as", "n01-desk", "--records"], env=env
    )
    assert result.exit_code == 0, result.output
    releases = json.loads(target.read_text(encoding="utf-8"))
    valid(RELEASE_PACKAGE, releases)
    assert "nation-N02" not in json.dumps(releases)
    valid(RECORD_PACKAGE, json.loads((tmp_path / "n01-records.json").read_text("utf-8")))
    assert not (tmp_path / "ocds-releases.json").exists()


@pytest.mark.parametrize(
    ("user", "message"),
    [("nobody", "No such user: nobody"), ("s003-desk", "Nothing to export")],
)
def test_the_cli_refuses_with_one_line(
    record: Record, tmp_path: Path, user: str, message: str
) -> None:
    env = {DATABASE_URL_ENV: record.url}
    result = runner.invoke(app, ["ocds", "export", "--out", str(tmp_path), "--as", user], env=env)
    assert result.exit_code == 1
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


# The API


@pytest.fixture(scope="module")
def api(record: Record) -> Iterator[str]:
    with serve(record.url) as base:
        yield f"{base}/api/v1"


def _get(api: str, record: Record, user: str, path: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {record.tokens[user]}"}
    return httpx.get(f"{api}{path}", headers=headers, timeout=60)


def test_the_api_serves_the_callers_packages(api: str, record: Record) -> None:
    releases = _get(api, record, "agency", "/ocds/releases")
    assert releases.status_code == 200, releases.text
    valid(RELEASE_PACKAGE, releases.json())
    assert releases.json()["uri"] == f"{api}/ocds/releases"
    records = _get(api, record, "agency", "/ocds/records")
    assert records.status_code == 200, records.text
    valid(RECORD_PACKAGE, records.json())
    mine = _get(api, record, "s002-desk", "/ocds/records").json()
    assert [r["ocid"] for r in mine["records"]] == ["ocds-afrg01-LOT-0002-T1"]
    assert "supplier-S001X" not in json.dumps(mine)


def test_the_api_answers_409_when_there_is_nothing_to_publish(api: str, record: Record) -> None:
    for path in ("/ocds/releases", "/ocds/records"):
        response = _get(api, record, "s003-desk", path)
        assert response.status_code == 409
        assert response.json()["detail"].startswith("nothing to publish")
    assert httpx.get(f"{api}/ocds/releases", timeout=30).status_code == 401
