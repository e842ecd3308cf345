"""The signed-in user's personal API tokens: list them, create one (its secret shown once),
revoke one after a confirmation. Only the user's own tokens exist here: another user's
token id is the not-found page, for administrators too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import RecordId
from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.models import ApiToken
from alliedforge.domain.errors import InvalidError, NotFoundError
from alliedforge.store.base import utcnow
from alliedforge.web.render import CheckedForm, WebCaller, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

DEFAULT_DAYS = 90
# The page with a new token's secret must never be kept by a browser or a proxy.
SECRET_HEADERS = {"Cache-Control": "no-store"}


def _shown(token: ApiToken, now: datetime) -> dict[str, Any]:
    """What a user sees of a token: never its value, nor the hash kept of it."""
    if token.revoked_at is not None:
        state = "revoked"
    elif token.expires_at <= now:
        state = "expired"
    else:
        state = "active"
    return {
        "id": token.id,
        "name": token.name,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "state": state,
    }


def _own_tokens(session: DbSession, caller: Caller) -> list[ApiToken]:
    return access.list_tokens(session, caller, caller.name)


def _own_token(session: DbSession, caller: Caller, token_id: int) -> ApiToken:
    """One of the caller's tokens; any other id does not exist for them."""
    for token in _own_tokens(session, caller):
        if token.id == token_id:
            return token
    raise NotFoundError("API token", token_id)


def _tokens_page(
    request: Request,
    session: DbSession,
    caller: Caller,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    now = utcnow()
    return page(
        request,
        "tokens.html",
        {"tokens": [_shown(token, now) for token in _own_tokens(session, caller)]},
        status_code=status_code,
        values=values or {"name": "", "days": str(DEFAULT_DAYS)},
        errors=errors or {},
        max_days=access.MAX_TOKEN_DAYS,
    )


@router.get("/tokens")
def tokens(request: Request, session: DbSession, caller: WebCaller) -> Response:
    """The caller's API tokens, and the form for a new one."""
    return _tokens_page(request, session, caller)


@router.post("/tokens")
def create_token(
    request: Request, session: DbSession, caller: WebCaller, form: CheckedForm
) -> Response:
    """A new token for the caller; its secret is on the answer to this form only."""
    values = {"name": form.get("name", ""), "days": form.get("days", "").strip()}
    if not values["days"].isdigit():
        errors = {"days": f"a whole number of days from 1 to {access.MAX_TOKEN_DAYS}"}
        return _tokens_page(request, session, caller, values, errors, 422)
    try:
        token, secret = access.create_token(
            session, caller, caller.name, values["name"], int(values["days"])
        )
    except InvalidError as error:
        session.rollback()
        return _tokens_page(request, session, caller, values, {error.field: error.reason}, 422)
    session.commit()
    return page(
        request,
        "tokens_created.html",
        {"token": _shown(token, utcnow()), "secret": secret},
        headers=SECRET_HEADERS,
    )


@router.get("/tokens/{token_id}/revoke")
def confirm_revoke(
    request: Request, session: DbSession, caller: WebCaller, token_id: RecordId
) -> Response:
    """Ask before revoking one of the caller's tokens."""
    token = _own_token(session, caller, token_id)
    return page(request, "tokens_revoke.html", {"token": _shown(token, utcnow())})


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, session: DbSession, caller: WebCaller, token_id: RecordId, form: CheckedForm
) -> Response:
    """Revoke one of the caller's tokens: it stops working at once."""
    _own_token(session, caller, token_id)
    access.revoke_token(session, caller, token_id)
    session.commit()
    return RedirectResponse("/tokens", status_code=303)
