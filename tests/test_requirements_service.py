"""The requirement service: scoping by nation and label, workflow, versions, audit chain."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.audit import service as audit
from alliedforge.domain.errors import (
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
)
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.record import import_scenario
from alliedforge.domain.requirements import service
from alliedforge.domain.requirements.models import RequirementStatus
from alliedforge.domain.requirements.schemas import (
    LabelIn,
    RequirementCreate,
    RequirementFilter,
    RequirementUpdate,
)
from alliedforge.scenario import load_scenario

from shared_data import GOLDEN

SECRET = "NATO SECRET"
RESTRICTED = "NATO RESTRICTED"

CallerFor = Callable[..., Caller]


@pytest.fixture
def caller_for(session: Session) -> CallerFor:
    """Callers on a database holding the tiny golden scenario."""
    scenario = load_scenario(GOLDEN / "tiny")
    import_scenario(session, scenario)
    nations = dict(session.execute(select(db.Nation.code, db.Nation.id)).all())

    def make(role: Role, nation: str | None = None, clearance: str = RESTRICTED) -> Caller:
        if role is Role.NATION:
            assert nation is not None
            return Caller(
                f"{nation.lower()}-desk",
                role,
                clearance,
                nationality=nation,
                nation_id=nations[nation],
                nation=nation,
            )
        return Caller(f"{role}-user", role, clearance, nationality=nation)

    return make


@pytest.fixture
def nations(session: Session, caller_for: CallerFor) -> tuple[str, str]:
    codes = session.scalars(select(db.Nation.code).order_by(db.Nation.id)).all()
    return codes[0], codes[1]


@pytest.fixture
def weapon_system(session: Session, caller_for: CallerFor) -> str:
    return session.scalars(select(db.WeaponSystem.code).order_by(db.WeaponSystem.id)).first() or ""


def _draft(code: str, weapon_system: str, **label: object) -> RequirementCreate:
    return RequirementCreate(
        code=code,
        weapon_system=weapon_system,
        quantity=100.0,
        due="2027-06",
        priority=2,
        label=LabelIn.model_validate(label),
    )


def test_a_nation_sees_only_its_own_requirements(
    session: Session, caller_for: CallerFor, nations: tuple[str, str], weapon_system: str
) -> None:
    own, other = nations
    mine = caller_for(Role.NATION, own)
    theirs = caller_for(Role.NATION, other)
    created = service.create_requirement(session, theirs, _draft("R-X", weapon_system))
    service.create_requirement(session, mine, _draft("R-M", weapon_system))
    with pytest.raises(NotFoundError):
        service.get_requirement(session, mine, created.id)
    listed = service.list_requirements(session, mine, RequirementFilter(), PageRequest(500))
    assert {requirement.nation for requirement in listed.items} == {own}
    staff = caller_for(Role.AUDITOR)
    everything = service.list_requirements(session, staff, RequirementFilter(), PageRequest(500))
    assert created.id in {requirement.id for requirement in everything.items}


def test_codes_are_per_nation_and_reveal_nothing(
    session: Session, caller_for: CallerFor, nations: tuple[str, str], weapon_system: str
) -> None:
    own, other = nations
    service.create_requirement(
        session, caller_for(Role.NATION, other), _draft("SAME", weapon_system)
    )
    mine = service.create_requirement(
        session, caller_for(Role.NATION, own), _draft("SAME", weapon_system)
    )
    assert (mine.code, mine.nation, mine.status) == ("SAME", own, RequirementStatus.DRAFT)
    with pytest.raises(InvalidError, match="already has"):
        service.create_requirement(
            session, caller_for(Role.NATION, own), _draft("SAME", weapon_system)
        )


def test_a_nation_cannot_record_for_another(
    session: Session, caller_for: CallerFor, nations: tuple[str, str], weapon_system: str
) -> None:
    own, other = nations
    foreign = _draft("R-F", weapon_system).model_copy(update={"nation": other})
    with pytest.raises(ForbiddenError):
        service.create_requirement(session, caller_for(Role.NATION, own), foreign)


def test_workflow_draft_submit_approve_and_reject_with_reason(
    session: Session, caller_for: CallerFor, nations: tuple[str, str], weapon_system: str
) -> None:
    desk, agency = caller_for(Role.NATION, nations[0]), caller_for(Role.PLANNER)
    draft = service.create_requirement(session, desk, _draft("R-W", weapon_system))
    with pytest.raises(InvalidError, match="only a submitted"):
        service.approve_requirement(session, agency, draft.id, draft.version)
    submitted = service.submit_requirement(session, desk, draft.id, draft.version)
    with pytest.raises(ForbiddenError):
        service.approve_requirement(session, desk, submitted.id, submitted.version)
    with pytest.raises(InvalidError, match="reason"):
        service.reject_requirement(session, agency, submitted.id, submitted.version, "  ")
    rejected = service.reject_requirement(
        session, agency, submitted.id, submitted.version, "duplicate of R-1"
    )
    assert (rejected.status, rejected.reason) == (RequirementStatus.REJECTED, "duplicate of R-1")
    again = service.submit_requirement(session, desk, rejected.id, rejected.version)
    approved = service.approve_requirement(session, agency, again.id, again.version)
    assert (approved.status, approved.reason, approved.updated_by) == (
        RequirementStatus.APPROVED,
        None,
        agency.name,
    )
    edited = service.update_requirement(
        session, desk, approved.id, RequirementUpdate(quantity=120.0), approved.version
    )
    assert (edited.status, edited.quantity) == (RequirementStatus.DRAFT, 120.0)


def test_a_stale_version_is_a_conflict_not_an_overwrite(
    session: Session, caller_for: CallerFor, nations: tuple[str, str], weapon_system: str
) -> None:
    desk = caller_for(Role.NATION, nations[0])
    first = service.create_requirement(session, desk, _draft("R-V", weapon_system))
    second = service.update_requirement(
        session, desk, first.id, RequirementUpdate(quantity=5.0), first.version
    )
    with pytest.raises(ConflictError, match=f"version {first.version}.*version {second.version}"):
        service.update_requirement(
            session, desk, first.id, RequirementUpdate(quantity=7.0), first.version
        )
    assert service.get_requirement(session, desk, first.id).quantity == 5.0


def test_a_concurrent_change_under_a_loaded_row_is_a_conflict(
    session: Session, caller_for: CallerFor, nations: tuple[str, str], weapon_system: str
) -> None:
    desk = caller_for(Role.NATION, nations[0])
    created = service.create_requirement(session, desk, _draft("R-C", weapon_system))
    # Another writer bumps the row behind the session's back (its identity map is stale).
    session.execute(
        update(db.Requirement.__table__)
        .where(db.Requirement.__table__.c.id == created.id)
        .values(quantity=1.0, version=created.version + 1)
    )
    with pytest.raises(ConflictError, match="changed since you read it"):
        service.update_requirement(
            session, desk, created.id, RequirementUpdate(quantity=9.0), created.version
        )


def test_labels_hide_records_above_clearance_or_not_releasable(
    session: Session, caller_for: CallerFor, nations: tuple[str, str], weapon_system: str
) -> None:
    own, other = nations
    agency = caller_for(Role.PLANNER, own, clearance=SECRET)
    secret = service.create_requirement(
        session,
        agency,
        _draft("R-S", weapon_system, classification=SECRET).model_copy(update={"nation": own}),
    )
    for_own = service.create_requirement(
        session,
        agency,
        _draft("R-N", weapon_system, releasable_to=[own]).model_copy(update={"nation": own}),
    )
    desk = caller_for(Role.NATION, own, clearance=RESTRICTED)
    with pytest.raises(NotFoundError):
        service.get_requirement(session, desk, secret.id)
    assert service.get_requirement(session, desk, for_own.id).label["categories"][0]["values"] == [
        own
    ]
    foreign_staff = caller_for(Role.AUDITOR, other, clearance=SECRET)
    with pytest.raises(NotFoundError):
        service.get_requirement(session, foreign_staff, for_own.id)
    assert service.get_requirement(session, foreign_staff, secret.id).code == "R-S"


def test_nobody_labels_above_their_clearance(
    session: Session, caller_for: CallerFor, nations: tuple[str, str], weapon_system: str
) -> None:
    desk = caller_for(Role.NATION, nations[0], clearance=RESTRICTED)
    with pytest.raises(ForbiddenError, match="clearance"):
        service.create_requirement(
            session, desk, _draft("R-L", weapon_system, classification=SECRET)
        )
    with pytest.raises(InvalidError, match="could not read it"):
        service.create_requirement(
            session, desk, _draft("R-L", weapon_system, releasable_to=[nations[1]])
        )


def test_auditors_and_suppliers_write_nothing(
    session: Session, caller_for: CallerFor, weapon_system: str
) -> None:
    for role in (Role.AUDITOR, Role.SUPPLIER):
        with pytest.raises(ForbiddenError):
            service.create_requirement(
                session,
                caller_for(role),
                _draft("R-A", weapon_system).model_copy(update={"nation": "X"}),
            )


def test_every_write_is_chained_in_the_audit_log(
    session: Session, caller_for: CallerFor, nations: tuple[str, str], weapon_system: str
) -> None:
    desk = caller_for(Role.NATION, nations[0])
    start = audit.verify(session)
    assert start.intact
    created = service.create_requirement(session, desk, _draft("R-T", weapon_system))
    submitted = service.submit_requirement(session, desk, created.id, created.version)
    service.delete_requirement(session, desk, submitted.id, submitted.version)
    report = audit.verify(session)
    assert (report.intact, report.entries) == (True, start.entries + 3)
    actions = session.scalars(
        select(db.AuditEntry.action).where(db.AuditEntry.id > start.entries)
    ).all()
    assert actions == ["create", "submit", "delete"]
    tampered = start.entries + 2
    session.execute(
        text("UPDATE audit_log SET actor = 'someone else' WHERE id = :id"), {"id": tampered}
    )
    broken = audit.verify(session)
    assert (broken.intact, broken.broken_at) == (False, tampered)
