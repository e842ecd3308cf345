"""Reading the nations of the alliance: visible to every role, as far as labels allow."""

from __future__ import annotations

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller
from alliedforge.domain.catalogue.service import found, label_of, page_from
from alliedforge.domain.nations import repository
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.nations.schemas import NationRead
from alliedforge.domain.paging import Page, PageRequest


def list_nations(session: Session, caller: Caller, page: PageRequest) -> Page[NationRead]:
    """One page of nations, in id order."""
    rows = repository.nation_rows(session, caller, page)
    return page_from(rows, page, _read, lambda read: read.id)


def get_nation(session: Session, caller: Caller, row_id: int) -> NationRead:
    """The nation, or `NotFoundError` if the caller may not see it."""
    return _read(found(repository.find_nation(session, caller, row_id), "nation", row_id))


def _read(row: Nation) -> NationRead:
    return NationRead(
        id=row.id,
        code=row.code,
        iso2=row.iso2,
        name=row.name,
        version=row.version,
        label=label_of(row),
    )
