"""`/weapon-systems`, `/items`, `/qualifications`, `/components`: the catalogue, readable
by every role (read-only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from alliedforge.api.deps import CurrentCaller, DbSession, etag
from alliedforge.api.paging import PageOut, PageParams, page_request
from alliedforge.domain.catalogue import service
from alliedforge.domain.catalogue.schemas import (
    ComponentRead,
    ItemFilter,
    ItemRead,
    QualificationFilter,
    QualificationRead,
    WeaponSystemRead,
)

router = APIRouter(tags=["catalogue"])
Paging = Annotated[PageParams, Query()]


@router.get("/weapon-systems", response_model=PageOut[WeaponSystemRead])
def list_weapon_systems(
    session: DbSession, caller: CurrentCaller, page: Paging
) -> PageOut[WeaponSystemRead]:
    """The weapon systems, in id order; follow `next_after`."""
    return PageOut.of(service.list_weapon_systems(session, caller, page_request(page)))


@router.get("/weapon-systems/{weapon_system_id}", response_model=WeaponSystemRead)
def get_weapon_system(
    session: DbSession, caller: CurrentCaller, weapon_system_id: int, response: Response
) -> WeaponSystemRead:
    """One weapon system, with its ETag."""
    found = service.get_weapon_system(session, caller, weapon_system_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.get("/items", response_model=PageOut[ItemRead])
def list_items(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[ItemFilter, Query()],
    page: Paging,
) -> PageOut[ItemRead]:
    """The items, in id order, filtered; follow `next_after`."""
    return PageOut.of(service.list_items(session, caller, filters, page_request(page)))


@router.get("/items/{item_id}", response_model=ItemRead)
def get_item(
    session: DbSession, caller: CurrentCaller, item_id: int, response: Response
) -> ItemRead:
    """One item, with its ETag."""
    found = service.get_item(session, caller, item_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.get("/qualifications", response_model=PageOut[QualificationRead])
def list_qualifications(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[QualificationFilter, Query()],
    page: Paging,
) -> PageOut[QualificationRead]:
    """Which items each weapon system may use, in id order, filtered; follow `next_after`."""
    return PageOut.of(service.list_qualifications(session, caller, filters, page_request(page)))


@router.get("/qualifications/{qualification_id}", response_model=QualificationRead)
def get_qualification(
    session: DbSession, caller: CurrentCaller, qualification_id: int, response: Response
) -> QualificationRead:
    """One qualification, with its ETag."""
    found = service.get_qualification(session, caller, qualification_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.get("/components", response_model=PageOut[ComponentRead])
def list_components(
    session: DbSession, caller: CurrentCaller, page: Paging
) -> PageOut[ComponentRead]:
    """The shared components, in id order; follow `next_after`."""
    return PageOut.of(service.list_components(session, caller, page_request(page)))


@router.get("/components/{component_id}", response_model=ComponentRead)
def get_component(
    session: DbSession, caller: CurrentCaller, component_id: int, response: Response
) -> ComponentRead:
    """One component, with its ETag."""
    found = service.get_component(session, caller, component_id)
    response.headers["ETag"] = etag(found.version)
    return found
