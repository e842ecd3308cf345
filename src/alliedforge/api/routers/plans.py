"""`/plans`: start a plan run of the live data, follow its progress, read its results."""

from __future__ import annotations

import io
import json
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import openpyxl
from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from openpyxl.cell import WriteOnlyCell
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from alliedforge.api.deps import CurrentCaller, DbSession
from alliedforge.api.errors import CONFLICT, PROBLEMS
from alliedforge.api.jobs import (
    BusyError,
    InvalidScenarioError,
    JobRegistry,
    JobState,
    registry_of,
    start_live_plan,
)
from alliedforge.api.paging import PageOut, PageParams, RecordId
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.labels import Label, readable_clause
from alliedforge.domain.errors import ForbiddenError, NotFoundError
from alliedforge.domain.plans import service as plan_runs
from alliedforge.domain.plans.models import PlanDelivery, PlanRun, RunStatus
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.package import (
    DELIVERY_COLUMNS,
    OPENING_COLUMNS,
    REQUIREMENT_COLUMNS,
    TIER_COLUMNS,
    summary_of,
    write_plan_package,
)
from alliedforge.planning.plan import Mode, Plan
from alliedforge.scenario.problems import Problem
from alliedforge.store.engine import session_scope

router = APIRouter(prefix="/plans", tags=["plans"])

# Server-sent events: at most one progress event per this many seconds (s).
EVENT_INTERVAL = 0.5
# A comment line this often keeps proxies from closing a quiet stream (s).
KEEPALIVE = 15.0
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PlanRequest(BaseModel):
    """What to plan: tier mode, wall-clock limit (s), relative MIP gap."""

    mode: Mode = Mode.JOINT
    time_limit: float = Field(default=120.0, gt=0, le=86_400)
    gap: float = Field(default=1e-4, ge=0, le=1)

    def options(self) -> PlanOptions:
        return PlanOptions(mode=self.mode, time_limit=self.time_limit, gap=self.gap)


def label_of(run: PlanRun) -> Label:
    return Label.parse(run.classification, run.releasable_to)


def readable_run(session: Session, caller: Caller, run_id: int) -> PlanRun:
    """The plan run `run_id` if the caller may read its label; a run they may not read is
    as absent as one that never was (`NotFoundError`)."""
    run = plan_runs.get_run(session, run_id)
    if not caller.reads(label_of(run)):
        raise NotFoundError("plan run", run_id)
    return run


class ProgressRead(BaseModel):
    """The latest progress report of a solving run."""

    status: str
    phase: str
    elapsed: float
    objective: float | None
    bound: float | None
    gap: float | None
    error: str | None


class RunRead(BaseModel):
    """A plan run's summary; `progress` while it solves in this server."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    scenario_name: str
    scenario_hash: str
    mode: str
    options: dict[str, Any]
    status: str
    plan_status: str | None
    solver: str | None
    strategy: str | None
    objective: float | None
    bound: float | None
    gap: float | None
    cost_procurement: float | None
    cost_opening: float | None
    cost_commitment: float | None
    cost_shortfall: float | None
    cost_late: float | None
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    created_by: str | None
    progress: ProgressRead | None = None


class DeliveryRead(BaseModel):
    """One planned delivery: quantity of an item from a line to a requirement in a month."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    line: str
    supplier: str
    item: str
    requirement: str
    nation: str
    month: str
    quantity: float
    unit_price: float
    committed: bool


def _progress(state: JobState | None) -> ProgressRead | None:
    if state is None:
        return None
    return ProgressRead.model_validate({k: v for k, v in state.as_json().items() if k != "run_id"})


def _read(run: PlanRun, registry: JobRegistry) -> RunRead:
    read = RunRead.model_validate(run)
    if run.status == RunStatus.RUNNING:
        read.progress = _progress(registry.get(run.id))
    return read


def problem_of(problem: Problem) -> dict[str, Any]:
    """A located problem of the data as the API reports it."""
    return {
        "table": problem.table,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "message": problem.expected,
    }


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunRead,
    responses={409: CONFLICT, 422: PROBLEMS},
)
def start_plan(
    session: DbSession,
    caller: CurrentCaller,
    data: PlanRequest,
    request: Request,
    response: Response,
) -> RunRead:
    """Plan the live data in the background; 202 with the run, 409 while another solves
    in this server (one at a time: start the next when it ends)."""
    registry = registry_of(request.app.state)
    try:
        run = start_live_plan(session, caller, data.options(), request.app.state.engine, registry)
    except BusyError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except InvalidScenarioError as error:
        detail = [problem_of(problem) for problem in error.problems]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from error
    response.headers["Location"] = str(request.url_for("get_plan", run_id=run.id))
    return _read(run, registry)


@router.get("", response_model=PageOut[RunRead])
def list_plans(
    session: DbSession,
    caller: CurrentCaller,
    page: Annotated[PageParams, Query()],
    request: Request,
) -> PageOut[RunRead]:
    """Plan runs in id order (every role: runs are alliance-wide summaries), those whose
    label you may read."""
    query = select(PlanRun).order_by(PlanRun.id).limit(page.limit + 1)
    if not caller.unrestricted:
        query = query.where(
            readable_clause(
                PlanRun.classification, PlanRun.releasable_to, caller.clearance, caller.nationality
            )
        )
    if page.after is not None:
        query = query.where(PlanRun.id > page.after)
    runs = list(session.scalars(query))
    more = len(runs) > page.limit
    runs = runs[: page.limit]
    registry = registry_of(request.app.state)
    return PageOut(
        items=[_read(run, registry) for run in runs],
        next_after=runs[-1].id if more else None,
    )


@router.get("/{run_id}", response_model=RunRead)
def get_plan(
    session: DbSession, caller: CurrentCaller, run_id: RecordId, request: Request
) -> RunRead:
    """One plan run, with live progress while it solves."""
    return _read(readable_run(session, caller, run_id), registry_of(request.app.state))


def _event(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


def _stored_event(engine: Engine, run_id: int) -> dict[str, Any]:
    # A session of its own: the request's may be closed while the stream still runs.
    with session_scope(engine) as session:
        run = plan_runs.get_run(session, run_id)
        return {
            "run_id": run.id,
            "status": run.status,
            "phase": run.status,
            "objective": run.objective,
            "bound": run.bound,
            "gap": run.gap,
            "error": run.error,
        }


def _events(registry: JobRegistry, engine: Engine, run_id: int) -> Iterator[str]:
    """Progress events while the run solves, then one final event with its end status."""
    seq = -1
    while True:
        state = registry.wait(run_id, seq, KEEPALIVE)
        if state is None or state.finished:
            break
        if state.seq == seq:
            yield ": keep-alive\n\n"
            continue
        seq = state.seq
        yield _event(state.as_json())
        time.sleep(EVENT_INTERVAL)  # the solver may report far more often than anyone reads
    final = _stored_event(engine, run_id)
    if final["status"] == RunStatus.RUNNING:
        final["phase"] = "not solving in this server"
    yield _event(final)


@router.get(
    "/{run_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def plan_events(
    session: DbSession, caller: CurrentCaller, run_id: RecordId, request: Request
) -> StreamingResponse:
    """Server-sent events: one `data: {json}` per progress change (at most ~2 a second),
    a final event with the run's end status, then the stream closes. A browser signed in
    to the web pages follows it with its session cookie (`EventSource`)."""
    readable_run(session, caller, run_id)  # 404 before the stream starts
    return StreamingResponse(
        _events(registry_of(request.app.state), request.app.state.engine, run_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _finished(session: Session, caller: Caller, run_id: int) -> PlanRun:
    run = readable_run(session, caller, run_id)
    if run.status != RunStatus.DONE:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"plan run {run_id} has no plan: it is {run.status}"
        )
    return run


@router.get("/{run_id}/deliveries", response_model=PageOut[DeliveryRead], responses={409: CONFLICT})
def list_deliveries(
    session: DbSession,
    caller: CurrentCaller,
    run_id: RecordId,
    page: Annotated[PageParams, Query()],
) -> PageOut[DeliveryRead]:
    """The run's planned deliveries you may see: staff all, a nation user those to its
    nation, a supplier user its supplier's; in plan order."""
    _finished(session, caller, run_id)
    query = (
        select(PlanDelivery)
        .where(PlanDelivery.plan_run_id == run_id)
        .order_by(PlanDelivery.id)
        .limit(page.limit + 1)
    )
    if page.after is not None:
        query = query.where(PlanDelivery.id > page.after)
    if not caller.is_staff:
        if caller.nation is not None:
            query = query.where(PlanDelivery.nation == caller.nation)
        elif caller.supplier is not None:
            query = query.where(PlanDelivery.supplier == caller.supplier)
        else:
            raise ForbiddenError("your role sees no deliveries")
    rows = list(session.scalars(query))
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    return PageOut(
        items=[DeliveryRead.model_validate(row) for row in rows],
        next_after=rows[-1].id if more else None,
    )


def _staff_plan(session: Session, caller: Caller, run_id: int) -> Plan:
    """The whole plan of a finished run, for alliance staff only."""
    if not caller.is_staff:
        raise ForbiddenError("only alliance staff download whole plan packages")
    _finished(session, caller, run_id)
    return plan_runs.load_plan(session, run_id)


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/{run_id}/package",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}, 409: CONFLICT},
)
def plan_package(session: DbSession, caller: CurrentCaller, run_id: RecordId) -> Response:
    """The run's plan package (summary.json and the CSV tables) as a zip; staff only."""
    plan = _staff_plan(session, caller, run_id)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="alliedforge-plan-") as tmp:
        folder = write_plan_package(plan, Path(tmp) / "plan")
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder).as_posix())
    return Response(
        buffer.getvalue(), media_type="application/zip", headers=_attachment(f"plan-{run_id}.zip")
    )


def _cell(sheet: Any, value: object) -> WriteOnlyCell:
    """A cell as the CSV package has it: numbers as numbers, a commitment flag as `yes`,
    text always as text (a code starting with `=` must never become a formula)."""
    if isinstance(value, bool):
        value = "yes" if value else None
    elif isinstance(value, dict | list):
        value = json.dumps(value, sort_keys=True)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def plan_workbook(plan: Plan) -> bytes:
    """The plan package as one workbook: a `summary` sheet (key, value) and one sheet per
    CSV table of the package, with the package's columns."""
    workbook = openpyxl.Workbook(write_only=True)
    summary = workbook.create_sheet("summary")
    summary.append([_cell(summary, "key"), _cell(summary, "value")])
    for key, value in summary_of(plan).items():
        summary.append([_cell(summary, key), _cell(summary, value)])
    tables = (
        ("deliveries", DELIVERY_COLUMNS, plan.deliveries),
        ("openings", OPENING_COLUMNS, plan.openings),
        ("tiers", TIER_COLUMNS, plan.tiers),
        ("requirements", REQUIREMENT_COLUMNS, plan.requirements),
    )
    for name, columns, rows in tables:
        sheet = workbook.create_sheet(name)
        sheet.append([_cell(sheet, column) for column in columns])
        for row in rows:
            sheet.append([_cell(sheet, getattr(row, column)) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@router.get(
    "/{run_id}/package.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}, 409: CONFLICT},
)
def plan_package_workbook(session: DbSession, caller: CurrentCaller, run_id: RecordId) -> Response:
    """The run's plan package as an .xlsx workbook (a summary sheet, a sheet per table);
    staff only."""
    plan = _staff_plan(session, caller, run_id)
    return Response(
        plan_workbook(plan), media_type=XLSX, headers=_attachment(f"plan-{run_id}.xlsx")
    )
