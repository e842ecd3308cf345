"""Reading industry: every role sees supplier profiles; lines and prices are the agency's
and their own supplier's (a nation sees none); labels apply on top."""

from __future__ import annotations

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.catalogue.models import Item
from alliedforge.domain.catalogue.service import found, label_of, page_from
from alliedforge.domain.industry import repository
from alliedforge.domain.industry.models import Line, Price, Supplier
from alliedforge.domain.industry.schemas import (
    Contacts,
    LineFilter,
    LineRead,
    PriceFilter,
    PriceRead,
    SupplierFilter,
    SupplierRead,
    TrackRecord,
)
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.scenario.model import LineState


def list_suppliers(
    session: Session, caller: Caller, filters: SupplierFilter, page: PageRequest
) -> Page[SupplierRead]:
    """One page of supplier profiles matching `filters`, in id order."""
    rows = repository.supplier_rows(session, caller, filters, page)
    return page_from(rows, page, _supplier, lambda read: read.id)


def get_supplier(session: Session, caller: Caller, row_id: int) -> SupplierRead:
    row = repository.find_supplier(session, caller, row_id)
    return _supplier(found(row, "supplier", row_id))


def list_lines(
    session: Session, caller: Caller, filters: LineFilter, page: PageRequest
) -> Page[LineRead]:
    """One page of the production lines the caller may see, in id order."""
    rows = repository.line_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _line(*row), lambda read: read.id)


def get_line(session: Session, caller: Caller, row_id: int) -> LineRead:
    return _line(*found(repository.find_line(session, caller, row_id), "line", row_id))


def list_prices(
    session: Session, caller: Caller, filters: PriceFilter, page: PageRequest
) -> Page[PriceRead]:
    """One page of the price tiers the caller may see, in id order."""
    rows = repository.price_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _price(*row), lambda read: read.id)


def get_price(session: Session, caller: Caller, row_id: int) -> PriceRead:
    return _price(*found(repository.find_price(session, caller, row_id), "price", row_id))


def _supplier(row: Supplier) -> SupplierRead:
    return SupplierRead(
        id=row.id,
        code=row.code,
        name=row.name,
        country=row.country,
        year_founded=row.year_founded,
        ownership=row.ownership,
        rd_investment=row.rd_investment,
        description=row.description,
        products=row.products,
        contacts=Contacts(
            address=row.address,
            phone=row.phone,
            fax=row.fax,
            mobile=row.mobile,
            email=row.email,
            website=row.website,
        ),
        track_record=TrackRecord(
            products_delivered=row.products_delivered,
            contracts=row.contracts,
            since=row.track_record_since,
        ),
        version=row.version,
        label=label_of(row),
    )


def _line(row: Line, supplier: str, item: Item) -> LineRead:
    return LineRead(
        id=row.id,
        code=row.code,
        supplier=supplier,
        item=item.code,
        capacity_per_month=row.capacity_per_month,
        state=LineState(row.state),
        lead_months=row.lead_months,
        opening_cost=row.opening_cost,
        ramp_months=row.ramp_months,
        earliest_decision=row.earliest_decision,
        version=row.version,
        label=label_of(row),
    )


def _price(row: Price, supplier: str, item: Item) -> PriceRead:
    return PriceRead(
        id=row.id,
        supplier=supplier,
        item=item.code,
        min_quantity=row.min_quantity,
        unit_price=row.unit_price,
        version=row.version,
        label=label_of(row),
    )
