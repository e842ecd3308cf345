"""The plans pages: the runs and a form to plan the live data, one run's live progress and
results (as much of them as the caller may see), and what changed between two runs."""

from __future__ import annotations

import dataclasses
import math
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from alliedforge.analysis.plandiff import Change, diff_plans
from alliedforge.api.deps import DbSession
from alliedforge.api.jobs import (
    RUNNERS,
    BusyError,
    InvalidScenarioError,
    JobState,
    registry_of,
    require_runner,
    start_live_plan,
)
from alliedforge.api.paging import MAX_ID, RecordId
from alliedforge.api.routers.plans import PlanRequest, label_of, problem_of, readable_run
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.errors import ForbiddenError
from alliedforge.domain.plans import service as plans
from alliedforge.domain.plans.models import PlanRun, RunStatus
from alliedforge.planning.plan import Mode, PlanStatus
from alliedforge.store.scope import staff_scope
from alliedforge.web.charts.plans import (
    COST_COMPONENTS,
    Comparison,
    PlanView,
    Scope,
    comparison_figure,
    comparison_view,
    costs_figure,
    deliveries_figure,
    diff_deliveries_figure,
    openings_figure,
    outcomes_figure,
    plan_view,
    production_figure,
    tiers_figure,
)
from alliedforge.web.render import CheckedForm, WebCaller, WebRoute, error_page, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 25
# Runs offered in the diff form: the newest finished ones.
DIFF_CHOICES = 100
FORM_FIELDS = tuple(PlanRequest.model_fields)
QueryId = Annotated[int, Query(ge=0, le=MAX_ID)]


def scope_of(caller: Caller) -> Scope:
    """Whose numbers of a plan the caller sees (see `charts.plans.plan_view`)."""
    if caller.is_staff or caller.unrestricted:
        return Scope(staff=True)
    if caller.role is Role.NATION:
        return Scope(nation=caller.nation)
    if caller.role is Role.SUPPLIER:
        return Scope(supplier=caller.supplier)
    return Scope()


def _finite(value: float | None) -> float | None:
    """JSON has no NaN: an undefined number (an infeasible plan's cost) is null."""
    return None if value is None or not math.isfinite(value) else value


def _summary(run: PlanRun) -> dict[str, Any]:
    """A run as the pages list it: what was asked, how it ended, who started it."""
    return {
        "id": run.id,
        "scenario_name": run.scenario_name,
        "scenario_hash": run.scenario_hash,
        "mode": run.mode,
        "options": run.options,
        "status": run.status,
        "plan_status": run.plan_status,
        "objective": run.objective,
        "bound": run.bound,
        "gap": run.gap,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "seconds": None
        if run.finished_at is None
        else (run.finished_at - run.started_at).total_seconds(),
        "created_by": run.created_by,
        "error": run.error,
        "label": label_of(run).as_stanag_4774(),
    }


def _readable_runs(session: Session, caller: Caller) -> list[PlanRun]:
    """The runs whose label the caller may read, newest first."""
    return [run for run in plans.list_runs(session) if caller.reads(label_of(run))]


def _default_values() -> dict[str, str]:
    asked = PlanRequest()
    return {
        "mode": asked.mode.value,
        "time_limit": f"{asked.time_limit:g}",
        "gap": f"{asked.gap:g}",
    }


def _list_page(
    request: Request,
    session: Session,
    caller: Caller,
    *,
    before: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problems: list[dict[str, Any]] | None = None,
    busy: BusyError | None = None,
    status_code: int = 200,
) -> Response:
    runs = _readable_runs(session, caller)
    shown = [run for run in runs if before is None or run.id < before][: PAGE_SIZE + 1]
    more = len(shown) > PAGE_SIZE
    shown = shown[:PAGE_SIZE]
    finished = [
        run
        for run in runs
        if run.status == RunStatus.DONE and run.plan_status != PlanStatus.INFEASIBLE
    ][:DIFF_CHOICES]
    items = [_summary(run) for run in shown]
    data = {
        "items": items,
        "next_before": shown[-1].id if more else None,
        "errors": errors or {},
        "problems": problems or [],
        "busy": None if busy is None else {"message": str(busy), "run_id": busy.run_id},
    }
    return page(
        request,
        "plans.html",
        data,
        labels=[item["label"] for item in items],
        status_code=status_code,
        before=before,
        may_start=caller.role in RUNNERS,
        may_diff=caller.is_staff,
        finished=finished,
        modes=[mode.value for mode in Mode],
        values=values or _default_values(),
    )


@router.get("/plans")
def plan_runs(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    before: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """The plan runs the caller may see, newest first, a page at a time; the form to plan
    the live data for planners and administrators."""
    return _list_page(request, session, caller, before=before)


@router.post("/plans")
def start_plan(
    request: Request, session: DbSession, caller: WebCaller, form: CheckedForm
) -> Response:
    """Plan the live data exactly as `POST /api/v1/plans` does; then follow the run."""
    require_runner(caller)  # before the fields: others get 403 whatever they send
    values = {name: form.get(name, "").strip() for name in FORM_FIELDS}
    try:
        asked = PlanRequest.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as invalid:
        errors: dict[str, str] = {}
        for problem in invalid.errors():
            errors.setdefault(str(problem["loc"][0]), problem["msg"])
        return _list_page(request, session, caller, values=values, errors=errors, status_code=422)
    state = request.app.state
    try:
        run = start_live_plan(session, caller, asked.options(), state.engine, registry_of(state))
    except BusyError as busy:
        session.rollback()
        return _list_page(request, session, caller, values=values, busy=busy, status_code=409)
    except InvalidScenarioError as invalid:
        session.rollback()
        problems = [problem_of(problem) for problem in invalid.problems]
        return _list_page(
            request, session, caller, values=values, problems=problems, status_code=422
        )
    return RedirectResponse(f"/plans/{run.id}", status_code=303)


def _counterpart(session: Session, caller: Caller, run: PlanRun) -> PlanRun | None:
    """The newest finished, feasible run of the same scenario in the other mode."""
    other = Mode.NATIONAL if run.mode == Mode.JOINT else Mode.JOINT
    for candidate in _readable_runs(session, caller):
        if (
            candidate.scenario_hash == run.scenario_hash
            and candidate.mode == other
            and candidate.status == RunStatus.DONE
            and candidate.plan_status != PlanStatus.INFEASIBLE
        ):
            return candidate
    return None


def _figures(view: PlanView, comparison: Comparison | None) -> dict[str, dict[str, Any]]:
    figures = {
        "production": production_figure(view),
        "deliveries": deliveries_figure(view),
        "openings": openings_figure(view),
        "tiers": tiers_figure(view),
    }
    if view.nations:
        figures["outcomes"] = outcomes_figure(view)
    if view.costs is not None:
        figures["costs"] = costs_figure(view.costs, view.currency)
    if comparison is not None:
        figures["comparison"] = comparison_figure(comparison, view.currency)
    return figures


def _progress(state: JobState | None) -> dict[str, Any] | None:
    """The live state of a run this server is solving (None: it solves nowhere here)."""
    return None if state is None or state.finished else state.as_json()


@router.get("/plans/diff")
def plan_diff(
    request: Request, session: DbSession, caller: WebCaller, a: QueryId, b: QueryId
) -> Response:
    """What changed from plan run `a` to plan run `b`; alliance staff only, as whole plan
    packages are: the runs themselves are no secret, so others get 403, not 404."""
    if not caller.is_staff:
        raise ForbiddenError("only alliance staff compare whole plans")
    runs = (readable_run(session, caller, a), readable_run(session, caller, b))
    for run in runs:
        if run.status != RunStatus.DONE:
            message = f"Plan run {run.id} has no plan to compare: it is {run.status}."
            return error_page(request, 409, "No plan yet", message)
    diff = diff_plans(
        plans.load_scenario(session, a),
        plans.load_plan(session, a),
        plans.load_scenario(session, b),
        plans.load_plan(session, b),
    )
    data = {
        "a": _summary(runs[0]),
        "b": _summary(runs[1]),
        "nations": _changes(diff.nations),
        "families": _changes(diff.families),
        "shortfalls": _changes(diff.shortfalls),
        "costs": _changes((*diff.costs, diff.objective)),
        "openings_added": [dataclasses.asdict(o) for o in diff.openings_added],
        "openings_removed": [dataclasses.asdict(o) for o in diff.openings_removed],
        "openings_moved": [
            {
                "line": move.line,
                "a": move.a.decision_month,
                "b": move.b.decision_month,
                "opening_cost": move.b.opening_cost,
            }
            for move in diff.openings_moved
        ],
        "tiers": [
            {
                "supplier": t.supplier,
                "item": t.item,
                "nation": t.nation,
                "a": None if t.a is None else t.a.min_quantity,
                "b": None if t.b is None else t.b.min_quantity,
                "b_quantity": None if t.b is None else t.b.quantity,
            }
            for t in diff.tiers
        ],
    }
    return page(
        request,
        "plan_diff.html",
        data,
        labels=[label_of(run).as_stanag_4774() for run in runs],
        figure=diff_deliveries_figure(diff.nations, a, b),
    )


def _changes(changes: tuple[Change, ...]) -> list[dict[str, Any]]:
    return [
        {
            "key": c.key,
            "a": _finite(c.a),
            "b": _finite(c.b),
            "delta": _finite(c.delta),
            "changed": c.changed,
        }
        for c in changes
    ]


@router.get("/plans/{run_id}")
def plan_run(request: Request, session: DbSession, caller: WebCaller, run_id: RecordId) -> Response:
    """One plan run: live progress while it solves, its error if it failed, the caller's
    share of its results once done."""
    run = readable_run(session, caller, run_id)
    scope = scope_of(caller)
    labels = [label_of(run).as_stanag_4774()]
    view: PlanView | None = None
    comparison: Comparison | None = None
    if run.status == RunStatus.DONE and run.plan_status != PlanStatus.INFEASIBLE:
        other = _counterpart(session, caller, run)
        # The whole plans, past PostgreSQL's row-level wall: a nation's share of the
        # costs depends on every nation's deliveries. `plan_view` and `comparison_view`
        # then keep only what the caller may see.
        with staff_scope(session):
            scenario = plans.load_scenario(session, run_id)
            plan = plans.load_plan(session, run_id)
            other_plan = None if other is None else plans.load_plan(session, other.id)
        view = plan_view(scenario, plan, scope)
        if other is not None and other_plan is not None:
            by_mode = {Mode(run.mode): (run.id, plan), Mode(other.mode): (other.id, other_plan)}
            comparison = comparison_view(
                scenario, by_mode[Mode.JOINT], by_mode[Mode.NATIONAL], scope
            )
            if comparison is not None:
                labels.append(label_of(other).as_stanag_4774())
    progress = None
    if run.status == RunStatus.RUNNING:
        progress = _progress(registry_of(request.app.state).get(run.id))
    data = {
        "run": _summary(run),
        "progress": progress,
        "scope": dataclasses.asdict(scope),
        "results": view,
        "comparison": comparison,
        "infeasibility": run.infeasibility if scope.staff else None,
    }
    return page(
        request,
        "plan.html",
        data,
        labels=labels,
        figures={} if view is None else _figures(view, comparison),
        may_download=caller.is_staff,
        components=COST_COMPONENTS,
        time_limit=float(run.options.get("time_limit", 0.0)),
    )
