"""ORM models of identities: users, their API tokens and web sessions, failed logins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from alliedforge.domain.access.caller import Role
from alliedforge.store.base import (
    CLASSIFICATIONS,
    DEFAULT_CLASSIFICATION,
    Base,
    NeverReusedIds,
    Record,
    one_of,
    utcnow,
)


class User(Record):
    """Someone who signs in: a role, what they act for, a clearance and a nationality.

    Only an argon2id hash of the password is kept. A nation user acts for exactly one
    nation, a supplier user for exactly one supplier, staff for neither."""

    __tablename__ = "users"
    __table_args__ = (
        one_of("role", tuple(Role), "role"),
        one_of("clearance", CLASSIFICATIONS, "clearance"),
        CheckConstraint(
            "(role = 'nation') = (nation_id IS NOT NULL)", name="nation_users_have_a_nation"
        ),
        CheckConstraint(
            "(role = 'supplier') = (supplier_id IS NOT NULL)",
            name="supplier_users_have_a_supplier",
        ),
    )

    name: Mapped[str] = mapped_column(String, unique=True)
    password_hash: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)
    nation_id: Mapped[int | None] = mapped_column(ForeignKey("nations.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    clearance: Mapped[str] = mapped_column(String, default=DEFAULT_CLASSIFICATION)
    nationality: Mapped[str | None] = mapped_column(String)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(NeverReusedIds, Base):
    """A personal API token: only its SHA-256 is kept; it expires and can be revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class WebSession(NeverReusedIds, Base):
    """A signed-in browser: the SHA-256 of its cookie, and when it expires."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class LoginFailure(NeverReusedIds, Base):
    """A failed sign-in, kept for the rate limit (by user name and by address)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_name_at", "name", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String)
    address: Mapped[str | None] = mapped_column(String)
    at: Mapped[datetime] = mapped_column(default=utcnow)
