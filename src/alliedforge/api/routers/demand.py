"""`/budgets`, `/stockpiles`, `/fleets`, `/commitments`: a nation's own demand and the
deliveries under contract, read-only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from alliedforge.api.deps import CurrentCaller, DbSession, etag
from alliedforge.api.paging import PageOut, PageParams, page_request
from alliedforge.domain.demand import service
from alliedforge.domain.demand.schemas import (
    BudgetFilter,
    BudgetRead,
    CommitmentFilter,
    CommitmentRead,
    FleetFilter,
    FleetRead,
    StockpileFilter,
    StockpileRead,
)

router = APIRouter(tags=["demand"])
Paging = Annotated[PageParams, Query()]


@router.get("/budgets", response_model=PageOut[BudgetRead])
def list_budgets(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[BudgetFilter, Query()],
    page: Paging,
) -> PageOut[BudgetRead]:
    """The budgets you may see, in id order, filtered; follow `next_after`."""
    return PageOut.of(service.list_budgets(session, caller, filters, page_request(page)))


@router.get("/budgets/{budget_id}", response_model=BudgetRead)
def get_budget(
    session: DbSession, caller: CurrentCaller, budget_id: int, response: Response
) -> BudgetRead:
    """One budget, with its ETag."""
    found = service.get_budget(session, caller, budget_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.get("/stockpiles", response_model=PageOut[StockpileRead])
def list_stockpiles(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[StockpileFilter, Query()],
    page: Paging,
) -> PageOut[StockpileRead]:
    """The stockpiles you may see, in id order, filtered; follow `next_after`."""
    return PageOut.of(service.list_stockpiles(session, caller, filters, page_request(page)))


@router.get("/stockpiles/{stockpile_id}", response_model=StockpileRead)
def get_stockpile(
    session: DbSession, caller: CurrentCaller, stockpile_id: int, response: Response
) -> StockpileRead:
    """One stockpile, with its ETag."""
    found = service.get_stockpile(session, caller, stockpile_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.get("/fleets", response_model=PageOut[FleetRead])
def list_fleets(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[FleetFilter, Query()],
    page: Paging,
) -> PageOut[FleetRead]:
    """The fleets you may see, in id order, filtered; follow `next_after`."""
    return PageOut.of(service.list_fleets(session, caller, filters, page_request(page)))


@router.get("/fleets/{fleet_id}", response_model=FleetRead)
def get_fleet(
    session: DbSession, caller: CurrentCaller, fleet_id: int, response: Response
) -> FleetRead:
    """One fleet, with its ETag."""
    found = service.get_fleet(session, caller, fleet_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.get("/commitments", response_model=PageOut[CommitmentRead])
def list_commitments(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[CommitmentFilter, Query()],
    page: Paging,
) -> PageOut[CommitmentRead]:
    """The commitments you may see, in id order, filtered; follow `next_after`."""
    return PageOut.of(service.list_commitments(session, caller, filters, page_request(page)))


@router.get("/commitments/{commitment_id}", response_model=CommitmentRead)
def get_commitment(
    session: DbSession, caller: CurrentCaller, commitment_id: int, response: Response
) -> CommitmentRead:
    """One commitment, with its ETag."""
    found = service.get_commitment(session, caller, commitment_id)
    response.headers["ETag"] = etag(found.version)
    return found
