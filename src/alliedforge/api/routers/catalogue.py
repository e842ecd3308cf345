"""`/weapon-systems`, `/items`, `/qualifications`, `/components`: the catalogue, readable
by every role, written by the agency."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from alliedforge.api.deps import CurrentCaller, DbSession, ExpectedVersion, etag
from alliedforge.api.paging import PageOut, PageParams, RecordId, page_request
from alliedforge.domain.catalogue import service
from alliedforge.domain.catalogue.schemas import (
    ComponentCreate,
    ComponentRead,
    ComponentUpdate,
    ItemCreate,
    ItemFilter,
    ItemRead,
    ItemUpdate,
    QualificationCreate,
    QualificationFilter,
    QualificationRead,
    QualificationUpdate,
    WeaponSystemCreate,
    WeaponSystemRead,
    WeaponSystemUpdate,
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
    session: DbSession, caller: CurrentCaller, weapon_system_id: RecordId, response: Response
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
    session: DbSession, caller: CurrentCaller, item_id: RecordId, response: Response
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
    session: DbSession, caller: CurrentCaller, qualification_id: RecordId, response: Response
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
    session: DbSession, caller: CurrentCaller, component_id: RecordId, response: Response
) -> ComponentRead:
    """One component, with its ETag."""
    found = service.get_component(session, caller, component_id)
    response.headers["ETag"] = etag(found.version)
    return found


@router.post(
    "/weapon-systems", status_code=status.HTTP_201_CREATED, response_model=WeaponSystemRead
)
def create_weapon_system(
    session: DbSession,
    caller: CurrentCaller,
    data: WeaponSystemCreate,
    request: Request,
    response: Response,
) -> WeaponSystemRead:
    """Add a weapon system (the agency)."""
    made = service.create_weapon_system(session, caller, data)
    session.commit()
    response.headers["Location"] = str(
        request.url_for("get_weapon_system", weapon_system_id=made.id)
    )
    response.headers["ETag"] = etag(made.version)
    return made


@router.patch("/weapon-systems/{weapon_system_id}", response_model=WeaponSystemRead)
def update_weapon_system(
    session: DbSession,
    caller: CurrentCaller,
    weapon_system_id: RecordId,
    data: WeaponSystemUpdate,
    version: ExpectedVersion,
    response: Response,
) -> WeaponSystemRead:
    """Change fields of a weapon system (the agency; If-Match: its ETag)."""
    updated = service.update_weapon_system(session, caller, weapon_system_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete(
    "/weapon-systems/{weapon_system_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def delete_weapon_system(
    session: DbSession, caller: CurrentCaller, weapon_system_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a weapon system (the agency; If-Match: its ETag)."""
    service.delete_weapon_system(session, caller, weapon_system_id, version)
    session.commit()


@router.post("/items", status_code=status.HTTP_201_CREATED, response_model=ItemRead)
def create_item(
    session: DbSession,
    caller: CurrentCaller,
    data: ItemCreate,
    request: Request,
    response: Response,
) -> ItemRead:
    """Add an item, coded by NSN (with or without dashes) or another code (the agency)."""
    made = service.create_item(session, caller, data)
    session.commit()
    response.headers["Location"] = str(request.url_for("get_item", item_id=made.id))
    response.headers["ETag"] = etag(made.version)
    return made


@router.patch("/items/{item_id}", response_model=ItemRead)
def update_item(
    session: DbSession,
    caller: CurrentCaller,
    item_id: RecordId,
    data: ItemUpdate,
    version: ExpectedVersion,
    response: Response,
) -> ItemRead:
    """Change fields of a item (the agency; If-Match: its ETag)."""
    updated = service.update_item(session, caller, item_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_item(
    session: DbSession, caller: CurrentCaller, item_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a item (the agency; If-Match: its ETag)."""
    service.delete_item(session, caller, item_id, version)
    session.commit()


@router.post("/components", status_code=status.HTTP_201_CREATED, response_model=ComponentRead)
def create_component(
    session: DbSession,
    caller: CurrentCaller,
    data: ComponentCreate,
    request: Request,
    response: Response,
) -> ComponentRead:
    """Add a shared component (the agency)."""
    made = service.create_component(session, caller, data)
    session.commit()
    response.headers["Location"] = str(request.url_for("get_component", component_id=made.id))
    response.headers["ETag"] = etag(made.version)
    return made


@router.patch("/components/{component_id}", response_model=ComponentRead)
def update_component(
    session: DbSession,
    caller: CurrentCaller,
    component_id: RecordId,
    data: ComponentUpdate,
    version: ExpectedVersion,
    response: Response,
) -> ComponentRead:
    """Change fields of a component (the agency; If-Match: its ETag)."""
    updated = service.update_component(session, caller, component_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete(
    "/components/{component_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response
)
def delete_component(
    session: DbSession, caller: CurrentCaller, component_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a component (the agency; If-Match: its ETag)."""
    service.delete_component(session, caller, component_id, version)
    session.commit()


@router.post(
    "/qualifications", status_code=status.HTTP_201_CREATED, response_model=QualificationRead
)
def create_qualification(
    session: DbSession,
    caller: CurrentCaller,
    data: QualificationCreate,
    request: Request,
    response: Response,
) -> QualificationRead:
    """Qualify (or plan to qualify) an item on a weapon system (the agency)."""
    made = service.create_qualification(session, caller, data)
    session.commit()
    response.headers["Location"] = str(
        request.url_for("get_qualification", qualification_id=made.id)
    )
    response.headers["ETag"] = etag(made.version)
    return made


@router.patch("/qualifications/{qualification_id}", response_model=QualificationRead)
def update_qualification(
    session: DbSession,
    caller: CurrentCaller,
    qualification_id: RecordId,
    data: QualificationUpdate,
    version: ExpectedVersion,
    response: Response,
) -> QualificationRead:
    """Change fields of a qualification (the agency; If-Match: its ETag)."""
    updated = service.update_qualification(session, caller, qualification_id, data, version)
    session.commit()
    response.headers["ETag"] = etag(updated.version)
    return updated


@router.delete(
    "/qualifications/{qualification_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def delete_qualification(
    session: DbSession, caller: CurrentCaller, qualification_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a qualification (the agency; If-Match: its ETag)."""
    service.delete_qualification(session, caller, qualification_id, version)
    session.commit()
