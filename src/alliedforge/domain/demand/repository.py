"""Every query on budgets, stockpiles, fleets and commitments, scoped to what the caller
may see: staff all; a nation its own (commitments serving its requirements or
stockpiles); a supplier the commitments on its own lines only; labels on top."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, false, func, or_, select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue.models import WeaponSystem
from alliedforge.domain.catalogue.repository import page_of, readable
from alliedforge.domain.demand.schemas import (
    BudgetFilter,
    CommitmentFilter,
    FleetFilter,
    StockpileFilter,
)
from alliedforge.domain.industry.models import Line, Supplier
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.requirements.models import (
    Budget,
    Commitment,
    Fleet,
    Requirement,
    Stockpile,
)

Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])
BudgetRow = Row[Budget, str]
StockpileRow = Row[Stockpile, str, str]
FleetRow = Row[Fleet, str, str]
CommitmentRow = Row[Commitment, str, str, str, str | None]


def _nation_owned(
    query: Query, record: type[Budget] | type[Stockpile] | type[Fleet], caller: Caller
) -> Query:
    """`query` keeping the caller's nation's rows (staff: all; suppliers: none); labels."""
    if caller.unrestricted:
        return query
    if caller.role is Role.NATION:
        query = query.where(record.nation_id == caller.nation_id)
    elif not caller.is_staff:
        query = query.where(false())
    return readable(query, record, caller)


def _budgets(caller: Caller) -> Select[Budget, str]:
    query = select(Budget, Nation.code).join(Nation, Budget.nation_id == Nation.id)
    return _nation_owned(query, Budget, caller)


def budget_rows(
    session: Session, caller: Caller, filters: BudgetFilter, page: PageRequest
) -> list[BudgetRow]:
    query = _budgets(caller)
    if filters.nation is not None:
        query = query.where(Nation.code == filters.nation)
    if filters.year is not None:
        query = query.where(Budget.year == filters.year)
    return list(session.execute(page_of(query, Budget, page)).all())


def find_budget(session: Session, caller: Caller, row_id: int) -> BudgetRow | None:
    return session.execute(_budgets(caller).where(Budget.id == row_id)).one_or_none()


def _stockpiles(caller: Caller) -> Select[Stockpile, str, str]:
    query = (
        select(Stockpile, Nation.code, WeaponSystem.code)
        .join(Nation, Stockpile.nation_id == Nation.id)
        .join(WeaponSystem, Stockpile.weapon_system_id == WeaponSystem.id)
    )
    return _nation_owned(query, Stockpile, caller)


def stockpile_rows(
    session: Session, caller: Caller, filters: StockpileFilter, page: PageRequest
) -> list[StockpileRow]:
    query = _stockpiles(caller)
    if filters.nation is not None:
        query = query.where(Nation.code == filters.nation)
    if filters.weapon_system is not None:
        query = query.where(WeaponSystem.code == filters.weapon_system)
    return list(session.execute(page_of(query, Stockpile, page)).all())


def find_stockpile(session: Session, caller: Caller, row_id: int) -> StockpileRow | None:
    return session.execute(_stockpiles(caller).where(Stockpile.id == row_id)).one_or_none()


def _fleets(caller: Caller) -> Select[Fleet, str, str]:
    query = (
        select(Fleet, Nation.code, WeaponSystem.code)
        .join(Nation, Fleet.nation_id == Nation.id)
        .join(WeaponSystem, Fleet.weapon_system_id == WeaponSystem.id)
    )
    return _nation_owned(query, Fleet, caller)


def fleet_rows(
    session: Session, caller: Caller, filters: FleetFilter, page: PageRequest
) -> list[FleetRow]:
    query = _fleets(caller)
    if filters.nation is not None:
        query = query.where(Nation.code == filters.nation)
    if filters.weapon_system is not None:
        query = query.where(WeaponSystem.code == filters.weapon_system)
    return list(session.execute(page_of(query, Fleet, page)).all())


def find_fleet(session: Session, caller: Caller, row_id: int) -> FleetRow | None:
    return session.execute(_fleets(caller).where(Fleet.id == row_id)).one_or_none()


def _commitment_scope(caller: Caller) -> ColumnElement[bool] | None:
    if caller.role is Role.NATION:
        return or_(
            Requirement.nation_id == caller.nation_id, Stockpile.nation_id == caller.nation_id
        )
    if caller.role is Role.SUPPLIER:
        return Line.supplier_id == caller.supplier_id
    return None if caller.is_staff else false()


def _commitments(caller: Caller) -> Select[Commitment, str, str, str, str | None]:
    query = (
        select(Commitment, Line.code, Supplier.code, Nation.code, Requirement.code)
        .join(Line, Commitment.line_id == Line.id)
        .join(Supplier, Line.supplier_id == Supplier.id)
        .outerjoin(Requirement, Commitment.requirement_id == Requirement.id)
        .outerjoin(Stockpile, Commitment.stockpile_id == Stockpile.id)
        .join(Nation, Nation.id == func.coalesce(Requirement.nation_id, Stockpile.nation_id))
    )
    if caller.unrestricted:
        return query
    scope = _commitment_scope(caller)
    if scope is not None:
        query = query.where(scope)
    return readable(query, Commitment, caller)


def commitment_rows(
    session: Session, caller: Caller, filters: CommitmentFilter, page: PageRequest
) -> list[CommitmentRow]:
    query = _commitments(caller)
    if filters.nation is not None:
        query = query.where(Nation.code == filters.nation)
    if filters.line is not None:
        query = query.where(Line.code == filters.line)
    if filters.supplier is not None:
        query = query.where(Supplier.code == filters.supplier)
    return list(session.execute(page_of(query, Commitment, page)).all())


def find_commitment(session: Session, caller: Caller, row_id: int) -> CommitmentRow | None:
    return session.execute(_commitments(caller).where(Commitment.id == row_id)).one_or_none()
