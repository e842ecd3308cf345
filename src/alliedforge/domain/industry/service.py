"""Industry: supplier profiles, production lines and price tiers.

Reading: every role sees supplier profiles; lines and prices are the agency's and their
own supplier's (a nation sees none); labels apply on top. Writing: a supplier's users and
the agency change its profile, lines and prices; nobody else. Line codes are unique
across the alliance, so a supplier's users code their lines `<NCAGE>-…` and nobody else
may: a code already taken can then only be one of the supplier's own lines, and the
refusal reveals nothing about another supplier. Every write states the version it is
based on and is audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue.models import Item
from alliedforge.domain.catalogue.repository import taken
from alliedforge.domain.catalogue.service import (
    AGENCY,
    changed,
    created,
    deleted,
    found,
    given,
    item_for,
    label_of,
    page_from,
    require_role,
    writable,
)
from alliedforge.domain.errors import ForbiddenError, InvalidError
from alliedforge.domain.industry import repository
from alliedforge.domain.industry.models import Line, Price, Supplier
from alliedforge.domain.industry.schemas import (
    Contacts,
    LineCreate,
    LineFilter,
    LineRead,
    LineUpdate,
    PriceCreate,
    PriceFilter,
    PriceRead,
    PriceUpdate,
    SupplierFilter,
    SupplierRead,
    SupplierUpdate,
    TrackRecord,
)
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.scenario.model import LineState

SUPPLIER_WRITERS = AGENCY | {Role.SUPPLIER}
PROFILE = ("description", "products", "year_founded", "ownership", "rd_investment")
CONTACTS = ("address", "phone", "fax", "mobile", "email", "website")
TRACK_RECORD = {
    "products_delivered": "products_delivered",
    "contracts": "contracts",
    "since": "track_record_since",
}


def list_suppliers(
    session: Session, caller: Caller, filters: SupplierFilter, page: PageRequest
) -> Page[SupplierRead]:
    """One page of supplier profiles matching `filters`, in id order."""
    rows = repository.supplier_rows(session, caller, filters, page)
    return page_from(rows, page, supplier_read, lambda read: read.id)


def get_supplier(session: Session, caller: Caller, row_id: int) -> SupplierRead:
    row = repository.find_supplier(session, caller, row_id)
    return supplier_read(found(row, "supplier", row_id))


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


def supplier_read(row: Supplier) -> SupplierRead:
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


def update_supplier(
    session: Session, caller: Caller, row_id: int, data: SupplierUpdate, expected_version: int
) -> SupplierRead:
    """Change a supplier's profile, by the agency or the supplier's own users."""
    row = found(repository.find_supplier(session, caller, row_id), "supplier", row_id)
    require_role(caller, SUPPLIER_WRITERS, "supplier profiles")
    if caller.role is Role.SUPPLIER and caller.supplier_id != row.id:
        raise ForbiddenError(f"a {caller.supplier} user changes the {caller.supplier} profile only")
    writable(row, "supplier", expected_version)
    changes: dict[str, Any] = given(row, data, *PROFILE)
    if data.contacts is not None:
        changes |= given(row, data.contacts, *CONTACTS)
    if data.track_record is not None:
        sent = data.track_record.model_fields_set
        changes |= {
            column: getattr(data.track_record, field)
            for field, column in TRACK_RECORD.items()
            if field in sent
        }
    changed(session, caller, "supplier", row, changes, None, expected_version)
    return get_supplier(session, caller, row_id)


def create_line(session: Session, caller: Caller, data: LineCreate) -> LineRead:
    """A new production line of the caller's supplier (the agency names the supplier)."""
    require_role(caller, SUPPLIER_WRITERS, "lines")
    supplier = _owner(session, caller, data.supplier, "lines")
    _check_line_code(session, caller, supplier, data.code)
    row = Line(
        code=data.code,
        supplier_id=supplier.id,
        item_id=item_for(session, caller, data.item).id,
        capacity_per_month=data.capacity_per_month,
        state=data.state,
        lead_months=data.lead_months,
        opening_cost=data.opening_cost,
        ramp_months=data.ramp_months,
        earliest_decision=data.earliest_decision,
    )
    created(session, caller, "line", row, data.label)
    return get_line(session, caller, row.id)


def update_line(
    session: Session, caller: Caller, row_id: int, data: LineUpdate, expected_version: int
) -> LineRead:
    """Change fields of a line the caller's supplier owns (its code and supplier stay)."""
    row = found(repository.find_line(session, caller, row_id), "line", row_id)[0]
    require_role(caller, SUPPLIER_WRITERS, "lines")
    writable(row, "line", expected_version)
    changes = given(
        row,
        data,
        "capacity_per_month",
        "state",
        "lead_months",
        "opening_cost",
        "ramp_months",
        "earliest_decision",
    )
    if data.item is not None:
        changes["item_id"] = item_for(session, caller, data.item).id
    changed(session, caller, "line", row, changes, data.label, expected_version)
    return get_line(session, caller, row_id)


def delete_line(session: Session, caller: Caller, row_id: int, expected_version: int) -> None:
    """Remove a line the caller's supplier owns (commitments on it block this)."""
    row = found(repository.find_line(session, caller, row_id), "line", row_id)[0]
    require_role(caller, SUPPLIER_WRITERS, "lines")
    deleted(session, caller, "line", writable(row, "line", expected_version), expected_version)


def create_price(session: Session, caller: Caller, data: PriceCreate) -> PriceRead:
    """A new price tier of the caller's supplier (the agency names the supplier)."""
    require_role(caller, SUPPLIER_WRITERS, "prices")
    supplier = _owner(session, caller, data.supplier, "prices")
    item = item_for(session, caller, data.item)
    _unique_price(session, supplier.id, item.id, data.min_quantity)
    row = Price(
        supplier_id=supplier.id,
        item_id=item.id,
        min_quantity=data.min_quantity,
        unit_price=data.unit_price,
    )
    created(session, caller, "price", row, data.label)
    return get_price(session, caller, row.id)


def update_price(
    session: Session, caller: Caller, row_id: int, data: PriceUpdate, expected_version: int
) -> PriceRead:
    """Change the tier threshold, unit price or label of a price the caller's supplier owns."""
    row = found(repository.find_price(session, caller, row_id), "price", row_id)[0]
    require_role(caller, SUPPLIER_WRITERS, "prices")
    writable(row, "price", expected_version)
    if data.min_quantity is not None and data.min_quantity != row.min_quantity:
        _unique_price(session, row.supplier_id, row.item_id, data.min_quantity)
    changes = given(row, data, "min_quantity", "unit_price")
    changed(session, caller, "price", row, changes, data.label, expected_version)
    return get_price(session, caller, row_id)


def delete_price(session: Session, caller: Caller, row_id: int, expected_version: int) -> None:
    """Remove a price tier the caller's supplier owns."""
    row = found(repository.find_price(session, caller, row_id), "price", row_id)[0]
    require_role(caller, SUPPLIER_WRITERS, "prices")
    deleted(session, caller, "price", writable(row, "price", expected_version), expected_version)


def _owner(session: Session, caller: Caller, supplier: str | None, what: str) -> Supplier:
    """The supplier a new row belongs to: a supplier user's own (naming another is
    forbidden), the one the agency names."""
    code = supplier if supplier is not None else caller.supplier
    if caller.role is Role.SUPPLIER and code != caller.supplier:
        raise ForbiddenError(f"a {caller.supplier} user records {caller.supplier} {what} only")
    if code is None:
        raise InvalidError("supplier", None, f"name the supplier the {what} belong to")
    row = repository.supplier_by_code(session, caller, code)
    if row is None:
        raise InvalidError("supplier", code, "no such supplier")
    return row


def _check_line_code(session: Session, caller: Caller, supplier: Supplier, code: str) -> None:
    """Codes `<NCAGE>-…` are that supplier's, and a supplier's users use no others."""
    prefix, dash, _rest = code.partition("-")
    if caller.role is Role.SUPPLIER and not (dash and prefix == supplier.code):
        raise InvalidError("code", code, f"{supplier.code} line codes start with {supplier.code}-")
    if dash and prefix != supplier.code and repository.supplier_code_of_prefix(session, prefix):
        raise InvalidError("code", code, f"codes starting {prefix}- are {prefix}'s lines")
    if taken(session, Line.code == code):
        raise InvalidError("code", code, "a line with this code exists")


def _unique_price(session: Session, supplier_id: int, item_id: int, min_quantity: float) -> None:
    key = (
        Price.supplier_id == supplier_id,
        Price.item_id == item_id,
        Price.min_quantity == min_quantity,
    )
    if taken(session, *key):
        raise InvalidError("min_quantity", min_quantity, "you have a tier from it for this item")
