"""`/budgets`, `/stockpiles`, `/fleets`, `/commitments`: a nation's own demand (written
by the nation and the agency) and the deliveries under contract (written by the agency);
`/demand/aggregates`: the alliance's demand as aggregates, for every role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from alliedforge.api.deps import CurrentCaller, DbSession, ExpectedVersion, etag
from alliedforge.api.paging import PageOut, PageParams, RecordId, page_request
from alliedforge.domain.demand import service
from alliedforge.domain.demand.schemas import (
    AggregateFilter,
    BudgetCreate,
    BudgetFilter,
    BudgetRead,
    BudgetUpdate,
    CommitmentCreate,
    CommitmentFilter,
    CommitmentRead,
    CommitmentUpdate,
    DemandAggregates,
    FleetCreate,
    FleetFilter,
    FleetRead,
    FleetUpdate,
    StockpileCreate,
    StockpileFilter,
    StockpileRead,
    StockpileUpdate,
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
    session: DbSession, caller: CurrentCaller, budget_id: RecordId, response: Response
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
    session: DbSession, caller: CurrentCaller, stockpile_id: RecordId, response: Response
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
    session: DbSession, caller: CurrentCaller, fleet_id: RecordId, response: Response
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
    session: DbSession, caller: CurrentCaller, commitment_id: RecordId, response: Response
) -> CommitmentRead:
    """One commitment, with its ETag."""
    found = service.get_commitment(session, caller, commitment_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.post("/budgets", status_code=status.HTTP_201_CREATED, response_model=BudgetRead)
def create_budget(
    session: DbSession,
    caller: CurrentCaller,
    data: BudgetCreate,
    request: Request,
    response: Response,
) -> BudgetRead:
    """Record a budget (a nation user: for their own nation)."""
    made = service.create_budget(session, caller, data)
    session.commit()
    response.headers["Location"] = str(request.url_for("get_budget", budget_id=made.id))
    response.headers["ETag"] = etag(made.version)
    return made


@router.patch("/budgets/{budget_id}", response_model=BudgetRead)
def update_budget(
    session: DbSession,
    caller: CurrentCaller,
    budget_id: RecordId,
    data: BudgetUpdate,
    version: ExpectedVersion,
    response: Response,
) -> BudgetRead:
    """Change fields of a budget (its nation or the agency; If-Match: its ETag)."""
    updated = service.update_budget(session, caller, budget_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete(
    "/budgets/{budget_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response
)
def delete_budget(
    session: DbSession, caller: CurrentCaller, budget_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a budget (its nation or the agency; If-Match: its ETag)."""
    service.delete_budget(session, caller, budget_id, version)
    session.commit()


@router.post("/stockpiles", status_code=status.HTTP_201_CREATED, response_model=StockpileRead)
def create_stockpile(
    session: DbSession,
    caller: CurrentCaller,
    data: StockpileCreate,
    request: Request,
    response: Response,
) -> StockpileRead:
    """Record a stockpile target (a nation user: for their own nation)."""
    made = service.create_stockpile(session, caller, data)
    session.commit()
    response.headers["Location"] = str(request.url_for("get_stockpile", stockpile_id=made.id))
    response.headers["ETag"] = etag(made.version)
    return made


@router.patch("/stockpiles/{stockpile_id}", response_model=StockpileRead)
def update_stockpile(
    session: DbSession,
    caller: CurrentCaller,
    stockpile_id: RecordId,
    data: StockpileUpdate,
    version: ExpectedVersion,
    response: Response,
) -> StockpileRead:
    """Change fields of a stockpile (its nation or the agency; If-Match: its ETag)."""
    updated = service.update_stockpile(session, caller, stockpile_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete(
    "/stockpiles/{stockpile_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response
)
def delete_stockpile(
    session: DbSession, caller: CurrentCaller, stockpile_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a stockpile (its nation or the agency; If-Match: its ETag)."""
    service.delete_stockpile(session, caller, stockpile_id, version)
    session.commit()


@router.post("/fleets", status_code=status.HTTP_201_CREATED, response_model=FleetRead)
def create_fleet(
    session: DbSession,
    caller: CurrentCaller,
    data: FleetCreate,
    request: Request,
    response: Response,
) -> FleetRead:
    """Record a fleet (a nation user: for their own nation)."""
    made = service.create_fleet(session, caller, data)
    session.commit()
    response.headers["Location"] = str(request.url_for("get_fleet", fleet_id=made.id))
    response.headers["ETag"] = etag(made.version)
    return made


@router.patch("/fleets/{fleet_id}", response_model=FleetRead)
def update_fleet(
    session: DbSession,
    caller: CurrentCaller,
    fleet_id: RecordId,
    data: FleetUpdate,
    version: ExpectedVersion,
    response: Response,
) -> FleetRead:
    """Change fields of a fleet (its nation or the agency; If-Match: its ETag)."""
    updated = service.update_fleet(session, caller, fleet_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete(
    "/fleets/{fleet_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response
)
def delete_fleet(
    session: DbSession, caller: CurrentCaller, fleet_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a fleet (its nation or the agency; If-Match: its ETag)."""
    service.delete_fleet(session, caller, fleet_id, version)
    session.commit()


@router.post("/commitments", status_code=status.HTTP_201_CREATED, response_model=CommitmentRead)
def create_commitment(
    session: DbSession,
    caller: CurrentCaller,
    data: CommitmentCreate,
    request: Request,
    response: Response,
) -> CommitmentRead:
    """Record deliveries under contract (the agency)."""
    made = service.create_commitment(session, caller, data)
    session.commit()
    response.headers["Location"] = str(request.url_for("get_commitment", commitment_id=made.id))
    response.headers["ETag"] = etag(made.version)
    return made


@router.patch("/commitments/{commitment_id}", response_model=CommitmentRead)
def update_commitment(
    session: DbSession,
    caller: CurrentCaller,
    commitment_id: RecordId,
    data: CommitmentUpdate,
    version: ExpectedVersion,
    response: Response,
) -> CommitmentRead:
    """Change fields of a commitment (the agency; If-Match: its ETag)."""
    updated = service.update_commitment(session, caller, commitment_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete(
    "/commitments/{commitment_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response
)
def delete_commitment(
    session: DbSession, caller: CurrentCaller, commitment_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a commitment (the agency; If-Match: its ETag)."""
    service.delete_commitment(session, caller, commitment_id, version)
    session.commit()


@router.get("/demand/aggregates", response_model=DemandAggregates)
def demand_aggregates(
    session: DbSession, caller: CurrentCaller, filters: Annotated[AggregateFilter, Query()]
) -> DemandAggregates:
    """Units required by all nations per item family and due year, with the number of
    nations behind each figure; outside the agency, cells of fewer nations are left out."""
    return service.demand_aggregates(session, caller, filters)
