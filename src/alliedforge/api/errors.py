"""Domain errors → HTTP statuses, in one place. Bad input is never a 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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


def install_error_handlers(app: FastAPI) -> None:
    """Map every `DomainError` the services raise onto its HTTP status."""
    app.add_exception_handler(DomainError, _domain_error)
