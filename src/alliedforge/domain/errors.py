"""Errors the service layer raises; each adapter (CLI, API, web) maps them in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A request the record refuses, with a message fit for the user."""


class NotFoundError(DomainError):
    """No such record — or one the caller may not see, which must look the same."""

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"no {entity} {key}")
        self.entity = entity
        self.key = key


class ForbiddenError(DomainError):
    """The caller sees the record (or the collection) but may not do this to it."""


class ConflictError(DomainError):
    """The change was based on a version someone else has changed since."""

    def __init__(self, entity: str, key: object, expected: int | None, current: int | None) -> None:
        now = "it was deleted" if current is None else f"it is now at version {current}"
        super().__init__(
            f"{entity} {key} changed since you read it (you had version {expected}, {now}); "
            "reload it and apply your change again"
        )
        self.entity = entity
        self.key = key
        self.expected = expected
        self.current = current


class InvalidError(DomainError):
    """A field holds a value the record cannot take."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"{field}={value!r}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


class AuthenticationError(DomainError):
    """The credentials do not name an active user (the message never says which part)."""


class RateLimitedError(DomainError):
    """Too many failed sign-ins lately; try again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} seconds")
        self.retry_after = retry_after
