"""Reading budgets, stockpiles, fleets and commitments: staff see all, a nation its own,
a supplier only the commitments on its own lines; labels apply on top."""

from __future__ import annotations

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.catalogue.service import found, label_of, page_from
from alliedforge.domain.demand import repository
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
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.requirements.models import Budget, Commitment, Fleet, Stockpile


def list_budgets(
    session: Session, caller: Caller, filters: BudgetFilter, page: PageRequest
) -> Page[BudgetRead]:
    """One page of the budgets the caller may see, in id order."""
    rows = repository.budget_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _budget(*row), lambda read: read.id)


def get_budget(session: Session, caller: Caller, row_id: int) -> BudgetRead:
    return _budget(*found(repository.find_budget(session, caller, row_id), "budget", row_id))


def list_stockpiles(
    session: Session, caller: Caller, filters: StockpileFilter, page: PageRequest
) -> Page[StockpileRead]:
    """One page of the stockpiles the caller may see, in id order."""
    rows = repository.stockpile_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _stockpile(*row), lambda read: read.id)


def get_stockpile(session: Session, caller: Caller, row_id: int) -> StockpileRead:
    row = repository.find_stockpile(session, caller, row_id)
    return _stockpile(*found(row, "stockpile", row_id))


def list_fleets(
    session: Session, caller: Caller, filters: FleetFilter, page: PageRequest
) -> Page[FleetRead]:
    """One page of the fleets the caller may see, in id order."""
    rows = repository.fleet_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _fleet(*row), lambda read: read.id)


def get_fleet(session: Session, caller: Caller, row_id: int) -> FleetRead:
    return _fleet(*found(repository.find_fleet(session, caller, row_id), "fleet", row_id))


def list_commitments(
    session: Session, caller: Caller, filters: CommitmentFilter, page: PageRequest
) -> Page[CommitmentRead]:
    """One page of the commitments the caller may see, in id order."""
    rows = repository.commitment_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _commitment(*row), lambda read: read.id)


def get_commitment(session: Session, caller: Caller, row_id: int) -> CommitmentRead:
    row = repository.find_commitment(session, caller, row_id)
    return _commitment(*found(row, "commitment", row_id))


def _budget(row: Budget, nation: str) -> BudgetRead:
    return BudgetRead(
        id=row.id,
        nation=nation,
        year=row.year,
        amount=row.amount,
        version=row.version,
        label=label_of(row),
    )


def _stockpile(row: Stockpile, nation: str, weapon_system: str) -> StockpileRead:
    return StockpileRead(
        id=row.id,
        nation=nation,
        weapon_system=weapon_system,
        on_hand=row.on_hand,
        target=row.target,
        due=row.due,
        version=row.version,
        label=label_of(row),
    )


def _fleet(row: Fleet, nation: str, weapon_system: str) -> FleetRead:
    return FleetRead(
        id=row.id,
        nation=nation,
        weapon_system=weapon_system,
        quantity=row.quantity,
        version=row.version,
        label=label_of(row),
    )


def _commitment(
    row: Commitment, line: str, supplier: str, nation: str, requirement: str | None
) -> CommitmentRead:
    return CommitmentRead(
        id=row.id,
        code=row.code,
        line=line,
        supplier=supplier,
        nation=nation,
        requirement=requirement,
        stockpile=row.stockpile_id,
        month=row.month,
        quantity=row.quantity,
        unit_price=row.unit_price,
        version=row.version,
        label=label_of(row),
    )
