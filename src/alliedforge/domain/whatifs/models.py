"""ORM models of stored what-ifs and of analysis runs (a what-if planned against the live
record, a Monte Carlo risk run, an interoperability ranking): staff-only records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliedforge.store.base import Record, one_of, utcnow


class AnalysisKind(StrEnum):
    """What an analysis run computes."""

    WHATIF = "whatif"
    RISK = "risk"
    INTEROP = "interop"


class AnalysisStatus(StrEnum):
    """Where an analysis run stands: recorded, computing, done with a result, or stopped."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (AnalysisStatus.SUCCEEDED, AnalysisStatus.FAILED)


class StoredWhatIf(Record):
    """A what-if as its file gave it: name, description and the change list as dicts
    (`whatif_to_dict`'s `changes`), kept so that it can be run again on a later record."""

    __tablename__ = "whatifs"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String)
    description: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnalysisRun(Record):
    """One analysis run: what was asked (`parameters`), its progress (`done` of `total`
    plans), and once finished its result (the engine's `to_dict()`) or its error.

    Like plan runs, a computing run marks `heartbeat_at`, so that one whose process died
    can be told from one still computing.
    """

    __tablename__ = "analysis_runs"
    __table_args__ = (
        one_of("kind", tuple(AnalysisKind), "kind"),
        one_of("status", tuple(AnalysisStatus), "status"),
    )

    kind: Mapped[str] = mapped_column(String, index=True)
    whatif_id: Mapped[int | None] = mapped_column(
        ForeignKey("whatifs.id", ondelete="CASCADE"), index=True
    )
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String, index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    scenario_hash: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()


__all__ = ["AnalysisKind", "AnalysisRun", "AnalysisStatus", "StoredWhatIf"]
