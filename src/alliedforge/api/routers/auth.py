"""`/auth`, `/me`, `/tokens`: sign in and out, who am I, personal API tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from alliedforge.api.deps import SESSION_COOKIE, CurrentCaller, DbSession
from alliedforge.api.errors import RATE_LIMITED, UNAUTHENTICATED
from alliedforge.api.paging import RecordId
from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.errors import AuthenticationError
from alliedforge.store.engine import session_scope

router = APIRouter(tags=["identity"])

SESSION_HOURS = 12


class Credentials(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class Me(BaseModel):
    """The signed-in user as the record sees them."""

    name: str
    role: Role
    clearance: str
    nationality: str | None
    nation: str | None
    supplier: str | None

    @classmethod
    def of(cls, caller: Caller) -> Me:
        return cls(
            name=caller.name,
            role=caller.role,
            clearance=caller.clearance,
            nationality=caller.nationality,
            nation=caller.nation,
            supplier=caller.supplier,
        )


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    days: int = Field(default=90, ge=1, le=366)


class TokenRead(BaseModel):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="Shown once: store it now.")


@router.post(
    "/auth/login",
    response_model=Me,
    responses={401: UNAUTHENTICATED, 429: RATE_LIMITED},
)
def login(session: DbSession, credentials: Credentials, request: Request, response: Response) -> Me:
    """Sign in with name and password; sets the session cookie. Repeated failures are
    rate-limited (429 with Retry-After)."""
    address = request.client.host if request.client else None
    try:
        with session_scope(request.app.state.engine) as checking:
            caller, cookie = access.login(
                session, credentials.name, credentials.password, address, checking=checking
            )
    except AuthenticationError:
        session.commit()  # keep the failure: the rate limit counts it
        raise
    session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return Me.of(caller)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def logout(session: DbSession, request: Request, response: Response) -> None:
    """End the web session (its cookie stops working at once)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        access.logout(session, cookie)
        session.commit()
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me", response_model=Me)
def me(caller: CurrentCaller) -> Me:
    """Who the credentials of this request belong to."""
    return Me.of(caller)


def _token(token: object) -> TokenRead:
    return TokenRead.model_validate(token, from_attributes=True)


@router.get("/tokens", response_model=list[TokenRead])
def list_tokens(session: DbSession, caller: CurrentCaller) -> list[TokenRead]:
    """Your API tokens (never their values)."""
    return [_token(token) for token in access.list_tokens(session, caller, caller.name)]


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
def create_token(session: DbSession, caller: CurrentCaller, data: TokenCreate) -> TokenCreated:
    """A new personal API token; its value is in this response only."""
    token, value = access.create_token(session, caller, caller.name, data.name, data.days)
    session.commit()
    return TokenCreated(**_token(token).model_dump(), token=value)


@router.delete(
    "/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response
)
def revoke_token(session: DbSession, caller: CurrentCaller, token_id: RecordId) -> None:
    """Revoke one of your tokens; it stops working at once."""
    access.revoke_token(session, caller, token_id)
    session.commit()
