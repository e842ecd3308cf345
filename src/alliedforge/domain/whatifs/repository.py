"""Queries of stored what-ifs and analysis runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alliedforge.domain.whatifs.models import AnalysisRun, AnalysisStatus, StoredWhatIf

ACTIVE = (AnalysisStatus.QUEUED.value, AnalysisStatus.RUNNING.value)


def whatif_by_code(session: Session, code: str) -> StoredWhatIf | None:
    return session.scalars(select(StoredWhatIf).where(StoredWhatIf.code == code)).one_or_none()


def codes_like(session: Session, stem: str) -> set[str]:
    """The codes taken that start with `stem` (to make a new one unique)."""
    query = select(StoredWhatIf.code).where(StoredWhatIf.code.startswith(stem, autoescape=True))
    return set(session.scalars(query))


def whatifs(session: Session, limit: int, after: int | None) -> Sequence[StoredWhatIf]:
    """What-ifs in id order after `after`, at most `limit`."""
    query = select(StoredWhatIf).order_by(StoredWhatIf.id).limit(limit)
    if after is not None:
        query = query.where(StoredWhatIf.id > after)
    return session.scalars(query).all()


def newest_whatifs(session: Session, limit: int) -> Sequence[StoredWhatIf]:
    query = select(StoredWhatIf).order_by(StoredWhatIf.id.desc()).limit(limit)
    return session.scalars(query).all()


def run(session: Session, run_id: int) -> AnalysisRun | None:
    return session.get(AnalysisRun, run_id)


def runs(
    session: Session,
    *,
    kind: str | None = None,
    whatif_id: int | None = None,
    status: str | None = None,
    limit: int,
    after: int | None = None,
    newest_first: bool = False,
) -> Sequence[AnalysisRun]:
    """Runs matching every filter given, in id order (or newest first), at most `limit`."""
    query = select(AnalysisRun).limit(limit)
    if kind is not None:
        query = query.where(AnalysisRun.kind == kind)
    if whatif_id is not None:
        query = query.where(AnalysisRun.whatif_id == whatif_id)
    if status is not None:
        query = query.where(AnalysisRun.status == status)
    if after is not None:
        query = query.where(AnalysisRun.id > after)
    order = AnalysisRun.id.desc() if newest_first else AnalysisRun.id
    return session.scalars(query.order_by(order)).all()


def whatif_codes(session: Session, ids: set[int]) -> dict[int, str]:
    """The codes of the what-ifs with `ids`."""
    if not ids:
        return {}
    query = select(StoredWhatIf.id, StoredWhatIf.code).where(StoredWhatIf.id.in_(ids))
    return {row.id: row.code for row in session.execute(query)}


def active_runs(session: Session, whatif_id: int) -> int:
    """How many runs of the what-if are queued or computing."""
    query = select(func.count(AnalysisRun.id)).where(
        AnalysisRun.whatif_id == whatif_id, AnalysisRun.status.in_(ACTIVE)
    )
    return int(session.scalar(query) or 0)


def mark(session: Session, run_id: int, **values: Any) -> None:
    """Bookkeeping of an active run (progress, heartbeat): no new version, no audit."""
    session.execute(
        update(AnalysisRun)
        .where(AnalysisRun.id == run_id, AnalysisRun.status.in_(ACTIVE))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def silent_runs(session: Session, since: datetime) -> list[int]:
    """Active runs with no sign of life (heartbeat, start or record) since `since`."""
    last_sign = func.coalesce(AnalysisRun.heartbeat_at, AnalysisRun.started_at)
    last_sign = func.coalesce(last_sign, AnalysisRun.created_at)
    query = select(AnalysisRun.id).where(AnalysisRun.status.in_(ACTIVE), last_sign < since)
    return list(session.scalars(query.order_by(AnalysisRun.id)))
