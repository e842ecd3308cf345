"""Requirements pages: the filtered list, the new and edit forms (each field checked as it
is typed), a spreadsheet upload, one requirement and its workflow (submit, approve,
reject with a reason)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from alliedforge.api.deps import SESSION_COOKIE, DbSession
from alliedforge.api.paging import MAX_ID, RecordId
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from alliedforge.domain.nations import service as nations
from alliedforge.domain.paging import MAX_LIMIT, PageRequest
from alliedforge.domain.requirements import bulk, service
from alliedforge.domain.requirements.models import RequirementStatus
from alliedforge.domain.requirements.schemas import RequirementFilter, RequirementRead
from alliedforge.scenario.tables import format_number
from alliedforge.store.base import CLASSIFICATIONS
from alliedforge.web import csrf
from alliedforge.web.render import (
    CheckedForm,
    CsrfRejectedError,
    WebCaller,
    WebRoute,
    error_page,
    page,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50
AGENCY = frozenset({Role.ADMIN, Role.PLANNER})
WRITERS = AGENCY | {Role.NATION}
FILTERS = ("status", "nation", "weapon_system", "priority", "due_from", "due_to")
# Room for the form's other fields and multipart boundaries around a file of MAX_BYTES.
FORM_OVERHEAD = 64 * 1024
CONFLICT = (
    "Someone changed this requirement since you opened it; nothing was changed. "
    "Here is the current version: check it and try again."
)


def _require_writer(caller: Caller) -> None:
    """Refuse the forms to those who may not send them (the service refuses them too)."""
    if caller.role not in WRITERS:
        raise ForbiddenError(f"a {caller.role} user cannot change requirements")


def _own_nation(caller: Caller) -> str | None:
    return caller.nation if caller.role is Role.NATION else None


# --- the list ---------------------------------------------------------------------------


@router.get("/requirements")
def requirements(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    status: str = "",
    nation: str = "",
    weapon_system: str = "",
    priority: str = "",
    due_from: str = "",
    due_to: str = "",
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """The requirements the caller may see, filtered, one page at a time."""
    given = (status, nation, weapon_system, priority, due_from, due_to)
    chosen = {name: value.strip() for name, value in zip(FILTERS, given, strict=True)}
    try:
        filters = RequirementFilter.model_validate({k: v for k, v in chosen.items() if v})
    except ValidationError as invalid:
        problems = "; ".join(
            f"{str(problem['loc'][0]).replace('_', ' ')}: {problem['msg']}"
            for problem in invalid.errors()
        )
        return error_page(request, 400, "Bad filter", f"Check the filters ({problems}).")
    found = service.list_requirement_fields(session, caller, filters, PageRequest(PAGE_SIZE, after))
    data = {"items": found.items, "next_after": found.next_after, "filters": chosen}
    return page(
        request,
        "requirements.html",
        data,
        labels=[row["label"] for row in found.items],
        statuses=[str(status) for status in RequirementStatus],
        nations=_nation_codes(session, caller),
        after=after,
        may_create=caller.role in WRITERS,
    )


def _nation_codes(session: DbSession, caller: Caller) -> list[str]:
    """The nations staff may filter by (a nation desk sees only its own requirements)."""
    if not caller.is_staff:
        return []
    listed = nations.list_nations(session, caller, PageRequest(MAX_LIMIT))
    return sorted(nation.code for nation in listed.items)


# --- the new and edit forms -------------------------------------------------------------


def _form_page(
    request: Request,
    caller: Caller,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    *,
    requirement: RequirementRead | None = None,
    version: int | None = None,
    message: str | None = None,
    conflict: bool = False,
) -> Response:
    """The new-requirement form, or (with `requirement`) the edit form based on `version`."""
    return page(
        request,
        "requirement_form.html",
        {"values": values, "errors": errors, "message": message, "requirement": requirement},
        labels=[] if requirement is None else [requirement.label],
        status_code=status_code,
        classifications=CLASSIFICATIONS,
        own_nation=_own_nation(caller),
        version=version,
        conflict=conflict,
    )


def _typed(form: dict[str, str]) -> dict[str, str]:
    return {name: form.get(name, "") for name in bulk.FIELDS}


def _refusal(error: InvalidError | ForbiddenError) -> dict[str, str]:
    """A service's refusal as the error of its form field (`form`: of the whole form)."""
    if isinstance(error, InvalidError):
        return {bulk.field_of(error.field.split(".")): error.reason}
    return {"form": str(error)}


@router.get("/requirements/new")
def new_requirement(request: Request, caller: WebCaller) -> Response:
    """The form for a new draft requirement."""
    _require_writer(caller)
    values = dict.fromkeys(bulk.FIELDS, "") | {
        "priority": "1",
        "classification": CLASSIFICATIONS[0],
    }
    return _form_page(request, caller, values, {})


@router.post("/requirements/new")
def create_requirement(
    request: Request, session: DbSession, caller: WebCaller, form: CheckedForm
) -> Response:
    """Record a draft requirement; errors are shown next to their fields."""
    _require_writer(caller)
    values = _typed(form)
    data, errors = bulk.read_requirement(values)
    if data is None:
        return _form_page(request, caller, values, errors, 422)
    try:
        created = service.create_requirement(session, caller, data)
    except (InvalidError, ForbiddenError) as error:
        session.rollback()
        return _form_page(request, caller, values, _refusal(error), 422)
    session.commit()
    return RedirectResponse(f"/requirements/{created.id}", status_code=303)


@router.post("/requirements/check/{field}")
def check_field(request: Request, field: str, form: CheckedForm) -> Response:
    """One field of the new or edit form as it would be shown after sending it: the
    fragment that replaces the field while the user types (htmx), with its message for
    screen readers. It checks text against the schema only, so it opens no database
    session: checks fired while typing never wait on (or hold) SQLite's write lock."""
    if field not in bulk.FIELDS:
        raise NotFoundError("form field", field)
    values = _typed(form)
    _data, errors = bulk.read_requirement(values)
    return page(
        request,
        "requirement_field.html",
        {"field": field, "error": errors.get(field)},
        values=values,
        errors={field: errors[field]} if field in errors else {},
        classifications=CLASSIFICATIONS,
    )


def _values_of(requirement: RequirementRead) -> dict[str, str]:
    """A requirement as the text of its form's fields."""
    releasable = requirement.label["categories"][0]["values"]
    return {
        "code": requirement.code,
        "nation": requirement.nation,
        "weapon_system": requirement.weapon_system,
        "quantity": format_number(requirement.quantity),
        "due": requirement.due,
        "priority": str(requirement.priority),
        "classification": requirement.label["classification"],
        "releasable_to": "" if releasable == ["ALL"] else ", ".join(releasable),
    }


@router.get("/requirements/{requirement_id}/edit")
def edit_requirement(
    request: Request, session: DbSession, caller: WebCaller, requirement_id: RecordId
) -> Response:
    """The edit form of a requirement, based on its current version."""
    current = service.get_requirement(session, caller, requirement_id)
    _require_writer(caller)
    values = _values_of(current)
    return _form_page(request, caller, values, {}, requirement=current, version=current.version)


@router.post("/requirements/{requirement_id}/edit")
def save_requirement(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    requirement_id: RecordId,
    form: CheckedForm,
) -> Response:
    """Save the edit form at the version it was rendered from; a stale version shows the
    conflict and the current record, and overwrites nothing."""
    current = service.get_requirement(session, caller, requirement_id)
    _require_writer(caller)
    version_text = form.get("expected_version", "")
    if not version_text.isdigit():
        return error_page(request, 400, "Bad request", "The form has no version to save.")
    version = int(version_text)
    values = _typed(form) | {"code": current.code, "nation": current.nation}
    changes, errors = bulk.read_changes(values)
    if changes is None:
        return _form_page(
            request, caller, values, errors, 422, requirement=current, version=version
        )
    try:
        service.update_requirement(session, caller, requirement_id, changes, version)
    except ConflictError:
        session.rollback()
        latest = service.get_requirement(session, caller, requirement_id)
        return _form_page(
            request,
            caller,
            values,
            {},
            409,
            requirement=latest,
            version=latest.version,
            message=CONFLICT,
            conflict=True,
        )
    except (InvalidError, ForbiddenError) as error:
        session.rollback()
        return _form_page(
            request, caller, values, _refusal(error), 422, requirement=current, version=version
        )
    session.commit()
    return RedirectResponse(f"/requirements/{requirement_id}", status_code=303)


# --- spreadsheet upload -----------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name, and its content (None: larger than `bulk.MAX_BYTES`)."""

    filename: str
    content: bytes | None


async def checked_upload(request: Request) -> Upload:
    """The file of a multipart form whose CSRF token belongs to the session; a body too
    large for any acceptable file is not even parsed."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > bulk.MAX_BYTES + FORM_OVERHEAD:
        return Upload("", None)
    async with request.form(max_files=1, max_fields=8) as form:
        token = form.get(csrf.CSRF_FIELD)
        cookie = request.cookies.get(SESSION_COOKIE)
        if not csrf.is_valid(cookie, token if isinstance(token, str) else None):
            raise CsrfRejectedError
        file = form.get("file")
        if not isinstance(file, UploadFile):
            return Upload("", b"")
        content = await file.read(bulk.MAX_BYTES + 1)
        return Upload(file.filename or "", content if len(content) <= bulk.MAX_BYTES else None)


CheckedUpload = Annotated[Upload, Depends(checked_upload)]


def _upload_page(
    request: Request,
    caller: Caller,
    filename: str = "",
    errors: list[bulk.SheetError] | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "requirements_upload.html",
        {"filename": filename, "errors": errors or []},
        status_code=status_code,
        own_nation=_own_nation(caller),
        fields=bulk.FIELDS,
        max_rows=bulk.MAX_ROWS,
        max_megabytes=bulk.MAX_BYTES // (1024 * 1024),
    )


@router.get("/requirements/upload")
def upload_form(request: Request, caller: WebCaller) -> Response:
    """The form to upload a spreadsheet of new requirements."""
    _require_writer(caller)
    return _upload_page(request, caller)


@router.get("/requirements/upload/template.xlsx")
def upload_template(caller: WebCaller) -> Response:
    """An empty requirements spreadsheet with the header row."""
    return Response(
        bulk.template_xlsx(),
        media_type=bulk.XLSX_TYPE,
        headers={"Content-Disposition": 'attachment; filename="requirements-template.xlsx"'},
    )


@router.post("/requirements/upload")
def upload_requirements(
    request: Request, upload: CheckedUpload, session: DbSession, caller: WebCaller
) -> Response:
    """Record every row of a spreadsheet as a draft — all of them, or, if any row is
    wrong, none, with every problem located by row and column. (The upload is received
    before the caller is looked up: a slow upload must not hold SQLite's write lock.)"""
    _require_writer(caller)
    checked = bulk.check_upload(upload.filename, upload.content, _own_nation(caller))
    created: list[RequirementRead] = []
    errors = list(checked.errors)
    if not errors:
        created, errors = bulk.record_rows(
            checked.rows, lambda data: service.create_requirement(session, caller, data)
        )
    if errors:
        session.rollback()
        return _upload_page(request, caller, upload.filename, errors, 422)
    session.commit()
    return page(
        request,
        "requirements_uploaded.html",
        {"filename": upload.filename, "created": created},
        labels=[requirement.label for requirement in created],
    )


# --- one requirement and its workflow ---------------------------------------------------


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
        may_edit=caller.role in WRITERS,
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
        return _detail_page(request, caller, current, CONFLICT, 409)
    except InvalidError as error:
        session.rollback()
        current = service.get_requirement(session, caller, requirement_id)
        return _detail_page(request, caller, current, error.reason, 422)
    session.commit()
    return RedirectResponse(f"/requirements/{requirement_id}", status_code=303)
