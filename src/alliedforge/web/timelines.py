"""The acquisition timelines page: the stage analysis of the procurements the caller may see
(the record's, and the historical file's unless left out), the compression what-if —
started by the agency, solved in the background, its effects shown per nation as each
caller may see them — and the OCDS downloads of the caller's contracting processes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from alliedforge.analysis.plandiff import Change
from alliedforge.analysis.timeline_csv import TimelineError
from alliedforge.analysis.timelines import STAGES, Stage
from alliedforge.api.deps import DbSession
from alliedforge.api.jobs import (
    RUNNERS,
    BusyError,
    InvalidScenarioError,
    WhatIfState,
    registry_of,
    require_runner,
    start_compression,
    what_ifs_of,
)
from alliedforge.api.paging import RecordId
from alliedforge.api.routers.plans import problem_of
from alliedforge.api.routers.timelines import TimelinesRead
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.errors import NotFoundError
from alliedforge.domain.procurement.timeline_read import timelines_for
from alliedforge.planning.options import PlanOptions
from alliedforge.web.charts.timelines import (
    alliance_what_if_figure,
    analysis_figures,
    nation_effects_figure,
)
from alliedforge.web.render import CheckedForm, WebCaller, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

OCDS_DOWNLOADS = {"releases": "/api/v1/ocds/releases", "records": "/api/v1/ocds/records"}
FORM_FIELDS = ("stage", "months", "time_limit")


class WhatIfRequest(BaseModel):
    """A compression what-if: `stage` `months` shorter, each of the two plans solved
    within `time_limit` seconds."""

    model_config = ConfigDict(extra="forbid")

    stage: Stage
    months: Annotated[int, Field(ge=0, le=120)]
    time_limit: Annotated[float, Field(ge=1, le=3600)] = 60.0


def _staff(caller: Caller) -> bool:
    return caller.is_staff or caller.unrestricted


@router.get("/timelines")
def timelines_page(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    history: Annotated[Literal["on", "off"], Query()] = "on",
) -> Response:
    """The timeline analysis, the what-ifs and the OCDS downloads."""
    return _page(request, session, caller, history=history)


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    *,
    history: str = "on",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problems: list[dict[str, Any]] | None = None,
    busy: BusyError | None = None,
    status_code: int = 200,
) -> Response:
    history_problem = None
    try:
        timelines = timelines_for(session, caller, history == "on")
    except TimelineError as error:
        history_problem = str(error)
        timelines = timelines_for(session, caller, False)
    analysed = TimelinesRead.of(timelines)
    data = {
        **analysed.model_dump(mode="json"),
        "what_ifs": [_summary(state) for state in what_ifs_of(request.app.state).latest()],
        "ocds": OCDS_DOWNLOADS,
        "errors": errors or {},
        "problems": problems or [],
        "busy": None if busy is None else str(busy),
    }
    return page(
        request,
        "timelines.html",
        data,
        labels=[label.as_stanag_4774() for label in timelines.labels],
        status_code=status_code,
        figures=analysis_figures(timelines.procurements, timelines.analysis),
        overall=timelines.analysis.overall,
        nations=timelines.analysis.nations,
        families=timelines.analysis.families,
        include_history=history,
        history_problem=history_problem,
        may_start=caller.role in RUNNERS,
        stages=[stage.value for stage in STAGES],
        values=values or {"stage": Stage.CONTRACTING.value, "months": "6", "time_limit": "60"},
    )


@router.post("/timelines/what-ifs")
def start_what_if(
    request: Request, session: DbSession, caller: WebCaller, form: CheckedForm
) -> Response:
    """Plan the live data as it is and with one stage shorter, in the background; then
    follow the what-if."""
    require_runner(caller)  # before the fields: others get 403 whatever they send
    values = {name: form.get(name, "").strip() for name in FORM_FIELDS}
    try:
        asked = WhatIfRequest.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as invalid:
        errors: dict[str, str] = {}
        for problem in invalid.errors():
            errors.setdefault(str(problem["loc"][0]), problem["msg"])
        return _page(request, session, caller, values=values, errors=errors, status_code=422)
    state = request.app.state
    try:
        started = start_compression(
            session,
            caller,
            asked.stage,
            asked.months,
            PlanOptions(time_limit=asked.time_limit),
            registry_of(state),
            what_ifs_of(state),
        )
    except BusyError as busy:
        return _page(request, session, caller, values=values, busy=busy, status_code=409)
    except InvalidScenarioError as invalid:
        problems = [problem_of(problem) for problem in invalid.problems]
        return _page(request, session, caller, values=values, problems=problems, status_code=422)
    return RedirectResponse(f"/timelines/what-ifs/{started.id}", status_code=303)


@router.get("/timelines/what-ifs/{what_if_id}")
def what_if_page(request: Request, caller: WebCaller, what_if_id: RecordId) -> Response:
    """One what-if: its progress while it solves, then what it buys as the caller may see."""
    return _what_if(request, caller, what_if_id, "timelines_what_if.html")


@router.get("/timelines/what-ifs/{what_if_id}/status")
def what_if_status(request: Request, caller: WebCaller, what_if_id: RecordId) -> Response:
    """The what-if's section alone, which its page polls while it solves."""
    return _what_if(request, caller, what_if_id, "timelines_what_if_status.html")


def _what_if(request: Request, caller: Caller, what_if_id: int, template: str) -> Response:
    state = what_ifs_of(request.app.state).get(what_if_id)
    if state is None:
        raise NotFoundError("what-if", what_if_id)
    view = what_if_view(state, caller)
    figures: dict[str, dict[str, Any]] = {}
    if view["nations"]:
        figures["effects"] = nation_effects_figure(view["nations"], state.currency)
    if state.value is not None and _staff(caller):
        figures["alliance"] = alliance_what_if_figure(state.value, state.currency)
    return page(request, template, {"what_if": view}, figures=figures)


def _summary(state: WhatIfState) -> dict[str, Any]:
    return {
        "id": state.id,
        "stage": state.stage.value,
        "months": state.months,
        "time_limit": state.time_limit,
        "started_by": state.started_by,
        "started_at": state.started_at,
        "status": state.status,
        "phase": state.phase,
        "elapsed": state.elapsed,
    }


def _change(change: Change) -> dict[str, float]:
    return {"a": change.a, "b": change.b, "delta": change.delta}


def what_if_view(state: WhatIfState, caller: Caller) -> dict[str, Any]:
    """The what-if as the caller may see it: staff the whole alliance (totals, cost
    components, the lines changed, the openings moved, why a plan is infeasible); a nation
    its own effect; a supplier none of the effects."""
    staff = _staff(caller)
    value = state.value
    nations = [] if value is None else value.nations
    view: dict[str, Any] = {
        **_summary(state),
        "currency": state.currency,
        "plans": list(state.plans),
        "compared": value is not None,
        "error": state.error if staff else None,
        "scope": "alliance" if staff else caller.nation,
        "nations": [
            {
                "nation": n.nation,
                "shortfall": _change(n.shortfall),
                "late_unit_months": _change(n.late_unit_months),
                "cost": _change(n.cost),
            }
            for n in nations
            if staff or n.nation == caller.nation
        ],
        "alliance": None,
        "infeasibility": list(state.infeasibility) if staff else [],
    }
    if staff and value is not None:
        view["alliance"] = {
            "lever": value.lever.value,
            "shortfall": _change(value.shortfall),
            "late_unit_months": _change(value.late_unit_months),
            "costs": [{"key": c.key, **_change(c)} for c in value.diff.costs],
            "objective": _change(value.diff.objective),
            "lines": [{"line": s.line, "before": s.before, "after": s.after} for s in value.lines],
            "openings_moved": [
                {"line": m.line, "a": m.a.decision_month, "b": m.b.decision_month}
                for m in value.diff.openings_moved
            ],
        }
    return view
