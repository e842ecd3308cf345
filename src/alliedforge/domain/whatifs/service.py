"""What-ifs and analysis runs, for alliance staff alone: planners and administrators create,
delete and run them, auditors read them; to nation and supplier users they do not exist.

A what-if is kept only if its file parses and every change applies to the live record
(`InvalidWhatIfError` lists each located problem, and nothing is stored). Runs are recorded
`queued`; the process computing one marks it `running`, its progress and heartbeat, then
`succeeded` with the engine's result or `failed` with the error. Services only flush; the
caller commits. Every write is audited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.audit import service as audit
from alliedforge.domain.catalogue.service import (
    audited,
    created,
    deleted,
    flush,
    label_of,
    require_role,
    writable,
)
from alliedforge.domain.errors import DomainError, InvalidError, NotFoundError
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.record import snapshot_scenario
from alliedforge.domain.whatifs import repository
from alliedforge.domain.whatifs.models import (
    AnalysisKind,
    AnalysisRun,
    AnalysisStatus,
    StoredWhatIf,
)
from alliedforge.domain.whatifs.schemas import (
    AnalysisRunRead,
    ProgressRead,
    WhatIfCreate,
    WhatIfRead,
)
from alliedforge.scenario.model import Scenario
from alliedforge.store.base import DEFAULT_CLASSIFICATION, utcnow
from alliedforge.store.engine import StoreError, session_scope
from alliedforge.store.scope import staff_scope
from alliedforge.whatif.apply import apply_changes
from alliedforge.whatif.changes import WhatIf
from alliedforge.whatif.errors import WhatIfError, WhatIfProblem
from alliedforge.whatif.files import change_to_dict, parse_whatif, whatif_from_dict

WHATIF = "what-if"
RUN = "analysis run"
AGENCY = frozenset({Role.ADMIN, Role.PLANNER})
WHAT = "what-ifs and analysis runs"
# A computing run beats every `HEARTBEAT_SECONDS`; silent for `STALE_AFTER`, it is lost.
HEARTBEAT_SECONDS = 20.0
STALE_AFTER = timedelta(minutes=3)
NEWEST = 50
# Codes the pages' own addresses take (/whatifs/compare, /whatifs/runs/…).
RESERVED_CODES = frozenset({"compare", "runs", "upload"})


class InvalidWhatIfError(DomainError):
    """The what-if file does not parse, or a change does not apply to the live record:
    every located problem, nothing stored."""

    def __init__(self, problems: Sequence[WhatIfProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the what-if")
        self.problems = tuple(problems)


def problem_of(problem: WhatIfProblem) -> dict[str, str]:
    """A located problem as the API and the pages show it."""
    return {
        "where": problem.where,
        "field": problem.field,
        "value": problem.value,
        "message": problem.message,
    }


def require_staff(caller: Caller, key: object = "") -> None:
    """What-ifs and analysis runs do not exist for nation and supplier users (404)."""
    if not (caller.is_staff or caller.unrestricted):
        raise NotFoundError(WHAT, key)


def _readable(caller: Caller, row: StoredWhatIf | AnalysisRun) -> bool:
    return caller.reads(Label.parse(row.classification, row.releasable_to))


# --- what-ifs ----------------------------------------------------------------------------


def whatif_of(row: StoredWhatIf) -> WhatIf:
    """The engine's what-if from its stored row (kept in the file shape, so re-checked)."""
    shape = {"name": row.name, "description": row.description, "change": row.changes}
    return whatif_from_dict(shape, row.code)


def live_scenario(session: Session) -> Scenario:
    """The live record as a scenario, past the row-level wall (what-ifs are the alliance's);
    `InvalidWhatIfError` when the record holds none yet."""
    try:
        with staff_scope(session):
            return snapshot_scenario(session)
    except StoreError as error:
        problem = WhatIfProblem("record", "scenario", "", f"no scenario to change ({error})")
        raise InvalidWhatIfError([problem]) from error


def check_whatif(session: Session, data: WhatIfCreate, source: str) -> WhatIf:
    """The what-if of `data`, parsed and applied to the live record to find every problem."""
    try:
        whatif = parse_whatif(data.text, data.format, source)
        apply_changes(live_scenario(session), whatif.changes)
    except WhatIfError as error:
        raise InvalidWhatIfError(error.problems) from error
    return whatif


def _code_for(session: Session, name: str) -> str:
    """A new code made from the what-if's name (`plant-fire-in-2028`, then `-2`, `-3` …)."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:56]
    if not stem or stem in RESERVED_CODES:
        stem = f"whatif-{stem}".rstrip("-")
    taken = repository.codes_like(session, stem)
    if stem not in taken:
        return stem
    return next(f"{stem}-{n}" for n in range(2, len(taken) + 3) if f"{stem}-{n}" not in taken)


def create_whatif(
    session: Session, caller: Caller, data: WhatIfCreate, source: str = "text"
) -> WhatIfRead:
    """Keep a what-if whose every change applies to the live record; `source` names the
    file in problems."""
    require_staff(caller)
    require_role(caller, AGENCY, WHAT)
    whatif = check_whatif(session, data, source)
    code = data.code or _code_for(session, whatif.name)
    if code.lower() in RESERVED_CODES:
        raise InvalidError("code", code, "a word the what-if pages use: choose another code")
    if repository.whatif_by_code(session, code) is not None:
        raise InvalidError("code", code, "a what-if has this code already")
    row = StoredWhatIf(
        code=code,
        name=whatif.name,
        description=whatif.description,
        changes=[change_to_dict(change) for change in whatif.changes],
        created_by=caller.name,
        created_at=utcnow(),
    )
    created(session, caller, WHATIF, row, data.label)
    return whatif_read(row)


def whatif_row(session: Session, caller: Caller, code: str) -> StoredWhatIf:
    """The stored what-if `code`, or `NotFoundError` if the caller may not see it."""
    require_staff(caller, code)
    row = repository.whatif_by_code(session, code)
    if row is None or not _readable(caller, row):
        raise NotFoundError(WHATIF, code)
    return row


def get_whatif(session: Session, caller: Caller, code: str) -> WhatIfRead:
    return whatif_read(whatif_row(session, caller, code))


def list_whatifs(session: Session, caller: Caller, page: PageRequest) -> Page[WhatIfRead]:
    """One page of the what-ifs the caller may read, in id order."""
    require_staff(caller)
    rows = repository.whatifs(session, page.limit + 1, page.after)
    more = len(rows) > page.limit
    items = [whatif_read(row) for row in rows[: page.limit] if _readable(caller, row)]
    return Page(items, rows[page.limit - 1].id if more else None)


def newest_whatifs(session: Session, caller: Caller) -> list[WhatIfRead]:
    """The newest what-ifs the caller may read, newest first (the pages' list)."""
    require_staff(caller)
    rows = repository.newest_whatifs(session, NEWEST)
    return [whatif_read(row) for row in rows if _readable(caller, row)]


def delete_whatif(session: Session, caller: Caller, code: str, expected_version: int) -> None:
    """Remove a what-if and its finished runs; refused while one of its runs computes."""
    row = whatif_row(session, caller, code)
    require_role(caller, AGENCY, WHAT)
    writable(row, WHATIF, expected_version)
    if repository.active_runs(session, row.id):
        raise InvalidError("code", code, "a run of it is still computing: delete it after")
    deleted(session, caller, WHATIF, row, expected_version)


def whatif_read(row: StoredWhatIf) -> WhatIfRead:
    return WhatIfRead(
        id=row.id,
        code=row.code,
        name=row.name,
        description=row.description,
        changes=row.changes,
        created_by=row.created_by,
        created_at=row.created_at,
        version=row.version,
        label=label_of(row),
    )


# --- analysis runs -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunAsked:
    """A run to record: its kind, what-if, parameters (JSON), the plans it needs, and the
    hash of the scenario it starts from."""

    kind: AnalysisKind
    parameters: dict[str, Any]
    total: int
    scenario_hash: str
    whatif: StoredWhatIf | None = None


def start_run(session: Session, caller: Caller, asked: RunAsked) -> AnalysisRun:
    """Record a `queued` run (the caller commits it before computing starts)."""
    require_staff(caller)
    require_role(caller, AGENCY, WHAT)
    abandon_silent_runs(session, utcnow())
    row = AnalysisRun(
        kind=asked.kind.value,
        whatif_id=None if asked.whatif is None else asked.whatif.id,
        parameters=asked.parameters,
        status=AnalysisStatus.QUEUED.value,
        done=0,
        total=asked.total,
        scenario_hash=asked.scenario_hash,
        created_by=caller.name,
        created_at=utcnow(),
    )
    if asked.whatif is not None:  # the run is as sensitive as its what-if
        row.classification = asked.whatif.classification
        row.releasable_to = asked.whatif.releasable_to
    session.add(row)
    flush(session, RUN, None, None)
    audit.append(session, caller, "start", RUN, row.id, None, audited(row))
    return row


def _active(session: Session, run_id: int) -> AnalysisRun:
    row = repository.run(session, run_id)
    if row is None:
        raise NotFoundError(RUN, run_id)
    if AnalysisStatus(row.status).finished:
        raise DomainError(f"analysis run {run_id} is {row.status} already")
    return row


def begin_run(session: Session, run_id: int, now: datetime) -> None:
    """The run starts computing."""
    repository.mark(
        session, run_id, status=AnalysisStatus.RUNNING.value, started_at=now, heartbeat_at=now
    )


def record_progress(session: Session, run_id: int, done: int, now: datetime) -> None:
    """`done` plans of the run are solved; it is alive at `now`."""
    repository.mark(session, run_id, done=done, heartbeat_at=now)


def beat(session: Session, run_id: int, now: datetime) -> None:
    """The run is alive at `now`."""
    repository.mark(session, run_id, heartbeat_at=now)


def _end(session: Session, row: AnalysisRun, action: str, **values: Any) -> AnalysisRun:
    """Finish the run with `values`, audited in the name of whoever started it."""
    before = audited(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.finished_at = utcnow()
    flush(session, RUN, row.id, row.version)
    actor = Caller(row.created_by or "operator", Role.PLANNER, DEFAULT_CLASSIFICATION)
    after = {"status": row.status, "error": row.error, "done": row.done}
    audit.append(session, actor, action, RUN, row.id, {"status": before["status"]}, after)
    return row


def finish_run(session: Session, run_id: int, result: dict[str, Any]) -> AnalysisRun:
    """Store the run's result: it succeeded."""
    row = _active(session, run_id)
    return _end(
        session,
        row,
        "finish",
        status=AnalysisStatus.SUCCEEDED.value,
        result=audit.json_safe(result),
        done=row.total,
    )


def fail_run(session: Session, run_id: int, error: str) -> AnalysisRun:
    """Mark the run failed with the error that stopped it."""
    row = _active(session, run_id)
    return _end(session, row, "fail", status=AnalysisStatus.FAILED.value, error=error)


def abandon_silent_runs(
    session: Session, now: datetime, stale_after: timedelta = STALE_AFTER
) -> list[int]:
    """Mark failed every active run silent since `now - stale_after` (its process died)."""
    silent = repository.silent_runs(session, now - stale_after)
    minutes = int(stale_after.total_seconds() // 60)
    for run_id in silent:
        fail_run(
            session,
            run_id,
            f"interrupted: the process computing it stopped (no sign of life for {minutes} "
            "minutes); start it again",
        )
    return silent


def run_row(session: Session, caller: Caller, run_id: int) -> AnalysisRun:
    """The run `run_id`, or `NotFoundError` if the caller may not see it."""
    require_staff(caller, run_id)
    row = repository.run(session, run_id)
    if row is None or not _readable(caller, row):
        raise NotFoundError(RUN, run_id)
    return row


def get_run(session: Session, caller: Caller, run_id: int) -> AnalysisRunRead:
    row = run_row(session, caller, run_id)
    return run_reads(session, [row], with_result=True)[0]


def list_runs(
    session: Session,
    caller: Caller,
    page: PageRequest,
    *,
    kind: AnalysisKind | None = None,
    whatif: str | None = None,
) -> Page[AnalysisRunRead]:
    """One page of the runs the caller may read (of `kind`, of the what-if `whatif`), in id
    order, without their results."""
    require_staff(caller)
    whatif_id = None if whatif is None else whatif_row(session, caller, whatif).id
    rows = repository.runs(
        session,
        kind=None if kind is None else kind.value,
        whatif_id=whatif_id,
        limit=page.limit + 1,
        after=page.after,
    )
    more = len(rows) > page.limit
    shown = [row for row in rows[: page.limit] if _readable(caller, row)]
    return Page(run_reads(session, shown), rows[page.limit - 1].id if more else None)


def newest_runs(
    session: Session,
    caller: Caller,
    *,
    kind: AnalysisKind | None = None,
    whatif_id: int | None = None,
    status: AnalysisStatus | None = None,
    with_result: bool = False,
) -> list[AnalysisRunRead]:
    """The newest runs the caller may read (the pages' lists), newest first."""
    require_staff(caller)
    rows = repository.runs(
        session,
        kind=None if kind is None else kind.value,
        whatif_id=whatif_id,
        status=None if status is None else status.value,
        limit=NEWEST,
        newest_first=True,
    )
    shown = [row for row in rows if _readable(caller, row)]
    return run_reads(session, shown, with_result=with_result)


def run_reads(
    session: Session, rows: Sequence[AnalysisRun], *, with_result: bool = False
) -> list[AnalysisRunRead]:
    codes = repository.whatif_codes(session, {r.whatif_id for r in rows if r.whatif_id})
    return [
        AnalysisRunRead(
            id=row.id,
            kind=row.kind,
            whatif=None if row.whatif_id is None else codes.get(row.whatif_id),
            parameters=row.parameters,
            status=row.status,
            progress=ProgressRead(done=row.done, total=row.total),
            result=row.result if with_result else None,
            error=row.error,
            scenario_hash=row.scenario_hash,
            created_by=row.created_by,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            label=label_of(row),
        )
        for row in rows
    ]


def recover_interrupted_analyses(engine: Engine) -> list[int]:
    """At a service's start: mark failed the runs whose process stopped; their ids. As with
    plan runs, when several worker processes start together the first to commit wins."""
    with session_scope(engine, write=True) as session, staff_scope(session):
        try:
            silent = abandon_silent_runs(session, utcnow())
            session.commit()
        except StaleDataError:
            return []
    return silent
