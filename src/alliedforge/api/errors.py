"""Domain errors → HTTP statuses, in one place. Bad input is never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError

from alliedforge.api.deps import get_caller, if_match
from alliedforge.domain.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    RateLimitedError,
)


def _body(error: DomainError, **extra: object) -> dict[str, object]:
    return {"detail": str(error), **extra}


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    match error:
        case NotFoundError():
            return JSONResponse(_body(error), status_code=404)
        case ForbiddenError():
            return JSONResponse(_body(error), status_code=403)
        case ConflictError():
            # Every update names the version it read (If-Match): a stale one fails that
            # precondition.
            return JSONResponse(_body(error, current_version=error.current), status_code=412)
        case InvalidError():
            detail = [
                {"loc": ["body", *error.field.split(".")], "msg": error.reason, "type": "invalid"}
            ]
            return JSONResponse({"detail": detail}, status_code=422)
        case AuthenticationError():
            return JSONResponse(
                _body(error), status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        case RateLimitedError():
            headers = {"Retry-After": str(max(1, int(error.retry_after)))}
            return JSONResponse(_body(error), status_code=429, headers=headers)
        case _:
            return JSONResponse(_body(error), status_code=400)


async def _data_error(request: Request, error: Exception) -> JSONResponse:
    # A value the schema let through but the database cannot store (on PostgreSQL: a NUL
    # character in a text) is still bad input, never a server error.
    assert isinstance(error, DataError)
    reason = str(error.orig).splitlines()[0] if error.orig is not None else "invalid value"
    detail = [
        {"loc": ["body"], "msg": f"the database cannot store it: {reason}", "type": "invalid"}
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Map every `DomainError` the services raise onto its HTTP status, and values the
    database refuses onto 422."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(DataError, _data_error)


def error_response(description: str, **extra: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI response whose body is `{"detail": "…"}` (plus `extra` properties)."""
    properties = {"detail": {"type": "string"}, **extra}
    schema = {"type": "object", "properties": properties, "required": ["detail"]}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


UNREADABLE = error_response("The body is not readable (not UTF-8).")
UNAUTHENTICATED = error_response("No or bad credentials.")
FORBIDDEN = error_response("Your role may not do this.")
NOT_FOUND = error_response("No such record, or one you may not see.")
CONFLICT = error_response("The record is not in a state that allows this.")
STALE = error_response(
    "If-Match names a version that is no longer current.",
    current_version={"anyOf": [{"type": "integer"}, {"type": "null"}]},
)
PRECONDITION_REQUIRED = error_response("Send If-Match with the ETag of the version you change.")
TOO_LARGE = error_response("The upload is too large.")
_PROBLEM = {
    "type": "object",
    "properties": {
        "table": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "row": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        "column": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "value": {},
        "message": {"type": "string"},
    },
    "required": ["message"],
}
PROBLEMS = error_response(
    "The scenario has problems (by table, row, column), or the request is invalid.",
    detail={
        "type": "array",
        "items": {"anyOf": [_PROBLEM, {"$ref": "#/components/schemas/ValidationError"}]},
    },
)
RATE_LIMITED = error_response("Too many failed sign-ins: retry after `Retry-After` seconds.")


def _calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def declare_error_responses(router: APIRouter) -> None:
    """Declare in the OpenAPI schema the errors each route of `router` can answer, from
    what it depends on: credentials (401, 403), a record in the path (404), If-Match
    (412, 428), a body (400 when it cannot be read)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        calls = set(_calls(route.dependant))
        declared: dict[int | str, dict[str, Any]] = {}
        if route.body_field is not None:
            declared[400] = UNREADABLE
        if get_caller in calls:
            declared |= {401: UNAUTHENTICATED, 403: FORBIDDEN}
        if route.dependant.path_params:
            declared[404] = NOT_FOUND
        if if_match in calls:
            declared |= {412: STALE, 428: PRECONDITION_REQUIRED}
        for code, response in declared.items():
            route.responses.setdefault(code, response)
