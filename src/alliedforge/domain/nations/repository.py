"""Every query on nations, scoped to the labels the caller may read (every role sees
the nations themselves)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.catalogue.repository import page_of, readable
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.paging import PageRequest


def nation_rows(session: Session, caller: Caller, page: PageRequest) -> list[Nation]:
    query = readable(select(Nation), Nation, caller)
    return list(session.scalars(page_of(query, Nation, page)).all())


def find_nation(session: Session, caller: Caller, row_id: int) -> Nation | None:
    query = readable(select(Nation), Nation, caller).where(Nation.id == row_id)
    return session.scalars(query).one_or_none()
