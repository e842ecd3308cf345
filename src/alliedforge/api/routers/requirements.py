"""`/requirements`: a nation's demand and its draft → submitted → approved workflow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field
from pydantic_core import to_json

from alliedforge.api.deps import CurrentCaller, DbSession, ExpectedVersion, etag
from alliedforge.api.paging import PageOut, PageParams, RecordId, page_request
from alliedforge.domain.requirements import service
from alliedforge.domain.requirements.schemas import (
    RequirementCreate,
    RequirementFilter,
    RequirementRead,
    RequirementUpdate,
)

router = APIRouter(prefix="/requirements", tags=["requirements"])


class Rejection(BaseModel):
    """Why the agency rejects a requirement."""

    reason: str = Field(min_length=1, max_length=2000)


def _one(response: Response, requirement: RequirementRead) -> RequirementRead:
    response.headers["ETag"] = etag(requirement.version)
    return requirement


@router.get("", response_model=PageOut[RequirementRead])
async def list_requirements(
    session: DbSession,
    caller: CurrentCaller,
    filters: Annotated[RequirementFilter, Query()],
    page: Annotated[PageParams, Query()],
) -> Response:
    """The requirements you may see, in id order, filtered; follow `next_after`."""
    found = service.list_requirement_fields(session, caller, filters, page_request(page))
    # The busiest list: the service's field dicts (checked columns, the same fields as
    # `RequirementRead`) are serialised once, without a model per row.
    content = {"items": found.items, "next_after": found.next_after}
    return Response(to_json(content), media_type="application/json")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RequirementRead)
def create_requirement(
    session: DbSession,
    caller: CurrentCaller,
    data: RequirementCreate,
    request: Request,
    response: Response,
) -> RequirementRead:
    """Record a draft requirement (a nation user: for their own nation)."""
    created = service.create_requirement(session, caller, data)
    session.commit()
    response.headers["Location"] = str(
        request.url_for("get_requirement", requirement_id=created.id)
    )
    return _one(response, created)


@router.get("/{requirement_id}", response_model=RequirementRead)
def get_requirement(
    session: DbSession, caller: CurrentCaller, requirement_id: RecordId, response: Response
) -> RequirementRead:
    """One requirement, with its ETag for a later update."""
    return _one(response, service.get_requirement(session, caller, requirement_id))


@router.patch("/{requirement_id}", response_model=RequirementRead)
def update_requirement(
    session: DbSession,
    caller: CurrentCaller,
    requirement_id: RecordId,
    data: RequirementUpdate,
    version: ExpectedVersion,
    response: Response,
) -> RequirementRead:
    """Change fields of a requirement (If-Match: its ETag)."""
    updated = service.update_requirement(session, caller, requirement_id, data, version)
    session.commit()
    return _one(response, updated)


@router.delete("/{requirement_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_requirement(
    session: DbSession, caller: CurrentCaller, requirement_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a requirement (If-Match: its ETag)."""
    service.delete_requirement(session, caller, requirement_id, version)
    session.commit()


@router.post("/{requirement_id}/submit", response_model=RequirementRead)
def submit_requirement(
    session: DbSession,
    caller: CurrentCaller,
    requirement_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> RequirementRead:
    """Draft → submitted (If-Match: its ETag)."""
    submitted = service.submit_requirement(session, caller, requirement_id, version)
    session.commit()
    return _one(response, submitted)


@router.post("/{requirement_id}/approve", response_model=RequirementRead)
def approve_requirement(
    session: DbSession,
    caller: CurrentCaller,
    requirement_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> RequirementRead:
    """Submitted → approved, by the agency (If-Match: its ETag)."""
    approved = service.approve_requirement(session, caller, requirement_id, version)
    session.commit()
    return _one(response, approved)


@router.post("/{requirement_id}/reject", response_model=RequirementRead)
def reject_requirement(
    session: DbSession,
    caller: CurrentCaller,
    requirement_id: RecordId,
    rejection: Rejection,
    version: ExpectedVersion,
    response: Response,
) -> RequirementRead:
    """Submitted or approved → rejected with a reason, by the agency (If-Match: its ETag)."""
    rejected = service.reject_requirement(
        session, caller, requirement_id, version, rejection.reason
    )
    session.commit()
    return _one(response, rejected)
