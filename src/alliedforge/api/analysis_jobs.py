"""Analysis runs computing in this process: a what-if (the live record planned as it is and
with the what-if's changes, then compared) or a risk run (a Monte Carlo of disruptions),
each on a background thread that stores its progress and result in its row.

They take the one solving slot of the plan runs (`JobRegistry`): a plan, a compression
what-if or an analysis run at a time per process; another request meanwhile is refused
with `BusyError` (409). The thread plans through a `PlanRunner` — in this process, or a
local process pool of `workers` > 1 processes — and only it writes the run's row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from alliedforge.api.jobs import AGENCY_WORKER, JobRegistry, live_scenario, start_background
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.catalogue.service import require_role
from alliedforge.domain.plans.heartbeat import beating
from alliedforge.domain.whatifs import service
from alliedforge.domain.whatifs.models import AnalysisKind, AnalysisRun
from alliedforge.domain.whatifs.schemas import RiskRunCreate, WhatIfRunCreate
from alliedforge.fanout import runner_for
from alliedforge.planning.batch import PlanRunner
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan
from alliedforge.risk.model import default_model
from alliedforge.risk.outcome import result_to_dict
from alliedforge.risk.run import run_risk
from alliedforge.scenario.model import Scenario
from alliedforge.store.base import utcnow
from alliedforge.store.engine import session_scope
from alliedforge.store.scope import bind_scope
from alliedforge.whatif.apply import apply_changes
from alliedforge.whatif.changes import WhatIf
from alliedforge.whatif.errors import WhatIfError
from alliedforge.whatif.run import run_whatif

# Progress is written at most this often (s): a risk run of many quick plans would
# otherwise queue a write for each on SQLite's one write lock.
PROGRESS_SECONDS = 1.0
# The work of a run: given a callback told how many plans are done, the result as JSON.
Work = Callable[[Callable[[int], None]], dict[str, Any]]


def _options(asked: WhatIfRunCreate | RiskRunCreate) -> PlanOptions:
    return PlanOptions(mode=asked.mode, time_limit=asked.time_limit)


def start_whatif_run(
    session: Session,
    caller: Caller,
    code: str,
    asked: WhatIfRunCreate,
    engine: Engine,
    registry: JobRegistry,
) -> AnalysisRun:
    """Plan the live record as it is and with the what-if `code`, in the background; the
    run as recorded. `NotFoundError` (not staff, or no such what-if), `ForbiddenError`
    (auditors), `BusyError`, `InvalidScenarioError` (the live data), `InvalidWhatIfError`
    (a change no longer applies to the record)."""
    row = service.whatif_row(session, caller, code)
    require_role(caller, service.AGENCY, service.WHAT)
    whatif = service.whatif_of(row)
    options = _options(asked)
    registry.reserve()
    try:
        base = live_scenario(session)
        try:
            apply_changes(base, whatif.changes)  # every problem now, not in the thread
        except WhatIfError as error:
            raise service.InvalidWhatIfError(error.problems) from error
        parameters = {"whatif": row.code, **asked.model_dump(mode="json")}
        asked_run = service.RunAsked(
            AnalysisKind.WHATIF, parameters, 2, base.content_hash(), whatif=row
        )
        run = service.start_run(session, caller, asked_run)
        session.commit()
        work = _whatif_work(base, whatif, options, runner_for(1, None))
        _start(engine, registry, run.id, work)
    except BaseException:
        registry.release()
        raise
    return run


def start_risk_run(
    session: Session,
    caller: Caller,
    asked: RiskRunCreate,
    engine: Engine,
    registry: JobRegistry,
) -> AnalysisRun:
    """A Monte Carlo of `asked.samples` disrupted plans of the live record (and its plan
    undisrupted), in the background; the run as recorded. Errors as `start_whatif_run`'s."""
    service.require_staff(caller)
    require_role(caller, service.AGENCY, service.WHAT)
    registry.reserve()
    try:
        base = live_scenario(session)
        parameters = asked.model_dump(mode="json")
        asked_run = service.RunAsked(
            AnalysisKind.RISK, parameters, asked.samples + 1, base.content_hash()
        )
        run = service.start_run(session, caller, asked_run)
        session.commit()
        _start(engine, registry, run.id, _risk_work(base, asked, runner_for(asked.workers, None)))
    except BaseException:
        registry.release()
        raise
    return run


def _whatif_work(base: Scenario, whatif: WhatIf, options: PlanOptions, runner: PlanRunner) -> Work:
    def work(progress: Callable[[int], None]) -> dict[str, Any]:
        return run_whatif(base, whatif, options, runner, _counter(progress)).to_dict()

    return work


def _risk_work(base: Scenario, asked: RiskRunCreate, runner: PlanRunner) -> Work:
    def work(progress: Callable[[int], None]) -> dict[str, Any]:
        outcome = run_risk(
            base,
            default_model(),
            samples=asked.samples,
            seed=asked.seed,
            runner=runner,
            options=_options(asked),
            on_done=_counter(progress),
        )
        return result_to_dict(outcome)

    return work


def _counter(progress: Callable[[int], None]) -> Callable[[str, Plan], None]:
    """A runner's `on_done` that tells `progress` how many plans are done."""
    solved = 0

    def on_done(_key: str, _plan: Plan) -> None:
        nonlocal solved
        solved += 1
        progress(solved)

    return on_done


def _start(engine: Engine, registry: JobRegistry, run_id: int, work: Work) -> None:
    start_background(f"analysis-run-{run_id}", compute_run, engine, registry, run_id, work)


@contextmanager
def _worker_session(engine: Engine) -> Iterator[Session]:
    """A write session acting for the agency (past the row-level wall)."""
    with session_scope(engine, write=True) as session:
        bind_scope(session, AGENCY_WORKER)
        yield session


def heartbeat(engine: Engine, run_id: int, every: float) -> AbstractContextManager[None]:
    """Mark the run alive every `every` seconds while the block computes."""

    def beat_once() -> None:
        with _worker_session(engine) as session:
            service.beat(session, run_id, utcnow())
            session.commit()

    return beating(beat_once, every, f"analysis-run-{run_id}-heartbeat")


def compute_run(
    engine: Engine,
    registry: JobRegistry,
    run_id: int,
    work: Work,
    every: float = service.HEARTBEAT_SECONDS,
) -> None:
    """Compute the queued run `run_id` and store how it ended; free the solving slot."""

    last = 0.0

    def progress(done: int) -> None:
        nonlocal last
        if time.monotonic() - last < PROGRESS_SECONDS:  # the finish stores the last count
            return
        with _worker_session(engine) as session:
            service.record_progress(session, run_id, done, utcnow())
            session.commit()
        last = time.monotonic()

    try:
        with _worker_session(engine) as session:
            service.begin_run(session, run_id, utcnow())
            session.commit()
        with heartbeat(engine, run_id, every):
            result = work(progress)
        with _worker_session(engine) as session:
            service.finish_run(session, run_id, result)
            session.commit()
    except Exception as error:  # a failed run is recorded, never lost in a thread
        with _worker_session(engine) as session:
            service.fail_run(session, run_id, f"{type(error).__name__}: {error}")
            session.commit()
    finally:
        registry.release()
