"""Request dependencies: one database session per request, and who is calling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller
from alliedforge.store.engine import session_scope

SESSION_COOKIE = "alliedforge_session"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """A session for this request; routes commit what they acknowledge, the rest is rolled
    back. Writing requests take SQLite's write lock up front (see `session_scope`)."""
    engine: Engine = request.app.state.engine
    with session_scope(engine, write=request.method not in READ_METHODS) as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def get_caller(request: Request, session: DbSession) -> Caller:
    """The caller from `Authorization: Bearer <token>` or the web session cookie; 401 if
    neither identifies an active user."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    caller: Caller | None = None
    if scheme.lower() == "bearer" and credential.strip():
        caller = access.caller_for_token(session, credential.strip())
    elif cookie := request.cookies.get(SESSION_COOKIE):
        caller = access.caller_for_session(session, cookie)
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in, or send a valid API token as `Authorization: Bearer <token>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return caller


CurrentCaller = Annotated[Caller, Depends(get_caller)]


def etag(version: int) -> str:
    """The entity tag of a record at `version`."""
    return f'"{version}"'


def if_match(
    if_match: Annotated[
        str | None,
        Header(description="The ETag of the version the change is based on (from a GET)."),
    ] = None,
) -> int:
    """The version an update is based on, from `If-Match`; 428 without one, so that no
    update can overwrite a change its author never saw."""
    if if_match is None:
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED,
            "send If-Match with the ETag of the version you are changing",
        )
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise HTTPException(
            status.HTTP_412_PRECONDITION_FAILED, f"If-Match {if_match!r} is no ETag of ours"
        )
    return int(text)


ExpectedVersion = Annotated[int, Depends(if_match)]
