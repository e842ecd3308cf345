"""Acquisition timelines from the contracting record (both backends): one procurement per
contracting process and buying nation, its milestones read from the tender, the framework,
the call-offs, their deliveries and the audit log's approvals; dates out of order left out;
who sees which procurement; the historical file beside the record."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from alliedforge.analysis.timeline_csv import TimelineError, render_timelines
from alliedforge.analysis.timelines import DAYS_PER_MONTH, MILESTONES, Procurement, Stage
from alliedforge.domain.access import repository as users
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.service import caller_of
from alliedforge.domain.procurement.timeline_read import (
    read_history,
    record_procurements,
    timelines_for,
    visible_history,
)
from alliedforge.store.engine import create_db_engine

from contracting_world import (
    AGENCY,
    APPROVED_ON,
    PEOPLE,
    STAMPED,
    World,
    backdate,
    build_world,
    small,
)
from live_api import add_people, fresh_database
from web_site import BACKENDS

JOINT = "LOT-0002-T1"
OPEN = "LOT-0001-T1"
FAMILY = "155mm-HE"


@dataclass(frozen=True)
class Record:
    url: str
    world: World


@pytest.fixture(scope="module", params=BACKENDS)
def record(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Record]:
    with fresh_database(request.param, tmp_path_factory.mktemp("timelines")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            world = build_world(session, small())
            backdate(session, world)
            add_people(session, PEOPLE)
            session.commit()
        engine.dispose()
        yield Record(url, world)


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


def _stamp(field: str, column: str) -> date:
    table = "framework" if "framework" in field else "tender"
    return STAMPED[(table, field, column)]


def _by_code(procurements: tuple[Procurement, ...]) -> dict[str, Procurement]:
    return {p.code: p for p in procurements}


def test_the_joint_tender_is_one_procurement_per_nation_with_its_milestones(
    session: Session,
) -> None:
    found = _by_code(record_procurements(session, Caller.operator()))
    tendered = (
        _stamp("joint_tender", "published_at"),
        _stamp("joint_tender", "closed_at"),
        _stamp("joint_tender", "awarded_at"),
        _stamp("joint_framework", "signed_at"),
    )
    n01 = found[f"{JOINT}/N01"]
    assert (n01.nation, n01.family) == ("N01", FAMILY)
    # Its second call-off (NATO SECRET) is not delivered: not completed.
    assert n01.dates == (APPROVED_ON["R008"], *tendered, date(2027, 7, 20), None)
    # R003 was approved after the tender was published: left out, never negative.
    assert found[f"{JOINT}/N02"].dates == (None, *tendered, date(2027, 6, 15), None)
    # N00 and N04 take part without approvals on record nor call-offs.
    for nation in ("N00", "N04"):
        assert found[f"{JOINT}/{nation}"].dates == (None, *tendered, None, None)
    assert {code for code in found if code.startswith(OPEN)} == {
        f"{OPEN}/N00",
        f"{OPEN}/N02",
        f"{OPEN}/N03",
    }
    published = _stamp("open_tender", "published_at")
    assert found[f"{OPEN}/N03"].dates == (APPROVED_ON["R022"], published, *[None] * 5)
    assert not any(code.startswith("LOT-0003") for code in found)  # the cancelled tender


def test_a_direct_framework_is_one_procurement_per_party_and_family(session: Session) -> None:
    found = _by_code(record_procurements(session, Caller.operator()))
    signed = _stamp("direct_framework", "signed_at")
    # N03's call-off serves R022; nothing is delivered yet.
    assert found[f"FW-DIRECT/N03/{FAMILY}"].dates == (
        APPROVED_ON["R022"],
        None,
        None,
        None,
        signed,
        None,
        None,
    )
    assert found[f"FW-DIRECT/N00/{FAMILY}"].dates == (None, None, None, None, signed, None, None)


def test_the_last_delivery_completes_what_the_caller_may_see(session: Session) -> None:
    # The NATO SECRET call-off does not exist for a NATO RESTRICTED desk: its first
    # call-off, delivered in full, completes its procurement.
    (n01,) = record_procurements(session, _as(session, "n01-desk"))
    assert n01.code == f"{JOINT}/N01"
    assert n01.dates[-2:] == (date(2027, 7, 20), date(2027, 8, 25))


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("n01-desk", {f"{JOINT}/N01"}),
        ("n00-desk", {f"{JOINT}/N00", f"{OPEN}/N00", f"FW-DIRECT/N00/{FAMILY}"}),
        ("s001-desk", {f"{JOINT}/{n}" for n in ("N00", "N01", "N02", "N04")}),
        ("s000-desk", {f"FW-DIRECT/{n}/{FAMILY}" for n in ("N00", "N03")}),
        ("s002-desk", set()),
    ],
)
def test_each_caller_sees_its_own_procurements(
    session: Session, user: str, expected: set[str]
) -> None:
    assert {p.code for p in record_procurements(session, _as(session, user))} == expected


def test_labels_hide_what_hangs_on_an_unreadable_call_off(session: Session) -> None:
    # The agency is no N03 national: N03's call-off under FW-DIRECT (releasable to N03
    # only) does not exist for it, nor the approval of the requirement it serves.
    found = _by_code(record_procurements(session, AGENCY))
    assert found[f"FW-DIRECT/N03/{FAMILY}"].dates[0] is None
    staff = _by_code(record_procurements(session, _as(session, "agency")))
    assert set(staff) == set(found)


def test_the_analysis_measures_the_stages_in_months(session: Session) -> None:
    timelines = timelines_for(session, _as(session, "n01-desk"), history=False)
    assert timelines.history == ()
    overall = timelines.analysis.overall
    preparation = overall.stage(Stage.PREPARATION).durations
    assert preparation is not None
    days = (_stamp("joint_tender", "published_at") - APPROVED_ON["R008"]).days
    assert preparation.median == pytest.approx(days / DAYS_PER_MONTH)
    delivery = overall.stage(Stage.DELIVERY).durations
    assert delivery is not None
    assert delivery.median == pytest.approx(36 / DAYS_PER_MONTH)  # 2027-07-20 → 08-25
    assert overall.bottleneck is Stage.LEAD_TIME
    assert [label.classification for label in timelines.labels] == ["NATO UNCLASSIFIED"]


def test_the_historical_file_joins_the_record_as_each_caller_may_see_it(
    session: Session,
) -> None:
    history = read_history({})
    assert len(history) == 60  # the demo's file
    staff = timelines_for(session, _as(session, "auditor"), history=True)
    assert staff.history == history
    assert len(staff.procurements) == len(staff.record) + 60
    deu = Caller("deu-desk", Role.NATION, "NATO RESTRICTED", nation="DEU", nation_id=1)
    assert {p.nation for p in visible_history(deu, history)} == {"DEU"}
    assert visible_history(_as(session, "s000-desk"), history) == ()
    assert timelines_for(session, _as(session, "s000-desk"), history=True).history == ()


def test_a_deployment_names_its_own_historical_file(tmp_path: Path) -> None:
    own = Procurement("X-1", "N01", FAMILY, (date(2020, 1, 1), *[None] * (len(MILESTONES) - 1)))
    path = tmp_path / "history.csv"
    path.write_text(render_timelines([own]), encoding="utf-8")
    assert read_history({"ALLIEDFORGE_TIMELINES_CSV": str(path)}) == (own,)
    path.write_text("procurement,nation\n", encoding="utf-8")
    with pytest.raises(TimelineError):
        read_history({"ALLIEDFORGE_TIMELINES_CSV": str(path)})
