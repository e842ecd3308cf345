"""Every query on budgets, stockpiles, fleets and commitments, scoped to what the caller
may see: staff all; a nation its own (commitments serving its requirements or
stockpiles); a supplier the commitments on its own lines only; labels on top."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, false, func, literal_column, or_, select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import readable_clause
from alliedforge.domain.catalogue.models import Item, Qualification, WeaponSystem
from alliedforge.domain.catalogue.repository import page_of, readable
from alliedforge.domain.demand.schemas import (
    AggregateFilter,
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
    RequirementStatus,
    Stockpile,
)
from alliedforge.store.scope import staff_scope

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


# A commitment is a contract between a nation and a supplier: each party sees the
# other's line, supplier and requirement codes on it, which PostgreSQL's row-level
# security would hide (a nation sees no lines). The queries below therefore run in the
# agency's database scope, and `_commitment_scope` alone decides which rows are shown.
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
    with staff_scope(session):
        return list(session.execute(page_of(query, Commitment, page)).all())


def find_commitment(session: Session, caller: Caller, row_id: int) -> CommitmentRow | None:
    with staff_scope(session):
        return session.execute(_commitments(caller).where(Commitment.id == row_id)).one_or_none()


def nation_by_code(session: Session, caller: Caller, code: str) -> Nation | None:
    """The nation with this code if the caller may read it."""
    return session.scalars(
        readable(select(Nation), Nation, caller).where(Nation.code == code)
    ).one_or_none()


def line_by_code(session: Session, caller: Caller, code: str) -> Line | None:
    """The production line with this code if the caller may read it."""
    query = readable(select(Line), Line, caller).where(Line.code == code)
    return session.scalars(query).one_or_none()


def requirement_by_code(
    session: Session, caller: Caller, nation_id: int, code: str
) -> Requirement | None:
    """The nation's requirement with this code if the caller may read it."""
    query = readable(select(Requirement), Requirement, caller).where(
        Requirement.nation_id == nation_id, Requirement.code == code
    )
    return session.scalars(query).one_or_none()


def stockpile_of(session: Session, caller: Caller, nation_id: int, row_id: int) -> Stockpile | None:
    """The nation's stockpile with this id if the caller may read it."""
    query = readable(select(Stockpile), Stockpile, caller).where(
        Stockpile.nation_id == nation_id, Stockpile.id == row_id
    )
    return session.scalars(query).one_or_none()


def demand_cells(
    session: Session, caller: Caller, filters: AggregateFilter
) -> list[Row[str, str, float, int]]:
    """(family, year, units, nations) over every nation's requirements the caller's
    labels admit, rejected ones aside; see `service.demand_aggregates` for the rule."""
    families = readable(
        readable(
            select(Qualification.weapon_system_id, Item.family)
            .join(Item, Qualification.item_id == Item.id)
            .distinct(),
            Qualification,
            caller,
        ),
        Item,
        caller,
    ).subquery()
    # Literal arguments, not bound ones: PostgreSQL must see the same expression in the
    # select list and in GROUP BY.
    year = func.substr(Requirement.due, literal_column("1"), literal_column("4"))
    query = (
        select(
            families.c.family,
            year,
            func.sum(Requirement.quantity),
            func.count(Requirement.nation_id.distinct()),
        )
        .join(families, families.c.weapon_system_id == Requirement.weapon_system_id)
        .where(Requirement.status != RequirementStatus.REJECTED)
        .group_by(families.c.family, year)
        .order_by(families.c.family, year)
    )
    if not caller.unrestricted:
        query = query.where(
            readable_clause(
                Requirement.classification,
                Requirement.releasable_to,
                caller.clearance,
                caller.nationality,
            )
        )
    if filters.family is not None:
        query = query.where(families.c.family == filters.family)
    if filters.year is not None:
        query = query.where(Requirement.due.like(f"{filters.year:04d}-%"))
    return list(session.execute(query).all())
