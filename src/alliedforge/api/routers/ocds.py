"""`/ocds/releases`, `/ocds/records`: the contracting processes the caller may read, as an
Open Contracting Data Standard (OCDS 1.1.5) release package or record package."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from alliedforge.api.deps import CurrentCaller, DbSession
from alliedforge.api.errors import error_response
from alliedforge.contracting.ocds import EmptyExportError
from alliedforge.domain.procurement.ocds_export import ocds_prefix, records_of, releases_of
from alliedforge.store.base import utcnow

router = APIRouter(tags=["ocds"])

# OCDS packages hold at least one release or record: an empty export is no package.
NOTHING = error_response(
    "You may read no contracting process that has reached a stage yet: there is nothing "
    "to publish (an OCDS package holds at least one release or record)."
)
EMPTY: dict[int | str, dict[str, Any]] = {status.HTTP_409_CONFLICT: NOTHING}


def _nothing(error: EmptyExportError) -> JSONResponse:
    detail = f"nothing to publish: {error}"
    return JSONResponse({"detail": detail}, status_code=status.HTTP_409_CONFLICT)


@router.get("/ocds/releases", response_model=dict[str, Any], responses=EMPTY)
def ocds_releases(request: Request, session: DbSession, caller: CurrentCaller) -> Any:
    """A release package: one release per stage each process you may read has reached."""
    uri = str(request.url_for("ocds_releases"))
    try:
        return releases_of(session, caller, ocds_prefix(), utcnow(), uri)
    except EmptyExportError as error:
        return _nothing(error)


@router.get("/ocds/records", response_model=dict[str, Any], responses=EMPTY)
def ocds_records(request: Request, session: DbSession, caller: CurrentCaller) -> Any:
    """A record package: per process you may read, its releases and compiled release."""
    uri = str(request.url_for("ocds_records"))
    try:
        return records_of(session, caller, ocds_prefix(), utcnow(), uri)
    except EmptyExportError as error:
        return _nothing(error)
