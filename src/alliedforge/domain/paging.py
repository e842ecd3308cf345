"""Keyset pages: stable id order, `after` the last id seen, so pages never shift."""

from __future__ import annotations

from collections.abc import Callable
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


def every_row(list_page: Callable[[PageRequest], Page[Item]]) -> list[Item]:
    """Every row of a paged list, fetched page by page in the largest pages allowed."""
    rows: list[Item] = []
    after: int | None = None
    while True:
        found = list_page(PageRequest(MAX_LIMIT, after))
        rows.extend(found.items)
        if found.next_after is None:
            return rows
        after = found.next_after
