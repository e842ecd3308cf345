"""`/timelines`: acquisition timelines from the contracting record — how long each stage
takes per nation and item family, where the months go, the bottleneck."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from alliedforge.analysis.timelines import Procurement, TimelineAnalysis
from alliedforge.api.deps import CurrentCaller, DbSession
from alliedforge.domain.procurement.timeline_read import Timelines, timelines_for

router = APIRouter(tags=["timelines"])


class TimelinesRead(BaseModel):
    """The procurements analysed (milestone dates in `MILESTONES` order, null where not
    known) — `record` of them from the contracting record, `history` from the historical
    file — and their analysis: per stage, overall, per nation and per item family, the
    count, median, P20, P80, minimum and maximum in months, each stage's share of the
    months, the bottleneck stages, and the stages skipped for a missing date."""

    record: int
    history: int
    procurements: list[Procurement]
    analysis: TimelineAnalysis

    @classmethod
    def of(cls, timelines: Timelines) -> TimelinesRead:
        return cls(
            record=len(timelines.record),
            history=len(timelines.history),
            procurements=list(timelines.procurements),
            analysis=timelines.analysis,
        )


History = Annotated[
    bool,
    Query(description="Add the historical procurements (the timelines file) you may see."),
]


@router.get("/timelines", response_model=TimelinesRead)
def timelines(session: DbSession, caller: CurrentCaller, history: History = False) -> TimelinesRead:
    """The timeline analysis of the procurements you may see: staff all, a nation its own,
    a supplier those of its frameworks."""
    return TimelinesRead.of(timelines_for(session, caller, history))
