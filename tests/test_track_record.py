"""Supplier track records: the pure summary on hand-built rows, the read over the record (a
public profile), and best-value evaluation weighing it as past performance: a supplier
that delivered late scores lower (both backends)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.errors import NotFoundError
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.plans import service as plans
from alliedforge.domain.procurement import deliveries, frameworks, lots, tenders
from alliedforge.domain.procurement.call_offs import place_call_off
from alliedforge.domain.procurement.models import Grouping, Method
from alliedforge.domain.procurement.schemas import (
    BidCreate,
    CallOffCreate,
    DeliveryCreate,
    DeliveryFilter,
    FrameworkCreate,
    LotsFromPlan,
    TenderCreate,
    Weights,
)
from alliedforge.domain.procurement.track_record import (
    Delivered,
    get_track_record,
    summarise_track_record,
    track_record,
)
from alliedforge.domain.record import import_scenario
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import Scenario, load_scenario

from shared_data import GOLDEN

# The pure summary


def test_the_on_time_rate_counts_accepted_units_in_or_before_their_month() -> None:
    record = summarise_track_record(
        2,
        1,
        3,
        900,
        [
            Delivered("2027-03", "2027-02", 100, 100, 10),  # early
            Delivered("2027-03", "2027-03", 200, 150, 10),  # on time, partly accepted
            Delivered("2027-03", "2027-05", 250, 250, 12),  # late
            Delivered("2027-04", "2027-04", 50, 0, 12),  # rejected
        ],
    )
    assert (record.tenders_won, record.frameworks, record.call_offs) == (2, 1, 3)
    assert (record.deliveries, record.units_delivered, record.units_accepted) == (4, 600, 500)
    assert record.value == 100 * 10 + 150 * 10 + 250 * 12
    assert record.on_time_units == 250
    assert record.on_time_rate == pytest.approx(0.5)
    assert record.past_performance == pytest.approx(0.5)


def test_a_newcomer_scores_one_and_a_supplier_with_nothing_accepted_zero() -> None:
    newcomer = summarise_track_record(0, 0, 0, 0, [])
    assert (newcomer.on_time_rate, newcomer.past_performance) == (None, 1.0)
    refused = summarise_track_record(1, 1, 1, 100, [Delivered("2027-03", "2027-03", 100, 0, 5)])
    assert (refused.on_time_rate, refused.past_performance) == (None, 0.0)


# The read, and best-value evaluation

RESTRICTED = "NATO RESTRICTED"
ROUND = "1320-11-652-6876"  # qualified on WS0 from the start (tiny scenario)
PLACED_ON, TODAY = date(2027, 2, 1), date(2027, 6, 1)
OPENS, CLOSES = date(2027, 6, 1), date(2027, 6, 10)


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(GOLDEN / "tiny")


@pytest.fixture(scope="module")
def tiny_plan(tiny: Scenario) -> Plan:
    return solve_plan(tiny, PlanOptions(time_limit=60))


@dataclass(frozen=True)
class World:
    suppliers: dict[str, int]
    agency: Caller
    run_id: int

    def supplier(self, code: str) -> Caller:
        return Caller(
            f"{code.lower()}-desk",
            Role.SUPPLIER,
            RESTRICTED,
            supplier_id=self.suppliers[code],
            supplier=code,
        )


def _call_off(session: Session, agency: Caller, supplier: str, line: str) -> int:
    """A signed framework with `supplier` for N00 and a call-off of 500 units for March."""
    framework = frameworks.create_framework(
        session,
        agency,
        FrameworkCreate.model_validate(
            {
                "code": f"FW-{supplier}",
                "supplier": supplier,
                "parties": ["N00"],
                "items": [{"item": ROUND, "tiers": [{"min_quantity": 0, "unit_price": 20}]}],
                "valid_from": "2027-01-01",
                "valid_to": "2027-12-31",
                "ceiling_quantity": 1000,
                "ceiling_value": 1e6,
            }
        ),
    )
    frameworks.sign_framework(session, agency, framework.id, framework.version)
    stockpile = session.scalar(select(db.Stockpile.id).where(db.Stockpile.due == "2027-12"))
    data = CallOffCreate(
        framework_id=framework.id,
        nation="N00",
        item=ROUND,
        line=line,
        quantity=500,
        month="2027-03",
        stockpile=stockpile,
    )
    return place_call_off(session, agency, data, PLACED_ON).id


def _delivered(session: Session, caller: Caller, call_off: int, on: str, accepted: float) -> int:
    data = DeliveryCreate.model_validate(
        {"call_off_id": call_off, "delivered_on": on, "quantity": 250, "accepted": accepted}
    )
    return deliveries.record_delivery(session, caller, data, TODAY).id


@pytest.fixture
def world(session: Session, tiny: Scenario, tiny_plan: Plan) -> World:
    """S000X delivered its call-off on time; S001X delivered half of its on time and half
    two months late; S002X has delivered nothing."""
    import_scenario(session, tiny)
    suppliers = dict(session.execute(select(db.Supplier.code, db.Supplier.id)).all())
    item = next(i for i in session.scalars(select(db.Item)) if i.code == ROUND)
    for code, supplier in (("L100", "S000X"), ("L101", "S001X")):
        session.add(
            db.Line(
                code=code,
                supplier_id=suppliers[supplier],
                item_id=item.id,
                capacity_per_month=5000,
                state="active",
            )
        )
    session.flush()
    agency = Caller("agency", Role.PLANNER, RESTRICTED, nationality="N00")
    run_id = plans.start_run(session, tiny, PlanOptions(time_limit=60))
    plans.finish_run(session, run_id, tiny_plan)
    world = World(suppliers, agency, run_id)
    punctual = _call_off(session, agency, "S000X", "L100")
    tardy = _call_off(session, agency, "S001X", "L101")
    _delivered(session, world.supplier("S000X"), punctual, "2027-02-20", 250)
    _delivered(session, world.supplier("S000X"), punctual, "2027-03-31", 250)
    _delivered(session, world.supplier("S001X"), tardy, "2027-03-05", 250)
    _delivered(session, world.supplier("S001X"), tardy, "2027-05-05", 250)
    return world


def test_the_track_record_is_read_from_the_record(session: Session, world: World) -> None:
    tardy = track_record(session, world.suppliers["S001X"])
    assert (tardy.frameworks, tardy.call_offs, tardy.units_called_off) == (1, 1, 500)
    assert (tardy.deliveries, tardy.units_delivered, tardy.units_accepted) == (2, 500, 500)
    assert (tardy.value, tardy.on_time_units, tardy.past_performance) == (500 * 20, 250, 0.5)
    assert track_record(session, world.suppliers["S000X"]).past_performance == 1.0
    assert track_record(session, world.suppliers["S002X"]).deliveries == 0


def test_any_role_reads_a_track_record_as_a_public_profile(session: Session, world: World) -> None:
    nation = Caller("n02-desk", Role.NATION, RESTRICTED, nationality="N02", nation="N02")
    rival = world.supplier("S000X")
    auditor = Caller("auditor", Role.AUDITOR, RESTRICTED, nationality="N01")
    supplier_id = world.suppliers["S001X"]
    reads = [get_track_record(session, who, supplier_id) for who in (nation, rival, auditor)]
    assert reads[0] == reads[1] == reads[2]
    assert (reads[0].supplier, reads[0].on_time_rate, reads[0].value) == ("S001X", 0.5, 10_000)
    with pytest.raises(NotFoundError):
        get_track_record(session, nation, 2**31 - 1)


def test_a_voided_delivery_leaves_the_track_record(session: Session, world: World) -> None:
    late = deliveries.list_deliveries(
        session, world.agency, DeliveryFilter(supplier="S001X"), PageRequest(10)
    ).items[-1]
    assert late.months_late == 2
    deliveries.void_delivery(session, world.agency, late.id, late.version, TODAY)
    record = track_record(session, world.suppliers["S001X"])
    assert (record.deliveries, record.units_accepted, record.past_performance) == (1, 250, 1.0)


def test_best_value_evaluation_marks_down_the_late_supplier(session: Session, world: World) -> None:
    made = lots.lots_from_plan(
        session, world.agency, LotsFromPlan(run_id=world.run_id, grouping=Grouping.FAMILY)
    )
    [lot] = made.lots
    weights = Weights(price=0.5, delivery=0.3, past_performance=0.2)
    tender = tenders.publish_tender(
        session,
        world.agency,
        TenderCreate(
            lot_id=lot.id,
            opens_on=OPENS,
            closes_on=CLOSES,
            method=Method.BEST_VALUE,
            weights=weights,
        ),
        OPENS,
    )
    offer = BidCreate.model_validate(
        {
            "tiers": [{"min_quantity": 0, "unit_price": 10}],
            "schedule": [{"month": "2027-01", "quantity": lot.quantity}],
            "capacity_per_month": lot.quantity,
        }
    )
    bids = {
        code: tenders.submit_bid(session, world.supplier(code), tender.id, offer, OPENS).id
        for code in ("S001X", "S000X", "S002X")
    }
    closed = tenders.close_tender(session, world.agency, tender.id, tender.version, CLOSES)
    evaluation = tenders.evaluate_tender(session, world.agency, tender.id, closed.version)
    by_supplier = {entry.supplier: entry for entry in evaluation.ranking}
    assert by_supplier["S001X"].past_performance == 0.5
    assert by_supplier["S000X"].past_performance == 1.0
    assert by_supplier["S002X"].past_performance == 1.0  # nothing delivered yet
    # Same price and delivery: the late supplier, though it bid first, ranks last.
    assert [entry.bid_id for entry in evaluation.ranking] == [
        bids["S000X"],
        bids["S002X"],
        bids["S001X"],
    ]
    assert by_supplier["S000X"].score - by_supplier["S001X"].score == pytest.approx(0.2 * 0.5)
