"""Plan runs solving in this process: starting one on the live data, one background thread
at a time, its live progress.

The registry is in-process memory: a run started by another process (or before a restart)
has no live progress here, only its stored row. One solve runs per process at a time; a
second request while one runs is refused (409) rather than queued, so that a planner never
waits on a queue they cannot see. The API and the web pages start runs through
`start_live_plan`, so both check, record and solve exactly alike. A compression what-if
(`start_compression`: the live data planned twice) takes the same slot; it is kept in this
process's memory only.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.datastructures import State

from alliedforge.analysis.compression import CompressionValue, plan_compression
from alliedforge.analysis.timelines import Stage
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.errors import ForbiddenError
from alliedforge.domain.plans import service as plan_runs
from alliedforge.domain.plans.heartbeat import abandon_stale_runs, heartbeat
from alliedforge.domain.plans.models import PlanRun, RunStatus
from alliedforge.domain.record import snapshot_scenario
from alliedforge.planning.options import PlanOptions, Progress
from alliedforge.planning.plan import Plan
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import check_scenario
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.problems import Problem
from alliedforge.store.base import utcnow
from alliedforge.store.engine import StoreError, session_scope
from alliedforge.store.scope import bind_scope

# The solve runs for the agency, which started it: it stores every nation's deliveries.
AGENCY_WORKER = {"staff": "on"}
RUNNERS = frozenset({Role.PLANNER, Role.ADMIN})
# Solves share the machine with the requests of the same service. On Linux each thread has
# a nice value of its own, and the threads and processes it starts (HiGHS's workers, a
# process pool) inherit it: a background thread at this niceness leaves the CPU to
# requests first, so that reads stay quick while a plan solves.
BACKGROUND_NICE = 10
_registry_lock = threading.Lock()


class BusyError(Exception):
    """A plan run (or a what-if, `run_id` None) is already solving in this process."""

    def __init__(self, run_id: int | None) -> None:
        solving = "another plan or what-if" if run_id is None else f"plan run {run_id}"
        super().__init__(f"{solving} is still solving; start another when it ends")
        self.run_id = run_id


class InvalidScenarioError(Exception):
    """The live data fails the scenario checks: no run was started."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the live data")
        self.problems = problems


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


@dataclass(frozen=True, slots=True)
class JobState:
    """The latest we know of a solving run. `seq` grows with every change; `status` is a
    `RunStatus` value, written only after the run's row is committed."""

    run_id: int
    seq: int = 0
    status: str = RunStatus.RUNNING.value
    phase: str = "starting"
    elapsed: float = 0.0
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.status != RunStatus.RUNNING

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "phase": self.phase,
            "elapsed": self.elapsed,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "error": self.error,
        }


class JobRegistry:
    """Live states of the runs this process solved, guarded by one condition variable."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._jobs: dict[int, JobState] = {}
        self._reserved = False
        self._active: int | None = None

    def reserve(self) -> None:
        """Claim the one solving slot; `BusyError` if a run holds it."""
        with self._changed:
            if self._reserved:
                raise BusyError(self._active)
            self._reserved = True

    def release(self) -> None:
        """Give back a slot whose run never started."""
        with self._changed:
            self._reserved = False
            self._active = None

    def begin(self, run_id: int) -> None:
        """The reserved slot now solves `run_id`."""
        with self._changed:
            self._active = run_id
            self._jobs[run_id] = JobState(run_id)
            self._changed.notify_all()

    def _update(self, run_id: int, **changes: Any) -> None:
        with self._changed:
            state = self._jobs[run_id]
            self._jobs[run_id] = replace(state, seq=state.seq + 1, **changes)
            self._changed.notify_all()

    def report(self, run_id: int, progress: Progress) -> None:
        """Record a progress report of the solve (objective and bound keep their best)."""
        state = self.get(run_id)
        objective = _finite(progress.objective)
        bound = _finite(progress.bound)
        self._update(
            run_id,
            phase=progress.phase,
            elapsed=progress.elapsed,
            objective=state.objective if objective is None and state else objective,
            bound=state.bound if bound is None and state else bound,
            gap=_finite(progress.gap),
        )

    def end(self, run_id: int, status: RunStatus, error: str | None = None) -> None:
        """The run's row is committed as `status`; free the slot."""
        with self._changed:
            self._reserved = False
            self._active = None
        self._update(run_id, status=status.value, phase=status.value, error=error)

    def get(self, run_id: int) -> JobState | None:
        with self._changed:
            return self._jobs.get(run_id)

    def wait(self, run_id: int, after_seq: int, timeout: float) -> JobState | None:
        """The run's state once its `seq` passes `after_seq` (or the current one on timeout)."""
        with self._changed:
            self._changed.wait_for(
                lambda: (state := self._jobs.get(run_id)) is None or state.seq > after_seq,
                timeout=timeout,
            )
            return self._jobs.get(run_id)


def solve_run(
    engine: Engine,
    registry: JobRegistry,
    run_id: int,
    scenario: Scenario,
    options: PlanOptions,
) -> None:
    """Solve the `running` run `run_id` and store how it ended, in a session of its own."""
    options = replace(options, progress=lambda progress: registry.report(run_id, progress))
    status, message = RunStatus.DONE, None
    try:
        with heartbeat(engine, run_id):
            plan = solve_plan(scenario, options)
        with session_scope(engine, write=True) as session:
            bind_scope(session, AGENCY_WORKER)
            plan_runs.finish_run(session, run_id, plan)
            session.commit()
    except Exception as error:  # a failed solve is recorded, never lost in a thread
        status, message = RunStatus.FAILED, f"{type(error).__name__}: {error}"
        with session_scope(engine, write=True) as session:
            bind_scope(session, AGENCY_WORKER)
            plan_runs.fail_run(session, run_id, message)
            session.commit()
    finally:
        registry.end(run_id, status, message)


def _yield_to_requests() -> None:
    """Lower the calling thread's CPU priority to `BACKGROUND_NICE` (Linux only; where it
    is not allowed, the thread keeps its priority)."""
    if sys.platform != "linux":
        return
    thread = threading.get_native_id()
    with suppress(OSError):
        niceness = max(os.getpriority(os.PRIO_PROCESS, thread), BACKGROUND_NICE)
        os.setpriority(os.PRIO_PROCESS, thread, niceness)


def start_background(name: str, work: Callable[..., None], *args: object) -> threading.Thread:
    """Run `work(*args)` on a daemon thread at background priority (`BACKGROUND_NICE`)."""

    def run() -> None:
        _yield_to_requests()
        work(*args)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def start_solve(
    engine: Engine,
    registry: JobRegistry,
    run_id: int,
    scenario: Scenario,
    options: PlanOptions,
) -> threading.Thread:
    """Solve run `run_id` (its slot reserved) in the background."""
    registry.begin(run_id)
    return start_background(
        f"plan-run-{run_id}", solve_run, engine, registry, run_id, scenario, options
    )


def registry_of(state: State) -> JobRegistry:
    """The process's registry of solving runs, kept on the application's `state` and made
    on first use."""
    with _registry_lock:
        registry: JobRegistry | None = getattr(state, "plan_jobs", None)
        if registry is None:
            registry = state.plan_jobs = JobRegistry()
    return registry


def require_runner(caller: Caller) -> None:
    """Only the agency (planners, administrators) starts plans or replaces the data."""
    if caller.role not in RUNNERS:
        raise ForbiddenError("only planners and administrators may do this")


def live_scenario(session: Session) -> Scenario:
    """The data the record holds now, checked; `InvalidScenarioError` with every located
    problem."""
    try:
        scenario = snapshot_scenario(session)
    except StoreError as error:  # an empty record: nothing to plan yet
        raise InvalidScenarioError(
            [Problem("scenario", None, None, None, f"a scenario in the record ({error})")]
        ) from error
    problems = check_scenario(scenario)
    if problems:
        raise InvalidScenarioError(problems)
    return scenario


def start_live_plan(
    session: Session,
    caller: Caller,
    options: PlanOptions,
    engine: Engine,
    registry: JobRegistry,
) -> PlanRun:
    """Plan the data the record holds now, in the background: snapshot it, check it, record
    a `running` run (committed, so that the solving thread and other requests see it) and
    start the solve; the run as recorded.

    `ForbiddenError` for a caller who may not plan, `BusyError` while another run solves
    in this process, `InvalidScenarioError` with every located problem of the data.
    """
    require_runner(caller)
    registry.reserve()
    try:
        scenario = live_scenario(session)
        abandon_stale_runs(session, utcnow())
        run_id = plan_runs.start_run(session, scenario, options, created_by=caller.name)
        session.commit()
        run = plan_runs.get_run(session, run_id)
        start_solve(engine, registry, run_id, scenario, options)
    except BaseException:
        registry.release()
        raise
    return run


# Compression what-ifs: the live data planned twice, as it is and with one stage shorter.

WHAT_IFS_KEPT = 20


@dataclass(frozen=True, slots=True)
class WhatIfState:
    """A compression what-if of the live data this process solves or solved: what was
    asked, its progress (`phase`: starting, baseline, compressed, then its `status`), and
    once done the plans' statuses and what the compression buys (None if a plan is
    infeasible, with the reasons)."""

    id: int
    stage: Stage
    months: int
    time_limit: float
    started_by: str
    started_at: datetime
    currency: str
    status: str = RunStatus.RUNNING.value
    phase: str = "starting"
    elapsed: float = 0.0
    plans: tuple[str, ...] = ()
    value: CompressionValue | None = None
    infeasibility: tuple[str, ...] = ()
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.status != RunStatus.RUNNING


class WhatIfs:
    """The latest compression what-ifs of this process, in memory (a restart forgets them);
    they take the solving slot of the plan runs' `JobRegistry`, one solve at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[int, WhatIfState] = {}
        self._last_id = 0

    def add(self, **asked: Any) -> WhatIfState:
        with self._lock:
            self._last_id += 1
            state = self._states[self._last_id] = WhatIfState(self._last_id, **asked)
            for old in sorted(self._states)[:-WHAT_IFS_KEPT]:
                del self._states[old]
            return state

    def update(self, what_if_id: int, **changes: Any) -> None:
        with self._lock:
            self._states[what_if_id] = replace(self._states[what_if_id], **changes)

    def get(self, what_if_id: int) -> WhatIfState | None:
        with self._lock:
            return self._states.get(what_if_id)

    def latest(self) -> list[WhatIfState]:
        """Newest first."""
        with self._lock:
            return [self._states[k] for k in sorted(self._states, reverse=True)]


def what_ifs_of(state: State) -> WhatIfs:
    """The process's compression what-ifs, kept on the application's `state`."""
    with _registry_lock:
        what_ifs: WhatIfs | None = getattr(state, "what_ifs", None)
        if what_ifs is None:
            what_ifs = state.what_ifs = WhatIfs()
    return what_ifs


def start_compression(
    session: Session,
    caller: Caller,
    stage: Stage,
    months: int,
    options: PlanOptions,
    registry: JobRegistry,
    what_ifs: WhatIfs,
) -> WhatIfState:
    """Plan the live data as it is and with `stage` `months` shorter, in the background;
    the what-if as started. Errors as `start_live_plan`'s."""
    require_runner(caller)
    registry.reserve()
    try:
        scenario = live_scenario(session)
        state = what_ifs.add(
            stage=stage,
            months=months,
            time_limit=options.time_limit,
            started_by=caller.name,
            started_at=utcnow(),
            currency=scenario.manifest.currency,
        )
        arguments = (registry, what_ifs, state.id, scenario, options)
        start_background(f"what-if-{state.id}", solve_compression, *arguments)
    except BaseException:
        registry.release()
        raise
    return state


def solve_compression(
    registry: JobRegistry,
    what_ifs: WhatIfs,
    what_if_id: int,
    scenario: Scenario,
    options: PlanOptions,
) -> None:
    """Solve both plans of the what-if, reporting each solve's progress; free the slot."""
    asked = what_ifs.get(what_if_id)
    assert asked is not None

    def solve(problem: Scenario, given: PlanOptions, label: str) -> Plan:
        what_ifs.update(what_if_id, phase=label, elapsed=0.0)

        def report(progress: Progress) -> None:
            what_ifs.update(what_if_id, elapsed=progress.elapsed)

        return solve_plan(problem, replace(given, progress=report))

    try:
        done = plan_compression(scenario, asked.stage, asked.months, options, solve)
        what_ifs.update(
            what_if_id,
            status=RunStatus.DONE.value,
            phase=RunStatus.DONE.value,
            plans=(done.baseline.status.value, done.plan.status.value),
            value=done.value,
            infeasibility=(*done.baseline.infeasibility, *done.plan.infeasibility),
        )
    except Exception as error:  # a failed what-if is shown, never lost in a thread
        message = f"{type(error).__name__}: {error}"
        what_ifs.update(
            what_if_id, status=RunStatus.FAILED.value, phase=RunStatus.FAILED.value, error=message
        )
    finally:
        registry.release()
