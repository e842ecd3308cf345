"""Request dependencies: one database session per request, and who is calling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller, scope_settings
from alliedforge.domain.access.repository import TOUCHED
from alliedforge.store.engine import session_scope
from alliedforge.store.scope import bind_scope

SESSION_COOKIE = "alliedforge_session"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# The dependencies below are `async` on purpose: they run on the event loop (their
# database work is one indexed lookup) instead of hopping to worker threads and back,
# which under load costs more in thread handoffs than the work itself — and a request
# holding a connection while it waits for a thread can starve the pool. Routes stay
# `def` and run in the thread pool.
async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for this request; routes commit what they acknowledge, the rest is rolled
    back. Writing requests take SQLite's write lock up front (see `session_scope`), at
    their first statement — in the route's worker thread, never on the event loop."""
    engine: Engine = request.app.state.engine
    with session_scope(engine, write=request.method not in READ_METHODS) as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def identify(request: Request) -> Caller | None:
    """Who sends `request`: the user of its bearer token or of its session cookie, looked
    up in a short read transaction of its own. Not in the request's session: for a write,
    that one starts with SQLite's write lock, and waiting for the lock here, on the event
    loop, would stall every request — the one holding the lock included."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    with session_scope(request.app.state.engine) as lookup:
        if scheme.lower() == "bearer" and credential.strip():
            caller = access.caller_for_token(lookup, credential.strip())
            _commit_bookkeeping(lookup)
            return caller
        if cookie := request.cookies.get(SESSION_COOKIE):
            return access.caller_for_session(lookup, cookie)
    return None


async def get_caller(request: Request, session: DbSession) -> Caller:
    """The caller from `Authorization: Bearer <token>` or the web session cookie, with
    the request's database scope bound to them; 401 if neither identifies an active user."""
    caller = identify(request)
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in, or send a valid API token as `Authorization: Bearer <token>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    bind_scope(session, scope_settings(caller))  # PostgreSQL's row-level security wall
    return caller


CurrentCaller = Annotated[Caller, Depends(get_caller)]


def _commit_bookkeeping(session: Session) -> None:
    """Commit the hourly last-used mark of a token, if one was set; a busy database skips
    it rather than failing the request."""
    if not session.info.pop(TOUCHED, False):
        return
    try:
        session.commit()
    except OperationalError:
        session.rollback()


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
