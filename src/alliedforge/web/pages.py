"""The page routes: sign in and out, dashboard, requirements and their workflow."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated, Any

import plotly
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import ValidationError

from alliedforge.api.deps import SESSION_COOKIE, DbSession
from alliedforge.api.paging import MAX_ID, RecordId
from alliedforge.api.routers.auth import SESSION_HOURS
from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.errors import (
    AuthenticationError,
    ConflictError,
    InvalidError,
    RateLimitedError,
)
from alliedforge.domain.paging import MAX_LIMIT, PageRequest
from alliedforge.domain.plans import service as plans
from alliedforge.domain.requirements import service
from alliedforge.domain.requirements.models import RequirementStatus
from alliedforge.domain.requirements.schemas import (
    RequirementCreate,
    RequirementFilter,
    RequirementRead,
)
from alliedforge.store.base import CLASSIFICATIONS
from alliedforge.web import csrf
from alliedforge.web.render import (
    CheckedForm,
    CsrfRejectedError,
    FormFields,
    WebCaller,
    WebRoute,
    error_page,
    page,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50
AGENCY = frozenset({Role.ADMIN, Role.PLANNER})
WRITERS = AGENCY | {Role.NATION}
FORM_FIELDS = (
    "code",
    "nation",
    "weapon_system",
    "quantity",
    "due",
    "priority",
    "classification",
    "releasable_to",
)


# plotly.js ships inside the plotly package: serve it from there (no CDN, no copy).
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@router.get("/static/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js, from the installed plotly package."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript")


# --- signing in and out ----------------------------------------------------------------


def _login_page(
    request: Request, error: str | None = None, status_code: int = 200, name: str = ""
) -> Response:
    secret = csrf.new_login_secret()
    response = page(
        request,
        "login.html",
        {"error": error},
        status_code=status_code,
        name=name,
        login_token=csrf.token_for(secret),
    )
    response.set_cookie(
        csrf.LOGIN_COOKIE,
        secret,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    """The sign-in form, with a fresh double-submit CSRF cookie."""
    return _login_page(request)


@router.post("/login")
def login(request: Request, session: DbSession, form: FormFields) -> Response:
    """Sign in; on success set the session cookie (as the API's) and go to the dashboard."""
    if not csrf.is_valid(request.cookies.get(csrf.LOGIN_COOKIE), form.get(csrf.CSRF_FIELD)):
        raise CsrfRejectedError
    name = form.get("name", "")
    address = request.client.host if request.client else None
    try:
        _caller, cookie = access.login(session, name, form.get("password", ""), address)
    except AuthenticationError:
        session.commit()  # keep the failure: the rate limit counts it
        return _login_page(request, "Wrong name or password.", 401, name)
    except RateLimitedError as error:
        response = _login_page(request, str(error), 429, name)
        response.headers["Retry-After"] = str(max(1, int(error.retry_after)))
        return response
    session.commit()
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(csrf.LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession, _form: CheckedForm) -> Response:
    """End the web session (its cookie stops working at once)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        access.logout(session, cookie)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- dashboard ---------------------------------------------------------------------------


def _all_requirements(session: DbSession, caller: Caller) -> list[dict[str, Any]]:
    """Every requirement the caller may see, as field dicts, page by page."""
    rows: list[dict[str, Any]] = []
    after: int | None = None
    while True:
        found = service.list_requirement_fields(
            session, caller, RequirementFilter(), PageRequest(MAX_LIMIT, after)
        )
        rows.extend(found.items)
        if found.next_after is None:
            return rows
        after = found.next_after


def _demand_figure(by_year: list[dict[str, Any]]) -> dict[str, Any]:
    """A plotly bar chart of units required per due year (a plain figure dict)."""
    return {
        "data": [
            {
                "type": "bar",
                "x": [str(cell["year"]) for cell in by_year],
                "y": [cell["quantity"] for cell in by_year],
                "name": "Units required",
                "marker": {"color": "#1f4e79"},
            }
        ],
        "layout": {
            "title": {"text": "Units required per due year (not rejected)"},
            "xaxis": {"title": {"text": "Due year"}, "type": "category"},
            "yaxis": {"title": {"text": "Units"}},
            "margin": {"t": 48, "r": 16, "b": 48, "l": 64},
        },
    }


def _plan_summary(session: DbSession, caller: Caller) -> tuple[dict[str, Any] | None, Label | None]:
    """The newest plan run the caller may read, in brief, and its label."""
    for run in plans.list_runs(session, 1):
        label = Label.parse(run.classification, run.releasable_to)
        if not caller.reads(label):
            return None, None
        return {
            "id": run.id,
            "scenario": run.scenario_name,
            "mode": run.mode,
            "status": run.status,
            "plan_status": run.plan_status,
            "objective": run.objective,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
        }, label
    return None, None


@router.get("/")
def dashboard(request: Request, session: DbSession, caller: WebCaller) -> Response:
    """Counts of the caller's requirements by status, demand per due year, latest plan."""
    rows = _all_requirements(session, caller)
    counts = Counter(str(row["status"]) for row in rows)
    by_status = {str(status): counts.get(str(status), 0) for status in RequirementStatus}
    units: dict[int, float] = defaultdict(float)
    for row in rows:
        if row["status"] != RequirementStatus.REJECTED:
            units[int(str(row["due"])[:4])] += float(row["quantity"])
    by_year = [{"year": year, "quantity": units[year]} for year in sorted(units)]
    latest, plan_label = _plan_summary(session, caller)
    labels = [row["label"] for row in rows]
    if plan_label is not None:
        labels.append(plan_label.as_stanag_4774())
    data = {
        "requirements_by_status": by_status,
        "requirements_total": len(rows),
        "demand_by_year": by_year,
        "latest_plan": latest,
    }
    return page(request, "dashboard.html", data, labels=labels, figure=_demand_figure(by_year))


# --- requirements ------------------------------------------------------------------------


def _filters(status: str, weapon_system: str) -> RequirementFilter:
    return RequirementFilter.model_validate(
        {
            "status": status.strip() or None,
            "weapon_system": weapon_system.strip() or None,
        }
    )


@router.get("/requirements")
def requirements(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    status: str = "",
    weapon_system: str = "",
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """The requirements the caller may see, filtered, one page at a time."""
    try:
        filters = _filters(status, weapon_system)
    except ValidationError:
        return error_page(request, 400, "Bad filter", "Choose a status from the list.")
    found = service.list_requirement_fields(session, caller, filters, PageRequest(PAGE_SIZE, after))
    data = {
        "items": found.items,
        "next_after": found.next_after,
        "filters": {"status": status, "weapon_system": weapon_system},
    }
    return page(
        request,
        "requirements.html",
        data,
        labels=[row["label"] for row in found.items],
        statuses=[str(status) for status in RequirementStatus],
        after=after,
        may_create=caller.role in WRITERS,
    )


def _new_page(
    request: Request,
    caller: Caller,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    message: str | None = None,
) -> Response:
    return page(
        request,
        "requirement_new.html",
        {"values": values, "errors": errors, "message": message},
        status_code=status_code,
        classifications=CLASSIFICATIONS,
        own_nation=caller.nation if caller.role is Role.NATION else None,
    )


@router.get("/requirements/new")
def new_requirement(request: Request, caller: WebCaller) -> Response:
    """The form for a new draft requirement."""
    values = dict.fromkeys(FORM_FIELDS, "")
    values |= {"priority": "1", "classification": CLASSIFICATIONS[0]}
    return _new_page(request, caller, values, {})


def _form_field(location: tuple[str | int, ...]) -> str:
    """The form field a validation error location names (`label.releasable_to.0` →
    `releasable_to`)."""
    parts = [str(part) for part in location if not isinstance(part, int)]
    if parts and parts[0] == "label":
        parts = parts[1:] or ["classification"]
    return parts[0] if parts and parts[0] in FORM_FIELDS else "form"


def _payload(values: dict[str, str]) -> dict[str, Any]:
    releasable = [code.strip() for code in values["releasable_to"].split(",") if code.strip()]
    payload: dict[str, Any] = {
        "code": values["code"],
        "weapon_system": values["weapon_system"],
        "quantity": values["quantity"],
        "due": values["due"],
        "priority": values["priority"] or "1",
        "label": {
            "classification": values["classification"],
            "releasable_to": releasable or None,
        },
    }
    if values["nation"].strip():
        payload["nation"] = values["nation"]
    return payload


@router.post("/requirements/new")
def create_requirement(
    request: Request, session: DbSession, caller: WebCaller, form: CheckedForm
) -> Response:
    """Record a draft requirement; errors are shown next to their fields."""
    values = {name: form.get(name, "") for name in FORM_FIELDS}
    try:
        data = RequirementCreate.model_validate(_payload(values))
    except ValidationError as invalid:
        errors: dict[str, str] = {}
        for problem in invalid.errors():
            errors.setdefault(_form_field(problem["loc"]), problem["msg"])
        return _new_page(request, caller, values, errors, 422)
    try:
        created = service.create_requirement(session, caller, data)
    except InvalidError as error:
        return _new_page(
            request, caller, values, {_form_field(tuple(error.field.split("."))): error.reason}, 422
        )
    session.commit()
    return RedirectResponse(f"/requirements/{created.id}", status_code=303)


def _actions(caller: Caller, requirement: RequirementRead) -> list[str]:
    """The workflow steps to offer (the service decides; this only hides futile buttons)."""
    status = requirement.status
    actions = []
    if caller.role in WRITERS and status in (RequirementStatus.DRAFT, RequirementStatus.REJECTED):
        actions.append("submit")
    if caller.role in AGENCY and status == RequirementStatus.SUBMITTED:
        actions.append("approve")
    if caller.role in AGENCY and status in (
        RequirementStatus.SUBMITTED,
        RequirementStatus.APPROVED,
    ):
        actions.append("reject")
    return actions


def _detail_page(
    request: Request,
    caller: Caller,
    requirement: RequirementRead,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "requirement.html",
        {"requirement": requirement, "actions": _actions(caller, requirement), "message": message},
        labels=[requirement.label],
        status_code=status_code,
    )


@router.get("/requirements/{requirement_id}")
def requirement(
    request: Request, session: DbSession, caller: WebCaller, requirement_id: RecordId
) -> Response:
    """One requirement, with the workflow steps the caller may take."""
    return _detail_page(request, caller, service.get_requirement(session, caller, requirement_id))


@router.post("/requirements/{requirement_id}/{action}")
def workflow(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    requirement_id: RecordId,
    action: str,
    form: CheckedForm,
) -> Response:
    """Submit, approve or reject a requirement at the version the form was rendered from;
    a stale version shows the conflict and the current record, never overwrites it."""
    version_text = form.get("expected_version", "")
    if action not in ("submit", "approve", "reject") or not version_text.isdigit():
        return error_page(request, 400, "Bad request", "Unknown step or missing version.")
    version = int(version_text)
    try:
        if action == "submit":
            service.submit_requirement(session, caller, requirement_id, version)
        elif action == "approve":
            service.approve_requirement(session, caller, requirement_id, version)
        else:
            reason = form.get("reason", "")
            service.reject_requirement(session, caller, requirement_id, version, reason)
    except ConflictError:
        session.rollback()
        current = service.get_requirement(session, caller, requirement_id)
        message = (
            "Someone changed this requirement since you opened it; nothing was changed. "
            "Here is the current version: check it and try again."
        )
        return _detail_page(request, caller, current, message, 409)
    except InvalidError as error:
        session.rollback()
        current = service.get_requirement(session, caller, requirement_id)
        return _detail_page(request, caller, current, error.reason, 422)
    session.commit()
    return RedirectResponse(f"/requirements/{requirement_id}", status_code=303)
