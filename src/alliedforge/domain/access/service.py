"""The rules of identities: who creates users, signing in, web sessions and API tokens.

Secrets are random, shown once and stored only as SHA-256 (cookies, API tokens) or
argon2id (passwords); none of them, nor any hash of them, enters the audit log.

Services flush; the boundary commits — including after an `AuthenticationError`:
`login` flushes a `LoginFailure` row before raising it, and the boundary must commit
that (the failed attempt wrote nothing else) or the rate limit never sees it. A
transaction of its own was the alternative, but on SQLite it would wait on the write
lock that the caller's own (writing) request transaction already holds.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from alliedforge.domain.access import repository
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.models import ApiToken, LoginFailure, User, WebSession
from alliedforge.domain.access.passwords import dummy_hash, hash_password, verify_password
from alliedforge.domain.access.schemas import UserRead
from alliedforge.domain.audit import service as audit
from alliedforge.domain.errors import (
    AuthenticationError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    RateLimitedError,
)
from alliedforge.store.base import CLASSIFICATIONS, DEFAULT_CLASSIFICATION, utcnow

USER = "user"
TOKEN = "api_token"
USER_AUDITED = ("name", "role", "nation_id", "supplier_id", "clearance", "nationality", "active")
TOKEN_AUDITED = ("user_id", "name", "created_at", "expires_at", "revoked_at")

WRONG_CREDENTIALS = "wrong user name or password"
SESSION_LIFETIME = timedelta(hours=12)
RATE_WINDOW = timedelta(minutes=15)
FAILURES_PER_NAME = 5
FAILURES_PER_ADDRESS = 20
TOKEN_PREFIX = "afg_"
TOKEN_BYTES = 32  # 43 url-safe characters, 256 bits
MAX_TOKEN_LENGTH = 128  # anything longer is no token of ours: refused without a query
MAX_TOKEN_DAYS = 366
MAX_TOKEN_NAME = 200
# Recording every use would turn each API read into a write; the hour is what an
# administrator needs to tell a live token from a forgotten one.
TOUCH_INTERVAL = timedelta(hours=1)

NAME_PATTERN = re.compile(r"[A-Za-z0-9._@-]{1,64}")
CODE_PATTERN = re.compile(r"[A-Z0-9]{2,8}")
MAX_FAILED_NAME = 128  # what a failure row keeps of a (possibly absurd) attempted name


def digest(secret: str) -> str:
    """The SHA-256 (hex) under which a cookie or API token is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


# --- users ---------------------------------------------------------------------------


def create_user(
    session: Session,
    caller: Caller,
    name: str,
    role: Role,
    password: str,
    *,
    nation: str | None = None,
    supplier: str | None = None,
    clearance: str = DEFAULT_CLASSIFICATION,
    nationality: str | None = None,
) -> User:
    """A new user. Only administrators create users. A nation user acts for `nation` (its
    code; the nationality defaults to it), a supplier user for `supplier` (NCAGE; the
    nationality defaults to the supplier's country), staff for neither."""
    _require_admin(caller)
    name = name.strip()
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidError("name", name, "use 1 to 64 letters, digits, '.', '_', '@' or '-'")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidError("role", role, "expected one of " + ", ".join(Role)) from None
    if clearance not in CLASSIFICATIONS:
        raise InvalidError("clearance", clearance, "expected one of " + ", ".join(CLASSIFICATIONS))
    nation_id, supplier_id, default_nationality = _acts_for(session, role, nation, supplier)
    nationality = _nationality(nationality) or default_nationality
    if repository.user_by_name(session, name) is not None:
        raise InvalidError("name", name, "is already taken")
    user = User(
        name=name,
        password_hash=hash_password(password),
        role=role.value,
        nation_id=nation_id,
        supplier_id=supplier_id,
        clearance=clearance,
        nationality=nationality,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.append(session, caller, "create", USER, user.id, None, audit.snapshot(user, USER_AUDITED))
    return user


def list_users(session: Session, caller: Caller) -> list[UserRead]:
    """Every user, by name (staff only); never a password hash."""
    if not (caller.unrestricted or caller.is_staff):
        raise ForbiddenError("only staff list users")
    return [
        UserRead(
            id=user.id,
            name=user.name,
            role=Role(user.role),
            nation=nation,
            supplier=supplier,
            clearance=user.clearance,
            nationality=user.nationality,
            active=user.active,
            created_at=user.created_at,
        )
        for user, nation, supplier in repository.users(session)
    ]


def disable_user(session: Session, caller: Caller, name: str) -> User:
    """Stop a user signing in: their web sessions end, their API tokens stop working
    (an administrator only; not oneself, so the last administrator cannot lock out all)."""
    _require_admin(caller)
    user = _user(session, name)
    if caller.user_id is not None and caller.user_id == user.id:
        raise InvalidError("name", name, "you cannot disable yourself")
    if not user.active:
        return user
    before = audit.snapshot(user, USER_AUDITED)
    user.active = False
    repository.delete_web_sessions(session, user.id, expired_before=None)
    session.flush()
    audit.append(
        session, caller, "disable", USER, user.id, before, audit.snapshot(user, USER_AUDITED)
    )
    return user


def caller_of(session: Session, user: User) -> Caller:
    """The caller `user` is when they act on the record."""
    nation, supplier = repository.codes_of(session, user)
    return _caller(user, nation, supplier)


# --- signing in ----------------------------------------------------------------------


def login(
    session: Session,
    name: str,
    password: str,
    address: str | None,
    lifetime: timedelta = SESSION_LIFETIME,
    checking: Session | None = None,
) -> tuple[Caller, str]:
    """Sign in: the caller and a new web-session cookie value (only its SHA-256 is kept).
    The rate limit and the password are checked in `checking` (default: `session`): a
    writing request passes a read session, so that it does not hold SQLite's write lock
    through the slow hash check.

    A wrong name, a wrong password and a disabled user are the same
    `AuthenticationError`, and take the same time (an unknown name is checked against a
    dummy hash). Each failure is flushed as a `LoginFailure` row before the error is
    raised: the boundary commits after an `AuthenticationError` (not rolls back), so the
    failure counts. Five failures for one name, or twenty from one address, within 15
    minutes refuse further attempts with `RateLimitedError` before any password is
    checked."""
    if lifetime <= timedelta(0):
        raise InvalidError("lifetime", str(lifetime), "must be positive")
    now = utcnow()
    checking = checking or session
    _check_rate_limit(checking, name, address, now)
    found = repository.user_by_name(checking, name)
    matches = verify_password(found.password_hash if found else dummy_hash(), password)
    user = session.get(User, found.id) if found is not None else None
    if user is None or not user.active or not matches:
        _record_failure(session, name, address, now)
        raise AuthenticationError(WRONG_CREDENTIALS)
    repository.delete_web_sessions(session, user.id, expired_before=now)
    cookie = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        WebSession(
            user_id=user.id, token_hash=digest(cookie), created_at=now, expires_at=now + lifetime
        )
    )
    caller = caller_of(session, user)
    audit.append(session, caller, "login", USER, user.id, None, {"address": address})
    return caller, cookie


def logout(session: Session, cookie: str) -> None:
    """End the web session with this cookie (nothing happens for an unknown one)."""
    user_id = repository.delete_web_session(session, digest(cookie))
    if user_id is None:
        return
    user = session.get(User, user_id)
    if user is not None:
        audit.append(session, caller_of(session, user), "logout", USER, user.id, None, None)


def caller_for_session(session: Session, cookie: str) -> Caller | None:
    """The caller signed in with this cookie; None if unknown, expired or disabled."""
    row = repository.web_session_identity(session, digest(cookie))
    if row is None:
        return None
    web_session, user, nation, supplier = row
    if web_session.expires_at <= utcnow() or not user.active:
        return None
    return _caller(user, nation, supplier)


# --- API tokens ----------------------------------------------------------------------


def create_token(
    session: Session, caller: Caller, user_name: str, name: str, days: int = 90
) -> tuple[ApiToken, str]:
    """A new API token for `user_name`, valid for `days`: the row and the plaintext
    (`afg_` and 43 url-safe characters), which is never stored or shown again. Users
    create their own tokens, administrators anyone's."""
    user = _user(session, user_name)
    _require_self_or_admin(caller, user)
    if not user.active:
        raise InvalidError("user", user_name, "is disabled")
    name = name.strip()
    if not 1 <= len(name) <= MAX_TOKEN_NAME:
        raise InvalidError("name", name, f"expected 1 to {MAX_TOKEN_NAME} characters")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidError("days", days, f"expected 1 to {MAX_TOKEN_DAYS}")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(plaintext),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.append(
        session, caller, "create", TOKEN, token.id, None, audit.snapshot(token, TOKEN_AUDITED)
    )
    return token, plaintext


def list_tokens(session: Session, caller: Caller, user_name: str) -> list[ApiToken]:
    """The API tokens of `user_name`, oldest first (their own, or any for an
    administrator or auditor)."""
    user = _user(session, user_name)
    if caller.role is not Role.AUDITOR:
        _require_self_or_admin(caller, user)
    return repository.tokens_of(session, user.id)


def revoke_token(session: Session, caller: Caller, token_id: int) -> None:
    """Revoke one of the caller's tokens (an administrator: anyone's). Someone else's
    token is `NotFoundError`, as if it did not exist. Revoking twice changes nothing."""
    token = session.get(ApiToken, token_id)
    if token is None or not (_is_admin(caller) or token.user_id == caller.user_id):
        raise NotFoundError("API token", token_id)
    if token.revoked_at is not None:
        return
    before = audit.snapshot(token, TOKEN_AUDITED)
    token.revoked_at = utcnow()
    session.flush()
    audit.append(
        session, caller, "revoke", TOKEN, token.id, before, audit.snapshot(token, TOKEN_AUDITED)
    )


def caller_for_token(session: Session, token: str) -> Caller | None:
    """The caller an API token stands for; None if unknown, expired, revoked or its
    user disabled. One query on the unique hash index; the first use in an hour also
    sets `last_used_at` (bookkeeping, not a change to the record, so not audited: the
    request's boundary commits it at once)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = repository.token_identity(session, digest(token))
    if row is None:
        return None
    now = utcnow()
    if row.revoked_at is not None or row.expires_at <= now or not row.active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
        repository.touch_token(session, row.token_id, now)
    return Caller(
        name=row.name,
        role=Role(row.role),
        clearance=row.clearance,
        nationality=row.nationality,
        nation_id=row.nation_id,
        nation=row.nation,
        supplier_id=row.supplier_id,
        supplier=row.supplier,
        user_id=row.id,
    )


# --- helpers -------------------------------------------------------------------------


def _caller(user: User, nation: str | None, supplier: str | None) -> Caller:
    return Caller(
        name=user.name,
        role=Role(user.role),
        clearance=user.clearance,
        nationality=user.nationality,
        nation_id=user.nation_id,
        nation=nation,
        supplier_id=user.supplier_id,
        supplier=supplier,
        user_id=user.id,
    )


def _is_admin(caller: Caller) -> bool:
    return caller.role is Role.ADMIN


def _require_admin(caller: Caller) -> None:
    if not _is_admin(caller):
        raise ForbiddenError("only administrators manage users")


def _require_self_or_admin(caller: Caller, user: User) -> None:
    if not (_is_admin(caller) or caller.user_id == user.id):
        raise ForbiddenError("you manage only your own API tokens")


def _user(session: Session, name: str) -> User:
    user = repository.user_by_name(session, name)
    if user is None:
        raise NotFoundError(USER, name)
    return user


def _nationality(code: str | None) -> str | None:
    if code is None:
        return None
    code = code.strip().upper()
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidError("nationality", code, "expected a nation code such as DEU")
    return code


def _acts_for(
    session: Session, role: Role, nation: str | None, supplier: str | None
) -> tuple[int | None, int | None, str | None]:
    """The nation id, supplier id and default nationality of a user with `role`."""
    if role is not Role.NATION and nation is not None:
        raise InvalidError("nation", nation, "only nation users act for a nation")
    if role is not Role.SUPPLIER and supplier is not None:
        raise InvalidError("supplier", supplier, "only supplier users act for a supplier")
    if role is Role.NATION:
        if nation is None:
            raise InvalidError("nation", None, "a nation user needs the nation they act for")
        code = nation.strip().upper()
        nation_id = repository.nation_id(session, code)
        if nation_id is None:
            raise InvalidError("nation", code, "no such nation")
        return nation_id, None, code
    if role is Role.SUPPLIER:
        if supplier is None:
            raise InvalidError("supplier", None, "a supplier user needs the supplier (NCAGE)")
        found = repository.supplier(session, supplier.strip().upper())
        if found is None:
            raise InvalidError("supplier", supplier, "no such supplier")
        return None, found.id, found.country
    return None, None, None


def _check_rate_limit(session: Session, name: str, address: str | None, now: datetime) -> None:
    """Refuse a sign-in while the name or the address has too many recent failures."""
    since = now - RATE_WINDOW
    limits = [repository.nth_latest_failure(session, name=name, since=since, n=FAILURES_PER_NAME)]
    if address is not None:
        limits.append(
            repository.nth_latest_failure(
                session, address=address, since=since, n=FAILURES_PER_ADDRESS
            )
        )
    # The limit lifts when the oldest failure that keeps the count at the limit ages out.
    blocking = [at for at in limits if at is not None]
    if blocking:
        wait = (max(blocking) + RATE_WINDOW - now).total_seconds()
        raise RateLimitedError(max(1, math.ceil(wait)))


def _record_failure(session: Session, name: str, address: str | None, now: datetime) -> None:
    """Flush a failed sign-in; the boundary commits it (see the module docstring).
    Failures older than the rate-limit window count for nothing: they go at the same
    time, so the table stays the size of the last window."""
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - RATE_WINDOW))
    session.add(LoginFailure(name=name[:MAX_FAILED_NAME], address=address, at=now))
    session.flush()
