"""The rules of requirements: who may see and change which, the workflow, versions, audit.

Workflow: a nation drafts a requirement and submits it; the agency (planner or admin)
approves it or rejects it with a reason. A nation editing a submitted, approved or
rejected requirement sends it back to draft: the agency approves what it planned on.
Every change states the version it was based on (`expected_version`); a change based on
an older version is a `ConflictError`, never a silent overwrite.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.audit import service as audit
from alliedforge.domain.catalogue.service import label_for
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.requirements import repository
from alliedforge.domain.requirements.models import Requirement, RequirementStatus
from alliedforge.domain.requirements.schemas import (
    RequirementCreate,
    RequirementFilter,
    RequirementRead,
    RequirementUpdate,
)
from alliedforge.store.base import utcnow

ENTITY = "requirement"
AGENCY = frozenset({Role.ADMIN, Role.PLANNER})
AUDITED = (
    "code",
    "nation_id",
    "weapon_system_id",
    "quantity",
    "due",
    "priority",
    "status",
    "reason",
    "classification",
    "releasable_to",
    "version",
)


def list_requirements(
    session: Session, caller: Caller, filters: RequirementFilter, page: PageRequest
) -> Page[RequirementRead]:
    """One page of the requirements the caller may see, in id order."""
    rows = repository.list_rows(session, caller, filters, page)
    items = [_present(row) for row in rows[: page.limit]]
    return Page(items, items[-1].id if len(rows) > page.limit else None)


def list_requirement_fields(
    session: Session, caller: Caller, filters: RequirementFilter, page: PageRequest
) -> Page[dict[str, Any]]:
    """`list_requirements` as plain field dicts, for callers that only serialise them:
    the same fields and values as `RequirementRead`, without building a model per row
    (the API's busiest list)."""
    rows = repository.list_rows(session, caller, filters, page)
    items = [_fields(row) for row in rows[: page.limit]]
    return Page(items, items[-1]["id"] if len(rows) > page.limit else None)


def _fields(row: Any) -> dict[str, Any]:
    fields: dict[str, Any] = row._asdict()
    fields["label"] = _label_json(fields.pop("classification"), fields.pop("releasable_to"))
    return fields


def get_requirement(session: Session, caller: Caller, requirement_id: int) -> RequirementRead:
    """The requirement, or `NotFoundError` if it does not exist for the caller."""
    return _read(*_find(session, caller, requirement_id))


def create_requirement(
    session: Session, caller: Caller, data: RequirementCreate
) -> RequirementRead:
    """A new draft requirement of the caller's nation (the agency names the nation)."""
    _require_writer(caller)
    nation_code = data.nation if data.nation is not None else caller.nation
    if caller.role is Role.NATION and nation_code != caller.nation:
        raise ForbiddenError(f"a {caller.nation} user records {caller.nation} requirements only")
    if nation_code is None:
        raise InvalidError("nation", None, "name the nation the requirement belongs to")
    nation_id = repository.nation_id(session, nation_code)
    if nation_id is None:
        raise InvalidError("nation", nation_code, "no such nation")
    if repository.code_in_use(session, nation_id, data.code):
        raise InvalidError("code", data.code, f"{nation_code} already has a requirement with it")
    label = label_for(caller, data.label)
    now = utcnow()
    requirement = Requirement(
        code=data.code,
        nation_id=nation_id,
        weapon_system_id=_weapon_system_id(session, data.weapon_system),
        quantity=data.quantity,
        due=data.due,
        priority=data.priority,
        status=RequirementStatus.DRAFT,
        classification=label.classification,
        releasable_to=label.stored_releasability,
        created_by=caller.name,
        created_at=now,
        updated_by=caller.name,
        updated_at=now,
    )
    session.add(requirement)
    session.flush()
    audit.append(session, caller, "create", ENTITY, requirement.id, None, _audited(requirement))
    return get_requirement(session, caller, requirement.id)


def update_requirement(
    session: Session,
    caller: Caller,
    requirement_id: int,
    data: RequirementUpdate,
    expected_version: int,
) -> RequirementRead:
    """Change the given fields of a requirement the caller may write."""
    requirement = _writable(session, caller, requirement_id, expected_version)
    before = _audited(requirement)
    if data.weapon_system is not None:
        requirement.weapon_system_id = _weapon_system_id(session, data.weapon_system)
    if data.quantity is not None:
        requirement.quantity = data.quantity
    if data.due is not None:
        requirement.due = data.due
    if data.priority is not None:
        requirement.priority = data.priority
    if data.label is not None:
        label = label_for(caller, data.label)
        requirement.classification = label.classification
        requirement.releasable_to = label.stored_releasability
    if caller.role is Role.NATION and requirement.status != RequirementStatus.DRAFT:
        requirement.status, requirement.reason = RequirementStatus.DRAFT, None
    return _save(session, caller, requirement, "update", before)


def submit_requirement(
    session: Session, caller: Caller, requirement_id: int, expected_version: int
) -> RequirementRead:
    """Draft (or rejected) → submitted, by the owning nation or the agency."""
    requirement = _writable(session, caller, requirement_id, expected_version)
    _require_status(requirement, "submitted", RequirementStatus.DRAFT, RequirementStatus.REJECTED)
    before = _audited(requirement)
    requirement.status, requirement.reason = RequirementStatus.SUBMITTED, None
    return _save(session, caller, requirement, "submit", before)


def approve_requirement(
    session: Session, caller: Caller, requirement_id: int, expected_version: int
) -> RequirementRead:
    """Submitted → approved, by the agency."""
    requirement = _writable(session, caller, requirement_id, expected_version)
    _require_agency(caller, "approve")
    _require_status(requirement, "approved", RequirementStatus.SUBMITTED)
    before = _audited(requirement)
    requirement.status = RequirementStatus.APPROVED
    return _save(session, caller, requirement, "approve", before)


def reject_requirement(
    session: Session, caller: Caller, requirement_id: int, expected_version: int, reason: str
) -> RequirementRead:
    """Submitted (or approved) → rejected with a reason, by the agency."""
    requirement = _writable(session, caller, requirement_id, expected_version)
    _require_agency(caller, "reject")
    if not reason.strip():
        raise InvalidError("reason", reason, "say why the requirement is rejected")
    _require_status(
        requirement, "rejected", RequirementStatus.SUBMITTED, RequirementStatus.APPROVED
    )
    before = _audited(requirement)
    requirement.status, requirement.reason = RequirementStatus.REJECTED, reason.strip()
    return _save(session, caller, requirement, "reject", before)


def delete_requirement(
    session: Session, caller: Caller, requirement_id: int, expected_version: int
) -> None:
    """Remove a requirement the caller may write (commitments against it block this)."""
    requirement = _writable(session, caller, requirement_id, expected_version)
    before = _audited(requirement)
    session.delete(requirement)
    _flush(session, requirement_id, expected_version)
    audit.append(session, caller, "delete", ENTITY, requirement_id, before, None)


def _find(session: Session, caller: Caller, requirement_id: int) -> tuple[Requirement, str, str]:
    row = repository.find_row(session, caller, requirement_id)
    if row is None:
        raise NotFoundError(ENTITY, requirement_id)
    requirement, nation, weapon_system = row
    return requirement, nation, weapon_system


def _writable(
    session: Session, caller: Caller, requirement_id: int, expected_version: int
) -> Requirement:
    """The requirement, if the caller sees it, may write it and read the same version."""
    requirement, _nation, _weapon_system = _find(session, caller, requirement_id)
    _require_writer(caller)
    if requirement.version != expected_version:
        raise ConflictError(ENTITY, requirement_id, expected_version, requirement.version)
    return requirement


def _save(
    session: Session,
    caller: Caller,
    requirement: Requirement,
    action: str,
    before: dict[str, object],
) -> RequirementRead:
    requirement.updated_by, requirement.updated_at = caller.name, utcnow()
    _flush(session, requirement.id, before["version"])
    after = _audited(requirement)
    audit.append(session, caller, action, ENTITY, requirement.id, before, after)
    return get_requirement(session, caller, requirement.id)


def _flush(session: Session, requirement_id: int, expected_version: object) -> None:
    """Flush, turning a concurrent change (the row's version moved under us since we read
    it) into a `ConflictError`; the boundary rolls the transaction back."""
    try:
        session.flush()
    except StaleDataError:
        known = expected_version if isinstance(expected_version, int) else None
        raise ConflictError(ENTITY, requirement_id, known, None) from None


def _require_writer(caller: Caller) -> None:
    if caller.role not in AGENCY | {Role.NATION}:
        raise ForbiddenError(f"a {caller.role} user cannot change requirements")


def _require_agency(caller: Caller, verb: str) -> None:
    if caller.role not in AGENCY:
        raise ForbiddenError(f"only the agency (planner or admin) may {verb} requirements")


def _require_status(requirement: Requirement, target: str, *allowed: RequirementStatus) -> None:
    if requirement.status not in allowed:
        sources = " or ".join(str(status) for status in allowed)
        raise InvalidError(
            "status", requirement.status, f"only a {sources} requirement can become {target}"
        )


def _weapon_system_id(session: Session, code: str) -> int:
    weapon_system_id = repository.weapon_system_id(session, code)
    if weapon_system_id is None:
        raise InvalidError("weapon_system", code, "no such weapon system")
    return weapon_system_id


def _audited(requirement: Requirement) -> dict[str, object]:
    return audit.snapshot(requirement, AUDITED)


def _read(requirement: Requirement, nation: str, weapon_system: str) -> RequirementRead:
    return _present(requirement, nation=nation, weapon_system=weapon_system)


def _present(row: Any, **codes: str) -> RequirementRead:
    """What a caller sees of a requirement (an ORM object plus its codes, or a listed
    row that carries them). Values come from the database's own checked columns, so the
    model is constructed without validating them again (lists are the hot path)."""
    return RequirementRead.model_construct(
        id=row.id,
        code=row.code,
        nation=codes.get("nation", getattr(row, "nation", "")),
        weapon_system=codes.get("weapon_system", getattr(row, "weapon_system", "")),
        quantity=row.quantity,
        due=row.due,
        priority=row.priority,
        status=RequirementStatus(row.status),
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
        version=row.version,
        label=_label_json(row.classification, row.releasable_to),
    )


@lru_cache(maxsize=256)
def _label_json(classification: str, releasable_to: str) -> dict[str, Any]:
    """The STANAG 4774 form of a stored label (few distinct labels; many rows)."""
    return Label.parse(classification, releasable_to).as_stanag_4774()
