"""Industry reads the pages need beyond the service's lists: suppliers found by name,
the countries of the register, how many lines of each supplier the caller sees, and a
supplier's whole profile with the lines and prices the service shows the caller."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.labels import Label
from alliedforge.domain.catalogue.repository import page_of, readable
from alliedforge.domain.catalogue.service import page_from
from alliedforge.domain.industry import service
from alliedforge.domain.industry.models import Line, Supplier
from alliedforge.domain.industry.repository import owned_by_supplier
from alliedforge.domain.industry.schemas import (
    LineFilter,
    LineRead,
    PriceFilter,
    PriceRead,
    SupplierRead,
)
from alliedforge.domain.industry.service import supplier_read
from alliedforge.domain.paging import Page, PageRequest, every_row
from alliedforge.domain.settings.models import ScenarioSettings


@dataclass(frozen=True, slots=True)
class Horizon:
    """The record's planning horizon, `months` months from `start` (YYYY-MM), and the
    currency its money is in."""

    start: str
    months: int
    currency: str


@dataclass(frozen=True, slots=True)
class SharedLines:
    """How many lines of each supplier (by id) the caller may see — a supplier with none
    is absent — and the labels of those lines, for the page's banner."""

    counts: dict[int, int]
    labels: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SupplierProfile:
    """A supplier's public profile, the lines and price tiers of it the caller may see
    (none for a nation), and the horizon to draw line capacity over (None: no scenario)."""

    supplier: SupplierRead
    lines: list[LineRead]
    prices: list[PriceRead]
    horizon: Horizon | None


def find_suppliers(
    session: Session, caller: Caller, country: str | None, name: str | None, page: PageRequest
) -> Page[SupplierRead]:
    """One page of suppliers of `country` whose name or NCAGE code holds `name` (case
    aside), in id order."""
    query = readable(select(Supplier), Supplier, caller)
    if country is not None:
        query = query.where(Supplier.country == country)
    if name is not None:
        wanted = name.lower()
        query = query.where(
            func.lower(Supplier.name).contains(wanted, autoescape=True)
            | func.lower(Supplier.code).contains(wanted, autoescape=True)
        )
    rows = session.scalars(page_of(query, Supplier, page)).all()
    return page_from(rows, page, supplier_read, lambda read: read.id)


def supplier_countries(session: Session, caller: Caller) -> list[str]:
    """The countries of the suppliers the caller may read, in code order."""
    query = readable(select(Supplier.country).distinct(), Supplier, caller)
    return list(session.scalars(query.order_by(Supplier.country)).all())


def visible_lines(session: Session, caller: Caller, supplier_ids: Collection[int]) -> SharedLines:
    """How many lines of each of these suppliers the caller may see, and their labels."""
    query = (
        select(Line.supplier_id, Line.classification, Line.releasable_to, func.count(Line.id))
        .where(Line.supplier_id.in_(supplier_ids))
        .group_by(Line.supplier_id, Line.classification, Line.releasable_to)
    )
    query = readable(owned_by_supplier(query, Line, caller), Line, caller)
    counts: dict[int, int] = {}
    labels: dict[tuple[str, str], dict[str, Any]] = {}
    for supplier_id, classification, releasable_to, count in session.execute(query).all():
        counts[supplier_id] = counts.get(supplier_id, 0) + count
        label = Label.parse(classification, releasable_to).as_stanag_4774()
        labels.setdefault((classification, releasable_to), label)
    return SharedLines(counts, list(labels.values()))


def supplier_profile(session: Session, caller: Caller, supplier_id: int) -> SupplierProfile:
    """The supplier (`NotFoundError` if the caller may not see it), every line and price
    tier of it the industry service returns for the caller, and the planning horizon."""
    supplier = service.get_supplier(session, caller, supplier_id)
    lines = every_row(
        lambda page: service.list_lines(session, caller, LineFilter(supplier=supplier.code), page)
    )
    prices = every_row(
        lambda page: service.list_prices(session, caller, PriceFilter(supplier=supplier.code), page)
    )
    return SupplierProfile(supplier, lines, prices, planning_horizon(session, caller))


def planning_horizon(session: Session, caller: Caller) -> Horizon | None:
    """The horizon of the scenario the record holds (None: none imported yet)."""
    settings = readable(select(ScenarioSettings), ScenarioSettings, caller)
    row = session.scalars(settings).first()
    return None if row is None else Horizon(row.start, row.months, row.currency)
