"""Every query on requirements, scoped to what the caller may see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, false, select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import readable_clause
from alliedforge.domain.catalogue.models import WeaponSystem
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.requirements.models import Requirement
from alliedforge.domain.requirements.schemas import RequirementFilter

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


def _scoped(query: Select[*Ts], caller: Caller) -> Select[*Ts]:
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


def list_rows(
    session: Session, caller: Caller, filters: RequirementFilter, page: PageRequest
) -> Sequence[Any]:
    """One page of visible requirements matching `filters` as `LISTED` columns, in id
    order (one extra row tells whether another page follows)."""
    query = _scoped(select(*LISTED), caller)
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
    if page.after is not None:
        query = query.where(Requirement.id > page.after)
    return session.execute(query.order_by(Requirement.id).limit(page.limit + 1)).all()


def find_row(session: Session, caller: Caller, requirement_id: int) -> RequirementRow | None:
    """The requirement with this id if the caller may see it."""
    query = select(Requirement, Nation.code, WeaponSystem.code)
    return session.execute(
        _scoped(query, caller).where(Requirement.id == requirement_id)
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
