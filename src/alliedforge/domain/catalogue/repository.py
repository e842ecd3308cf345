"""Every query on the catalogue, scoped to the labels the caller may read (every role
sees the catalogue itself)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, literal, select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.labels import readable_clause
from alliedforge.domain.catalogue.models import Component, Item, Qualification, WeaponSystem
from alliedforge.domain.catalogue.schemas import ItemFilter, QualificationFilter
from alliedforge.domain.paging import PageRequest
from alliedforge.scenario.nsn import normalise_nsn
from alliedforge.store.base import Record

Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])
QualificationRow = Row[Qualification, Item, str]


def readable(query: Query, record: type[Record], caller: Caller) -> Query:
    """`query` keeping only the `record` rows whose label the caller may read."""
    if caller.unrestricted:
        return query
    return query.where(
        readable_clause(
            record.classification, record.releasable_to, caller.clearance, caller.nationality
        )
    )


def page_of(query: Query, record: type[Record], page: PageRequest) -> Query:
    """One keyset page of `query` in `record` id order, plus one row to tell whether
    another page follows."""
    if page.after is not None:
        query = query.where(record.id > page.after)
    return query.order_by(record.id).limit(page.limit + 1)


def item_code_is(code: str) -> ColumnElement[bool]:
    """SQL matching the item with this code (an NSN with or without dashes, else as written)."""
    nsn = normalise_nsn(code)
    return Item.nsn == nsn if nsn is not None else Item.other_code == code


def weapon_system_rows(session: Session, caller: Caller, page: PageRequest) -> list[WeaponSystem]:
    query = readable(select(WeaponSystem), WeaponSystem, caller)
    return list(session.scalars(page_of(query, WeaponSystem, page)).all())


def find_weapon_system(session: Session, caller: Caller, row_id: int) -> WeaponSystem | None:
    query = readable(select(WeaponSystem), WeaponSystem, caller)
    return session.scalars(query.where(WeaponSystem.id == row_id)).one_or_none()


def item_rows(
    session: Session, caller: Caller, filters: ItemFilter, page: PageRequest
) -> list[Item]:
    query = readable(select(Item), Item, caller)
    if filters.family is not None:
        query = query.where(Item.family == filters.family)
    return list(session.scalars(page_of(query, Item, page)).all())


def find_item(session: Session, caller: Caller, row_id: int) -> Item | None:
    query = readable(select(Item), Item, caller)
    return session.scalars(query.where(Item.id == row_id)).one_or_none()


def _qualifications(caller: Caller) -> Select[Qualification, Item, str]:
    query = (
        select(Qualification, Item, WeaponSystem.code)
        .join(Item, Qualification.item_id == Item.id)
        .join(WeaponSystem, Qualification.weapon_system_id == WeaponSystem.id)
    )
    return readable(query, Qualification, caller)


def qualification_rows(
    session: Session, caller: Caller, filters: QualificationFilter, page: PageRequest
) -> list[QualificationRow]:
    query = _qualifications(caller)
    if filters.item is not None:
        query = query.where(item_code_is(filters.item))
    if filters.weapon_system is not None:
        query = query.where(WeaponSystem.code == filters.weapon_system)
    if filters.status is not None:
        query = query.where(Qualification.status == filters.status)
    return list(session.execute(page_of(query, Qualification, page)).all())


def find_qualification(session: Session, caller: Caller, row_id: int) -> QualificationRow | None:
    query = _qualifications(caller).where(Qualification.id == row_id)
    return session.execute(query).one_or_none()


def component_rows(session: Session, caller: Caller, page: PageRequest) -> list[Component]:
    query = readable(select(Component), Component, caller)
    return list(session.scalars(page_of(query, Component, page)).all())


def find_component(session: Session, caller: Caller, row_id: int) -> Component | None:
    query = readable(select(Component), Component, caller)
    return session.scalars(query.where(Component.id == row_id)).one_or_none()


def item_by_code(session: Session, caller: Caller, code: str) -> Item | None:
    """The item with this code (NSN with or without dashes) if the caller may read it."""
    query = readable(select(Item), Item, caller).where(item_code_is(code))
    return session.scalars(query).one_or_none()


def weapon_system_by_code(session: Session, caller: Caller, code: str) -> WeaponSystem | None:
    """The weapon system with this code if the caller may read it."""
    query = readable(select(WeaponSystem), WeaponSystem, caller)
    return session.scalars(query.where(WeaponSystem.code == code)).one_or_none()


def taken(session: Session, *conditions: ColumnElement[bool]) -> bool:
    """Whether any row matches `conditions` (labels aside: a key is taken even by a row
    the caller cannot read)."""
    return session.execute(select(literal(1)).where(*conditions).limit(1)).first() is not None
