"""Lots from a plan, tenders and bids, evaluation and award, and frameworks made from an
award: every state transition, the scoping per role, versions, the audit (both backends)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.plans import service as plans
from alliedforge.domain.procurement import frameworks, lots, tenders
from alliedforge.domain.procurement.models import (
    BidStatus,
    Grouping,
    LotStatus,
    Method,
    TenderStatus,
)
from alliedforge.domain.procurement.schemas import (
    BidCreate,
    FrameworkFromTender,
    LotFilter,
    LotsFromPlan,
    TenderCreate,
    TenderFilter,
    Weights,
)
from alliedforge.domain.record import import_scenario
from alliedforge.domain.requirements.schemas import LabelIn
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import Scenario, load_scenario

from shared_data import GOLDEN

RESTRICTED = "NATO RESTRICTED"
SECRET = "NATO SECRET"
OPENS, CLOSES = date(2027, 1, 10), date(2027, 1, 20)
PAGE = PageRequest(500)


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(GOLDEN / "tiny")


@pytest.fixture(scope="module")
def tiny_plan(tiny: Scenario) -> Plan:
    return solve_plan(tiny, PlanOptions(time_limit=60))


@dataclass(frozen=True)
class World:
    """The tiny scenario in the record with a finished plan run of it, and its callers."""

    run_id: int
    plan: Plan
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

    def planned(self) -> list[tuple[str, str, str, float, float]]:
        """(supplier, nation, requirement, units, unit price) of the plan's own deliveries."""
        return [
            (d.supplier, d.nation, d.requirement, d.quantity, d.unit_price)
            for d in self.plan.deliveries
            if not d.committed and d.quantity > 0
        ]


@pytest.fixture
def world(session: Session, tiny: Scenario, tiny_plan: Plan) -> World:
    import_scenario(session, tiny)
    run_id = plans.start_run(session, tiny, PlanOptions(time_limit=60))
    plans.finish_run(session, run_id, tiny_plan)
    return World(
        run_id=run_id,
        plan=tiny_plan,
        nations=dict(session.execute(select(db.Nation.code, db.Nation.id)).all()),
        suppliers=dict(session.execute(select(db.Supplier.code, db.Supplier.id)).all()),
        agency=Caller("agency", Role.PLANNER, SECRET, nationality="N00"),
        auditor=Caller("auditor", Role.AUDITOR, RESTRICTED, nationality="N01"),
    )


def _one_lot(session: Session, world: World, **label: object) -> int:
    data = LotsFromPlan(
        run_id=world.run_id, grouping=Grouping.FAMILY, label=LabelIn.model_validate(label)
    )
    made = lots.lots_from_plan(session, world.agency, data)
    assert len(made.lots) == 1
    return made.lots[0].id


def _tender(session: Session, world: World, lot_id: int, **fields: object) -> int:
    data = TenderCreate.model_validate(
        {"lot_id": lot_id, "opens_on": OPENS, "closes_on": CLOSES, **fields}
    )
    return tenders.publish_tender(session, world.agency, data, OPENS).id


def _bid(units: float, price: float, month: str = "2027-01", **fields: object) -> BidCreate:
    return BidCreate.model_validate(
        {
            "tiers": [{"min_quantity": 0, "unit_price": price}],
            "schedule": [{"month": month, "quantity": units}],
            "capacity_per_month": units,
            **fields,
        }
    )


def _lot_units(session: Session, lot_id: int, world: World) -> float:
    return lots.get_lot(session, world.agency, lot_id).quantity


# Lots


def test_a_lot_pools_the_plan_per_family_with_each_nations_share(
    session: Session, world: World
) -> None:
    lot = lots.get_lot(session, world.agency, _one_lot(session, world))
    planned = world.planned()
    units: dict[str, float] = defaultdict(float)
    value: dict[str, float] = defaultdict(float)
    for _supplier, nation, _requirement, quantity, price in planned:
        units[nation] += quantity
        value[nation] += quantity * price
    assert lot.status == LotStatus.DRAFT
    assert lot.participants == sorted(units)
    assert lot.quantity == pytest.approx(sum(units.values()))
    assert lot.value == pytest.approx(sum(value.values()))
    shares = {share.nation: share for share in lot.shares}
    for nation in units:
        assert shares[nation].quantity == pytest.approx(units[nation])
        assert shares[nation].share == pytest.approx(value[nation] / sum(value.values()))
    traced = {
        (line.nation, line.requirement or f"stockpile {line.stockpile}") for line in lot.lines
    }
    stockpiles = {
        f"stockpile:{nation}:{system}:{due}": f"stockpile {row_id}"
        for row_id, nation, system, due in session.execute(
            select(db.Stockpile.id, db.Nation.code, db.WeaponSystem.code, db.Stockpile.due)
            .join(db.Nation, db.Stockpile.nation_id == db.Nation.id)
            .join(db.WeaponSystem, db.Stockpile.weapon_system_id == db.WeaponSystem.id)
        )
    }
    expected = {
        (nation, stockpiles.get(requirement, requirement))
        for _supplier, nation, requirement, _quantity, _price in planned
    }
    assert traced == expected


def test_groups_of_too_few_nations_are_left_out_with_the_reason(
    session: Session, world: World
) -> None:
    nations_of: dict[str, set[str]] = defaultdict(set)
    for supplier, nation, *_rest in world.planned():
        nations_of[supplier].add(nation)
    strict = LotsFromPlan(run_id=world.run_id, grouping=Grouping.SUPPLIER_FAMILY)
    made = lots.lots_from_plan(session, world.agency, strict)
    assert made.lots == []
    assert {group.supplier: set(group.nations) for group in made.left_out} == nations_of
    assert all("fewer than the 3" in group.reason for group in made.left_out)
    loose = strict.model_copy(update={"min_participants": 2})
    made = lots.lots_from_plan(session, world.agency, loose)
    pooled = {lot.supplier: lot.participants for lot in made.lots}
    assert pooled == {s: sorted(n) for s, n in nations_of.items() if len(n) >= 2}
    assert {group.supplier for group in made.left_out} == set(nations_of) - set(pooled)
    for lot in made.lots:
        for nation in set(world.nations) - set(lot.participants):
            with pytest.raises(NotFoundError):
                lots.get_lot(session, world.nation(nation), lot.id)
            listed = lots.list_lots(session, world.nation(nation), LotFilter(), PAGE)
            assert lot.id not in {seen.id for seen in listed.items}
    assert any(set(world.nations) - set(lot.participants) for lot in made.lots)


def test_a_run_is_pooled_once_until_its_lots_are_cancelled(session: Session, world: World) -> None:
    first = lots.get_lot(session, world.agency, _one_lot(session, world))
    with pytest.raises(InvalidError, match=f"pooled already in {first.code}"):
        _one_lot(session, world)
    cancelled = lots.cancel_lot(session, world.agency, first.id, first.version)
    assert cancelled.status == LotStatus.CANCELLED
    with pytest.raises(InvalidError, match="only a draft lot"):
        lots.cancel_lot(session, world.agency, first.id, cancelled.version)
    again = lots.get_lot(session, world.agency, _one_lot(session, world))
    assert again.code != first.code
    with pytest.raises(ConflictError):
        lots.cancel_lot(session, world.agency, again.id, again.version + 1)


def test_only_the_agency_pools_and_only_finished_runs(
    session: Session, world: World, tiny: Scenario
) -> None:
    data = LotsFromPlan(run_id=world.run_id, grouping=Grouping.FAMILY)
    for caller in (world.nation("N00"), world.supplier("S000X"), world.auditor):
        with pytest.raises(ForbiddenError):
            lots.lots_from_plan(session, caller, data)
    with pytest.raises(InvalidError, match="no such plan run"):
        lots.lots_from_plan(session, world.agency, data.model_copy(update={"run_id": 999_999}))
    running = plans.start_run(session, tiny)
    with pytest.raises(InvalidError, match="the run is running"):
        lots.lots_from_plan(session, world.agency, data.model_copy(update={"run_id": running}))


def test_who_sees_a_lot_and_which_of_its_lines(session: Session, world: World) -> None:
    lot_id = _one_lot(session, world)
    for code in ("N00", "N01"):
        seen = lots.get_lot(session, world.nation(code), lot_id)
        assert {line.nation for line in seen.lines} == {code}
        assert [share.nation for share in seen.shares] == [code]
        assert seen.participants == ["N00", "N01", "N02"]
    supplier = world.supplier("S000X")
    with pytest.raises(NotFoundError):
        lots.get_lot(session, supplier, lot_id)
    assert lots.list_lots(session, supplier, LotFilter(), PAGE).items == []
    _tender(session, world, lot_id)
    seen = lots.get_lot(session, supplier, lot_id)
    assert seen.shares == []
    assert seen.lines
    assert all(line.requirement is None and line.stockpile is None for line in seen.lines)
    assert seen.quantity == pytest.approx(_lot_units(session, lot_id, world))
    listed = lots.list_lots(session, world.auditor, LotFilter(status=LotStatus.TENDERED), PAGE)
    assert [lot.id for lot in listed.items] == [lot_id]


def test_a_lot_labelled_above_a_nations_clearance_does_not_exist_for_it(
    session: Session, world: World
) -> None:
    lot_id = _one_lot(session, world, classification=SECRET)
    with pytest.raises(NotFoundError):
        lots.get_lot(session, world.nation("N01"), lot_id)
    assert lots.list_lots(session, world.nation("N01"), LotFilter(), PAGE).items == []
    assert lots.get_lot(session, world.agency, lot_id).label["classification"] == SECRET


# Tenders and bids


def test_tender_workflow_publish_bid_close_evaluate_award(session: Session, world: World) -> None:
    lot_id = _one_lot(session, world)
    units = _lot_units(session, lot_id, world)
    tender_id = _tender(session, world, lot_id)
    tender = tenders.get_tender(session, world.agency, tender_id)
    assert (tender.status, tender.published_at is not None) == (TenderStatus.PUBLISHED, True)
    assert tender.ocid.endswith(f"{tender.lot}-T1")
    assert lots.get_lot(session, world.agency, lot_id).status == LotStatus.TENDERED
    with pytest.raises(InvalidError, match="not a draft"):
        _tender(session, world, lot_id)
    s0, s1 = world.supplier("S000X"), world.supplier("S001X")
    with pytest.raises(InvalidError, match="bids open on"):
        tenders.submit_bid(session, s0, tender_id, _bid(units, 10), date(2027, 1, 9))
    first = tenders.submit_bid(session, s0, tender_id, _bid(units, 10), OPENS)
    with pytest.raises(InvalidError, match="withdraw that one first"):
        tenders.submit_bid(session, s0, tender_id, _bid(units, 9), OPENS)
    withdrawn = tenders.withdraw_bid(session, s0, first.id, first.version, OPENS)
    assert (withdrawn.status, withdrawn.withdrawn_at is not None) == (BidStatus.WITHDRAWN, True)
    cheaper = tenders.submit_bid(session, s0, tender_id, _bid(units, 9), CLOSES)
    dearer = tenders.submit_bid(session, s1, tender_id, _bid(units, 12), CLOSES)
    with pytest.raises(InvalidError, match="bids are open until"):
        tenders.close_tender(session, world.agency, tender_id, tender.version, date(2027, 1, 19))
    with pytest.raises(InvalidError, match="only a closed tender"):
        tenders.award_tender(session, world.agency, tender_id, cheaper.id, tender.version)
    closed = tenders.close_tender(session, world.agency, tender_id, tender.version, CLOSES)
    assert (closed.status, closed.closed_at is not None) == (TenderStatus.CLOSED, True)
    with pytest.raises(InvalidError, match="the tender is closed, not open"):
        tenders.submit_bid(session, s1, tender_id, _bid(units, 1), CLOSES)
    with pytest.raises(InvalidError, match="the tender is closed, not open"):
        tenders.withdraw_bid(session, s1, dearer.id, dearer.version, CLOSES)
    with pytest.raises(InvalidError, match=f"no submitted bid of tender {tender_id}"):
        tenders.award_tender(session, world.agency, tender_id, first.id, closed.version)
    awarded = tenders.award_tender(session, world.agency, tender_id, cheaper.id, closed.version)
    assert (awarded.status, awarded.awarded_at is not None) == (TenderStatus.AWARDED, True)
    assert awarded.evaluated_at is not None
    statuses = {
        bid.id: (bid.status, bid.score)
        for bid in tenders.list_bids(session, world.agency, tender_id, PAGE).items
    }
    assert statuses[first.id] == (BidStatus.WITHDRAWN, None)
    assert statuses[cheaper.id] == (BidStatus.AWARDED, pytest.approx(1.0))
    assert statuses[dearer.id][0] == BidStatus.NOT_AWARDED
    assert lots.get_lot(session, world.agency, lot_id).status == LotStatus.AWARDED
    with pytest.raises(InvalidError, match="only a closed tender"):
        tenders.award_tender(session, world.agency, tender_id, dearer.id, awarded.version)
    with pytest.raises(InvalidError, match="only a published or closed tender"):
        tenders.cancel_tender(session, world.agency, tender_id, awarded.version)


def test_only_the_agency_runs_tenders_and_only_suppliers_bid(
    session: Session, world: World
) -> None:
    lot_id = _one_lot(session, world)
    data = TenderCreate(lot_id=lot_id, opens_on=OPENS, closes_on=CLOSES)
    for caller in (world.nation("N00"), world.supplier("S000X"), world.auditor):
        with pytest.raises(ForbiddenError):
            tenders.publish_tender(session, caller, data, OPENS)
    with pytest.raises(InvalidError, match="the day is past"):
        tenders.publish_tender(session, world.agency, data, date(2027, 1, 21))
    with pytest.raises(InvalidError, match="no such lot"):
        tenders.publish_tender(
            session, world.agency, data.model_copy(update={"lot_id": 999_999}), OPENS
        )
    tender_id = _tender(session, world, lot_id)
    tender = tenders.get_tender(session, world.agency, tender_id)
    units = _lot_units(session, lot_id, world)
    for caller in (world.nation("N01"), world.agency, world.auditor):
        with pytest.raises(ForbiddenError):
            tenders.submit_bid(session, caller, tender_id, _bid(units, 1), OPENS)
    for caller in (world.nation("N01"), world.supplier("S000X"), world.auditor):
        with pytest.raises(ForbiddenError):
            tenders.close_tender(session, caller, tender_id, tender.version, CLOSES)


def test_a_bid_must_deliver_the_lot_within_the_capacity_offered(
    session: Session, world: World
) -> None:
    lot_id = _one_lot(session, world)
    tender_id = _tender(session, world, lot_id)
    units = _lot_units(session, lot_id, world)
    supplier = world.supplier("S002X")
    short = _bid(units * 0.9, 5)
    with pytest.raises(InvalidError, match="the lot needs") as refused:
        tenders.submit_bid(session, supplier, tender_id, short, OPENS)
    assert refused.value.field == "schedule"
    over = _bid(units, 5, capacity_per_month=units / 2)
    with pytest.raises(InvalidError, match="exceed the capacity offered") as refused:
        tenders.submit_bid(session, supplier, tender_id, over, OPENS)
    assert refused.value.value == "2027-01"
    with pytest.raises(InvalidError, match="the lot's cost overflows"):
        tenders.submit_bid(session, supplier, tender_id, _bid(units, 1e308), OPENS)
    with pytest.raises(InvalidError, match="bids closed on"):
        tenders.submit_bid(session, supplier, tender_id, _bid(units, 5), date(2027, 1, 21))


def test_suppliers_see_only_their_own_bids_and_nations_none(session: Session, world: World) -> None:
    lot_id = _one_lot(session, world)
    tender_id = _tender(session, world, lot_id)
    units = _lot_units(session, lot_id, world)
    s0, s1 = world.supplier("S000X"), world.supplier("S001X")
    mine = tenders.submit_bid(session, s0, tender_id, _bid(units, 10), OPENS)
    theirs = tenders.submit_bid(session, s1, tender_id, _bid(units, 11), OPENS)
    assert [b.id for b in tenders.list_bids(session, s0, tender_id, PAGE).items] == [mine.id]
    with pytest.raises(NotFoundError):
        tenders.get_bid(session, s0, theirs.id)
    with pytest.raises(NotFoundError):
        tenders.withdraw_bid(session, s0, theirs.id, theirs.version, OPENS)
    nation = world.nation("N02")
    assert tenders.get_tender(session, nation, tender_id).id == tender_id
    assert tenders.list_bids(session, nation, tender_id, PAGE).items == []
    with pytest.raises(NotFoundError):
        tenders.get_bid(session, nation, mine.id)
    staff = {b.id for b in tenders.list_bids(session, world.auditor, tender_id, PAGE).items}
    assert staff == {mine.id, theirs.id}
    with pytest.raises(ForbiddenError):
        tenders.withdraw_bid(session, world.agency, mine.id, mine.version, OPENS)


def test_lowest_price_ranks_by_the_cost_of_the_lot_under_each_bids_tiers(
    session: Session, world: World
) -> None:
    lot_id = _one_lot(session, world)
    tender_id = _tender(session, world, lot_id, method=Method.LOWEST_PRICE)
    units = _lot_units(session, lot_id, world)
    # Tiered bid: 12 a unit, 7 from half the lot (reached); flat bids at 8 and 9.
    tiered = BidCreate.model_validate(
        {
            "tiers": [
                {"min_quantity": 0, "unit_price": 12},
                {"min_quantity": units / 2, "unit_price": 7},
            ],
            "schedule": [{"month": "2027-12", "quantity": units}],
            "capacity_per_month": units,
        }
    )
    made = {
        code: tenders.submit_bid(session, world.supplier(code), tender_id, bid, OPENS)
        for code, bid in (("S000X", _bid(units, 8)), ("S001X", _bid(units, 9)), ("S002X", tiered))
    }
    assert made["S002X"].cost == pytest.approx(units * 7)
    tender = tenders.close_tender(
        session,
        world.agency,
        tender_id,
        tenders.get_tender(session, world.agency, tender_id).version,
        CLOSES,
    )
    evaluation = tenders.evaluate_tender(session, world.agency, tender_id, tender.version)
    assert [entry.supplier for entry in evaluation.ranking] == ["S002X", "S000X", "S001X"]
    assert [entry.rank for entry in evaluation.ranking] == [1, 2, 3]
    assert evaluation.ranking[2].score == pytest.approx(7 / 9)
    stored = tenders.get_bid(session, world.agency, made["S001X"].id)
    assert stored.score == pytest.approx(7 / 9)
    with pytest.raises(ConflictError):
        tenders.evaluate_tender(session, world.agency, tender_id, tender.version)


def test_best_value_weighs_delivery_and_past_performance(session: Session, world: World) -> None:
    lot_id = _one_lot(session, world)
    weights = Weights(price=0.4, delivery=0.3, past_performance=0.3)
    tender_id = _tender(session, world, lot_id, weights=weights)
    units = _lot_units(session, lot_id, world)
    early = tenders.submit_bid(
        session, world.supplier("S000X"), tender_id, _bid(units, 10, "2026-12"), OPENS
    )
    late = tenders.submit_bid(
        session, world.supplier("S001X"), tender_id, _bid(units, 8, "2028-12"), OPENS
    )
    assert (early.delivery, late.delivery) == (1.0, 0.0)
    tender = tenders.get_tender(session, world.agency, tender_id)
    tender = tenders.close_tender(session, world.agency, tender_id, tender.version, CLOSES)
    # Early: 0.4 * 0.8 + 0.3 * 1 + 0.3 * past; late: 0.4 * 1 + 0 + 0.3 * past.
    trusted = tenders.evaluate_tender(session, world.agency, tender_id, tender.version)
    assert [entry.bid_id for entry in trusted.ranking] == [early.id, late.id]
    assert trusted.ranking[0].score == pytest.approx(0.32 + 0.3 + 0.3)
    tender = tenders.get_tender(session, world.agency, tender_id)
    record = {"S000X": 0.0, "S001X": 1.0}.__getitem__
    distrusted = tenders.evaluate_tender(
        session, world.agency, tender_id, tender.version, past_performance=record
    )
    assert [entry.bid_id for entry in distrusted.ranking] == [late.id, early.id]
    assert distrusted.ranking[0].score == pytest.approx(0.4 + 0.3)


def test_cancelling_a_tender_returns_the_lot_to_draft(session: Session, world: World) -> None:
    lot_id = _one_lot(session, world)
    tender_id = _tender(session, world, lot_id)
    bid = tenders.submit_bid(
        session,
        world.supplier("S000X"),
        tender_id,
        _bid(_lot_units(session, lot_id, world), 5),
        OPENS,
    )
    tender = tenders.get_tender(session, world.agency, tender_id)
    with pytest.raises(ConflictError):
        tenders.cancel_tender(session, world.agency, tender_id, tender.version - 1)
    cancelled = tenders.cancel_tender(session, world.agency, tender_id, tender.version)
    assert (cancelled.status, cancelled.cancelled_at is not None) == (TenderStatus.CANCELLED, True)
    assert tenders.get_bid(session, world.agency, bid.id).status == BidStatus.NOT_AWARDED
    assert lots.get_lot(session, world.agency, lot_id).status == LotStatus.DRAFT
    again = tenders.get_tender(session, world.agency, _tender(session, world, lot_id))
    assert again.ocid.endswith("-T2")
    listed = tenders.list_tenders(session, world.auditor, TenderFilter(lot_id=lot_id), PAGE)
    assert [t.status for t in listed.items] == [TenderStatus.CANCELLED, TenderStatus.PUBLISHED]
    closed = tenders.close_tender(session, world.agency, again.id, again.version, CLOSES)
    assert tenders.cancel_tender(session, world.agency, closed.id, closed.version).status == (
        TenderStatus.CANCELLED
    )
    assert lots.get_lot(session, world.agency, lot_id).status == LotStatus.DRAFT


def test_a_framework_from_an_award_takes_the_lot_and_the_winning_bid(
    session: Session, world: World
) -> None:
    lot_id = _one_lot(session, world)
    tender_id = _tender(session, world, lot_id)
    lot = lots.get_lot(session, world.agency, lot_id)
    data = FrameworkFromTender(
        tender_id=tender_id, code="FW-T", valid_from=date(2027, 2, 1), valid_to=date(2027, 12, 31)
    )
    with pytest.raises(InvalidError, match="not awarded"):
        frameworks.framework_from_tender(session, world.agency, data)
    tiers = [{"min_quantity": 0, "unit_price": 9}, {"min_quantity": 100, "unit_price": 8}]
    bid = BidCreate.model_validate(
        {
            "tiers": tiers,
            "schedule": [{"month": "2027-01", "quantity": lot.quantity}],
            "capacity_per_month": lot.quantity,
        }
    )
    won = tenders.submit_bid(session, world.supplier("S001X"), tender_id, bid, OPENS)
    tender = tenders.get_tender(session, world.agency, tender_id)
    tender = tenders.close_tender(session, world.agency, tender_id, tender.version, CLOSES)
    tender = tenders.award_tender(session, world.agency, tender_id, won.id, tender.version)
    with pytest.raises(ForbiddenError):
        frameworks.framework_from_tender(session, world.nation("N00"), data)
    made = frameworks.framework_from_tender(session, world.agency, data)
    assert (made.supplier, made.tender_id, made.ocid) == ("S001X", tender_id, tender.ocid)
    assert made.parties == lot.participants
    assert {item.item for item in made.items} == {line.item for line in lot.lines}
    assert all([t.model_dump() for t in item.tiers] == tiers for item in made.items)
    assert made.ceiling_quantity == pytest.approx(lot.quantity)
    assert made.ceiling_value == pytest.approx(lot.quantity * 8)
    assert (made.remaining_quantity, made.remaining_value) == (
        made.ceiling_quantity,
        made.ceiling_value,
    )
    with pytest.raises(InvalidError, match="framework FW-T was made from it"):
        frameworks.framework_from_tender(
            session, world.agency, data.model_copy(update={"code": "FW-T2"})
        )


def test_every_procurement_write_is_audited(session: Session, world: World) -> None:
    def entries(entity: str) -> int:
        query = select(func.count()).where(AuditEntry.entity == entity)
        return int(session.scalar(query) or 0)

    lot_id = _one_lot(session, world)
    assert entries("lot") == 1
    tender_id = _tender(session, world, lot_id)
    tenders.submit_bid(
        session,
        world.supplier("S000X"),
        tender_id,
        _bid(_lot_units(session, lot_id, world), 5),
        OPENS,
    )
    tender = tenders.get_tender(session, world.agency, tender_id)
    tenders.close_tender(session, world.agency, tender_id, tender.version, CLOSES)
    assert (entries("lot"), entries("tender"), entries("bid")) == (2, 2, 1)
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "tender").order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "close"]
