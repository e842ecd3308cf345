"""Deliveries against call-offs and the stockpile ledger they move: accepted, partial, late
and rejected deliveries, every rule (each a located error that changes nothing), the
ledger's opening and running balance, voiding, the delivery report, and who sees what
(both backends)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.procurement import call_offs, deliveries, frameworks, stock
from alliedforge.domain.procurement.models import DeliveryStatus, LedgerSource
from alliedforge.domain.procurement.schemas import (
    CallOffCreate,
    DeliveryCreate,
    DeliveryFilter,
    FrameworkCreate,
    LedgerFilter,
)
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import load_scenario

from shared_data import GOLDEN

RESTRICTED = "NATO RESTRICTED"
PLACED_ON = date(2027, 2, 1)
TODAY = date(2027, 5, 20)
PAGE = PageRequest(500)
ROUND = "1320-11-652-6876"  # qualified on WS0 from the start (tiny scenario)
PRICE = 20.0
N00_ON_HAND = 2459.0  # N00's WS0 stockpile in the tiny scenario
N00_UNITS, N01_UNITS = 500.0, 400.0


@dataclass(frozen=True)
class World:
    """The tiny scenario, an active line L100 of S001X, a signed framework with S001X for
    N00 and N01, and two placed call-offs: N00's for its WS0 stockpile (500 units, March)
    and N01's for requirement R000 on WS0 (400 units, April)."""

    n00_call_off: int
    n01_call_off: int
    nations: dict[str, int]
    suppliers: dict[str, int]
    agency: Caller
    auditor: Caller

    def nation(self, code: str) -> Caller:
        return Caller(
            f"{code.lower()}-desk",
            Role.NATION,
            RESTRICTED,
            nationality=code,
            nation_id=self.nations[code],
            nation=code,
        )

    def supplier(self, code: str) -> Caller:
        return Caller(
            f"{code.lower()}-desk",
            Role.SUPPLIER,
            RESTRICTED,
            supplier_id=self.suppliers[code],
            supplier=code,
        )


@pytest.fixture
def world(session: Session) -> World:
    import_scenario(session, load_scenario(GOLDEN / "tiny"))
    suppliers = dict(session.execute(select(db.Supplier.code, db.Supplier.id)).all())
    nations = dict(session.execute(select(db.Nation.code, db.Nation.id)).all())
    item = next(i for i in session.scalars(select(db.Item)) if i.code == ROUND)
    session.add(
        db.Line(
            code="L100",
            supplier_id=suppliers["S001X"],
            item_id=item.id,
            capacity_per_month=5000,
            state="active",
        )
    )
    session.flush()
    agency = Caller("agency", Role.PLANNER, RESTRICTED, nationality="N00")
    made = frameworks.create_framework(
        session,
        agency,
        FrameworkCreate.model_validate(
            {
                "code": "FW-D",
                "supplier": "S001X",
                "parties": ["N00", "N01"],
                "items": [{"item": ROUND, "tiers": [{"min_quantity": 0, "unit_price": PRICE}]}],
                "valid_from": "2027-01-01",
                "valid_to": "2027-12-31",
                "ceiling_quantity": 10_000,
                "ceiling_value": 1e6,
            }
        ),
    )
    frameworks.sign_framework(session, agency, made.id, made.version)
    stockpile = session.scalar(
        select(db.Stockpile.id).where(db.Stockpile.nation_id == nations["N00"])
    )
    n00 = call_offs.place_call_off(
        session,
        agency,
        CallOffCreate.model_validate(
            {
                "framework_id": made.id,
                "nation": "N00",
                "item": ROUND,
                "quantity": N00_UNITS,
                "month": "2027-03",
                "stockpile": stockpile,
            }
        ),
        PLACED_ON,
    )
    n01 = call_offs.place_call_off(
        session,
        agency,
        CallOffCreate.model_validate(
            {
                "framework_id": made.id,
                "nation": "N01",
                "item": ROUND,
                "quantity": N01_UNITS,
                "month": "2027-04",
                "requirement": "R000",
            }
        ),
        PLACED_ON,
    )
    return World(
        n00_call_off=n00.id,
        n01_call_off=n01.id,
        nations=nations,
        suppliers=suppliers,
        agency=agency,
        auditor=Caller("auditor", Role.AUDITOR, RESTRICTED, nationality="N01"),
    )


def _delivery(call_off_id: int, quantity: float, accepted: float, **fields: Any) -> DeliveryCreate:
    return DeliveryCreate.model_validate(
        {
            "call_off_id": call_off_id,
            "delivered_on": "2027-03-15",
            "quantity": quantity,
            "accepted": accepted,
            **fields,
        }
    )


def _counts(session: Session) -> tuple[int, int, int]:
    def count(model: type[Any]) -> int:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)

    return count(db.Delivery), count(db.LedgerEntry), count(AuditEntry)


def _balance(session: Session, world: World, nation: str, on: date = TODAY) -> float:
    return stock.stock(session, world.agency, nation, "WS0", on).balance


def test_an_accepted_delivery_moves_the_stockpile_from_its_opening(
    session: Session, world: World
) -> None:
    before = stock.stock(session, world.agency, "N00", "WS0", TODAY)
    assert (before.opening, before.balance, before.opened) == (N00_ON_HAND, N00_ON_HAND, False)
    made = deliveries.record_delivery(
        session, world.supplier("S001X"), _delivery(world.n00_call_off, 500, 500), TODAY
    )
    assert (made.status, made.months_late, made.month) == (DeliveryStatus.ACCEPTED, 0, "2027-03")
    assert (made.nation, made.supplier, made.weapon_system, made.family) == (
        "N00",
        "S001X",
        "WS0",
        "155mm-HE",
    )
    assert made.value == 500 * PRICE
    after = stock.stock(session, world.agency, "N00", "WS0", TODAY)
    assert (after.opening, after.balance, after.opened) == (N00_ON_HAND, N00_ON_HAND + 500, True)
    ledger = stock.list_ledger(session, world.agency, LedgerFilter(nation="N00"), PAGE).items
    assert [(e.source, e.units, e.balance, e.delivery_id) for e in ledger] == [
        (LedgerSource.OPENING, N00_ON_HAND, N00_ON_HAND, None),
        (LedgerSource.DELIVERY, 500, N00_ON_HAND + 500, made.id),
    ]
    assert {e.booked_on for e in ledger} == {TODAY}
    # The stockpile's on-hand stays the planning baseline: the plan has the call-off.
    on_hand = session.scalar(
        select(db.Stockpile.on_hand).where(db.Stockpile.nation_id == world.nations["N00"])
    )
    assert on_hand == N00_ON_HAND


def test_a_requirement_without_stockpile_opens_its_ledger_at_zero(
    session: Session, world: World
) -> None:
    deliveries.record_delivery(
        session, world.agency, _delivery(world.n01_call_off, 100, 100), TODAY
    )
    assert _balance(session, world, "N01") == 100
    [opening, moved] = stock.list_ledger(session, world.agency, LedgerFilter(), PAGE).items
    assert (opening.nation, opening.weapon_system, opening.units) == ("N01", "WS0", 0)
    assert (moved.units, moved.balance) == (100, 100)


def test_partial_late_and_rejected_deliveries(session: Session, world: World) -> None:
    agency = world.agency
    short = deliveries.record_delivery(
        session, agency, _delivery(world.n00_call_off, 300, 250), TODAY
    )
    assert (short.status, short.accepted) == (DeliveryStatus.PARTIAL, 250)
    under = deliveries.record_delivery(
        session, agency, _delivery(world.n00_call_off, 100, 100), TODAY
    )
    assert under.status == DeliveryStatus.PARTIAL  # all accepted, the call-off still short
    rejected = deliveries.record_delivery(
        session, agency, _delivery(world.n00_call_off, 150, 0, delivered_on="2027-04-02"), TODAY
    )
    assert (rejected.status, rejected.months_late, rejected.value) == (
        DeliveryStatus.REJECTED,
        1,
        0,
    )
    late = deliveries.record_delivery(
        session, agency, _delivery(world.n00_call_off, 150, 150, delivered_on="2027-05-15"), TODAY
    )
    assert (late.status, late.months_late) == (DeliveryStatus.ACCEPTED, 2)
    # The ledger holds the opening plus what was accepted; the rejection moved nothing.
    ledger = stock.list_ledger(session, agency, LedgerFilter(nation="N00"), PAGE).items
    assert [e.units for e in ledger] == [N00_ON_HAND, 250, 100, 150]
    assert _balance(session, world, "N00") == N00_ON_HAND + 250 + 100 + 150
    assert ledger[-1].balance == _balance(session, world, "N00")


def test_the_balance_on_a_day_counts_what_was_booked_by_then(
    session: Session, world: World
) -> None:
    deliveries.record_delivery(
        session, world.agency, _delivery(world.n00_call_off, 200, 200), date(2027, 3, 20)
    )
    deliveries.record_delivery(
        session, world.agency, _delivery(world.n00_call_off, 100, 100), date(2027, 4, 10)
    )
    assert _balance(session, world, "N00", date(2027, 3, 1)) == N00_ON_HAND
    assert _balance(session, world, "N00", date(2027, 3, 20)) == N00_ON_HAND + 200
    assert _balance(session, world, "N00", date(2027, 4, 10)) == N00_ON_HAND + 300
    [level] = stock.list_stock(session, world.nation("N00"), None, date(2027, 4, 1))
    assert (level.weapon_system, level.balance) == ("WS0", N00_ON_HAND + 200)


def _refused(world: World) -> list[tuple[str, Caller, DeliveryCreate, str, str]]:
    """(case, caller, delivery, field, message) of each rule."""
    s001, s000, agency = world.supplier("S001X"), world.supplier("S000X"), world.agency
    n00 = world.n00_call_off
    return [
        ("more accepted", s001, _delivery(n00, 100, 101), "accepted", "more than the 100"),
        (
            "above the call-off",
            s001,
            _delivery(n00, 600, 501),
            "accepted",
            "for 500 units and 0 are accepted already: 500 more",
        ),
        (
            "after today",
            agency,
            _delivery(n00, 10, 10, delivered_on="2027-05-21"),
            "delivered_on",
            "after today",
        ),
        (
            "before the call-off",
            agency,
            _delivery(n00, 10, 10, delivered_on="2027-01-31"),
            "delivered_on",
            "placed, on 2027-02-01",
        ),
        ("another supplier's", s000, _delivery(n00, 10, 10), "call_off_id", "no such call-off"),
        ("unknown call-off", agency, _delivery(2**31 - 1, 10, 10), "call_off_id", "no such"),
    ]


def test_each_rule_refuses_with_its_field_and_changes_nothing(
    session: Session, world: World
) -> None:
    before = _counts(session)
    for case, caller, data, field, message in _refused(world):
        with pytest.raises(InvalidError, match=message) as refused:
            deliveries.record_delivery(session, caller, data, TODAY)
        assert refused.value.field == field, case
        assert _counts(session) == before, case
    assert _balance(session, world, "N00") == N00_ON_HAND


def test_the_accepted_total_stays_within_the_call_off(session: Session, world: World) -> None:
    deliveries.record_delivery(
        session, world.agency, _delivery(world.n00_call_off, 450, 450), TODAY
    )
    before = _counts(session)
    with pytest.raises(InvalidError, match="450 are accepted already: 50 more") as refused:
        deliveries.record_delivery(
            session, world.agency, _delivery(world.n00_call_off, 60, 60), TODAY
        )
    assert (refused.value.field, refused.value.value) == ("accepted", 60)
    assert _counts(session) == before
    # Units delivered beyond the call-off may arrive, as long as no more are accepted.
    extra = deliveries.record_delivery(
        session, world.agency, _delivery(world.n00_call_off, 60, 50), TODAY
    )
    assert extra.status == DeliveryStatus.PARTIAL


def test_only_placed_call_offs_take_deliveries(session: Session, world: World) -> None:
    placed = call_offs.get_call_off(session, world.agency, world.n01_call_off)
    call_offs.cancel_call_off(session, world.agency, placed.id, placed.version)
    before = _counts(session)
    with pytest.raises(InvalidError, match="is cancelled; only a placed one") as refused:
        deliveries.record_delivery(
            session, world.agency, _delivery(world.n01_call_off, 10, 10), TODAY
        )
    assert refused.value.field == "call_off_id"
    assert _counts(session) == before


def test_who_may_record_deliveries(session: Session, world: World) -> None:
    before = _counts(session)
    for caller in (world.nation("N00"), world.auditor):
        with pytest.raises(ForbiddenError, match="cannot record deliveries"):
            deliveries.record_delivery(
                session, caller, _delivery(world.n00_call_off, 10, 10), TODAY
            )
    assert _counts(session) == before


def test_voiding_books_the_units_back_out_and_keeps_the_history(
    session: Session, world: World
) -> None:
    s001 = world.supplier("S001X")
    made = deliveries.record_delivery(session, s001, _delivery(world.n00_call_off, 500, 500), TODAY)
    with pytest.raises(ForbiddenError):
        deliveries.void_delivery(session, world.nation("N00"), made.id, made.version, TODAY)
    with pytest.raises(NotFoundError):
        deliveries.void_delivery(session, world.supplier("S000X"), made.id, made.version, TODAY)
    with pytest.raises(ConflictError):
        deliveries.void_delivery(session, s001, made.id, made.version + 1, TODAY)
    voided = deliveries.void_delivery(session, s001, made.id, made.version, TODAY)
    assert voided.voided_at is not None
    assert (voided.quantity, voided.accepted, voided.status) == (500, 500, made.status)
    ledger = stock.list_ledger(session, world.agency, LedgerFilter(nation="N00"), PAGE).items
    assert [(e.source, e.units, e.balance) for e in ledger] == [
        (LedgerSource.OPENING, N00_ON_HAND, N00_ON_HAND),
        (LedgerSource.DELIVERY, 500, N00_ON_HAND + 500),
        (LedgerSource.VOID, -500, N00_ON_HAND),
    ]
    with pytest.raises(InvalidError, match="void already"):
        deliveries.void_delivery(session, s001, made.id, voided.version, TODAY)
    # A voided delivery no longer counts against the call-off: record the right one.
    again = deliveries.record_delivery(
        session, s001, _delivery(world.n00_call_off, 500, 480), TODAY
    )
    assert again.status == DeliveryStatus.PARTIAL
    assert _balance(session, world, "N00") == N00_ON_HAND + 480
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "delivery").order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "void", "create"]


def test_voiding_a_rejected_delivery_moves_no_stock(session: Session, world: World) -> None:
    made = deliveries.record_delivery(
        session, world.agency, _delivery(world.n00_call_off, 100, 0), TODAY
    )
    entries = _counts(session)[1]
    deliveries.void_delivery(session, world.agency, made.id, made.version, TODAY)
    assert _counts(session)[1] == entries == 0


def test_who_sees_deliveries_and_stock(session: Session, world: World) -> None:
    to_n00 = deliveries.record_delivery(
        session, world.agency, _delivery(world.n00_call_off, 100, 100), TODAY
    )
    to_n01 = deliveries.record_delivery(
        session, world.agency, _delivery(world.n01_call_off, 50, 50), TODAY
    )
    seen = {
        "agency": (world.agency, [to_n00.id, to_n01.id]),
        "auditor": (world.auditor, [to_n00.id, to_n01.id]),
        "N00": (world.nation("N00"), [to_n00.id]),
        "N01": (world.nation("N01"), [to_n01.id]),
        "N02": (world.nation("N02"), []),
        "S001X": (world.supplier("S001X"), [to_n00.id, to_n01.id]),
        "S000X": (world.supplier("S000X"), []),
    }
    for who, (caller, ids) in seen.items():
        listed = deliveries.list_deliveries(session, caller, DeliveryFilter(), PAGE).items
        assert [d.id for d in listed] == ids, who
    with pytest.raises(NotFoundError):
        deliveries.get_delivery(session, world.nation("N01"), to_n00.id)
    filtered = deliveries.list_deliveries(session, world.agency, DeliveryFilter(nation="N01"), PAGE)
    assert [d.id for d in filtered.items] == [to_n01.id]
    # The ledger: staff all, a nation its own, a supplier none.
    ledgers = {
        "agency": (world.agency, {"N00", "N01"}),
        "N00": (world.nation("N00"), {"N00"}),
        "N01": (world.nation("N01"), {"N01"}),
        "S001X": (world.supplier("S001X"), set()),
    }
    for who, (caller, nations) in ledgers.items():
        entries = stock.list_ledger(session, caller, LedgerFilter(), PAGE).items
        assert {e.nation for e in entries} == nations, who
    assert (
        stock.list_ledger(session, world.nation("N01"), LedgerFilter(nation="N00"), PAGE).items
        == []
    )
    assert stock.stock(session, world.nation("N00"), None, "WS0", TODAY).balance == (
        N00_ON_HAND + 100
    )
    for caller in (world.nation("N01"), world.supplier("S001X")):
        with pytest.raises(NotFoundError):
            stock.stock(session, caller, "N00", "WS0", TODAY)
        with pytest.raises(NotFoundError):
            stock.stock_projection(session, caller, "N00", "WS0", TODAY)


def test_the_report_sums_units_and_value_by_nation_and_family(
    session: Session, world: World
) -> None:
    agency = world.agency
    deliveries.record_delivery(session, agency, _delivery(world.n00_call_off, 300, 250), TODAY)
    deliveries.record_delivery(
        session, agency, _delivery(world.n01_call_off, 100, 100, delivered_on="2027-04-30"), TODAY
    )
    outside = deliveries.record_delivery(
        session, agency, _delivery(world.n01_call_off, 70, 70, delivered_on="2027-05-02"), TODAY
    )
    voided = deliveries.record_delivery(
        session, agency, _delivery(world.n00_call_off, 40, 40), TODAY
    )
    deliveries.void_delivery(session, agency, voided.id, voided.version, TODAY)
    start, end = date(2027, 3, 1), date(2027, 4, 30)
    report = deliveries.delivery_report(session, agency, start, end)
    assert [
        (r.nation, r.family, r.deliveries, r.delivered, r.accepted, r.value) for r in report.rows
    ] == [
        ("N00", "155mm-HE", 1, 300, 250, 250 * PRICE),
        ("N01", "155mm-HE", 1, 100, 100, 100 * PRICE),
    ]
    assert (report.delivered, report.accepted, report.value) == (400, 350, 350 * PRICE)
    own = deliveries.delivery_report(session, world.nation("N01"), start, date(2027, 5, 31))
    assert [(r.nation, r.accepted) for r in own.rows] == [("N01", 100 + outside.accepted)]
    assert deliveries.delivery_report(session, world.supplier("S000X"), start, end).rows == []
    assert deliveries.delivery_report(session, world.supplier("S001X"), start, end) == report
    with pytest.raises(InvalidError, match="before from") as refused:
        deliveries.delivery_report(session, agency, end, start)
    assert refused.value.field == "to"
