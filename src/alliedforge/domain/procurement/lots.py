"""Lots: a finished plan's planned deliveries pooled for joint procurement, by the agency.

A lot holds one item family — per planned supplier, or across suppliers — and needs at
least `min_participants` nations; each of its lines is a nation's units of an item in a
month, traced to the requirement (or stockpile target) it serves at the plan's price. A
nation's cost share is its planned value over the lot's. Lots are `draft` until tendered;
a draft lot may be cancelled, and a plan run is pooled once (cancel its lots to pool it
again, say with another grouping).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.access.labels import Label
from alliedforge.domain.catalogue.service import AGENCY, found, label_for, label_of, require_role
from alliedforge.domain.errors import ConflictError, InvalidError, NotFoundError
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.plans import service as plans
from alliedforge.domain.plans.models import PlanRun, RunStatus
from alliedforge.domain.procurement import repository
from alliedforge.domain.procurement.models import Grouping, Lot, LotLine, LotStatus
from alliedforge.domain.procurement.pooling import LeftOut, Pool, cost_shares, pool_deliveries
from alliedforge.domain.procurement.schemas import (
    LeftOutRead,
    LotDetail,
    LotFilter,
    LotLineRead,
    LotRead,
    LotsFromPlan,
    LotsMade,
    NationShare,
)
from alliedforge.domain.procurement.writes import add, apply, labelled, require_status
from alliedforge.scenario.nsn import canonical_item_code
from alliedforge.store.base import utcnow

ENTITY = "lot"


def lots_from_plan(session: Session, caller: Caller, data: LotsFromPlan) -> LotsMade:
    """Pool the planned deliveries of a finished run into draft lots; the groups of too
    few nations are left out, with the reason."""
    require_role(caller, AGENCY, "lots")
    run = _run(session, caller, data.run_id)
    taken = repository.lots_of_run(session, run.id)
    if taken:
        raise InvalidError(
            "run_id", run.id, f"it is pooled already in {', '.join(taken)}; cancel those first"
        )
    label = label_for(caller, data.label)
    scenario = plans.load_scenario(session, run.id)
    family_of = {canonical_item_code(item.code): item.family for item in scenario.items}
    pools, left_out = pool_deliveries(
        repository.planned_deliveries(session, run.id),
        family_of,
        data.grouping,
        data.min_participants,
    )
    made = _make_lots(session, caller, run, data.grouping, pools, label)
    return LotsMade(
        lots=[get_lot(session, caller, lot_id) for lot_id in made],
        left_out=[_left_out(group) for group in left_out],
    )


def _run(session: Session, caller: Caller, run_id: int) -> PlanRun:
    """The finished run a caller may read, or `InvalidError` on `run_id`."""
    try:
        run = plans.get_run(session, run_id)
    except NotFoundError:
        raise InvalidError("run_id", run_id, "no such plan run") from None
    if not caller.reads(Label.parse(run.classification, run.releasable_to)):
        raise InvalidError("run_id", run_id, "no such plan run")
    if run.status != RunStatus.DONE:
        raise InvalidError("run_id", run_id, f"the run is {run.status}; lots come from a plan")
    return run


def _make_lots(
    session: Session,
    caller: Caller,
    run: PlanRun,
    grouping: Grouping,
    pools: list[Pool],
    label: Label,
) -> list[int]:
    nations = repository.nation_ids(session)
    items = repository.item_ids(session)
    suppliers = repository.supplier_ids(session)
    requirements = repository.requirement_ids(session)
    stockpiles = repository.stockpile_ids(session)
    number = repository.next_lot_number(session)
    made: list[int] = []
    for offset, pool in enumerate(pools):
        lot = Lot(
            code=f"LOT-{number + offset:04d}",
            name=f"{pool.family} from {pool.supplier}" if pool.supplier else pool.family,
            family=pool.family,
            grouping=grouping,
            supplier_id=suppliers.get(pool.supplier) if pool.supplier else None,
            plan_run_id=run.id,
            status=LotStatus.DRAFT,
            created_by=caller.name,
            created_at=utcnow(),
        )
        labelled(lot, label)
        lines = []
        for line in pool.lines:
            served = _served(run.id, line.nation, line.requirement, requirements, stockpiles)
            row = LotLine(
                nation_id=_known(run.id, "nation", line.nation, nations.get(line.nation)),
                item_id=_known(run.id, "item", line.item, items.get(line.item)),
                month=line.month,
                quantity=line.quantity,
                unit_price=line.unit_price,
                **served,
            )
            labelled(row, label)
            lines.append(row)
        shares = cost_shares((line.nation, line.quantity, line.value) for line in pool.lines)
        add(
            session,
            caller,
            ENTITY,
            lot,
            lines=len(lines),
            shares={k: v[2] for k, v in shares.items()},
        )
        for row in lines:
            row.lot_id = lot.id
        session.add_all(lines)
        session.flush()
        made.append(lot.id)
    return made


def _known(run_id: int, what: str, code: str, row_id: int | None) -> int:
    if row_id is None:
        raise InvalidError(
            "run_id", run_id, f"the record has no {what} {code} any more; plan again"
        )
    return row_id


def _served(
    run_id: int,
    nation: str,
    requirement: str,
    requirements: dict[tuple[str, str], int],
    stockpiles: dict[str, int],
) -> dict[str, int | None]:
    if requirement in stockpiles:
        return {"requirement_id": None, "stockpile_id": stockpiles[requirement]}
    requirement_id = _known(
        run_id, "requirement", f"{requirement} of {nation}", requirements.get((nation, requirement))
    )
    return {"requirement_id": requirement_id, "stockpile_id": None}


def _left_out(group: LeftOut) -> LeftOutRead:
    return LeftOutRead(
        supplier=group.supplier,
        family=group.family,
        nations=list(group.nations),
        reason=group.reason,
    )


def list_lots(
    session: Session, caller: Caller, filters: LotFilter, page: PageRequest
) -> Page[LotRead]:
    """One page of the lots the caller may see, in id order."""
    rows = repository.lot_rows(session, caller, filters, page)
    shown = rows[: page.limit]
    totals = repository.lot_totals(session, [lot.id for lot, _ in shown])
    items = [_read(caller, lot, supplier, totals.get(lot.id, [])) for lot, supplier in shown]
    return Page(items, items[-1].id if len(rows) > page.limit else None)


def get_lot(session: Session, caller: Caller, lot_id: int) -> LotDetail:
    """A lot with the lines the caller may see, or `NotFoundError`."""
    lot, supplier = found(repository.find_lot(session, caller, lot_id), ENTITY, lot_id)
    totals = repository.lot_totals(session, [lot.id]).get(lot.id, [])
    summary = _read(caller, lot, supplier, totals)
    lines = [_line(caller, *row) for row in repository.lot_lines(session, caller, [lot.id])]
    return LotDetail(**summary.model_dump(), lines=lines)


def cancel_lot(session: Session, caller: Caller, lot_id: int, expected_version: int) -> LotDetail:
    """Draft → cancelled, by the agency."""
    lot = writable_lot(session, caller, lot_id, expected_version)
    require_status(ENTITY, lot.status, "cancelled", LotStatus.DRAFT)
    apply(session, caller, ENTITY, lot, "cancel", {"status": LotStatus.CANCELLED}, expected_version)
    return get_lot(session, caller, lot_id)


def writable_lot(
    session: Session, caller: Caller, lot_id: int, expected_version: int | None, field: str = ""
) -> Lot:
    """The lot, locked, if the caller sees it (else `NotFoundError`, or `InvalidError` on
    `field` when a body names it), is the agency, and read the current version."""
    row = repository.find_lot(session, caller, lot_id, lock=True)
    if row is None and field:
        raise InvalidError(field, lot_id, "no such lot")
    lot: Lot = found(row, ENTITY, lot_id)[0]
    require_role(caller, AGENCY, "lots")
    if expected_version is not None and lot.version != expected_version:
        raise ConflictError(ENTITY, lot_id, expected_version, lot.version)
    return lot


def _read(
    caller: Caller, lot: Lot, supplier: str | None, totals: list[tuple[str, float, float]]
) -> LotRead:
    shares = cost_shares(totals)
    shown = {
        nation: share
        for nation, share in shares.items()
        if caller.unrestricted
        or caller.is_staff
        or (caller.role is Role.NATION and nation == caller.nation)
    }
    return LotRead(
        id=lot.id,
        code=lot.code,
        name=lot.name,
        family=lot.family,
        grouping=Grouping(lot.grouping),
        supplier=supplier,
        plan_run_id=lot.plan_run_id,
        status=LotStatus(lot.status),
        participants=sorted(shares),
        quantity=sum(units for _, units, _ in totals),
        value=sum(value for _, _, value in totals),
        shares=[
            NationShare(nation=n, quantity=q, value=v, share=s) for n, (q, v, s) in shown.items()
        ],
        created_by=lot.created_by,
        created_at=lot.created_at,
        version=lot.version,
        label=label_of(lot),
    )


def _line(
    caller: Caller,
    line: LotLine,
    nation: str,
    nsn: str | None,
    other: str | None,
    requirement: str | None,
) -> LotLineRead:
    # A requirement is its nation's own: suppliers see what to deliver, not what for.
    traced = caller.unrestricted or caller.role is not Role.SUPPLIER
    return LotLineRead(
        id=line.id,
        nation=nation,
        requirement=requirement if traced else None,
        stockpile=line.stockpile_id if traced else None,
        item=repository.item_code(nsn, other),
        month=line.month,
        quantity=line.quantity,
        unit_price=line.unit_price,
        value=line.quantity * line.unit_price,
    )
