"""Stored what-ifs and analysis runs on a real migrated database (SQLite, and PostgreSQL
when a URL is given): checked against the live record before anything is kept, round
trips, staff only, every write audited, runs from queued to how they ended."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.errors import DomainError, ForbiddenError, InvalidError, NotFoundError
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.record import import_scenario
from alliedforge.domain.whatifs import service
from alliedforge.domain.whatifs.models import AnalysisKind, AnalysisRun, StoredWhatIf
from alliedforge.domain.whatifs.schemas import WhatIfCreate
from alliedforge.scenario import load_scenario
from alliedforge.store.base import utcnow
from alliedforge.store.scope import bind_scope
from alliedforge.whatif.files import parse_whatif

from live_api import TEST_URL_ENV, as_service, fresh_database
from shared_data import GOLDEN

RESTRICTED = "NATO RESTRICTED"
AGENCY = Caller("agency", Role.PLANNER, RESTRICTED, nationality="N00")
AUDITOR = Caller("auditor", Role.AUDITOR, RESTRICTED, nationality="N01")
NATION = Caller("n01-desk", Role.NATION, RESTRICTED, "N01", nation_id=2, nation="N01")
SUPPLIER = Caller("s000-desk", Role.SUPPLIER, RESTRICTED, "N00", supplier_id=1, supplier="S000X")

FIRE = """
name = "Plant fire in 2027"
description = "L001 burns down for half a year."

[[change]]
kind = "line_outage"
line = "L001"
start = "2027-03"
months = 6

[[change]]
kind = "demand"
factor = 1.2
nation = "N01"
"""
FIRE_YAML = """
name: Plant fire in 2027
change:
  - kind: line_outage
    line: L001
    start: "2027-03"
    months: 6
"""
UNKNOWN_LINE = """
name = "Fire at a plant that is not there"

[[change]]
kind = "line_outage"
line = "L-99"
start = "2027-03"
months = 6
"""


@pytest.fixture
def record(session: Session) -> Session:
    """The test's session over a record holding the tiny scenario."""
    import_scenario(session, load_scenario(GOLDEN / "tiny"))
    session.flush()
    return session


def _create(session: Session, text: str = FIRE, **fields: str) -> str:
    data = WhatIfCreate.model_validate({"text": text, **fields})
    return service.create_whatif(session, AGENCY, data).code


def _audit_count(session: Session, entity: str) -> int:
    query = select(func.count(AuditEntry.id)).where(AuditEntry.entity == entity)
    return int(session.scalar(query) or 0)


def test_a_what_if_round_trips_as_its_file_gave_it(record: Session) -> None:
    code = _create(record)
    read = service.get_whatif(record, AUDITOR, code)
    assert code == "plant-fire-in-2027"
    assert (read.name, read.description) == (
        "Plant fire in 2027",
        "L001 burns down for half a year.",
    )
    assert read.changes == [
        {"kind": "line_outage", "line": "L001", "start": "2027-03", "months": 6},
        {"kind": "demand", "factor": 1.2, "nation": "N01"},
    ]
    row = service.whatif_row(record, AGENCY, code)
    assert service.whatif_of(row) == parse_whatif(FIRE, "toml", "test")
    assert _audit_count(record, service.WHATIF) == 1


def test_yaml_text_makes_the_same_changes(record: Session) -> None:
    code = _create(record, FIRE_YAML, format="yaml", code="fire-yaml")
    changes = service.get_whatif(record, AGENCY, code).changes
    assert changes == [{"kind": "line_outage", "line": "L001", "start": "2027-03", "months": 6}]


def test_a_change_the_record_cannot_take_is_located_and_nothing_is_kept(
    record: Session,
) -> None:
    with pytest.raises(service.InvalidWhatIfError) as raised:
        _create(record, UNKNOWN_LINE)
    problems = [service.problem_of(p) for p in raised.value.problems]
    assert any(
        p["where"].endswith("change[1]") and p["field"] == "line" and "L-99" in p["value"]
        for p in problems
    ), problems
    assert record.scalar(select(func.count(StoredWhatIf.id))) == 0
    assert _audit_count(record, service.WHATIF) == 0


def test_text_that_does_not_parse_is_a_located_problem(record: Session) -> None:
    with pytest.raises(service.InvalidWhatIfError) as raised:
        _create(record, 'name = "broken\n[[change]', code="broken")
    assert len(raised.value.problems) == 1
    assert "TOML" in raised.value.problems[0].message


def test_codes_are_made_unique_and_pages_words_refused(record: Session) -> None:
    assert [_create(record) for _ in range(3)] == [
        "plant-fire-in-2027",
        "plant-fire-in-2027-2",
        "plant-fire-in-2027-3",
    ]
    with pytest.raises(InvalidError, match="has this code already"):
        _create(record, code="plant-fire-in-2027")
    with pytest.raises(InvalidError, match="pages use"):
        _create(record, code="compare")


@pytest.mark.parametrize("outsider", [NATION, SUPPLIER])
def test_nations_and_suppliers_find_no_what_if(record: Session, outsider: Caller) -> None:
    code = _create(record)
    with pytest.raises(NotFoundError):
        service.get_whatif(record, outsider, code)
    with pytest.raises(NotFoundError):
        service.list_whatifs(record, outsider, PageRequest())
    with pytest.raises(NotFoundError):
        service.create_whatif(record, outsider, WhatIfCreate(text=FIRE))
    with pytest.raises(NotFoundError):
        service.newest_runs(record, outsider)


def test_auditors_read_but_neither_create_nor_delete(record: Session) -> None:
    code = _create(record)
    assert [w.code for w in service.list_whatifs(record, AUDITOR, PageRequest()).items] == [code]
    with pytest.raises(ForbiddenError):
        service.create_whatif(record, AUDITOR, WhatIfCreate(text=FIRE))
    with pytest.raises(ForbiddenError):
        service.delete_whatif(record, AUDITOR, code, 1)


def _run(session: Session, code: str | None = None) -> int:
    whatif = None if code is None else service.whatif_row(session, AGENCY, code)
    kind = AnalysisKind.RISK if whatif is None else AnalysisKind.WHATIF
    asked = service.RunAsked(kind, {"samples": 3}, 3, "ab" * 32, whatif=whatif)
    return service.start_run(session, AGENCY, asked).id


def test_a_run_goes_from_queued_to_its_stored_result(record: Session) -> None:
    code = _create(record)
    run_id = _run(record, code)
    assert service.get_run(record, AUDITOR, run_id).status == "queued"
    service.begin_run(record, run_id, utcnow())
    service.record_progress(record, run_id, 2, utcnow())
    record.expire_all()
    running = service.get_run(record, AUDITOR, run_id)
    assert (running.status, running.progress.done, running.progress.total) == ("running", 2, 3)
    assert running.whatif == code
    service.finish_run(record, run_id, {"cases": [{"cost": float("nan"), "units": 4.5}]})
    done = service.get_run(record, AUDITOR, run_id)
    assert (done.status, done.progress.done) == ("succeeded", 3)
    assert done.result == {"cases": [{"cost": None, "units": 4.5}]}
    assert done.finished_at is not None
    with pytest.raises(DomainError, match="succeeded already"):
        service.fail_run(record, run_id, "late")
    listed = service.list_runs(record, AGENCY, PageRequest(), whatif=code).items
    assert [(r.id, r.result) for r in listed] == [(run_id, None)]  # lists leave results out
    assert _audit_count(record, service.RUN) == 2  # start, finish


def test_a_failed_run_keeps_its_error(record: Session) -> None:
    run_id = _run(record)
    service.fail_run(record, run_id, "ValueError: no plan")
    failed = service.get_run(record, AGENCY, run_id)
    assert (failed.status, failed.error, failed.whatif) == ("failed", "ValueError: no plan", None)


def test_silent_runs_are_abandoned(record: Session) -> None:
    silent, alive = _run(record), _run(record)
    now = utcnow()
    service.begin_run(record, silent, now - timedelta(minutes=10))
    service.begin_run(record, alive, now - timedelta(minutes=1))
    assert service.abandon_silent_runs(record, now) == [silent]
    record.expire_all()
    assert service.get_run(record, AGENCY, silent).status == "failed"
    assert service.get_run(record, AGENCY, alive).status == "running"


def test_deleting_a_what_if_removes_its_runs_but_not_while_one_computes(
    record: Session,
) -> None:
    code = _create(record)
    run_id = _run(record, code)
    version = service.get_whatif(record, AGENCY, code).version
    with pytest.raises(InvalidError, match="still computing"):
        service.delete_whatif(record, AGENCY, code, version)
    service.fail_run(record, run_id, "stopped")
    service.delete_whatif(record, AGENCY, code, version)
    record.expire_all()
    assert record.get(AnalysisRun, run_id) is None
    with pytest.raises(NotFoundError):
        service.get_whatif(record, AGENCY, code)


@pytest.mark.skipif(not os.environ.get(TEST_URL_ENV), reason="row-level security: PostgreSQL")
def test_the_wall_admits_only_staff_to_what_ifs_and_runs(tmp_path: Path) -> None:
    tables = ("whatifs", "analysis_runs")
    with fresh_database("postgresql", tmp_path) as url:
        owner = create_engine(url)
        with Session(owner) as session:
            import_scenario(session, load_scenario(GOLDEN / "tiny"))
            _run(session, _create(session))
            session.commit()
        owner.dispose()
        engine = create_engine(as_service(url))
        try:
            for scope, expected in (({"nation_id": "1", "nation": "N00"}, 0), ({}, 0)):
                with Session(engine) as session:
                    bind_scope(session, scope)
                    assert [_rows(session, t) for t in tables] == [expected, expected]
                    with pytest.raises(DBAPIError, match="row-level security"):
                        session.execute(text(INSERT))
            with Session(engine) as session:
                bind_scope(session, {"staff": "on"})
                assert [_rows(session, t) for t in tables] == [1, 1]
        finally:
            engine.dispose()


INSERT = (
    "INSERT INTO whatifs (code, name, description, changes, created_at, version) "
    "VALUES ('sneaked', 'x', '', '[]', now(), 1)"
)


def _rows(session: Session, table: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
