"""Every query on users, API tokens, web sessions and failed sign-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, Select, bindparam, delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from alliedforge.domain.access.models import ApiToken, LoginFailure, User, WebSession
from alliedforge.domain.industry.models import Supplier
from alliedforge.domain.nations.models import Nation

# A user with the codes of the nation and supplier it acts for.
UserRow = Row[User, str | None, str | None]


def _with_codes() -> Select[User, str | None, str | None]:
    return (
        select(User, Nation.code, Supplier.code)
        .outerjoin(Nation, User.nation_id == Nation.id)
        .outerjoin(Supplier, User.supplier_id == Supplier.id)
    )


def user_by_name(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def codes_of(session: Session, user: User) -> tuple[str | None, str | None]:
    """The codes of the nation and the supplier `user` acts for."""
    nation = session.get(Nation, user.nation_id) if user.nation_id is not None else None
    supplier = session.get(Supplier, user.supplier_id) if user.supplier_id is not None else None
    return (
        nation.code if nation is not None else None,
        supplier.code if supplier is not None else None,
    )


def users(session: Session) -> list[UserRow]:
    return list(session.execute(_with_codes().order_by(User.name)).all())


def nation_id(session: Session, code: str) -> int | None:
    return session.scalars(select(Nation.id).where(Nation.code == code)).one_or_none()


def supplier(session: Session, code: str) -> Supplier | None:
    return session.scalars(select(Supplier).where(Supplier.code == code)).one_or_none()


def nth_latest_failure(
    session: Session,
    *,
    name: str | None = None,
    address: str | None = None,
    since: datetime,
    n: int,
) -> datetime | None:
    """When the `n`-th most recent failed sign-in since `since` for the name (or the
    address) happened, or None if there were fewer (served by the (name|address, at)
    indexes)."""
    query = select(LoginFailure.at).where(LoginFailure.at > since)
    if name is not None:
        query = query.where(LoginFailure.name == name)
    else:
        query = query.where(LoginFailure.address == address)
    query = query.order_by(LoginFailure.at.desc()).offset(n - 1).limit(1)
    return session.scalars(query).one_or_none()


def web_session_identity(
    session: Session, token_hash: str
) -> Row[WebSession, User, str | None, str | None] | None:
    """The web session with this cookie hash, its user and the user's nation and supplier
    codes: one query on the unique cookie hash index, run on every page."""
    query = (
        select(WebSession, User, Nation.code, Supplier.code)
        .join(User, WebSession.user_id == User.id)
        .outerjoin(Nation, User.nation_id == Nation.id)
        .outerjoin(Supplier, User.supplier_id == Supplier.id)
        .where(WebSession.token_hash == token_hash)
    )
    return session.execute(query).one_or_none()


TokenIdentity = Row[
    int,
    datetime | None,
    datetime,
    datetime | None,
    int,
    str,
    str,
    str,
    str | None,
    int | None,
    int | None,
    bool,
    str | None,
    str | None,
]


# Built once: this lookup runs on every API request, and composing the statement anew
# cost more than executing it.
_TOKEN_IDENTITY = (
    select(
        ApiToken.id.label("token_id"),
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        User.id,
        User.name,
        User.role,
        User.clearance,
        User.nationality,
        User.nation_id,
        User.supplier_id,
        User.active,
        Nation.code.label("nation"),
        Supplier.code.label("supplier"),
    )
    .join(User, ApiToken.user_id == User.id)
    .outerjoin(Nation, User.nation_id == Nation.id)
    .outerjoin(Supplier, User.supplier_id == Supplier.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def token_identity(session: Session, token_hash: str) -> TokenIdentity | None:
    """The API token with this hash — `token_id`, `revoked_at`, `expires_at`,
    `last_used_at` — with its user's columns and nation and supplier codes: one query on
    the unique token hash index (plain columns: no ORM objects to build)."""
    return session.execute(_TOKEN_IDENTITY, {"token_hash": token_hash}).one_or_none()


TOUCHED = "alliedforge_token_touched"


def touch_token(session: Session, token_id: int, when: datetime) -> None:
    """Mark the token used at `when`; `session.info[TOUCHED]` tells the boundary there is
    bookkeeping to commit. On SQLite a read that began before another writer committed
    cannot write ("database is locked"); the bookkeeping then waits for a later request
    rather than failing this one."""
    try:
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when))
    except OperationalError:
        if session.get_bind().dialect.name != "sqlite":
            raise
        return
    session.info[TOUCHED] = True


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    return list(session.scalars(query).all())


def delete_web_session(session: Session, token_hash: str) -> int | None:
    """Delete the web session with this cookie hash; the user id it belonged to, if any."""
    query = delete(WebSession).where(WebSession.token_hash == token_hash)
    return session.execute(query.returning(WebSession.user_id)).scalar_one_or_none()


def delete_web_sessions(session: Session, user_id: int, expired_before: datetime | None) -> None:
    """Delete the user's web sessions (only those expired by `expired_before`, if given)."""
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if expired_before is not None:
        query = query.where(WebSession.expires_at <= expired_before)
    session.execute(query)
