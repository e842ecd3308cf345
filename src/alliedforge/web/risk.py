"""The disruption-risk pages, for alliance staff: a form to start a Monte Carlo of random
disruptions of the live record (samples, seed), the runs, and one run — its progress while
it computes, then the distributions of shortfall and lateness and each requirement's
chance of being met on time, with their intervals and charts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from alliedforge.api.analysis_jobs import start_risk_run
from alliedforge.api.deps import DbSession
from alliedforge.api.jobs import RUNNERS, BusyError, InvalidScenarioError, registry_of
from alliedforge.api.paging import RecordId
from alliedforge.api.routers.plans import problem_of
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.errors import NotFoundError
from alliedforge.domain.whatifs import service
from alliedforge.domain.whatifs.models import AnalysisKind
from alliedforge.domain.whatifs.schemas import MAX_SAMPLES, MAX_WORKERS, RiskRunCreate
from alliedforge.planning.plan import Mode
from alliedforge.web.charts.risk import risk_view
from alliedforge.web.render import CheckedForm, WebCaller, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

FORM_FIELDS = ("samples", "seed", "mode", "time_limit", "workers")


def _default_values() -> dict[str, str]:
    asked = RiskRunCreate()
    return {
        "samples": str(asked.samples),
        "seed": str(asked.seed),
        "mode": asked.mode.value,
        "time_limit": f"{asked.time_limit:g}",
        "workers": str(asked.workers),
    }


def _list_page(
    request: Request,
    session: Session,
    caller: Caller,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problems: list[dict[str, Any]] | None = None,
    busy: str | None = None,
    status_code: int = 200,
    template: str = "risk.html",
) -> Response:
    runs = service.newest_runs(session, caller, kind=AnalysisKind.RISK)
    data = {
        "runs": [run.model_dump(mode="json", exclude={"result"}) for run in runs],
        "errors": errors or {},
        "problems": problems or [],
        "busy": busy,
    }
    return page(
        request,
        template,
        data,
        labels=[run.label for run in runs],
        status_code=status_code,
        may_write=caller.role in RUNNERS,
        active=any(run.status in ("queued", "running") for run in runs),
        modes=[mode.value for mode in Mode],
        max_samples=MAX_SAMPLES,
        max_workers=MAX_WORKERS,
        values=values or _default_values(),
    )


@router.get("/risk")
def risk_page(request: Request, session: DbSession, caller: WebCaller) -> Response:
    """The risk runs, newest first, and the form to start one."""
    return _list_page(request, session, caller)


@router.get("/risk/runs")
def risk_runs(request: Request, session: DbSession, caller: WebCaller) -> Response:
    """The risk runs alone, which the risk page polls while one computes."""
    return _list_page(request, session, caller, template="risk_runs.html")


@router.post("/risk")
def start_risk(
    request: Request, session: DbSession, caller: WebCaller, form: CheckedForm
) -> Response:
    """Start a Monte Carlo of the live record exactly as `POST /api/v1/risk-runs` does;
    then follow it."""
    service.require_staff(caller)
    values = {name: form.get(name, "").strip() for name in FORM_FIELDS}
    try:
        asked = RiskRunCreate.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as invalid:
        errors: dict[str, str] = {}
        for problem in invalid.errors():
            errors.setdefault(str(problem["loc"][0]), problem["msg"])
        return _list_page(request, session, caller, values=values, errors=errors, status_code=422)
    state = request.app.state
    try:
        run = start_risk_run(session, caller, asked, state.engine, registry_of(state))
    except BusyError as busy:
        session.rollback()
        return _list_page(request, session, caller, values=values, busy=str(busy), status_code=409)
    except InvalidScenarioError as invalid:
        session.rollback()
        problems = [problem_of(problem) for problem in invalid.problems]
        return _list_page(
            request, session, caller, values=values, problems=problems, status_code=422
        )
    return RedirectResponse(f"/risk/{run.id}", status_code=303)


def _run_page(
    request: Request, session: Session, caller: Caller, run_id: int, template: str
) -> Response:
    run = service.get_run(session, caller, run_id)
    if run.kind != AnalysisKind.RISK:
        raise NotFoundError("risk run", run_id)
    view = None if run.result is None else risk_view(run.result)
    data = {
        "run": run.model_dump(mode="json", exclude={"result"}),
        "risk": None if view is None else view.data,
    }
    return page(
        request,
        template,
        data,
        labels=[run.label],
        figures={} if view is None else view.figures,
    )


@router.get("/risk/{run_id}")
def risk_run_page(
    request: Request, session: DbSession, caller: WebCaller, run_id: RecordId
) -> Response:
    """One risk run: its progress while it computes, then what the samples show."""
    return _run_page(request, session, caller, run_id, "risk_run.html")


@router.get("/risk/{run_id}/status")
def risk_run_status(
    request: Request, session: DbSession, caller: WebCaller, run_id: RecordId
) -> Response:
    """The run's section alone, which its page polls while it computes."""
    return _run_page(request, session, caller, run_id, "risk_run_status.html")
