"""Industry pages: the supplier register (by country and name) and a supplier's profile —
about, contacts, its track record from the record, and the lines and price tiers of it
the caller may see, as charts."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request, Response

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import MAX_ID, RecordId
from alliedforge.domain.industry import profile
from alliedforge.domain.industry.schemas import LineRead, PriceRead
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.procurement.track_record import get_track_record
from alliedforge.scenario.model import Line, Price
from alliedforge.web.charts.industry import capacity_figure, line_capacities, price_figure
from alliedforge.web.render import WebCaller, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50
Text = Annotated[str, Query(max_length=200)]
WEB_SCHEMES = frozenset({"http", "https"})
EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")


@router.get("/industry")
def industry(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    country: Text = "",
    name: Text = "",
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """The supplier register, by country and name, one page at a time, with how many of
    each supplier's lines the caller may see."""
    wanted_country = country.strip().upper()
    found = profile.find_suppliers(
        session,
        caller,
        wanted_country or None,
        name.strip() or None,
        PageRequest(PAGE_SIZE, after),
    )
    shared = profile.visible_lines(session, caller, [row.id for row in found.items])
    counts = shared.counts
    data = {
        "suppliers": found.items,
        "lines_shared": {row.code: counts[row.id] for row in found.items if row.id in counts},
        "next_after": found.next_after,
        "filters": {"country": wanted_country, "name": name.strip()},
    }
    return page(
        request,
        "industry.html",
        data,
        labels=[*(row.label for row in found.items), *shared.labels],
        countries=profile.supplier_countries(session, caller),
        after=after,
    )


@router.get("/industry/suppliers/{supplier_id}")
def supplier(
    request: Request, session: DbSession, caller: WebCaller, supplier_id: RecordId
) -> Response:
    """A supplier's profile; its track record computed from the record (an aggregate any
    reader of the supplier may see); its lines' capacity over the horizon and its price
    tiers where the industry service shares them with the caller."""
    found = profile.supplier_profile(session, caller, supplier_id)
    horizon = found.horizon
    capacities = None
    figures: dict[str, Any] = {}
    if horizon is not None and found.lines:
        lines = [_scenario_line(row) for row in found.lines]
        capacities = line_capacities(lines, horizon.start, horizon.months)
        figures["capacity"] = capacity_figure(capacities, horizon.start, horizon.months)
    if found.prices:
        currency = horizon.currency if horizon is not None else ""
        figures["prices"] = price_figure([_scenario_price(row) for row in found.prices], currency)
    data = {
        "supplier": found.supplier,
        "track_record": get_track_record(session, caller, supplier_id),
        "lines": found.lines,
        "prices": sorted(found.prices, key=lambda row: (row.item, row.min_quantity)),
        "horizon": horizon,
        "capacity": capacities,
    }
    contacts = found.supplier.contacts
    labels = [found.supplier.label]
    labels += [row.label for row in found.lines]
    labels += [row.label for row in found.prices]
    return page(
        request,
        "supplier.html",
        data,
        labels=labels,
        figures=figures,
        website=web_link(contacts.website),
        mailto=contacts.email if contacts.email and EMAIL.fullmatch(contacts.email) else None,
    )


def web_link(address: str | None) -> str | None:
    """The address to link to when it is a web page (http or https) — anything else, a
    `javascript:` or `data:` address above all, is shown as text and never linked."""
    if address is None or any(ord(char) <= 32 or char == "\x7f" for char in address):
        return None
    parts = urlsplit(address)
    return address if parts.scheme.lower() in WEB_SCHEMES and parts.netloc else None


def _scenario_line(row: LineRead) -> Line:
    """A line as the planner reads it, so its capacity comes from the planner's rule."""
    return Line(
        code=row.code,
        supplier=row.supplier,
        item=row.item,
        capacity_per_month=row.capacity_per_month,
        state=row.state,
        lead_months=row.lead_months,
        opening_cost=row.opening_cost,
        ramp_months=row.ramp_months,
        earliest_decision=row.earliest_decision,
    )


def _scenario_price(row: PriceRead) -> Price:
    return Price(row.supplier, row.item, row.min_quantity, row.unit_price)
