"""Requirements pages: the filtered list, the new-requirement form, one requirement and
its workflow (submit, approve, reject with a reason)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import MAX_ID, RecordId
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.errors import ConflictError, InvalidError
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.requirements import service
from alliedforge.domain.requirements.models import RequirementStatus
from alliedforge.domain.requirements.schemas import (
    RequirementCreate,
    RequirementFilter,
    RequirementRead,
)
from alliedforge.store.base import CLASSIFICATIONS
from alliedforge.web.render import CheckedForm, WebCaller, WebRoute, error_page, page

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
