"""Catalogue reads the pages need beyond the service's lists: items found by name or NSN,
the item families, and the whole qualification matrix in one query — each scoped to the
labels the caller may read, as the service's own lists are."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.catalogue.models import Item, Qualification, WeaponSystem
from alliedforge.domain.catalogue.repository import page_of, readable
from alliedforge.domain.catalogue.schemas import ItemRead, QualificationRead, WeaponSystemRead
from alliedforge.domain.catalogue.service import (
    item_read,
    page_from,
    qualification_read,
    weapon_system_read,
)
from alliedforge.domain.paging import Page, PageRequest


@dataclass(frozen=True, slots=True)
class QualificationMatrix:
    """Items (rows) × weapon systems (columns) and the qualifications between them; a
    pair without a qualification has none."""

    items: list[ItemRead]
    weapon_systems: list[WeaponSystemRead]
    qualifications: list[QualificationRead]


def find_items(
    session: Session, caller: Caller, family: str | None, text: str | None, page: PageRequest
) -> Page[ItemRead]:
    """One page of items of `family` whose name or code holds `text` (case aside; an NSN
    matches with or without its dashes), in id order."""
    query = readable(select(Item), Item, caller)
    if family is not None:
        query = query.where(Item.family == family)
    if text is not None:
        query = query.where(_holds(text))
    rows = session.scalars(page_of(query, Item, page)).all()
    return page_from(rows, page, item_read, lambda read: read.id)


def _holds(text: str) -> ColumnElement[bool]:
    wanted = text.lower()
    matches = [
        func.lower(Item.name).contains(wanted, autoescape=True),
        func.lower(Item.other_code).contains(wanted, autoescape=True),
    ]
    digits = text.replace("-", "")
    if digits.isdigit():  # NSNs are stored as their 13 digits
        matches.append(Item.nsn.contains(digits, autoescape=True))
    return or_(*matches)


def item_families(session: Session, caller: Caller) -> list[str]:
    """The families of the items the caller may read, by name."""
    query = readable(select(Item.family).distinct(), Item, caller).order_by(Item.family)
    return list(session.scalars(query).all())


def qualification_matrix(
    session: Session,
    caller: Caller,
    family: str | None = None,
    weapon_systems: Collection[str] | None = None,
) -> QualificationMatrix:
    """The items of `family` (None: all; by family and code) and the weapon systems with
    these codes (None: all; by code) the caller may read, and every qualification the
    caller may read between them."""
    items = readable(select(Item), Item, caller)
    if family is not None:
        items = items.where(Item.family == family)
    systems = readable(select(WeaponSystem), WeaponSystem, caller)
    if weapon_systems is not None:
        systems = systems.where(WeaponSystem.code.in_(weapon_systems))
    # Only pairs of readable items and weapon systems: a cell never names a hidden axis.
    pairs = readable(
        select(Qualification, Item, WeaponSystem.code)
        .join(Item, Qualification.item_id == Item.id)
        .join(WeaponSystem, Qualification.weapon_system_id == WeaponSystem.id)
        .where(Qualification.item_id.in_(items.with_only_columns(Item.id)))
        .where(Qualification.weapon_system_id.in_(systems.with_only_columns(WeaponSystem.id))),
        Qualification,
        caller,
    )
    item_rows = sorted(session.scalars(items).all(), key=lambda row: (row.family, row.code))
    system_rows = session.scalars(systems.order_by(WeaponSystem.code)).all()
    qualifications = session.execute(pairs.order_by(Qualification.id)).all()
    return QualificationMatrix(
        items=[item_read(row) for row in item_rows],
        weapon_systems=[weapon_system_read(row) for row in system_rows],
        qualifications=[qualification_read(*row) for row in qualifications],
    )
