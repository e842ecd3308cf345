"""Query parameters and response envelope of keyset-paged lists; record ids in paths."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel

from alliedforge.domain.paging import DEFAULT_LIMIT, MAX_LIMIT, Page, PageRequest

Item = TypeVar("Item")

# Ids are 32-bit integer columns on PostgreSQL: a larger one names no record and must be
# refused as bad input (422) before it reaches the database, where it would overflow.
MAX_ID = 2**31 - 1
RecordId = Annotated[int, Path(ge=0, le=MAX_ID)]


class PageParams(BaseModel):
    """`limit` rows after the id `after` (from the previous page's `next_after`)."""

    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None


def page_request(params: PageParams) -> PageRequest:
    return PageRequest(params.limit, params.after)


class PageOut(BaseModel, Generic[Item]):
    """One page; pass `next_after` as `after` for the next (null: the last page)."""

    items: list[Item]
    next_after: int | None

    @classmethod
    def of(cls, page: Page[Item]) -> PageOut[Item]:
        return cls(items=page.items, next_after=page.next_after)
