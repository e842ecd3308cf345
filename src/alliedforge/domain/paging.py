"""Keyset pages: stable id order, `after` the last id seen, so pages never shift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Up to `limit` rows with ids above `after` (None: from the first)."""

    limit: int = DEFAULT_LIMIT
    after: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")


@dataclass(frozen=True, slots=True)
class Page(Generic[Item]):
    """One page of rows and the `after` value of the next page (None: this is the last)."""

    items: list[Item]
    next_after: int | None
