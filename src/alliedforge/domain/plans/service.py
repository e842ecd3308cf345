"""Plan runs: start one on a scenario, finish it with its plan or mark it failed, read it back.

Services only flush; the caller commits — after `start_run`, so that a crash leaves a visible
`running` row, and after `finish_run` or `fail_run`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.audit import service as audit
from alliedforge.domain.errors import DomainError, NotFoundError
from alliedforge.domain.plans import repository
from alliedforge.domain.plans.models import PlanRun, PlanScenario, RunStatus
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan
from alliedforge.scenario.model import Scenario
from alliedforge.store.base import DEFAULT_CLASSIFICATION, utcnow


def options_of(options: PlanOptions) -> dict[str, Any]:
    """What a run was asked, as JSON (the progress callback is no option of the plan)."""
    return {
        "mode": options.mode.value,
        "strategy": options.strategy.value,
        "time_limit": options.time_limit,
        "gap": options.gap,
        "fair_share": options.fair_share,
    }


def store_scenario(session: Session, scenario: Scenario) -> PlanScenario:
    """The stored copy of `scenario`, added once per content hash."""
    content_hash = scenario.content_hash()
    stored = repository.find_scenario(session, content_hash)
    if stored is None:
        stored = PlanScenario(
            hash=content_hash,
            name=scenario.manifest.name,
            data=repository.compress_scenario(scenario),
        )
        session.add(stored)
        session.flush()
    return stored


def start_run(
    session: Session,
    scenario: Scenario,
    options: PlanOptions | None = None,
    created_by: str | None = None,
) -> int:
    """Record a `running` plan run of `scenario` under `options`; return its id."""
    options = options or PlanOptions()
    stored = store_scenario(session, scenario)
    run = PlanRun(
        scenario_id=stored.id,
        scenario_hash=stored.hash,
        scenario_name=scenario.manifest.name,
        mode=options.mode.value,
        options=options_of(options),
        status=RunStatus.RUNNING.value,
        started_at=utcnow(),
        created_by=created_by,
    )
    session.add(run)
    session.flush()
    _audit(session, run, "start", {"scenario_hash": run.scenario_hash, "options": run.options})
    return run.id


def _audit(session: Session, run: PlanRun, action: str, after: dict[str, Any]) -> None:
    """A plan run's start and end in the audit log, in the name of whoever started it."""
    actor = Caller(run.created_by or "operator", Role.PLANNER, DEFAULT_CLASSIFICATION)
    audit.append(session, actor, action, "plan_run", run.id, None, {"status": run.status, **after})


def _running(session: Session, run_id: int) -> PlanRun:
    run = get_run(session, run_id)
    if run.status != RunStatus.RUNNING:
        raise DomainError(f"plan run {run_id} is {run.status}, not running")
    return run


def finish_run(session: Session, run_id: int, plan: Plan) -> PlanRun:
    """Store `plan` as the result of the running run `run_id`: its summary and its tables."""
    run = _running(session, run_id)
    for name, value in repository.plan_columns(plan).items():
        setattr(run, name, value)
    run.status = RunStatus.DONE.value
    run.finished_at = utcnow()
    session.flush()
    repository.insert_rows(session, run.id, repository.plan_rows(plan))
    summary = {"plan_status": run.plan_status, "objective": run.objective, "gap": run.gap}
    _audit(session, run, "finish", summary)
    return run


def fail_run(session: Session, run_id: int, error: str) -> PlanRun:
    """Mark the run `run_id` failed with the error that stopped it."""
    run = get_run(session, run_id)
    run.status = RunStatus.FAILED.value
    run.error = error
    run.finished_at = utcnow()
    session.flush()
    _audit(session, run, "fail", {"error": error})
    return run


def list_runs(session: Session, limit: int | None = None) -> list[PlanRun]:
    """Plan runs, newest first, at most `limit`."""
    return repository.list_runs(session, limit)


def get_run(session: Session, run_id: int) -> PlanRun:
    """The plan run `run_id`; `NotFoundError` if there is none."""
    run = repository.get_run(session, run_id)
    if run is None:
        raise NotFoundError("plan run", run_id)
    return run


def load_plan(session: Session, run_id: int) -> Plan:
    """The `Plan` of the finished run `run_id`, exactly as it was stored."""
    run = get_run(session, run_id)
    if run.status != RunStatus.DONE:
        raise DomainError(f"plan run {run_id} has no plan: it is {run.status}")
    return repository.plan_from(run, repository.child_rows(session, run_id))


def load_scenario(session: Session, run_id: int) -> Scenario:
    """The `Scenario` the run `run_id` planned."""
    run = get_run(session, run_id)
    stored = session.get(PlanScenario, run.scenario_id)
    if stored is None:  # the foreign key forbids it
        raise NotFoundError("scenario of plan run", run_id)
    return repository.decompress_scenario(stored.data)
