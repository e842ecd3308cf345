"""The what-if pages, for alliance staff: the what-ifs with a form to add one (pasted or
uploaded TOML or YAML, every problem located), one what-if with its changes, its runs and
a form to run it, one run as it computes and what it changed, and the comparison of
several runs side by side. To nation and supplier users none of it exists (404)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from alliedforge.api.analysis_jobs import start_whatif_run
from alliedforge.api.deps import SESSION_COOKIE, DbSession
from alliedforge.api.jobs import RUNNERS, BusyError, InvalidScenarioError, registry_of
from alliedforge.api.paging import MAX_ID, RecordId
from alliedforge.api.routers.plans import problem_of
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.errors import DomainError, InvalidError, NotFoundError
from alliedforge.domain.whatifs import service
from alliedforge.domain.whatifs.models import AnalysisKind, AnalysisStatus
from alliedforge.domain.whatifs.schemas import (
    MAX_TEXT,
    AnalysisRunRead,
    WhatIfCreate,
    WhatIfRunCreate,
)
from alliedforge.planning.plan import Mode
from alliedforge.web import csrf
from alliedforge.web.charts.whatifs import comparison_view
from alliedforge.web.render import (
    CheckedForm,
    CsrfRejectedError,
    WebCaller,
    WebRoute,
    error_page,
    page,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)

SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
RUN_FIELDS = ("mode", "time_limit")
# Room for the form's other fields and the multipart boundaries around a what-if file.
FORM_OVERHEAD = 64 * 1024
RunIds = Annotated[list[Annotated[int, Query(ge=0, le=MAX_ID)]], Query()]


@dataclass(frozen=True)
class WhatIfForm:
    """The add-a-what-if form: its text fields, and the uploaded file's name and content
    (None: none uploaded; too large or not UTF-8 is told in `problem`)."""

    values: dict[str, str]
    filename: str
    content: str | None
    problem: str | None = None


async def checked_whatif_form(request: Request) -> WhatIfForm:
    """The multipart form whose CSRF token belongs to the session; a body too large for any
    acceptable what-if is not even parsed."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > 2 * MAX_TEXT * 4 + FORM_OVERHEAD:
        return WhatIfForm({}, "", None, "the form is too large: a what-if is a page of text")
    async with request.form(max_files=1, max_fields=8) as form:
        token = form.get(csrf.CSRF_FIELD)
        if not csrf.is_valid(
            request.cookies.get(SESSION_COOKIE), token if isinstance(token, str) else None
        ):
            raise CsrfRejectedError
        values = {name: value for name, value in form.items() if isinstance(value, str)}
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return WhatIfForm(values, "", None)
        raw = await file.read(4 * MAX_TEXT + 1)
    if len(raw) > 4 * MAX_TEXT:
        return WhatIfForm(values, file.filename, None, "the file is too large for a what-if")
    try:
        return WhatIfForm(values, file.filename, raw.decode("utf-8"))
    except UnicodeDecodeError:
        return WhatIfForm(values, file.filename, None, "the file is not UTF-8 text")


CheckedWhatIfForm = Annotated[WhatIfForm, Depends(checked_whatif_form)]


def _list_page(
    request: Request,
    session: Session,
    caller: Caller,
    *,
    values: dict[str, str] | None = None,
    problems: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    whatifs = service.newest_whatifs(session, caller)
    succeeded = service.newest_runs(
        session, caller, kind=AnalysisKind.WHATIF, status=AnalysisStatus.SUCCEEDED
    )
    data = {
        "whatifs": [w.model_dump(mode="json") for w in whatifs],
        "succeeded": [_run_summary(r) for r in succeeded],
        "problems": problems or [],
    }
    return page(
        request,
        "whatifs.html",
        data,
        labels=[w.label for w in whatifs],
        status_code=status_code,
        may_write=caller.role in RUNNERS,
        values=values or {"text": "", "format": "toml", "code": ""},
    )


@router.get("/whatifs")
def whatifs_page(request: Request, session: DbSession, caller: WebCaller) -> Response:
    """The what-ifs, newest first; the form to add one; the runs to compare."""
    return _list_page(request, session, caller)


@router.post("/whatifs")
def add_whatif(
    request: Request, form: CheckedWhatIfForm, session: DbSession, caller: WebCaller
) -> Response:
    """Keep a pasted or uploaded what-if whose every change applies to the live record;
    otherwise show every problem, by change and field, and keep nothing."""
    service.require_staff(caller)
    values = {k: form.values.get(k, "").strip() for k in ("format", "code")}
    values["text"] = form.values.get("text", "")
    source, text, fmt = "text", values["text"], values["format"] or "toml"
    if form.filename:
        source, text = form.filename, form.content or ""
        fmt = SUFFIXES.get(FilePath(form.filename).suffix.lower(), "")
    problems = _form_problems(form, source, text, fmt)
    if not problems:
        try:
            data = WhatIfCreate.model_validate(
                {"text": text, "format": fmt, "code": values["code"] or None}
            )
            made = service.create_whatif(session, caller, data, source)
        except ValidationError as invalid:
            problems = [
                _problem("form", str(e["loc"][0]), str(e.get("input", ""))[:80], e["msg"])
                for e in invalid.errors()
            ]
        except service.InvalidWhatIfError as invalid:
            problems = [service.problem_of(p) for p in invalid.problems]
        except InvalidError as refused:
            problems = [_problem("form", refused.field, str(refused.value), refused.reason)]
    if problems:
        session.rollback()
        return _list_page(
            request, session, caller, values=values, problems=problems, status_code=422
        )
    session.commit()
    return RedirectResponse(f"/whatifs/{made.code}", status_code=303)


def _problem(where: str, field: str, value: str, message: str) -> dict[str, str]:
    return {"where": where, "field": field, "value": value, "message": message}


def _form_problems(form: WhatIfForm, source: str, text: str, fmt: str) -> list[dict[str, str]]:
    if form.problem is not None:
        return [_problem(source or "form", "file", "", form.problem)]
    if form.filename and not fmt:
        return [_problem(source, "file", "", "upload a .toml, .yaml or .yml file")]
    if not text.strip():
        return [_problem("form", "text", "", "paste a what-if or choose its file")]
    return []


def _run_summary(run: AnalysisRunRead) -> dict[str, Any]:
    return run.model_dump(mode="json", exclude={"result"})


def _whatif_page(
    request: Request,
    session: Session,
    caller: Caller,
    code: str,
    *,
    values: dict[str, str] | None = None,
    problems: list[dict[str, Any]] | None = None,
    busy: str | None = None,
    status_code: int = 200,
    template: str = "whatif.html",
) -> Response:
    whatif = service.get_whatif(session, caller, code)
    row = service.whatif_row(session, caller, code)
    runs = service.newest_runs(session, caller, kind=AnalysisKind.WHATIF, whatif_id=row.id)
    data = {
        "whatif": whatif.model_dump(mode="json"),
        "runs": [_run_summary(r) for r in runs],
        "problems": problems or [],
        "busy": busy,
    }
    return page(
        request,
        template,
        data,
        labels=[whatif.label],
        status_code=status_code,
        may_write=caller.role in RUNNERS,
        active=any(not AnalysisStatus(r.status).finished for r in runs),
        modes=[mode.value for mode in Mode],
        values=values or {"mode": Mode.JOINT.value, "time_limit": "60"},
    )


@router.get("/whatifs/compare")
def compare_page(request: Request, session: DbSession, caller: WebCaller, run: RunIds) -> Response:
    """Two or more succeeded what-if runs side by side: the KPIs of each case with their
    change from the first base, and the charts."""
    service.require_staff(caller)
    runs = [service.get_run(session, caller, run_id) for run_id in dict.fromkeys(run)]
    unusable = [r for r in runs if r.kind != AnalysisKind.WHATIF or r.result is None]
    if len(runs) < 2 or unusable:
        message = "Choose two or more what-if runs that succeeded."
        return error_page(request, 422, "Nothing to compare", message)
    view = comparison_view([(r.id, r.result or {}) for r in runs])
    data = {"runs": [_run_summary(r) for r in runs], "comparison": view.data}
    return page(
        request,
        "whatif_compare.html",
        data,
        labels=[r.label for r in runs],
        figures=view.figures,
    )


@router.get("/whatifs/{code}")
def whatif_page(request: Request, session: DbSession, caller: WebCaller, code: str) -> Response:
    """One what-if: its changes, its runs (followed while they compute), the run form."""
    return _whatif_page(request, session, caller, code)


@router.get("/whatifs/{code}/runs")
def whatif_runs(request: Request, session: DbSession, caller: WebCaller, code: str) -> Response:
    """The what-if's runs alone, which its page polls while one computes."""
    return _whatif_page(request, session, caller, code, template="whatif_runs.html")


@router.post("/whatifs/{code}/runs")
def run_whatif(
    request: Request, session: DbSession, caller: WebCaller, code: str, form: CheckedForm
) -> Response:
    """Plan the live record as it is and with the what-if, in the background; then follow
    the run."""
    service.whatif_row(session, caller, code)  # not staff, or no such what-if: 404 first
    values = {name: form.get(name, "").strip() for name in RUN_FIELDS}
    try:
        asked = WhatIfRunCreate.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as invalid:
        problems = [
            _problem("form", str(e["loc"][0]), str(e.get("input", ""))[:80], e["msg"])
            for e in invalid.errors()
        ]
        return _whatif_page(
            request, session, caller, code, values=values, problems=problems, status_code=422
        )
    state = request.app.state
    try:
        run = start_whatif_run(session, caller, code, asked, state.engine, registry_of(state))
    except BusyError as busy:
        session.rollback()
        return _whatif_page(
            request, session, caller, code, values=values, busy=str(busy), status_code=409
        )
    except InvalidScenarioError as invalid:
        session.rollback()
        problems = [_scenario_problem(problem_of(p)) for p in invalid.problems]
        return _whatif_page(
            request, session, caller, code, values=values, problems=problems, status_code=422
        )
    except service.InvalidWhatIfError as invalid:
        session.rollback()
        problems = [service.problem_of(p) for p in invalid.problems]
        return _whatif_page(
            request, session, caller, code, values=values, problems=problems, status_code=422
        )
    return RedirectResponse(f"/whatifs/runs/{run.id}", status_code=303)


def _scenario_problem(problem: dict[str, Any]) -> dict[str, str]:
    where = f"{problem['table']} row {problem['row']}" if problem["row"] else problem["table"]
    value = "" if problem["value"] is None else str(problem["value"])
    return _problem(where or "record", problem["column"] or "", value, problem["message"])


@router.post("/whatifs/{code}/delete")
def delete_whatif(
    request: Request, session: DbSession, caller: WebCaller, code: str, form: CheckedForm
) -> Response:
    """Remove the what-if and its runs (the version shown on the page must be current)."""
    version = form.get("version", "")
    if not version.isdigit():
        return error_page(request, 400, "Bad request", "The form names no version.")
    try:
        service.delete_whatif(session, caller, code, int(version))
    except DomainError as refused:
        if isinstance(refused, NotFoundError):
            raise
        session.rollback()
        return error_page(request, 409, "Not deleted", str(refused))
    session.commit()
    return RedirectResponse("/whatifs", status_code=303)


def _run_page(
    request: Request, session: Session, caller: Caller, run_id: int, template: str
) -> Response:
    run = service.get_run(session, caller, run_id)
    if run.kind != AnalysisKind.WHATIF:
        raise NotFoundError("what-if run", run_id)
    view = None
    if run.result is not None:
        view = comparison_view([(run.id, run.result)])
    data = {
        "run": _run_summary(run),
        "comparison": None if view is None else view.data,
    }
    return page(
        request,
        template,
        data,
        labels=[run.label],
        figures={} if view is None else view.figures,
    )


@router.get("/whatifs/runs/{run_id}")
def run_page(request: Request, session: DbSession, caller: WebCaller, run_id: RecordId) -> Response:
    """One what-if run: its progress while it computes, then what the what-if changed."""
    return _run_page(request, session, caller, run_id, "whatif_run.html")


@router.get("/whatifs/runs/{run_id}/status")
def run_status(
    request: Request, session: DbSession, caller: WebCaller, run_id: RecordId
) -> Response:
    """The run's section alone, which its page polls while it computes."""
    return _run_page(request, session, caller, run_id, "whatif_run_status.html")
