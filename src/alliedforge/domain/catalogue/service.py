"""Reading the catalogue: every role sees weapon systems, items, qualifications and
components, as far as their labels allow."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.labels import Label
from alliedforge.domain.catalogue import repository
from alliedforge.domain.catalogue.models import (
    Component,
    Item,
    Qualification,
    QualificationStatus,
    WeaponSystem,
)
from alliedforge.domain.catalogue.schemas import (
    ComponentRead,
    ItemFilter,
    ItemRead,
    QualificationFilter,
    QualificationRead,
    WeaponSystemRead,
)
from alliedforge.domain.errors import NotFoundError
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.store.base import Record

Row = TypeVar("Row")
Read = TypeVar("Read")


def label_of(record: Record) -> dict[str, Any]:
    """The record's label in its STANAG 4774 JSON form."""
    return Label.parse(record.classification, record.releasable_to).as_stanag_4774()


def page_from(
    rows: Sequence[Row], page: PageRequest, read: Callable[[Row], Read], key: Callable[[Read], int]
) -> Page[Read]:
    """The page of `rows` (fetched with one extra row) and where the next one starts."""
    items = [read(row) for row in rows[: page.limit]]
    return Page(items, key(items[-1]) if len(rows) > page.limit else None)


def found(row: Row | None, entity: str, row_id: int) -> Row:
    """The row, or `NotFoundError` when the caller may not see it (or it does not exist)."""
    if row is None:
        raise NotFoundError(entity, row_id)
    return row


def list_weapon_systems(
    session: Session, caller: Caller, page: PageRequest
) -> Page[WeaponSystemRead]:
    """One page of weapon systems, in id order."""
    rows = repository.weapon_system_rows(session, caller, page)
    return page_from(rows, page, _weapon_system, lambda read: read.id)


def get_weapon_system(session: Session, caller: Caller, row_id: int) -> WeaponSystemRead:
    row = repository.find_weapon_system(session, caller, row_id)
    return _weapon_system(found(row, "weapon system", row_id))


def list_items(
    session: Session, caller: Caller, filters: ItemFilter, page: PageRequest
) -> Page[ItemRead]:
    """One page of items matching `filters`, in id order."""
    rows = repository.item_rows(session, caller, filters, page)
    return page_from(rows, page, _item, lambda read: read.id)


def get_item(session: Session, caller: Caller, row_id: int) -> ItemRead:
    return _item(found(repository.find_item(session, caller, row_id), "item", row_id))


def list_qualifications(
    session: Session, caller: Caller, filters: QualificationFilter, page: PageRequest
) -> Page[QualificationRead]:
    """One page of qualifications matching `filters`, in id order."""
    rows = repository.qualification_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _qualification(*row), lambda read: read.id)


def get_qualification(session: Session, caller: Caller, row_id: int) -> QualificationRead:
    row = repository.find_qualification(session, caller, row_id)
    return _qualification(*found(row, "qualification", row_id))


def list_components(session: Session, caller: Caller, page: PageRequest) -> Page[ComponentRead]:
    """One page of components, in id order."""
    rows = repository.component_rows(session, caller, page)
    return page_from(rows, page, _component, lambda read: read.id)


def get_component(session: Session, caller: Caller, row_id: int) -> ComponentRead:
    row = repository.find_component(session, caller, row_id)
    return _component(found(row, "component", row_id))


def _weapon_system(row: WeaponSystem) -> WeaponSystemRead:
    return WeaponSystemRead(
        id=row.id,
        code=row.code,
        name=row.name,
        calibre=row.calibre,
        version=row.version,
        label=label_of(row),
    )


def _item(row: Item) -> ItemRead:
    return ItemRead(
        id=row.id,
        code=row.code,
        name=row.name,
        supply_class=row.supply_class,
        family=row.family,
        stanag=row.stanag,
        version=row.version,
        label=label_of(row),
    )


def _qualification(row: Qualification, item: Item, weapon_system: str) -> QualificationRead:
    return QualificationRead(
        id=row.id,
        item=item.code,
        weapon_system=weapon_system,
        status=QualificationStatus(row.status),
        month=row.month,
        evidence=row.evidence,
        version=row.version,
        label=label_of(row),
    )


def _component(row: Component) -> ComponentRead:
    return ComponentRead(
        id=row.id, code=row.code, name=row.name, version=row.version, label=label_of(row)
    )
