"""The stockpile ledger and the stock projection: a nation's stock of a weapon system moves
with the deliveries accepted for it, and is projected ahead with the latest plan.

The ledger opens when its first movement is recorded: an `opening` entry with the on-hand
of the nation's stockpile for that weapon system (the one due first; 0 when there is
none), then the movement. Entries are booked on the day they are recorded, so the
running balance in id order is also the balance by date, and the history is never
rewritten: a voided delivery adds a reversing entry. Until the ledger opens, the stock is
the stockpile's on-hand. The stockpile's own `on_hand` is left as it is: it is the
planning baseline, and the deliveries are already in the plan as commitments.

Who reads: staff every nation's stock, a nation its own, a supplier none — for them
another nation's stock does not exist. Quantities in units, months `YYYY-MM`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.catalogue.models import WeaponSystem
from alliedforge.domain.catalogue.repository import weapon_system_by_code
from alliedforge.domain.catalogue.service import label_of
from alliedforge.domain.demand.repository import nation_by_code
from alliedforge.domain.errors import InvalidError, NotFoundError
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.procurement import repository
from alliedforge.domain.procurement.evaluation import Units
from alliedforge.domain.procurement.models import Delivery, LedgerEntry, LedgerSource
from alliedforge.domain.procurement.schemas import (
    LedgerEntryRead,
    LedgerFilter,
    StockPointRead,
    StockProjection,
    StockRead,
    TargetOutlookRead,
)
from alliedforge.domain.procurement.writes import add, labelled
from alliedforge.scenario.months import month_at, month_index
from alliedforge.store.base import utcnow
from alliedforge.store.scope import staff_scope

ENTITY = "ledger entry"
# A balance meets a target short of it by float noise only.
TOLERANCE = 1e-9


def month_of(day: date) -> str:
    """The month (`YYYY-MM`) a day falls in."""
    return f"{day.year:04d}-{day.month:02d}"


# The projection: pure


@dataclass(frozen=True, slots=True)
class Target:
    """Units a stockpile must hold by the end of month `due`."""

    due: str
    quantity: float


@dataclass(frozen=True, slots=True)
class StockPoint:
    """The stock at the end of a month: recorded (`actual`) or planned."""

    month: str
    balance: float
    actual: bool


@dataclass(frozen=True, slots=True)
class TargetOutlook:
    """A target against the projection: the stock at its due month, whether that meets
    it, and the first month the stock reaches it (None: never within the projection)."""

    due: str
    target: float
    projected: float
    met: bool
    reached: str | None


@dataclass(frozen=True, slots=True)
class StockOutlook:
    """Month-end stock from the ledger's first month to the last month that matters, and
    each target against it."""

    points: tuple[StockPoint, ...]
    targets: tuple[TargetOutlook, ...]


def project_stock(
    opening: float,
    moves: Iterable[Units],
    current: str,
    planned: Iterable[Units],
    targets: Iterable[Target],
) -> StockOutlook:
    """Stock over time: `opening` plus the recorded `moves` up to the `current` month, then
    the `planned` deliveries of each later month added month by month, through the last
    planned or due month. Recorded moves after the current month have not happened, and
    planned deliveries up to it either did (they are moves) or did not: both are left out."""
    recorded: dict[str, float] = defaultdict(float)
    for move in moves:
        if move.month <= current:
            recorded[move.month] += move.quantity
    future: dict[str, float] = defaultdict(float)
    for delivery in planned:
        if delivery.month > current:
            future[delivery.month] += delivery.quantity
    wanted = sorted(targets, key=lambda target: target.due)
    first = min([current, *recorded])
    last = max([current, *future, *(target.due for target in wanted)])
    points: list[StockPoint] = []
    balance = opening
    for index in range(month_index(first, last) + 1):
        month = month_at(first, index)
        actual = month <= current
        balance += (recorded if actual else future).get(month, 0.0)
        points.append(StockPoint(month, balance, actual))
    return StockOutlook(tuple(points), tuple(_outlook(t, opening, points) for t in wanted))


def _outlook(target: Target, opening: float, points: list[StockPoint]) -> TargetOutlook:
    slack = TOLERANCE * max(target.quantity, 1.0)
    projected = opening
    for point in points:
        if point.month > target.due:
            break
        projected = point.balance
    reached = next((p.month for p in points if p.balance + slack >= target.quantity), None)
    return TargetOutlook(
        target.due, target.quantity, projected, projected + slack >= target.quantity, reached
    )


# Booking movements


def book(
    session: Session,
    caller: Caller,
    delivery: Delivery,
    weapon_system_id: int,
    units: float,
    source: LedgerSource,
    today: date,
) -> None:
    """Book a delivery's movement (`units` in, or out when negative) into the buyer's ledger
    for the weapon system, opening the ledger first if this is its first movement. The
    entry carries the delivery's label; the opening, its stockpile's. Written in the
    agency's database scope: a supplier's delivery moves the buyer's stock, which the
    supplier may not read — the delivery's own checks came first."""
    with staff_scope(session):
        if not repository.ledger_opened(session, delivery.nation_id, weapon_system_id):
            _open(session, caller, delivery.nation_id, weapon_system_id, today)
        entry = LedgerEntry(
            nation_id=delivery.nation_id,
            weapon_system_id=weapon_system_id,
            booked_on=today,
            units=units,
            source=source,
            delivery_id=delivery.id,
            recorded_at=utcnow(),
            created_by=caller.name,
        )
        labelled(entry, Label.parse(delivery.classification, delivery.releasable_to))
        add(session, caller, ENTITY, entry)


def _open(
    session: Session, caller: Caller, nation_id: int, weapon_system_id: int, today: date
) -> None:
    stockpile = repository.first_stockpile(session, nation_id, weapon_system_id)
    opening = LedgerEntry(
        nation_id=nation_id,
        weapon_system_id=weapon_system_id,
        booked_on=today,
        units=0.0 if stockpile is None else stockpile.on_hand,
        source=LedgerSource.OPENING,
        note=None if stockpile is None else f"on hand in the stockpile due {stockpile.due}",
        recorded_at=utcnow(),
        created_by=caller.name,
    )
    if stockpile is not None:
        labelled(opening, Label.parse(stockpile.classification, stockpile.releasable_to))
    add(session, caller, ENTITY, opening)


# Reading


def _nation(session: Session, caller: Caller, code: str | None) -> Nation:
    """The nation whose stock the caller may read: staff any, a nation itself (named or
    not)."""
    code = code if code is not None else caller.nation
    if code is None:
        raise InvalidError("nation", None, "name the nation")
    nation = None if caller.role is Role.SUPPLIER else nation_by_code(session, caller, code)
    if nation is None or (
        caller.role is Role.NATION and not caller.unrestricted and nation.id != caller.nation_id
    ):
        raise NotFoundError("stock of nation", code)
    return nation


def _system(session: Session, caller: Caller, code: str) -> WeaponSystem:
    system = weapon_system_by_code(session, caller, code)
    if system is None:
        raise NotFoundError("weapon system", code)
    return system


def _balances(
    session: Session, caller: Caller, nation: Nation, weapon_system_id: int | None, on: date
) -> dict[int, tuple[float, float, bool]]:
    """Per weapon system: (opening, balance on `on`, whether the ledger has opened), from
    the entries and stockpiles the caller may read."""
    found: dict[int, tuple[float, float, bool]] = {}
    for stockpile, _code in repository.stockpiles_of(session, caller, nation.id, weapon_system_id):
        found.setdefault(stockpile.weapon_system_id, (stockpile.on_hand, stockpile.on_hand, False))
    openings: dict[int, float] = defaultdict(float)
    moved: dict[int, float] = defaultdict(float)
    for entry in repository.ledger_entries(session, caller, nation.id, weapon_system_id):
        if entry.source == LedgerSource.OPENING:
            openings[entry.weapon_system_id] += entry.units
        elif entry.booked_on <= on:
            moved[entry.weapon_system_id] += entry.units
    for system_id in openings:
        found[system_id] = (openings[system_id], openings[system_id] + moved[system_id], True)
    return found


def stock(
    session: Session, caller: Caller, nation: str | None, weapon_system: str, on: date
) -> StockRead:
    """A nation's stock of a weapon system at the end of day `on`; `NotFoundError` for a
    nation whose stock the caller may not read."""
    found = _nation(session, caller, nation)
    system = _system(session, caller, weapon_system)
    opening, balance, opened = _balances(session, caller, found, system.id, on).get(
        system.id, (0.0, 0.0, False)
    )
    return StockRead(
        nation=found.code,
        weapon_system=system.code,
        on=on,
        opening=opening,
        balance=balance,
        opened=opened,
    )


def list_stock(session: Session, caller: Caller, nation: str | None, on: date) -> list[StockRead]:
    """A nation's stock of every weapon system it keeps a stockpile or a ledger for, at the
    end of day `on`, by weapon system code."""
    found = _nation(session, caller, nation)
    balances = _balances(session, caller, found, None, on)
    codes = repository.weapon_system_codes(session, set(balances))
    return sorted(
        (
            StockRead(
                nation=found.code,
                weapon_system=codes[system_id],
                on=on,
                opening=opening,
                balance=balance,
                opened=opened,
            )
            for system_id, (opening, balance, opened) in balances.items()
        ),
        key=lambda read: read.weapon_system,
    )


def list_ledger(
    session: Session, caller: Caller, filters: LedgerFilter, page: PageRequest
) -> Page[LedgerEntryRead]:
    """One page of the ledger entries the caller may see, in id order, each with the
    running balance of its nation and weapon system after it."""
    rows = repository.ledger_rows(session, caller, filters, page)
    items = [
        LedgerEntryRead(
            id=entry.id,
            nation=nation,
            weapon_system=system,
            booked_on=entry.booked_on,
            units=entry.units,
            balance=float(balance),
            source=LedgerSource(entry.source),
            delivery_id=entry.delivery_id,
            note=entry.note,
            created_by=entry.created_by,
            recorded_at=entry.recorded_at,
            label=label_of(entry),
        )
        for entry, nation, system, balance in rows[: page.limit]
    ]
    return Page(items, items[-1].id if len(rows) > page.limit else None)


def stock_projection(
    session: Session, caller: Caller, nation: str | None, weapon_system: str, today: date
) -> StockProjection:
    """A nation's stock of a weapon system from its ledger up to this month, then with the
    latest finished plan the caller may read delivering to that nation's requirements and
    stockpile targets for the weapon system, against its stockpile targets."""
    found = _nation(session, caller, nation)
    system = _system(session, caller, weapon_system)
    stockpiles = repository.stockpiles_of(session, caller, found.id, system.id)
    entries = repository.ledger_entries(session, caller, found.id, system.id)
    openings = [entry.units for entry in entries if entry.source == LedgerSource.OPENING]
    on_hand = stockpiles[0][0].on_hand if stockpiles else 0.0
    opening = sum(openings) if openings else on_hand
    moves = [
        Units(month_of(entry.booked_on), entry.units)
        for entry in entries
        if entry.source != LedgerSource.OPENING
    ]
    run_id = _latest_run(session, caller)
    planned = [] if run_id is None else _planned(session, found, system, run_id)
    targets = [Target(stockpile.due, stockpile.target) for stockpile, _code in stockpiles]
    current = month_of(today)
    outlook = project_stock(opening, moves, current, planned, targets)
    return StockProjection(
        nation=found.code,
        weapon_system=system.code,
        current_month=current,
        plan_run_id=run_id,
        points=[
            StockPointRead(month=p.month, balance=p.balance, actual=p.actual)
            for p in outlook.points
        ],
        targets=[
            TargetOutlookRead(
                due=t.due, target=t.target, projected=t.projected, met=t.met, reached=t.reached
            )
            for t in outlook.targets
        ],
    )


def _latest_run(session: Session, caller: Caller) -> int | None:
    for run in repository.latest_runs(session):
        if caller.reads(Label.parse(run.classification, run.releasable_to)):
            return run.id
    return None


def _planned(session: Session, nation: Nation, system: WeaponSystem, run_id: int) -> list[Units]:
    """The run's deliveries to the nation's requirements and stockpile targets (scenario
    code `stockpile:NATION:SYSTEM:DUE`) for the weapon system."""
    systems = repository.requirement_systems(session, nation.id)
    planned: list[Units] = []
    for code, month, units in repository.planned_to(session, run_id, nation.code):
        parts = code.split(":")
        if parts[0] == "stockpile" and len(parts) == 4:
            serves = parts[2] == system.code
        else:
            serves = systems.get(code) == system.id
        if serves:
            planned.append(Units(month, units))
    return planned
