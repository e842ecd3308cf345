"""What goes in and out of the access service: users and API tokens (never a hash)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from alliedforge.domain.access.caller import Role
from alliedforge.domain.access.models import ApiToken
from alliedforge.store.base import DEFAULT_CLASSIFICATION

UserName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$"
    ),
]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=8)
]


class UserCreate(BaseModel):
    """A new user (an administrator creates it)."""

    model_config = ConfigDict(extra="forbid")

    name: UserName
    role: Role
    password: Annotated[str, Field(repr=False)]
    nation: Code | None = None
    supplier: Code | None = None
    clearance: str = DEFAULT_CLASSIFICATION
    nationality: Code | None = None


class UserRead(BaseModel):
    """A user as shown to staff: what they act for, their clearance; no password hash."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    role: Role
    nation: str | None
    supplier: str | None
    clearance: str
    nationality: str | None
    active: bool
    created_at: datetime


class TokenCreate(BaseModel):
    """A new API token for a user: a label and a lifetime in days."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    days: Annotated[int, Field(ge=1, le=366)] = 90


class TokenRead(BaseModel):
    """An API token's bookkeeping (the token itself is shown once, at creation)."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenRead:
        return cls.model_validate(token)

    def status(self, now: datetime) -> str:
        """`revoked`, `expired` or `active`."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


class TokenCreated(TokenRead):
    """A token just created: the only time its plaintext is returned."""

    token: Annotated[str, Field(repr=False)]
