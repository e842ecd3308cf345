"""Catalogue pages: the items (filtered by family, searched by name or NSN), one item with
its qualifications, and the interoperability matrix of items × weapon systems, which a
nation's fleet can narrow to the weapon systems that nation operates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import MAX_ID, RecordId
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue import matrix, service
from alliedforge.domain.catalogue.schemas import QualificationFilter, QualificationRead
from alliedforge.domain.demand import service as demand
from alliedforge.domain.demand.schemas import FleetFilter, FleetRead
from alliedforge.domain.nations import service as nations
from alliedforge.domain.paging import PageRequest, every_row
from alliedforge.web.charts.catalogue import Axis, Cell, matrix_figure, status_grid
from alliedforge.web.render import WebCaller, WebRoute, error_page, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50
Text = Annotated[str, Query(max_length=200)]


@router.get("/catalogue")
def catalogue(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    family: Text = "",
    q: Text = "",
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """The items the caller may see, by family and text, one page at a time."""
    found = matrix.find_items(
        session,
        caller,
        family.strip() or None,
        q.strip() or None,
        PageRequest(PAGE_SIZE, after),
    )
    data = {
        "items": found.items,
        "next_after": found.next_after,
        "filters": {"family": family.strip(), "q": q.strip()},
    }
    return page(
        request,
        "catalogue.html",
        data,
        labels=[item.label for item in found.items],
        families=matrix.item_families(session, caller),
        after=after,
    )


@router.get("/catalogue/items/{item_id}")
def item(request: Request, session: DbSession, caller: WebCaller, item_id: RecordId) -> Response:
    """One item and where it is (or is to be) qualified."""
    found = service.get_item(session, caller, item_id)
    qualifications = _qualifications_of(session, caller, found.code)
    return page(
        request,
        "item.html",
        {"item": found, "qualifications": qualifications},
        labels=[found.label, *(row.label for row in qualifications)],
    )


def _qualifications_of(session: DbSession, caller: Caller, code: str) -> list[QualificationRead]:
    filters = QualificationFilter(item=code)
    rows = every_row(lambda page: service.list_qualifications(session, caller, filters, page))
    return sorted(rows, key=lambda row: row.weapon_system)


@router.get("/catalogue/interoperability")
def interoperability(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    family: Text = "",
    nation: Text = "",
) -> Response:
    """Which item is qualified on which weapon system, as a heatmap and a table; `nation`
    keeps the weapon systems of that nation's fleet — as far as the caller may see it
    (another nation's fleet looks like an unknown nation's: empty)."""
    try:
        fleet_filter = FleetFilter.model_validate({"nation": nation.strip() or None})
    except ValidationError:
        return error_page(request, 400, "Bad filter", "A nation is a code such as DEU.")
    fleet = None if fleet_filter.nation is None else _fleet(session, caller, fleet_filter)
    systems = None if fleet is None else {row.weapon_system for row in fleet}
    found = matrix.qualification_matrix(session, caller, family.strip() or None, systems)
    items = [Axis(row.code, row.name) for row in found.items]
    weapon_systems = [Axis(row.code, row.name) for row in found.weapon_systems]
    cells = [
        Cell(row.item, row.weapon_system, str(row.status), row.month, row.evidence)
        for row in found.qualifications
    ]
    grid = status_grid(items, weapon_systems, cells)
    data: dict[str, Any] = {
        "filters": {"family": family.strip(), "nation": fleet_filter.nation or ""},
        "fleet": fleet,
        "items": found.items,
        "weapon_systems": found.weapon_systems,
        "qualifications": found.qualifications,
        "matrix": {
            "items": [axis.code for axis in items],
            "weapon_systems": [axis.code for axis in weapon_systems],
            "status": [[cell.status for cell in row] for row in grid],
        },
    }
    labels = [row.label for row in found.items]
    labels += [row.label for row in found.weapon_systems]
    labels += [row.label for row in found.qualifications]
    labels += [row.label for row in fleet or ()]
    return page(
        request,
        "interoperability.html",
        data,
        labels=labels,
        families=matrix.item_families(session, caller),
        nations=_fleet_nations(session, caller),
        rows=list(zip(found.items, grid, strict=True)),
        figure=matrix_figure(items, weapon_systems, grid) if items and weapon_systems else None,
    )


def _fleet(session: DbSession, caller: Caller, filters: FleetFilter) -> list[FleetRead]:
    """Every fleet row of the nation the demand service shows the caller (a nation user:
    their own only; a supplier: none)."""
    return every_row(lambda page: demand.list_fleets(session, caller, filters, page))


def _fleet_nations(session: DbSession, caller: Caller) -> list[str]:
    """The nations whose fleet the caller may filter by: staff any, a nation its own."""
    if caller.role is Role.NATION:
        return [caller.nation] if caller.nation else []
    if not caller.is_staff:
        return []
    every = every_row(lambda page: nations.list_nations(session, caller, page))
    return sorted(row.code for row in every)
