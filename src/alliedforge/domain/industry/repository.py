"""Every query on industry, scoped to what the caller may see: supplier profiles are
public; lines and prices are the agency's and their own supplier's; labels on top."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Row, Select, false, select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue.models import Item
from alliedforge.domain.catalogue.repository import item_code_is, page_of, readable
from alliedforge.domain.industry.models import Line, Price, Supplier
from alliedforge.domain.industry.schemas import LineFilter, PriceFilter, SupplierFilter
from alliedforge.domain.paging import PageRequest

Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])
LineRow = Row[Line, str, Item]
PriceRow = Row[Price, str, Item]


def owned_by_supplier(query: Query, record: type[Line] | type[Price], caller: Caller) -> Query:
    """`query` keeping the rows of the caller's supplier (staff: all; nations: none)."""
    if caller.unrestricted or caller.is_staff:
        return query
    if caller.role is Role.SUPPLIER:
        return query.where(record.supplier_id == caller.supplier_id)
    return query.where(false())


def supplier_rows(
    session: Session, caller: Caller, filters: SupplierFilter, page: PageRequest
) -> list[Supplier]:
    query = readable(select(Supplier), Supplier, caller)
    if filters.country is not None:
        query = query.where(Supplier.country == filters.country)
    return list(session.scalars(page_of(query, Supplier, page)).all())


def find_supplier(session: Session, caller: Caller, row_id: int) -> Supplier | None:
    query = readable(select(Supplier), Supplier, caller).where(Supplier.id == row_id)
    return session.scalars(query).one_or_none()


def _lines(caller: Caller) -> Select[Line, str, Item]:
    query = (
        select(Line, Supplier.code, Item)
        .join(Supplier, Line.supplier_id == Supplier.id)
        .join(Item, Line.item_id == Item.id)
    )
    return readable(owned_by_supplier(query, Line, caller), Line, caller)


def line_rows(
    session: Session, caller: Caller, filters: LineFilter, page: PageRequest
) -> list[LineRow]:
    query = _lines(caller)
    if filters.supplier is not None:
        query = query.where(Supplier.code == filters.supplier)
    if filters.item is not None:
        query = query.where(item_code_is(filters.item))
    if filters.state is not None:
        query = query.where(Line.state == filters.state)
    return list(session.execute(page_of(query, Line, page)).all())


def find_line(session: Session, caller: Caller, row_id: int) -> LineRow | None:
    return session.execute(_lines(caller).where(Line.id == row_id)).one_or_none()


def _prices(caller: Caller) -> Select[Price, str, Item]:
    query = (
        select(Price, Supplier.code, Item)
        .join(Supplier, Price.supplier_id == Supplier.id)
        .join(Item, Price.item_id == Item.id)
    )
    return readable(owned_by_supplier(query, Price, caller), Price, caller)


def price_rows(
    session: Session, caller: Caller, filters: PriceFilter, page: PageRequest
) -> list[PriceRow]:
    query = _prices(caller)
    if filters.supplier is not None:
        query = query.where(Supplier.code == filters.supplier)
    if filters.item is not None:
        query = query.where(item_code_is(filters.item))
    return list(session.execute(page_of(query, Price, page)).all())


def find_price(session: Session, caller: Caller, row_id: int) -> PriceRow | None:
    return session.execute(_prices(caller).where(Price.id == row_id)).one_or_none()


def supplier_by_code(session: Session, caller: Caller, code: str) -> Supplier | None:
    """The supplier with this NCAGE code if the caller may read it."""
    query = readable(select(Supplier), Supplier, caller).where(Supplier.code == code)
    return session.scalars(query).one_or_none()


def supplier_code_of_prefix(session: Session, prefix: str) -> str | None:
    """The supplier whose NCAGE code is `prefix`, if any (codes are public)."""
    return session.scalar(select(Supplier.code).where(Supplier.code == prefix))
