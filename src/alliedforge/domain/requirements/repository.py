"""Every query on requirements, scoped to what the caller may see."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, and_, bindparam, false, literal, or_, select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import levels_up_to, readable_clause
from alliedforge.domain.catalogue.models import WeaponSystem
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.requirements.models import Requirement
from alliedforge.domain.requirements.schemas import RequirementFilter
from alliedforge.store.base import RELEASABLE_TO_ALL

RequirementRow = Row[Requirement, str, str]
Ts = TypeVarTuple("Ts")

# A listed requirement as plain columns (building ORM objects costs more than the query).
LISTED = (
    Requirement.id,
    Requirement.code,
    Nation.code.label("nation"),
    WeaponSystem.code.label("weapon_system"),
    Requirement.quantity,
    Requirement.due,
    Requirement.priority,
    Requirement.status,
    Requirement.reason,
    Requirement.created_by,
    Requirement.created_at,
    Requirement.updated_by,
    Requirement.updated_at,
    Requirement.version,
    Requirement.classification,
    Requirement.releasable_to,
)


def visible(query: Select[*Ts], caller: Caller) -> Select[*Ts]:
    """`query` (over requirements joined to nations and weapon systems) limited to what
    the caller may see: staff all, a nation its own, a supplier none (it sees demand as
    aggregates); labels on top."""
    query = query.join(Nation, Requirement.nation_id == Nation.id).join(
        WeaponSystem, Requirement.weapon_system_id == WeaponSystem.id
    )
    if caller.unrestricted:
        return query
    if caller.role is Role.NATION:
        query = query.where(Requirement.nation_id == caller.nation_id)
    elif not caller.is_staff:
        query = query.where(false())
    return query.where(
        readable_clause(
            Requirement.classification,
            Requirement.releasable_to,
            caller.clearance,
            caller.nationality,
        )
    )


@lru_cache(maxsize=8)
def _page(scope: str, nationality: bool) -> Select[*tuple[Any, ...]]:
    """The statement of a page of `LISTED` rows for one kind of caller, built once; the
    caller's nation, clearance, nationality, `after` and `limit` are bound parameters.
    `scope`: `all` (the operator), `staff`, `nation` or `none`."""
    query = (
        select(*LISTED)
        .join(Nation, Requirement.nation_id == Nation.id)
        .join(WeaponSystem, Requirement.weapon_system_id == WeaponSystem.id)
        .where(Requirement.id > bindparam("after"))
    )
    if scope == "nation":
        query = query.where(Requirement.nation_id == bindparam("nation_id"))
    elif scope == "none":
        query = query.where(false())
    if scope != "all":
        releasable = Requirement.releasable_to == RELEASABLE_TO_ALL
        if nationality:
            padded = literal(",") + Requirement.releasable_to + literal(",")
            releasable = or_(releasable, padded.like(bindparam("pattern")))
        levels = Requirement.classification.in_(bindparam("levels", expanding=True))
        query = query.where(and_(levels, releasable))
    return query.order_by(Requirement.id).limit(bindparam("limit"))


def list_rows(
    session: Session, caller: Caller, filters: RequirementFilter, page: PageRequest
) -> Sequence[Any]:
    """One page of visible requirements matching `filters` as `LISTED` columns, in id
    order (one extra row tells whether another page follows). Who sees what is the rule
    of `visible`, written with bound parameters in `_page`."""
    if caller.unrestricted:
        scope = "all"
    elif caller.role is Role.NATION:
        scope = "nation"
    else:
        scope = "staff" if caller.is_staff else "none"
    query = _page(scope, caller.nationality is not None)
    if filters.nation is not None:
        query = query.where(Nation.code == filters.nation)
    if filters.weapon_system is not None:
        query = query.where(WeaponSystem.code == filters.weapon_system)
    if filters.status is not None:
        query = query.where(Requirement.status == filters.status)
    if filters.priority is not None:
        query = query.where(Requirement.priority == filters.priority)
    if filters.due_from is not None:
        query = query.where(Requirement.due >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(Requirement.due <= filters.due_to)
    params: dict[str, object] = {
        "after": page.after or 0,
        "limit": page.limit + 1,
        "nation_id": caller.nation_id,
        "levels": list(levels_up_to(caller.clearance)),
        "pattern": f"%,{caller.nationality},%",
    }
    # Plain columns need none of the ORM's loading: the Core connection returns them as is.
    return session.connection().execute(query, params).all()


def find_row(session: Session, caller: Caller, requirement_id: int) -> RequirementRow | None:
    """The requirement with this id if the caller may see it."""
    query = select(Requirement, Nation.code, WeaponSystem.code)
    return session.execute(
        visible(query, caller).where(Requirement.id == requirement_id)
    ).one_or_none()


def code_in_use(session: Session, nation_id: int, code: str) -> bool:
    """Whether the nation already has a requirement with this code (codes are per nation)."""
    query = select(Requirement.id).where(
        Requirement.nation_id == nation_id, Requirement.code == code
    )
    return session.execute(query).first() is not None


def nation_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Nation.id).where(Nation.code == code))


def weapon_system_id(session: Session, code: str) -> int | None:
    return session.scalar(select(WeaponSystem.id).where(WeaponSystem.code == code))
