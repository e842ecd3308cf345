"""`/whatifs`, `/risk-runs`, `/analysis-runs`: what-ifs of the live record, their runs and
risk runs, computed in the background — for alliance staff only (to nation and supplier
users none of it exists: 404)."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, Response, UploadFile
from fastapi import status as http
from pydantic import ValidationError

from alliedforge.api.analysis_jobs import start_risk_run, start_whatif_run
from alliedforge.api.deps import CurrentCaller, DbSession, ExpectedVersion, etag
from alliedforge.api.errors import CONFLICT, PROBLEMS, TOO_LARGE, error_response
from alliedforge.api.jobs import BusyError, InvalidScenarioError, registry_of
from alliedforge.api.paging import PageOut, PageParams, RecordId, page_request
from alliedforge.api.routers.plans import problem_of
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.whatifs import service
from alliedforge.domain.whatifs.models import AnalysisKind, AnalysisRun
from alliedforge.domain.whatifs.schemas import (
    MAX_TEXT,
    AnalysisRunRead,
    RiskRunCreate,
    WhatIfCreate,
    WhatIfRead,
    WhatIfRunCreate,
)

router = APIRouter(tags=["what-ifs"])

WhatIfCode = Annotated[str, Path(min_length=1, max_length=64, description="The what-if's code.")]
SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
_WHATIF_PROBLEM = {
    "type": "object",
    "properties": {
        "where": {"type": "string"},
        "field": {"type": "string"},
        "value": {"type": "string"},
        "message": {"type": "string"},
    },
    "required": ["where", "field", "value", "message"],
}
WHATIF_PROBLEMS = error_response(
    "The what-if has problems (by change and field), or the request is invalid.",
    detail={
        "type": "array",
        "items": {"anyOf": [_WHATIF_PROBLEM, {"$ref": "#/components/schemas/ValidationError"}]},
    },
)
RUN_PROBLEMS = error_response(
    "The live data or the what-if has problems, or the request is invalid.",
    detail={"type": "array", "items": {}},
)


def unprocessable(error: service.InvalidWhatIfError) -> HTTPException:
    return HTTPException(
        http.HTTP_422_UNPROCESSABLE_CONTENT, [service.problem_of(p) for p in error.problems]
    )


def _created(session: DbSession, caller: Caller, data: WhatIfCreate, source: str) -> WhatIfRead:
    try:
        made = service.create_whatif(session, caller, data, source)
    except service.InvalidWhatIfError as error:
        raise unprocessable(error) from error
    session.commit()
    return made


@router.get(
    "/whatifs",
    response_model=PageOut[WhatIfRead],
    responses={404: error_response("Not for your role.")},
)
def list_whatifs(
    session: DbSession, caller: CurrentCaller, page: Annotated[PageParams, Query()]
) -> PageOut[WhatIfRead]:
    """The what-ifs, in the order they were made."""
    return PageOut.of(service.list_whatifs(session, caller, page_request(page)))


@router.post(
    "/whatifs",
    status_code=http.HTTP_201_CREATED,
    response_model=WhatIfRead,
    responses={404: error_response("Not for your role."), 422: WHATIF_PROBLEMS},
)
def create_whatif(
    session: DbSession, caller: CurrentCaller, data: WhatIfCreate, response: Response
) -> WhatIfRead:
    """Keep a what-if from its file's text (TOML or YAML, docs/whatif.md): 422 lists every
    located problem — of the file, or of a change the live record cannot take."""
    made = _created(session, caller, data, "text")
    response.headers["ETag"] = etag(made.version)
    return made


@router.post(
    "/whatifs/upload",
    status_code=http.HTTP_201_CREATED,
    response_model=WhatIfRead,
    responses={404: error_response("Not for your role."), 413: TOO_LARGE, 422: WHATIF_PROBLEMS},
)
def upload_whatif(
    session: DbSession,
    caller: CurrentCaller,
    file: UploadFile,
    response: Response,
    code: Annotated[str | None, Form(max_length=64)] = None,
) -> WhatIfRead:
    """Keep a what-if from an uploaded `.toml`, `.yaml` or `.yml` file, as `POST /whatifs`."""
    name = file.filename or "upload"
    fmt = SUFFIXES.get(FilePath(name).suffix.lower())
    content = file.file.read(4 * MAX_TEXT + 1)
    if len(content) > 4 * MAX_TEXT:
        raise HTTPException(http.HTTP_413_CONTENT_TOO_LARGE, "what-if files stop at 800 kB")
    problems: list[dict[str, Any]] = []
    if fmt is None:
        problems.append(_file_problem(name, "upload a .toml, .yaml or .yml file"))
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(_file_problem(name, "the file is not UTF-8 text"))
    if problems:
        raise HTTPException(http.HTTP_422_UNPROCESSABLE_CONTENT, problems)
    try:
        data = WhatIfCreate.model_validate({"text": text, "format": fmt, "code": code or None})
    except ValidationError as invalid:
        found = [
            _file_problem(name, str(e["msg"]), ".".join(map(str, e["loc"])))
            for e in invalid.errors()
        ]
        raise HTTPException(http.HTTP_422_UNPROCESSABLE_CONTENT, found) from invalid
    made = _created(session, caller, data, name)
    response.headers["ETag"] = etag(made.version)
    return made


def _file_problem(name: str, message: str, field: str = "") -> dict[str, Any]:
    return {"where": name, "field": field, "value": "", "message": message}


@router.get("/whatifs/{code}", response_model=WhatIfRead)
def get_whatif(
    session: DbSession, caller: CurrentCaller, code: WhatIfCode, response: Response
) -> WhatIfRead:
    """One what-if with its changes."""
    found = service.get_whatif(session, caller, code)
    response.headers["ETag"] = etag(found.version)
    return found


@router.delete("/whatifs/{code}", status_code=http.HTTP_204_NO_CONTENT, response_class=Response)
def delete_whatif(
    session: DbSession, caller: CurrentCaller, code: WhatIfCode, expected: ExpectedVersion
) -> Response:
    """Remove a what-if and its runs (not while one of them computes)."""
    service.delete_whatif(session, caller, code, expected)
    session.commit()
    return Response(status_code=http.HTTP_204_NO_CONTENT)


def _accepted(
    request: Request, session: DbSession, response: Response, run: AnalysisRun
) -> AnalysisRunRead:
    response.headers["Location"] = str(request.url_for("get_analysis_run", run_id=run.id))
    return service.run_reads(session, [run])[0]


def _start_refused(error: Exception) -> HTTPException:
    match error:
        case BusyError():
            return HTTPException(http.HTTP_409_CONFLICT, str(error))
        case InvalidScenarioError():
            return HTTPException(
                http.HTTP_422_UNPROCESSABLE_CONTENT, [problem_of(p) for p in error.problems]
            )
        case service.InvalidWhatIfError():
            return unprocessable(error)
    raise error


@router.post(
    "/whatifs/{code}/runs",
    status_code=http.HTTP_202_ACCEPTED,
    response_model=AnalysisRunRead,
    responses={409: CONFLICT, 422: RUN_PROBLEMS},
)
def start_whatif(
    session: DbSession,
    caller: CurrentCaller,
    code: WhatIfCode,
    data: WhatIfRunCreate,
    request: Request,
    response: Response,
) -> AnalysisRunRead:
    """Plan the live record as it is and with the what-if, in the background, and compare:
    202 with the run; 409 while another plan or analysis computes in this server."""
    state = request.app.state
    try:
        run = start_whatif_run(session, caller, code, data, state.engine, registry_of(state))
    except (BusyError, InvalidScenarioError, service.InvalidWhatIfError) as error:
        raise _start_refused(error) from error
    return _accepted(request, session, response, run)


@router.post(
    "/risk-runs",
    status_code=http.HTTP_202_ACCEPTED,
    response_model=AnalysisRunRead,
    responses={404: error_response("Not for your role."), 409: CONFLICT, 422: PROBLEMS},
)
def start_risk(
    session: DbSession,
    caller: CurrentCaller,
    data: RiskRunCreate,
    request: Request,
    response: Response,
) -> AnalysisRunRead:
    """A Monte Carlo of random disruptions of the live record (the default disruption
    model), `samples` plans drawn from `seed`, in the background: 202 with
    the run; 409 while another plan or analysis computes in this server."""
    state = request.app.state
    try:
        run = start_risk_run(session, caller, data, state.engine, registry_of(state))
    except (BusyError, InvalidScenarioError) as error:
        raise _start_refused(error) from error
    return _accepted(request, session, response, run)


@router.get(
    "/analysis-runs",
    response_model=PageOut[AnalysisRunRead],
    responses={404: error_response("Not for your role, or no such what-if.")},
)
def list_analysis_runs(
    session: DbSession,
    caller: CurrentCaller,
    page: Annotated[PageParams, Query()],
    kind: Annotated[AnalysisKind | None, Query(description="Only runs of this kind.")] = None,
    whatif: Annotated[
        str | None, Query(max_length=64, description="Only runs of this what-if (its code).")
    ] = None,
) -> PageOut[AnalysisRunRead]:
    """Analysis runs in the order they were started, without their results."""
    return PageOut.of(
        service.list_runs(session, caller, page_request(page), kind=kind, whatif=whatif)
    )


@router.get("/analysis-runs/{run_id}", response_model=AnalysisRunRead)
def get_analysis_run(
    session: DbSession, caller: CurrentCaller, run_id: RecordId
) -> AnalysisRunRead:
    """One run: its status, progress (plans solved of those needed) and, once it
    succeeded, its result."""
    return service.get_run(session, caller, run_id)
