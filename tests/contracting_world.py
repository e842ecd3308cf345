"""A contracting record with every stage, built with the procurement services on the small
golden scenario: what the OCDS export and the record's timelines are tested on.

- requirements R008 (N01), R003 (N02) and R022 (N03) submitted and approved (audited);
- a plan run pooled into lots per planned supplier (at least 2 nations each);
- LOT-0002 (S001X's; N00, N01, N02, N04): tendered, bid on by S001X and S002X, closed,
  awarded to S001X, made framework FW-JOINT and signed; N01 and N02 call off under it (and
  N01 once more under a NATO SECRET label); deliveries: N01's first call-off in full in
  two parts, N02's in part;
- LOT-0001 (S000X's): tendered, bid on by S000X and S004X, still open;
- LOT-0003: tendered and cancelled;
- FW-DIRECT: agreed directly with S000X for N00 and N03, signed; N03 calls off under it
  (by the operator, under a label releasable to N03 only).

The service dates (`today`) are fixed in 2027; the stored timestamps are the real ones
until `backdate` moves them to the fixed days of `STAMPED` and `APPROVED_ON`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.plans import service as plans
from alliedforge.domain.procurement import call_offs, deliveries, frameworks, lots, tenders
from alliedforge.domain.procurement.schemas import (
    BidCreate,
    CallOffCreate,
    DeliveryCreate,
    FrameworkCreate,
    FrameworkFromTender,
    LotsFromPlan,
    TenderCreate,
)
from alliedforge.domain.record import import_scenario
from alliedforge.domain.requirements import service as requirements
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import Scenario, load_scenario

from live_api import DESKS, Person
from shared_data import GOLDEN

SECRET = "NATO SECRET"
OPENS, CLOSES = date(2027, 1, 4), date(2027, 1, 15)
CALLED_OFF_ON = date(2027, 2, 1)
DELIVERED_BY = date(2027, 9, 30)
APPROVED = (("N01", "R008"), ("N02", "R003"), ("N03", "R022"))
# Qualified on N01's WS4 and made by S001X's active line L008.
N01_ROUND = "1320-11-760-8683"
# Qualified on N02's WS2 from 2027-05, made by S001X's active line L006.
N02_ROUND = "1320-16-136-9647"
# Qualified on N03's WS1, made by S000X's active line L003.
N03_ROUND = "1320-12-519-4245"
# The test people: live_api's desks on the small scenario's codes, and a third supplier.
PEOPLE = (*DESKS, Person("s002-desk", Role.SUPPLIER, supplier="S002X"))
AGENCY = Caller("agency", Role.PLANNER, SECRET, nationality="N00")
SECRET_LABEL = {"classification": SECRET}
N03_ONLY = {"classification": "NATO RESTRICTED", "releasable_to": ["N03"]}


# When each requirement was approved (R003: after its tender was published, out of order).
APPROVED_ON = {"R008": date(2026, 1, 10), "R022": date(2026, 1, 20), "R003": date(2026, 12, 1)}
# The stage timestamps `backdate` gives: (table, world field, column) → day.
STAMPED = {
    ("tender", "joint_tender", "published_at"): date(2026, 3, 1),
    ("tender", "joint_tender", "closed_at"): date(2026, 4, 15),
    ("tender", "joint_tender", "awarded_at"): date(2026, 5, 20),
    ("framework", "joint_framework", "signed_at"): date(2026, 6, 30),
    ("tender", "open_tender", "published_at"): date(2026, 9, 1),
    ("framework", "direct_framework", "signed_at"): date(2026, 7, 15),
}


def small() -> Scenario:
    return load_scenario(GOLDEN / "small")


@dataclass(frozen=True)
class World:
    """Ids of what was made, for the tests to look at."""

    joint_tender: int
    open_tender: int
    cancelled_tender: int
    joint_framework: int
    direct_framework: int
    call_offs: dict[str, int]  # N01, N01-secret, N02, N03


def _caller(session: Session, person: Person) -> Caller:
    nation = session.scalar(select(db.Nation.id).where(db.Nation.code == person.nation))
    supplier = session.scalar(select(db.Supplier.id).where(db.Supplier.code == person.supplier))
    return Caller(
        person.name,
        person.role,
        person.clearance,
        nationality=person.nationality,
        nation_id=nation,
        nation=person.nation,
        supplier_id=supplier,
        supplier=person.supplier,
    )


def supplier_desk(session: Session, code: str) -> Caller:
    return _caller(session, Person(f"{code.lower()}-desk", Role.SUPPLIER, supplier=code))


def build_world(session: Session, scenario: Scenario) -> World:
    """Build the record described in the module docstring (the caller commits)."""
    import_scenario(session, scenario)
    _approve(session)
    run = plans.start_run(session, scenario, PlanOptions(time_limit=60))
    plans.finish_run(session, run, solve_plan(scenario, PlanOptions(time_limit=60)))
    made = lots.lots_from_plan(session, AGENCY, LotsFromPlan(run_id=run, min_participants=2))
    by_code = {lot.code: lot for lot in made.lots}
    joint = _tender(session, by_code["LOT-0002"].id)
    _bid(session, "S001X", joint, by_code["LOT-0002"].quantity, 4000)
    _bid(session, "S002X", joint, by_code["LOT-0002"].quantity, 4500)
    _award(session, joint, "S001X")
    framework = frameworks.framework_from_tender(
        session,
        AGENCY,
        FrameworkFromTender(
            tender_id=joint,
            code="FW-JOINT",
            valid_from=date(2027, 1, 1),
            valid_to=date(2028, 12, 31),
        ),
    )
    frameworks.sign_framework(session, AGENCY, framework.id, framework.version)
    placed = {
        "N01": _call_off(session, framework.id, "N01", N01_ROUND, 600, "2027-08", "R008"),
        "N01-secret": _call_off(
            session, framework.id, "N01", N01_ROUND, 100, "2027-09", "R008", SECRET_LABEL
        ),
        "N02": _call_off(session, framework.id, "N02", N02_ROUND, 300, "2027-06", "R003"),
    }
    _deliver(session, placed["N01"], date(2027, 7, 20), 400, 400)
    _deliver(session, placed["N01"], date(2027, 8, 25), 200, 200)
    _deliver(session, placed["N02"], date(2027, 6, 15), 300, 250)

    open_tender = _tender(session, by_code["LOT-0001"].id)
    _bid(session, "S000X", open_tender, by_code["LOT-0001"].quantity, 3000)
    _bid(session, "S004X", open_tender, by_code["LOT-0001"].quantity, 3200)
    cancelled = _tender(session, by_code["LOT-0003"].id)
    version = tenders.get_tender(session, AGENCY, cancelled).version
    tenders.cancel_tender(session, AGENCY, cancelled, version)

    direct = frameworks.create_framework(
        session,
        AGENCY,
        FrameworkCreate.model_validate(
            {
                "code": "FW-DIRECT",
                "supplier": "S000X",
                "parties": ["N00", "N03"],
                "items": [{"item": N03_ROUND, "tiers": [{"min_quantity": 0, "unit_price": 3000}]}],
                "valid_from": "2027-01-01",
                "valid_to": "2027-12-31",
                "ceiling_quantity": 5000,
                "ceiling_value": 20_000_000,
            }
        ),
    )
    frameworks.sign_framework(session, AGENCY, direct.id, direct.version)
    placed["N03"] = _call_off(
        session, direct.id, "N03", N03_ROUND, 500, "2027-05", "R022", N03_ONLY, Caller.operator()
    )
    session.flush()
    return World(joint, open_tender, cancelled, framework.id, direct.id, placed)


def _approve(session: Session) -> None:
    for nation, code in APPROVED:
        requirement = session.scalar(
            select(db.Requirement)
            .join(db.Nation, db.Requirement.nation_id == db.Nation.id)
            .where(db.Nation.code == nation, db.Requirement.code == code)
        )
        assert requirement is not None
        submitted = requirements.submit_requirement(
            session, AGENCY, requirement.id, requirement.version
        )
        requirements.approve_requirement(session, AGENCY, requirement.id, submitted.version)


def _tender(session: Session, lot_id: int) -> int:
    data = TenderCreate(lot_id=lot_id, opens_on=OPENS, closes_on=CLOSES)
    return tenders.publish_tender(session, AGENCY, data, OPENS).id


def _bid(session: Session, supplier: str, tender_id: int, units: float, price: float) -> None:
    data = BidCreate.model_validate(
        {
            "tiers": [{"min_quantity": 0, "unit_price": price}],
            "schedule": [{"month": "2027-12", "quantity": units}],
            "capacity_per_month": units,
        }
    )
    tenders.submit_bid(session, supplier_desk(session, supplier), tender_id, data, OPENS)


def _award(session: Session, tender_id: int, supplier: str) -> None:
    version = tenders.get_tender(session, AGENCY, tender_id).version
    closed = tenders.close_tender(session, AGENCY, tender_id, version, CLOSES)
    bids = tenders.list_bids(session, AGENCY, tender_id, PageRequest(100)).items
    winner = next(bid for bid in bids if bid.supplier == supplier)
    tenders.award_tender(session, AGENCY, tender_id, winner.id, closed.version)


def _call_off(
    session: Session,
    framework_id: int,
    nation: str,
    item: str,
    quantity: float,
    month: str,
    requirement: str,
    label: dict[str, Any] | None = None,
    caller: Caller = AGENCY,
) -> int:
    fields: dict[str, Any] = {
        "framework_id": framework_id,
        "nation": nation,
        "item": item,
        "quantity": quantity,
        "month": month,
        "requirement": requirement,
    }
    if label is not None:
        fields["label"] = label
    data = CallOffCreate.model_validate(fields)
    return call_offs.place_call_off(session, caller, data, CALLED_OFF_ON).id


def _deliver(
    session: Session, call_off_id: int, day: date, quantity: float, accepted: float
) -> None:
    data = DeliveryCreate(
        call_off_id=call_off_id, delivered_on=day, quantity=quantity, accepted=accepted
    )
    deliveries.record_delivery(session, AGENCY, data, DELIVERED_BY)


def backdate(session: Session, world: World) -> None:
    """Give the stage timestamps and the approvals the fixed days of `STAMPED` and
    `APPROVED_ON` (at 09:00 UTC; the caller commits)."""
    tables = {"tender": db.Tender, "framework": db.Framework}
    for (table, field, column), day in STAMPED.items():
        row = session.get(tables[table], getattr(world, field))
        assert row is not None
        setattr(row, column, _morning(day))
    for code, day in APPROVED_ON.items():
        requirement = session.scalar(select(db.Requirement.id).where(db.Requirement.code == code))
        entries = select(AuditEntry).where(
            AuditEntry.entity == "requirement",
            AuditEntry.action == "approve",
            AuditEntry.entity_id == requirement,
        )
        for entry in session.scalars(entries):
            entry.at = _morning(day)
    session.flush()


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(9), UTC)
