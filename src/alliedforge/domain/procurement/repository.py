"""Every query on lots, tenders, bids, frameworks and call-offs, scoped to what the caller
may see; labels on top.

- Lots and tenders: staff all; a nation the lots it takes part in (and their tenders); a
  supplier every lot put to tender, and every tender.
- Lot lines: staff all; a nation its own; a supplier those of lots put to tender.
- Bids: staff all; a supplier its own; a nation none.
- Frameworks: staff all; a nation those it is a party to; a supplier its own.
- Call-offs: staff all; a nation its own; a supplier those under its frameworks.
- Deliveries: staff all; a nation those to it; a supplier its own.
- The stockpile ledger: staff all; a nation its own; a supplier none.

Aggregates every party needs whole — a lot's participants and totals, what a framework's
call-offs add up to, what a line or a requirement already has committed — are read in the
agency's database scope (past PostgreSQL's row-level wall); they reveal no row.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue.models import (
    Item,
    Qualification,
    QualificationStatus,
    WeaponSystem,
)
from alliedforge.domain.catalogue.repository import page_of, readable
from alliedforge.domain.industry.models import Line, Supplier
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.plans.models import PlanDelivery, PlanRun, RunStatus
from alliedforge.domain.procurement.models import (
    Bid,
    BidStatus,
    CallOff,
    CallOffStatus,
    Delivery,
    Framework,
    FrameworkItem,
    FrameworkParty,
    LedgerEntry,
    LedgerSource,
    Lot,
    LotLine,
    LotStatus,
    Tender,
)
from alliedforge.domain.procurement.pooling import Planned
from alliedforge.domain.procurement.schemas import (
    CallOffFilter,
    DeliveryFilter,
    FrameworkFilter,
    LedgerFilter,
    LotFilter,
    TenderFilter,
)
from alliedforge.domain.requirements.models import Budget, Commitment, Requirement, Stockpile
from alliedforge.scenario.model import LineState
from alliedforge.scenario.nsn import format_nsn
from alliedforge.store.scope import staff_scope

Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


def item_code(nsn: str | None, other_code: str | None) -> str:
    """An item's code as the scenario writes it (see `Item.code`)."""
    return format_nsn(nsn) if nsn is not None else other_code or ""


def _scoped(query: Query, caller: Caller, record: type[Any], scope: ColumnElement[bool]) -> Query:
    """`query` kept to `scope` for nations and suppliers (staff: everything); labels."""
    if caller.unrestricted:
        return query
    if not caller.is_staff:
        query = query.where(scope)
    return readable(query, record, caller)


# Lots


def _lot_scope(caller: Caller) -> ColumnElement[bool]:
    if caller.role is Role.NATION:
        own = and_(LotLine.lot_id == Lot.id, LotLine.nation_id == caller.nation_id)
        return exists().where(own)
    if caller.role is Role.SUPPLIER:
        return exists().where(Tender.lot_id == Lot.id)
    return false()


def _lots(caller: Caller) -> Select[Lot, str | None]:
    query = select(Lot, Supplier.code).outerjoin(Supplier, Lot.supplier_id == Supplier.id)
    return _scoped(query, caller, Lot, _lot_scope(caller))


def lot_rows(session: Session, caller: Caller, filters: LotFilter, page: PageRequest) -> list[Any]:
    query = _lots(caller)
    if filters.status is not None:
        query = query.where(Lot.status == filters.status)
    if filters.plan_run_id is not None:
        query = query.where(Lot.plan_run_id == filters.plan_run_id)
    return list(session.execute(page_of(query, Lot, page)).all())


def find_lot(session: Session, caller: Caller, lot_id: int, lock: bool = False) -> Any | None:
    """(lot, planned supplier code) if the caller sees it; `lock`: for update."""
    query = _lots(caller).where(Lot.id == lot_id)
    if lock:
        query = query.with_for_update(of=Lot)
    return session.execute(query).one_or_none()


def next_lot_number(session: Session) -> int:
    """A number for the next lot code (codes are unique; a concurrent taker fails on flush)."""
    return int(session.scalar(select(func.coalesce(func.max(Lot.id), 0))) or 0) + 1


def lots_of_run(session: Session, run_id: int) -> list[str]:
    """Codes of the lots of a plan run that are not cancelled (labels aside)."""
    query = select(Lot.code).where(Lot.plan_run_id == run_id, Lot.status != LotStatus.CANCELLED)
    return list(session.scalars(query.order_by(Lot.id)))


def lot_lines(session: Session, caller: Caller, lot_ids: list[int]) -> list[Any]:
    """(line, nation code, nsn, other code, requirement code) of the lots' lines the
    caller may see, in id order."""
    query = (
        select(LotLine, Nation.code, Item.nsn, Item.other_code, Requirement.code)
        .join(Nation, LotLine.nation_id == Nation.id)
        .join(Item, LotLine.item_id == Item.id)
        .outerjoin(Requirement, LotLine.requirement_id == Requirement.id)
        .where(LotLine.lot_id.in_(lot_ids))
        .order_by(LotLine.id)
    )
    if caller.role is Role.NATION and not caller.unrestricted:
        query = query.where(LotLine.nation_id == caller.nation_id)
    return list(session.execute(query).all())


def lot_totals(session: Session, lot_ids: list[int]) -> dict[int, list[tuple[str, float, float]]]:
    """Per lot, (nation, units, value) of every nation taking part."""
    query = (
        select(
            LotLine.lot_id,
            Nation.code,
            func.sum(LotLine.quantity),
            func.sum(LotLine.quantity * LotLine.unit_price),
        )
        .join(Nation, LotLine.nation_id == Nation.id)
        .where(LotLine.lot_id.in_(lot_ids))
        .group_by(LotLine.lot_id, Nation.code)
    )
    totals: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
    with staff_scope(session):
        for lot_id, nation, units, value in session.execute(query):
            totals[lot_id].append((nation, float(units), float(value)))
    return totals


def lot_items(session: Session, lot_id: int) -> list[int]:
    """Ids of the items a lot holds."""
    query = select(LotLine.item_id).where(LotLine.lot_id == lot_id).distinct()
    with staff_scope(session):
        return sorted(session.scalars(query))


def lot_nations(session: Session, lot_id: int) -> list[int]:
    """Ids of the nations taking part in a lot."""
    query = select(LotLine.nation_id).where(LotLine.lot_id == lot_id).distinct()
    with staff_scope(session):
        return sorted(session.scalars(query))


def lot_needs(session: Session, lot_id: int) -> list[tuple[str, float]]:
    """(month, units) a lot needs, per month."""
    query = (
        select(LotLine.month, func.sum(LotLine.quantity))
        .where(LotLine.lot_id == lot_id)
        .group_by(LotLine.month)
        .order_by(LotLine.month)
    )
    with staff_scope(session):
        return [(month, float(units)) for month, units in session.execute(query)]


def planned_deliveries(session: Session, run_id: int) -> list[Planned]:
    """The run's planned deliveries (commitments aside), in the plan's order."""
    query = (
        select(PlanDelivery)
        .where(PlanDelivery.plan_run_id == run_id, PlanDelivery.committed.is_(False))
        .order_by(PlanDelivery.id)
    )
    with staff_scope(session):
        rows = session.scalars(query).all()
    return [
        Planned(
            row.supplier,
            row.item,
            row.requirement,
            row.nation,
            row.month,
            row.quantity,
            row.unit_price,
        )
        for row in rows
    ]


def nation_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Nation.code, Nation.id)).all())


def supplier_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Supplier.code, Supplier.id)).all())


def supplier_id(session: Session, caller: Caller, code: str) -> int | None:
    """The id of the supplier with this code if the caller may read it."""
    query = readable(select(Supplier.id), Supplier, caller).where(Supplier.code == code)
    return session.scalar(query)


def item_ids(session: Session) -> dict[str, int]:
    rows = session.execute(select(Item.nsn, Item.other_code, Item.id))
    return {item_code(nsn, other): id_ for nsn, other, id_ in rows}


def requirement_ids(session: Session) -> dict[tuple[str, str], int]:
    """(nation code, requirement code) → id."""
    query = select(Nation.code, Requirement.code, Requirement.id).join(
        Nation, Requirement.nation_id == Nation.id
    )
    with staff_scope(session):
        return {(nation, code): id_ for nation, code, id_ in session.execute(query)}


def stockpile_ids(session: Session) -> dict[str, int]:
    """Stockpile requirement code (`stockpile:NATION:SYSTEM:DUE`) → id."""
    query = (
        select(Nation.code, WeaponSystem.code, Stockpile.due, Stockpile.id)
        .join(Nation, Stockpile.nation_id == Nation.id)
        .join(WeaponSystem, Stockpile.weapon_system_id == WeaponSystem.id)
    )
    with staff_scope(session):
        rows = session.execute(query).all()
    return {f"stockpile:{nation}:{system}:{due}": id_ for nation, system, due, id_ in rows}


# Tenders


def _tender_scope(caller: Caller) -> ColumnElement[bool]:
    if caller.role is Role.NATION:
        own = and_(LotLine.lot_id == Tender.lot_id, LotLine.nation_id == caller.nation_id)
        return exists().where(own)
    return true() if caller.role is Role.SUPPLIER else false()


def _tenders(caller: Caller) -> Select[Tender, Lot]:
    query = select(Tender, Lot).join(Lot, Tender.lot_id == Lot.id)
    return _scoped(query, caller, Tender, _tender_scope(caller))


def tender_rows(
    session: Session, caller: Caller, filters: TenderFilter, page: PageRequest
) -> list[Any]:
    query = _tenders(caller)
    if filters.status is not None:
        query = query.where(Tender.status == filters.status)
    if filters.lot_id is not None:
        query = query.where(Tender.lot_id == filters.lot_id)
    return list(session.execute(page_of(query, Tender, page)).all())


def find_tender(session: Session, caller: Caller, tender_id: int, lock: bool = False) -> Any | None:
    """(tender, lot) if the caller sees the tender; `lock`: the tender for update."""
    query = _tenders(caller).where(Tender.id == tender_id)
    if lock:
        query = query.with_for_update(of=Tender)
    return session.execute(query).one_or_none()


def tenders_of_lot(session: Session, lot_id: int) -> int:
    return int(session.scalar(select(func.count()).where(Tender.lot_id == lot_id)) or 0)


# Bids


def _bids(caller: Caller) -> Select[Bid, str]:
    query = select(Bid, Supplier.code).join(Supplier, Bid.supplier_id == Supplier.id)
    scope = Bid.supplier_id == caller.supplier_id if caller.role is Role.SUPPLIER else false()
    return _scoped(query, caller, Bid, scope)


def bid_rows(session: Session, caller: Caller, tender_id: int, page: PageRequest) -> list[Any]:
    query = _bids(caller).where(Bid.tender_id == tender_id)
    return list(session.execute(page_of(query, Bid, page)).all())


def find_bid(session: Session, caller: Caller, bid_id: int) -> Any | None:
    """(bid, supplier code) if the caller sees the bid."""
    return session.execute(_bids(caller).where(Bid.id == bid_id)).one_or_none()


def bids_of(session: Session, tender_id: int, *statuses: str) -> list[Any]:
    """(bid, supplier code) of every bid of the tender in these statuses, in submission
    order (the agency's evaluation sees them all, labels aside)."""
    query = (
        select(Bid, Supplier.code)
        .join(Supplier, Bid.supplier_id == Supplier.id)
        .where(Bid.tender_id == tender_id, Bid.status.in_(statuses))
        .order_by(Bid.submitted_at, Bid.id)
    )
    with staff_scope(session):
        return list(session.execute(query).all())


# Frameworks


def _framework_scope(caller: Caller) -> ColumnElement[bool]:
    if caller.role is Role.NATION:
        party = and_(
            FrameworkParty.framework_id == Framework.id,
            FrameworkParty.nation_id == caller.nation_id,
        )
        return exists().where(party)
    if caller.role is Role.SUPPLIER:
        return Framework.supplier_id == caller.supplier_id
    return false()


def _frameworks(caller: Caller) -> Select[Framework, str]:
    query = select(Framework, Supplier.code).join(Supplier, Framework.supplier_id == Supplier.id)
    return _scoped(query, caller, Framework, _framework_scope(caller))


def framework_rows(
    session: Session, caller: Caller, filters: FrameworkFilter, page: PageRequest
) -> list[Any]:
    query = _frameworks(caller)
    if filters.status is not None:
        query = query.where(Framework.status == filters.status)
    if filters.supplier is not None:
        query = query.where(Supplier.code == filters.supplier)
    if filters.nation is not None:
        party = aliased(FrameworkParty)
        nation = aliased(Nation)
        query = query.where(
            exists()
            .where(party.framework_id == Framework.id)
            .where(party.nation_id == nation.id, nation.code == filters.nation)
        )
    return list(session.execute(page_of(query, Framework, page)).all())


def find_framework(
    session: Session, caller: Caller, framework_id: int, lock: bool = False
) -> Any | None:
    """(framework, supplier code) if the caller sees it; `lock`: the framework row for
    update, which serialises call-offs against its ceiling."""
    query = _frameworks(caller).where(Framework.id == framework_id)
    if lock:
        query = query.with_for_update(of=Framework)
    return session.execute(query).one_or_none()


def framework_taken(session: Session, code: str, ocid: str) -> bool:
    """Whether a framework has this code or ocid (labels aside: a key is taken even by a
    framework the caller cannot read)."""
    query = select(Framework.id).where(or_(Framework.code == code, Framework.ocid == ocid))
    with staff_scope(session):
        return session.execute(query.limit(1)).first() is not None


def framework_of_tender(session: Session, tender_id: int) -> str | None:
    return session.scalar(select(Framework.code).where(Framework.tender_id == tender_id))


def parties(session: Session, framework_ids: list[int]) -> dict[int, list[str]]:
    query = (
        select(FrameworkParty.framework_id, Nation.code)
        .join(Nation, FrameworkParty.nation_id == Nation.id)
        .where(FrameworkParty.framework_id.in_(framework_ids))
        .order_by(Nation.code)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for framework_id, nation in session.execute(query):
        found[framework_id].append(nation)
    return found


def framework_items(session: Session, framework_ids: list[int]) -> dict[int, list[Any]]:
    """Per framework, (framework item, item code) in id order."""
    query = (
        select(FrameworkItem, Item.nsn, Item.other_code)
        .join(Item, FrameworkItem.item_id == Item.id)
        .where(FrameworkItem.framework_id.in_(framework_ids))
        .order_by(FrameworkItem.id)
    )
    found: dict[int, list[Any]] = defaultdict(list)
    for row, nsn, other in session.execute(query):
        found[row.framework_id].append((row, item_code(nsn, other)))
    return found


def called_off(session: Session, framework_ids: list[int]) -> dict[int, tuple[float, float]]:
    """Per framework, units and value of its placed call-offs (every buyer's)."""
    query = (
        select(CallOff.framework_id, func.sum(CallOff.quantity), func.sum(CallOff.value))
        .where(CallOff.framework_id.in_(framework_ids), CallOff.status == CallOffStatus.PLACED)
        .group_by(CallOff.framework_id)
    )
    with staff_scope(session):
        rows = session.execute(query).all()
    return {framework_id: (float(units), float(value)) for framework_id, units, value in rows}


def called_off_item(session: Session, framework_id: int, item_id: int) -> float:
    """Units of an item placed under a framework so far."""
    query = select(func.coalesce(func.sum(CallOff.quantity), 0.0)).where(
        CallOff.framework_id == framework_id,
        CallOff.item_id == item_id,
        CallOff.status == CallOffStatus.PLACED,
    )
    with staff_scope(session):
        return float(session.scalar(query) or 0.0)


def call_offs_of(session: Session, framework_id: int) -> int:
    """How many call-offs (any status) a framework has had."""
    query = select(func.count()).where(CallOff.framework_id == framework_id)
    with staff_scope(session):
        return int(session.scalar(query) or 0)


# Call-offs


def _call_off_scope(caller: Caller) -> ColumnElement[bool]:
    if caller.role is Role.NATION:
        return CallOff.nation_id == caller.nation_id
    if caller.role is Role.SUPPLIER:
        return Framework.supplier_id == caller.supplier_id
    return false()


# A call-off is a contract between a buyer nation and a supplier: each party sees the
# other's codes on it (the line, the requirement), which PostgreSQL's row-level security
# would hide. These queries run in the agency's database scope, and `_call_off_scope`
# alone decides which rows are shown (as for commitments).
def _call_offs(caller: Caller) -> Select[*tuple[Any, ...]]:
    query: Select[*tuple[Any, ...]] = (
        select(
            CallOff,
            Framework.code,
            Framework.ocid,
            Nation.code,
            Supplier.code,
            Item.nsn,
            Item.other_code,
            Line.code,
            Requirement.code,
        )
        .join(Framework, CallOff.framework_id == Framework.id)
        .join(Nation, CallOff.nation_id == Nation.id)
        .join(Supplier, Framework.supplier_id == Supplier.id)
        .join(Item, CallOff.item_id == Item.id)
        .join(Line, CallOff.line_id == Line.id)
        .outerjoin(Requirement, CallOff.requirement_id == Requirement.id)
    )
    return _scoped(query, caller, CallOff, _call_off_scope(caller))


def call_off_rows(
    session: Session, caller: Caller, filters: CallOffFilter, page: PageRequest
) -> list[Any]:
    query = _call_offs(caller)
    if filters.framework_id is not None:
        query = query.where(CallOff.framework_id == filters.framework_id)
    if filters.nation is not None:
        query = query.where(Nation.code == filters.nation)
    if filters.status is not None:
        query = query.where(CallOff.status == filters.status)
    with staff_scope(session):
        return list(session.execute(page_of(query, CallOff, page)).all())


def find_call_off(session: Session, caller: Caller, call_off_id: int) -> Any | None:
    with staff_scope(session):
        return session.execute(_call_offs(caller).where(CallOff.id == call_off_id)).one_or_none()


# What a call-off must keep plannable


def line_for(session: Session, supplier_id: int, item_id: int) -> Line | None:
    """The supplier's first active line making the item."""
    query = select(Line).where(
        Line.supplier_id == supplier_id, Line.item_id == item_id, Line.state == LineState.ACTIVE
    )
    with staff_scope(session):
        return session.scalars(query.order_by(Line.id).limit(1)).first()


def line_by_code(session: Session, code: str) -> Any | None:
    """(line, supplier code) with this code."""
    query = (
        select(Line, Supplier.code)
        .join(Supplier, Line.supplier_id == Supplier.id)
        .where(Line.code == code)
    )
    with staff_scope(session):
        return session.execute(query).one_or_none()


def committed_on_line(session: Session, line_id: int, month: str) -> float:
    """Units already committed from a line in a month."""
    query = select(func.coalesce(func.sum(Commitment.quantity), 0.0)).where(
        Commitment.line_id == line_id, Commitment.month == month
    )
    with staff_scope(session):
        return float(session.scalar(query) or 0.0)


def committed_to(session: Session, requirement_id: int | None, stockpile_id: int | None) -> float:
    """Units already committed to a requirement or stockpile target."""
    if requirement_id is not None:
        served = Commitment.requirement_id == requirement_id
    else:
        served = Commitment.stockpile_id == stockpile_id
    query = select(func.coalesce(func.sum(Commitment.quantity), 0.0)).where(served)
    with staff_scope(session):
        return float(session.scalar(query) or 0.0)


def budget_left(session: Session, nation_id: int, year: int) -> float | None:
    """What a nation's budget for `year` leaves after its commitments due that year (None:
    no budget row, so no limit)."""
    amount = session.scalar(
        select(Budget.amount).where(Budget.nation_id == nation_id, Budget.year == year)
    )
    if amount is None:
        return None
    spent = (
        select(func.coalesce(func.sum(Commitment.quantity * Commitment.unit_price), 0.0))
        .outerjoin(Requirement, Commitment.requirement_id == Requirement.id)
        .outerjoin(Stockpile, Commitment.stockpile_id == Stockpile.id)
        .where(
            or_(Requirement.nation_id == nation_id, Stockpile.nation_id == nation_id),
            Commitment.month.like(f"{year:04d}-%"),
        )
    )
    with staff_scope(session):
        return float(amount) - float(session.scalar(spent) or 0.0)


def qualification_start(
    session: Session, item_id: int, weapon_system_id: int
) -> tuple[bool, str | None]:
    """Whether the item is qualified on the weapon system, and from which month (None:
    from the start)."""
    query = select(Qualification.month).where(
        Qualification.item_id == item_id,
        Qualification.weapon_system_id == weapon_system_id,
        Qualification.status == QualificationStatus.QUALIFIED,
    )
    found = session.execute(query).first()
    return (False, None) if found is None else (True, found[0])


# Deliveries
#
# A delivery is its buyer's and its supplier's business: like call-offs, these queries run
# in the agency's database scope (the weapon system comes from the buyer's requirement or
# stockpile, which the supplier's row-level wall would hide) and `_delivery_scope` alone
# decides which rows are shown.


def _delivery_scope(caller: Caller) -> ColumnElement[bool]:
    if caller.role is Role.NATION:
        return Delivery.nation_id == caller.nation_id
    if caller.role is Role.SUPPLIER:
        return Delivery.supplier_id == caller.supplier_id
    return false()


def _served_system() -> ColumnElement[int]:
    """The weapon system a call-off serves: its requirement's or its stockpile's (with
    both outer-joined)."""
    return func.coalesce(Requirement.weapon_system_id, Stockpile.weapon_system_id)


def _deliveries(caller: Caller) -> Select[*tuple[Any, ...]]:
    query: Select[*tuple[Any, ...]] = (
        select(
            Delivery,
            CallOff.code,
            CallOff.month,
            CallOff.unit_price,
            Nation.code,
            Supplier.code,
            Item.nsn,
            Item.other_code,
            Item.family,
            WeaponSystem.code,
        )
        .join(CallOff, Delivery.call_off_id == CallOff.id)
        .join(Nation, Delivery.nation_id == Nation.id)
        .join(Supplier, Delivery.supplier_id == Supplier.id)
        .join(Item, CallOff.item_id == Item.id)
        .outerjoin(Requirement, CallOff.requirement_id == Requirement.id)
        .outerjoin(Stockpile, CallOff.stockpile_id == Stockpile.id)
        .join(WeaponSystem, WeaponSystem.id == _served_system())
    )
    return _scoped(query, caller, Delivery, _delivery_scope(caller))


def delivery_rows(
    session: Session, caller: Caller, filters: DeliveryFilter, page: PageRequest
) -> list[Any]:
    query = _deliveries(caller)
    if filters.call_off_id is not None:
        query = query.where(Delivery.call_off_id == filters.call_off_id)
    if filters.nation is not None:
        query = query.where(Nation.code == filters.nation)
    if filters.supplier is not None:
        query = query.where(Supplier.code == filters.supplier)
    if filters.status is not None:
        query = query.where(Delivery.status == filters.status)
    with staff_scope(session):
        return list(session.execute(page_of(query, Delivery, page)).all())


def find_delivery(session: Session, caller: Caller, delivery_id: int) -> Any | None:
    with staff_scope(session):
        return session.execute(_deliveries(caller).where(Delivery.id == delivery_id)).one_or_none()


def lock_call_off(session: Session, call_off_id: int) -> CallOff | None:
    """The call-off's row, locked for update and read afresh."""
    query = (
        select(CallOff)
        .where(CallOff.id == call_off_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    with staff_scope(session):
        return session.scalars(query).one_or_none()


def lock_nation(session: Session, nation_id: int) -> None:
    """Lock a nation's row: movements of its stock are recorded one at a time, so that its
    ledger opens once and every call-off's accepted total is read fresh."""
    query = select(Nation.id).where(Nation.id == nation_id).with_for_update()
    session.execute(query)


def accepted_under(session: Session, call_off_id: int) -> float:
    """Units accepted so far under a call-off (voided deliveries aside)."""
    query = select(func.coalesce(func.sum(Delivery.accepted), 0.0)).where(
        Delivery.call_off_id == call_off_id, Delivery.voided_at.is_(None)
    )
    with staff_scope(session):
        return float(session.scalar(query) or 0.0)


def served_system_of(session: Session, call_off_id: int) -> int:
    """The id of the weapon system the call-off's requirement or stockpile is for."""
    query = (
        select(_served_system())
        .select_from(CallOff)
        .outerjoin(Requirement, CallOff.requirement_id == Requirement.id)
        .outerjoin(Stockpile, CallOff.stockpile_id == Stockpile.id)
        .where(CallOff.id == call_off_id)
    )
    with staff_scope(session):
        return int(session.scalar(query) or 0)


def supplier_of_call_off(session: Session, call_off_id: int) -> int:
    """The id of the supplier of the call-off's framework."""
    query = (
        select(Framework.supplier_id)
        .join(CallOff, CallOff.framework_id == Framework.id)
        .where(CallOff.id == call_off_id)
    )
    with staff_scope(session):
        return int(session.scalar(query) or 0)


def report_rows(session: Session, caller: Caller, start: date, end: date) -> list[Any]:
    """(nation, family, deliveries, units delivered, units accepted, value accepted) of the
    caller's deliveries between two dates, voided ones aside."""
    query = (
        select(
            Nation.code,
            Item.family,
            func.count(Delivery.id),
            func.sum(Delivery.quantity),
            func.sum(Delivery.accepted),
            func.sum(Delivery.accepted * CallOff.unit_price),
        )
        .join(CallOff, Delivery.call_off_id == CallOff.id)
        .join(Nation, Delivery.nation_id == Nation.id)
        .join(Item, CallOff.item_id == Item.id)
        .where(
            Delivery.voided_at.is_(None),
            Delivery.delivered_on >= start,
            Delivery.delivered_on <= end,
        )
        .group_by(Nation.code, Item.family)
        .order_by(Nation.code, Item.family)
    )
    with staff_scope(session):
        return list(session.execute(_scoped(query, caller, Delivery, _delivery_scope(caller))))


# The stockpile ledger: staff all, a nation its own, a supplier none; labels on top.


def _ledger_scope(caller: Caller) -> ColumnElement[bool]:
    if caller.role is Role.NATION:
        return LedgerEntry.nation_id == caller.nation_id
    return false()


def _ledger_filtered(query: Query, caller: Caller, filters: LedgerFilter) -> Query:
    query = _scoped(query, caller, LedgerEntry, _ledger_scope(caller))
    if filters.nation is not None:
        query = query.where(
            LedgerEntry.nation_id.in_(select(Nation.id).where(Nation.code == filters.nation))
        )
    if filters.weapon_system is not None:
        systems = select(WeaponSystem.id).where(WeaponSystem.code == filters.weapon_system)
        query = query.where(LedgerEntry.weapon_system_id.in_(systems))
    return query


def ledger_rows(
    session: Session, caller: Caller, filters: LedgerFilter, page: PageRequest
) -> list[Any]:
    """(entry, nation, weapon system, balance after it) in id order. The running balance is
    summed over the entries the caller sees before paging, so every page shows it whole."""
    balance = func.sum(LedgerEntry.units).over(
        partition_by=(LedgerEntry.nation_id, LedgerEntry.weapon_system_id),
        order_by=LedgerEntry.id,
    )
    running = _ledger_filtered(
        select(LedgerEntry.id.label("id"), balance.label("balance")), caller, filters
    ).subquery()
    query = (
        select(LedgerEntry, Nation.code, WeaponSystem.code, running.c.balance)
        .join(running, running.c.id == LedgerEntry.id)
        .join(Nation, LedgerEntry.nation_id == Nation.id)
        .join(WeaponSystem, LedgerEntry.weapon_system_id == WeaponSystem.id)
    )
    return list(session.execute(page_of(query, LedgerEntry, page)).all())


def ledger_entries(
    session: Session, caller: Caller, nation_id: int, weapon_system_id: int | None = None
) -> list[LedgerEntry]:
    """A nation's ledger entries the caller may read (of one weapon system, or all), in id
    order."""
    query = readable(select(LedgerEntry), LedgerEntry, caller).where(
        LedgerEntry.nation_id == nation_id
    )
    if weapon_system_id is not None:
        query = query.where(LedgerEntry.weapon_system_id == weapon_system_id)
    return list(session.scalars(query.order_by(LedgerEntry.id)))


def ledger_opened(session: Session, nation_id: int, weapon_system_id: int) -> bool:
    query = select(LedgerEntry.id).where(
        LedgerEntry.nation_id == nation_id,
        LedgerEntry.weapon_system_id == weapon_system_id,
        LedgerEntry.source == LedgerSource.OPENING,
    )
    with staff_scope(session):
        return session.execute(query.limit(1)).first() is not None


def first_stockpile(session: Session, nation_id: int, weapon_system_id: int) -> Stockpile | None:
    """A nation's stockpile for a weapon system due first (its on-hand opens the ledger)."""
    query = (
        select(Stockpile)
        .where(Stockpile.nation_id == nation_id, Stockpile.weapon_system_id == weapon_system_id)
        .order_by(Stockpile.due, Stockpile.id)
    )
    with staff_scope(session):
        return session.scalars(query.limit(1)).first()


def stockpiles_of(
    session: Session, caller: Caller, nation_id: int, weapon_system_id: int | None = None
) -> list[Any]:
    """(stockpile, weapon system code) of a nation the caller may read, earliest due first."""
    query = (
        readable(select(Stockpile, WeaponSystem.code), Stockpile, caller)
        .join(WeaponSystem, Stockpile.weapon_system_id == WeaponSystem.id)
        .where(Stockpile.nation_id == nation_id)
    )
    if weapon_system_id is not None:
        query = query.where(Stockpile.weapon_system_id == weapon_system_id)
    return list(session.execute(query.order_by(Stockpile.due, Stockpile.id)).all())


def weapon_system_codes(session: Session, ids: set[int]) -> dict[int, str]:
    query = select(WeaponSystem.id, WeaponSystem.code).where(WeaponSystem.id.in_(ids))
    return dict(session.execute(query).all())


def latest_runs(session: Session) -> list[PlanRun]:
    """Finished plan runs with a plan, newest first (a few: the caller's labels pick one)."""
    query = (
        select(PlanRun)
        .where(PlanRun.status == RunStatus.DONE, PlanRun.plan_status != "infeasible")
        .order_by(PlanRun.id.desc())
    )
    return list(session.scalars(query.limit(20)))


def planned_to(session: Session, run_id: int, nation: str) -> list[tuple[str, str, float]]:
    """(requirement code, month, units) the run plans to deliver to a nation."""
    query = select(PlanDelivery.requirement, PlanDelivery.month, PlanDelivery.quantity).where(
        PlanDelivery.plan_run_id == run_id, PlanDelivery.nation == nation
    )
    with staff_scope(session):
        return [(code, month, float(units)) for code, month, units in session.execute(query)]


def requirement_systems(session: Session, nation_id: int) -> dict[str, int]:
    """A nation's requirement codes → the id of the weapon system each is for."""
    query = select(Requirement.code, Requirement.weapon_system_id).where(
        Requirement.nation_id == nation_id
    )
    with staff_scope(session):
        return dict(session.execute(query).all())


# Track records: public aggregates over every row (they reveal no single one).


def tenders_won(session: Session, supplier_id: int) -> int:
    query = select(func.count()).where(
        Bid.supplier_id == supplier_id, Bid.status == BidStatus.AWARDED
    )
    with staff_scope(session):
        return int(session.scalar(query) or 0)


def frameworks_signed(session: Session, supplier_id: int) -> int:
    query = select(func.count()).where(
        Framework.supplier_id == supplier_id, Framework.signed_at.is_not(None)
    )
    with staff_scope(session):
        return int(session.scalar(query) or 0)


def call_offs_placed(session: Session, supplier_id: int) -> tuple[int, float]:
    """How many call-offs are placed under the supplier's frameworks, and their units."""
    query = (
        select(func.count(CallOff.id), func.coalesce(func.sum(CallOff.quantity), 0.0))
        .join(Framework, CallOff.framework_id == Framework.id)
        .where(Framework.supplier_id == supplier_id, CallOff.status == CallOffStatus.PLACED)
    )
    with staff_scope(session):
        count, units = session.execute(query).one()
    return int(count), float(units)


def delivered_by(session: Session, supplier_id: int) -> list[tuple[str, str, float, float, float]]:
    """(call-off month, delivered month, units delivered, units accepted, unit price) of the
    supplier's deliveries, voided ones aside."""
    query = (
        select(
            CallOff.month, Delivery.month, Delivery.quantity, Delivery.accepted, CallOff.unit_price
        )
        .join(CallOff, Delivery.call_off_id == CallOff.id)
        .where(Delivery.supplier_id == supplier_id, Delivery.voided_at.is_(None))
        .order_by(Delivery.id)
    )
    with staff_scope(session):
        rows = session.execute(query).all()
    return [
        (due, month, float(units), float(accepted), float(price))
        for due, month, units, accepted, price in rows
    ]
