"""Signs of life of a solving plan run, and the runs whose solver stopped giving any.

A plan run is `running` from the moment it is recorded until its solver stores how it
ended. If the process solving it dies (killed, restarted, machine lost) it never will;
the run would stay `running` forever. So the solving process marks the run alive every
`HEARTBEAT_SECONDS` from a thread of its own, and a run with no sign of life for
`STALE_AFTER` is taken as interrupted: `abandon_stale_runs` marks it failed, and the plan
can simply be started again. The threshold is many beats long, so that a busy machine
never fails a run that still solves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from alliedforge.domain.plans import service
from alliedforge.domain.plans.models import PlanRun, RunStatus
from alliedforge.store.base import utcnow
from alliedforge.store.engine import session_scope

HEARTBEAT_SECONDS = 20.0
STALE_AFTER = timedelta(minutes=3)


def beat(session: Session, run_id: int, now: datetime) -> None:
    """Mark the running run `run_id` alive at `now` (bookkeeping: no new version, no audit)."""
    session.execute(
        update(PlanRun)
        .where(PlanRun.id == run_id, PlanRun.status == RunStatus.RUNNING)
        .values(heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )


@contextmanager
def beating(beat: Callable[[], None], every: float, name: str) -> Iterator[None]:
    """Call `beat` every `every` seconds on a thread named `name` while the block runs;
    plan runs and analysis runs both show they are alive this way."""
    stop = threading.Event()

    def keep_beating() -> None:
        while not stop.wait(every):
            beat()

    thread = threading.Thread(target=keep_beating, name=name)
    thread.daemon = True
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def heartbeat(
    engine: Engine, run_id: int, every: float = HEARTBEAT_SECONDS
) -> AbstractContextManager[None]:
    """Beat for run `run_id` every `every` seconds while the block runs (the solve)."""

    def beat_once() -> None:
        with session_scope(engine, write=True) as session:
            beat(session, run_id, utcnow())
            session.commit()

    return beating(beat_once, every, f"plan-run-{run_id}-heartbeat")


def abandon_stale_runs(
    session: Session, now: datetime, stale_after: timedelta = STALE_AFTER
) -> list[int]:
    """Mark failed every running run with no sign of life (heartbeat, or start if it never
    beat) since `now - stale_after`; their ids. The caller commits."""
    last_sign = func.coalesce(PlanRun.heartbeat_at, PlanRun.started_at)
    query = select(PlanRun.id).where(
        PlanRun.status == RunStatus.RUNNING, last_sign < now - stale_after
    )
    stale = list(session.scalars(query.order_by(PlanRun.id)))
    for run_id in stale:
        service.fail_run(
            session,
            run_id,
            f"interrupted: the process solving it stopped (no sign of life for "
            f"{int(stale_after.total_seconds() // 60)} minutes); start the plan again",
        )
    return stale


def recover_interrupted_runs(engine: Engine) -> list[int]:
    """At a service's start: mark failed the runs whose solver stopped; their ids. Several
    worker processes start together: the first to commit wins, the others find the rows
    changed under them and leave it at that."""
    with session_scope(engine, write=True) as session:
        try:
            stale = abandon_stale_runs(session, utcnow())
            session.commit()
        except StaleDataError:
            return []
    return stale
