"""Plan runs whose solver died are told from those still solving, and marked failed."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from alliedforge.domain.plans import service
from alliedforge.domain.plans.heartbeat import STALE_AFTER, abandon_stale_runs, beat, heartbeat
from alliedforge.domain.plans.models import PlanRun, RunStatus
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import load_scenario
from alliedforge.store.base import utcnow
from alliedforge.store.engine import create_db_engine

from live_api import DESKS, add_people, fresh_database, serve
from shared_data import GOLDEN
from web_site import BACKENDS

SCENARIO = load_scenario(GOLDEN / "tiny")


def _running(session: Session, minutes_ago: float) -> int:
    run_id = service.start_run(session, SCENARIO)
    run = session.get(PlanRun, run_id)
    assert run is not None
    run.started_at = utcnow() - timedelta(minutes=minutes_ago)
    session.flush()
    return run_id


def test_a_run_silent_for_too_long_is_failed_and_a_beating_one_kept(session: Session) -> None:
    now = utcnow()
    silent = _running(session, minutes_ago=60)
    beating = _running(session, minutes_ago=60)
    beat(session, beating, now - timedelta(seconds=30))
    fresh = _running(session, minutes_ago=0)
    assert abandon_stale_runs(session, now) == [silent]
    status = dict(session.execute(select(PlanRun.id, PlanRun.status)).all())
    assert status[silent] == RunStatus.FAILED
    assert status[beating] == status[fresh] == RunStatus.RUNNING
    failed = session.get(PlanRun, silent)
    assert failed is not None
    assert failed.error is not None
    assert "interrupted" in failed.error
    # Later, the beating run falls silent too: it goes the same way.
    assert abandon_stale_runs(session, now + STALE_AFTER) == [beating]


def test_a_finished_run_takes_no_beat(session: Session) -> None:
    run_id = _running(session, minutes_ago=0)
    service.fail_run(session, run_id, "stopped")
    beat(session, run_id, utcnow())
    run = session.get(PlanRun, run_id)
    assert run is not None
    session.refresh(run)
    assert run.heartbeat_at is None


def test_the_heartbeat_marks_the_run_while_the_block_runs(engine: Engine) -> None:
    with Session(engine) as session:
        run_id = service.start_run(session, SCENARIO)
        session.commit()
    try:
        with heartbeat(engine, run_id, every=0.05):
            time.sleep(0.5)
        with Session(engine) as session:
            run = session.get(PlanRun, run_id)
            assert run is not None
            assert run.heartbeat_at is not None
    finally:
        with Session(engine) as session:
            service.fail_run(session, run_id, "test over")
            session.commit()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_service_starting_fails_the_runs_a_dead_process_left_running(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, SCENARIO)
            tokens = add_people(session, DESKS)
            orphan = _running(session, minutes_ago=30)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            headers = {"Authorization": f"Bearer {tokens['agency']}"}
            run = httpx.get(f"{base}/api/v1/plans/{orphan}", headers=headers, timeout=30).json()
        assert run["status"] == RunStatus.FAILED
        assert "interrupted" in run["error"]
