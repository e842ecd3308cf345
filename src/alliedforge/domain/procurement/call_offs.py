"""Call-offs: orders under a signed framework, each checked against it and against what
the planner can honour; placing one creates its commitment in the same transaction.

The rules, in the order they are checked (each refusal an `InvalidError` naming the field
and value, and none changes anything): the framework is signed; the call-off's date is
within its validity; the buyer is a party (a nation user calls off for its own nation
only); the item is in the framework; the line is an active line of the framework's
supplier making the item; the requirement or stockpile target is the buyer's and its
weapon system has the item qualified by the month; the framework's ceiling in units and in
value is not exceeded; and the commitment fits — the line's capacity that month, what the
requirement still needs, the buyer's budget for the year — so that the next plan can
honour it. The unit price is the framework tier reached by the units of the item called
off so far, this call-off included. The framework row is locked before the sums are
read, so two call-offs at once never exceed the ceiling together.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue.models import Item
from alliedforge.domain.catalogue.service import (
    AGENCY,
    deleted,
    found,
    item_for,
    label_for,
    label_of,
)
from alliedforge.domain.demand import repository as demand
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError
from alliedforge.domain.industry.models import Line
from alliedforge.domain.nations.models import Nation
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.procurement import repository
from alliedforge.domain.procurement.evaluation import Tier, unit_price
from alliedforge.domain.procurement.models import (
    OCID_PREFIX,
    CallOff,
    CallOffStatus,
    Framework,
    FrameworkStatus,
)
from alliedforge.domain.procurement.schemas import CallOffCreate, CallOffFilter, CallOffRead
from alliedforge.domain.procurement.writes import add, apply, labelled, require_status
from alliedforge.domain.requirements.models import Commitment, Requirement, Stockpile
from alliedforge.scenario.model import LineState
from alliedforge.scenario.months import parse_month
from alliedforge.store.base import utcnow

ENTITY = "call-off"
WRITERS = AGENCY | {Role.NATION}
# Sums may pass a limit by float noise only.
TOLERANCE = 1e-9


def place_call_off(
    session: Session, caller: Caller, data: CallOffCreate, today: date
) -> CallOffRead:
    """Place a call-off dated `today` and the commitment it makes."""
    if not (caller.unrestricted or caller.role in WRITERS):
        raise ForbiddenError(f"a {caller.role} user cannot place call-offs")
    buyer = data.nation if data.nation is not None else caller.nation
    if caller.role is Role.NATION and buyer != caller.nation:
        raise ForbiddenError(f"a {caller.nation} user calls off for {caller.nation} only")
    if buyer is None:
        raise InvalidError("nation", None, "name the buyer nation")
    row = repository.find_framework(session, caller, data.framework_id, lock=True)
    if row is None:
        raise InvalidError("framework_id", data.framework_id, "no such framework")
    framework, supplier = row
    _check_framework(framework, today)
    nation = _party(session, caller, framework, buyer)
    item = item_for(session, caller, data.item)
    tiers = _tiers(session, framework, item, data.item)
    line = _line(session, framework, supplier, item, data.line)
    served = _served(session, caller, nation, item, data)
    price = unit_price(
        tiers, repository.called_off_item(session, framework.id, item.id) + data.quantity
    )
    value = data.quantity * price
    _check_ceiling(session, framework, data.quantity, value)
    _check_plannable(session, nation, line, served, data, value)
    code = f"{framework.code}-C{repository.call_offs_of(session, framework.id) + 1:03d}"
    label = label_for(caller, data.label)
    requirement_id = served.id if isinstance(served, Requirement) else None
    stockpile_id = served.id if isinstance(served, Stockpile) else None
    commitment = Commitment(
        code=code,
        line_id=line.id,
        requirement_id=requirement_id,
        stockpile_id=stockpile_id,
        month=data.month,
        quantity=data.quantity,
        unit_price=price,
    )
    labelled(commitment, label)
    add(session, caller, "commitment", commitment)
    call_off = CallOff(
        code=code,
        ocid=f"{OCID_PREFIX}-{code}",
        framework_id=framework.id,
        nation_id=nation.id,
        item_id=item.id,
        line_id=line.id,
        requirement_id=requirement_id,
        stockpile_id=stockpile_id,
        month=data.month,
        quantity=data.quantity,
        unit_price=price,
        value=value,
        placed_on=today,
        status=CallOffStatus.PLACED,
        commitment_id=commitment.id,
        placed_at=utcnow(),
        created_by=caller.name,
    )
    labelled(call_off, label)
    add(session, caller, ENTITY, call_off)
    return get_call_off(session, caller, call_off.id)


def _check_framework(framework: Framework, today: date) -> None:
    if framework.status != FrameworkStatus.SIGNED:
        raise InvalidError(
            "framework_id",
            framework.id,
            f"framework {framework.code} is {framework.status}; only a signed one takes call-offs",
        )
    if today < framework.valid_from:
        raise InvalidError(
            "placed_on",
            today.isoformat(),
            f"framework {framework.code} is not valid yet: from {framework.valid_from.isoformat()}",
        )
    if today > framework.valid_to:
        raise InvalidError(
            "placed_on",
            today.isoformat(),
            f"framework {framework.code} expired on {framework.valid_to.isoformat()}",
        )


def _party(session: Session, caller: Caller, framework: Framework, buyer: str) -> Nation:
    nation = demand.nation_by_code(session, caller, buyer)
    if nation is None:
        raise InvalidError("nation", buyer, "no such nation")
    parties = repository.parties(session, [framework.id]).get(framework.id, [])
    if buyer not in parties:
        raise InvalidError(
            "nation",
            buyer,
            f"not a party to framework {framework.code} (parties: {', '.join(parties)})",
        )
    return nation


def _tiers(session: Session, framework: Framework, item: Item, code: str) -> list[Tier]:
    covered = repository.framework_items(session, [framework.id]).get(framework.id, [])
    for row, _code in covered:
        if row.item_id == item.id:
            return [Tier(tier["min_quantity"], tier["unit_price"]) for tier in row.tiers]
    listed = ", ".join(code for _row, code in covered)
    raise InvalidError("item", code, f"not in framework {framework.code} (items: {listed})")


def _line(
    session: Session, framework: Framework, supplier: str, item: Item, code: str | None
) -> Line:
    if code is None:
        first = repository.line_for(session, framework.supplier_id, item.id)
        if first is None:
            raise InvalidError("line", None, f"{supplier} has no active line making {item.code}")
        return first
    found_line = repository.line_by_code(session, code)
    if found_line is None:
        raise InvalidError("line", code, "no such line")
    line: Line = found_line[0]
    owner: str = found_line[1]
    if line.supplier_id != framework.supplier_id:
        raise InvalidError(
            "line", code, f"the line is {owner}'s; framework {framework.code} is with {supplier}"
        )
    if line.item_id != item.id:
        raise InvalidError("line", code, f"the line does not make item {item.code}")
    if line.state != LineState.ACTIVE:
        raise InvalidError("line", code, f"the line is {line.state}; call-offs need an active one")
    return line


def _served(
    session: Session, caller: Caller, nation: Nation, item: Item, data: CallOffCreate
) -> Requirement | Stockpile:
    """The buyer's requirement or stockpile target the call-off serves, whose weapon system
    has the item qualified by the delivery month."""
    if (data.requirement is None) == (data.stockpile is None):
        raise InvalidError("requirement", data.requirement, "name a requirement or a stockpile")
    served: Requirement | Stockpile | None
    if data.requirement is not None:
        field, key = "requirement", str(data.requirement)
        served = demand.requirement_by_code(session, caller, nation.id, data.requirement)
    else:
        field, key = "stockpile", str(data.stockpile)
        assert data.stockpile is not None
        served = demand.stockpile_of(session, caller, nation.id, data.stockpile)
    if served is None:
        raise InvalidError(field, key, f"{nation.code} has no such {field}")
    qualified, start = repository.qualification_start(session, item.id, served.weapon_system_id)
    if not qualified:
        raise InvalidError(
            "item", item.code, f"not qualified on the weapon system of {field} {key}"
        )
    if start is not None and data.month < start:
        raise InvalidError(
            "month", data.month, f"item {item.code} is qualified for {field} {key} from {start}"
        )
    return served


def _check_ceiling(session: Session, framework: Framework, quantity: float, value: float) -> None:
    used_quantity, used_value = repository.called_off(session, [framework.id]).get(
        framework.id, (0.0, 0.0)
    )
    left = framework.ceiling_quantity - used_quantity
    if quantity > left + TOLERANCE * framework.ceiling_quantity:
        raise InvalidError(
            "quantity",
            quantity,
            f"exceeds the ceiling of framework {framework.code}: "
            f"{left:g} of {framework.ceiling_quantity:g} units remain",
        )
    left_value = framework.ceiling_value - used_value
    if value > left_value + TOLERANCE * framework.ceiling_value:
        raise InvalidError(
            "quantity",
            quantity,
            f"its value {value:g} {framework.currency} exceeds the ceiling of framework "
            f"{framework.code}: {left_value:g} of {framework.ceiling_value:g} remain",
        )


def _check_plannable(
    session: Session,
    nation: Nation,
    line: Line,
    served: Requirement | Stockpile,
    data: CallOffCreate,
    value: float,
) -> None:
    """The commitment must leave the record plannable (scenario validation's rules)."""
    free = line.capacity_per_month - repository.committed_on_line(session, line.id, data.month)
    if data.quantity > free + TOLERANCE * line.capacity_per_month:
        raise InvalidError(
            "quantity",
            data.quantity,
            f"line {line.code} has {max(free, 0):g} of its {line.capacity_per_month:g} units "
            f"a month free in {data.month}",
        )
    if isinstance(served, Requirement):
        needed, what = served.quantity, f"requirement {served.code}"
        committed = repository.committed_to(session, served.id, None)
    else:
        needed, what = served.target - served.on_hand, f"stockpile {served.id}"
        committed = repository.committed_to(session, None, served.id)
    if data.quantity > needed - committed + TOLERANCE * max(needed, 1.0):
        raise InvalidError(
            "quantity",
            data.quantity,
            f"{what} needs {max(needed - committed, 0):g} more units under contract",
        )
    year = parse_month(data.month)[0]
    budget = repository.budget_left(session, nation.id, year)
    if budget is not None and value > budget + TOLERANCE * max(budget, 1.0):
        raise InvalidError(
            "quantity",
            data.quantity,
            f"its value {value:g} exceeds what {nation.code}'s {year} budget has left, "
            f"{max(budget, 0):g}",
        )


def cancel_call_off(
    session: Session, caller: Caller, call_off_id: int, expected_version: int
) -> CallOffRead:
    """Placed → cancelled, by the agency or the buyer nation; its commitment is removed. A
    call-off with accepted deliveries stays: they are in the buyer's stock."""
    row = found(repository.find_call_off(session, caller, call_off_id), ENTITY, call_off_id)
    call_off: CallOff = row[0]
    if not (caller.unrestricted or caller.role in WRITERS):
        raise ForbiddenError(f"a {caller.role} user cannot cancel call-offs")
    # Locked as a delivery locks it, so none is recorded between the check and the cancel.
    repository.lock_call_off(session, call_off_id)
    if call_off.version != expected_version:
        raise ConflictError(ENTITY, call_off_id, expected_version, call_off.version)
    require_status(ENTITY, call_off.status, "cancelled", CallOffStatus.PLACED)
    delivered = repository.accepted_under(session, call_off_id)
    if delivered > 0:
        raise InvalidError(
            "status",
            call_off.code,
            f"{delivered:g} units are delivered; void its deliveries first",
        )
    commitment = session.get(Commitment, call_off.commitment_id) if call_off.commitment_id else None
    changes = {"status": CallOffStatus.CANCELLED, "cancelled_at": utcnow(), "commitment_id": None}
    apply(session, caller, ENTITY, call_off, "cancel", changes, expected_version)
    if commitment is not None:
        deleted(session, caller, "commitment", commitment, commitment.version)
    return get_call_off(session, caller, call_off_id)


def list_call_offs(
    session: Session, caller: Caller, filters: CallOffFilter, page: PageRequest
) -> Page[CallOffRead]:
    """One page of the call-offs the caller may see, in id order."""
    rows = repository.call_off_rows(session, caller, filters, page)
    items = [_read(*row) for row in rows[: page.limit]]
    return Page(items, items[-1].id if len(rows) > page.limit else None)


def get_call_off(session: Session, caller: Caller, call_off_id: int) -> CallOffRead:
    """A call-off the caller may see, or `NotFoundError`."""
    return _read(
        *found(repository.find_call_off(session, caller, call_off_id), ENTITY, call_off_id)
    )


def _read(
    call_off: CallOff,
    framework: str,
    framework_ocid: str,
    nation: str,
    supplier: str,
    nsn: str | None,
    other: str | None,
    line: str,
    requirement: str | None,
) -> CallOffRead:
    return CallOffRead(
        id=call_off.id,
        code=call_off.code,
        ocid=call_off.ocid,
        framework_id=call_off.framework_id,
        framework=framework,
        framework_ocid=framework_ocid,
        nation=nation,
        supplier=supplier,
        item=repository.item_code(nsn, other),
        line=line,
        requirement=requirement,
        stockpile=call_off.stockpile_id,
        month=call_off.month,
        quantity=call_off.quantity,
        unit_price=call_off.unit_price,
        value=call_off.value,
        placed_on=call_off.placed_on,
        status=CallOffStatus(call_off.status),
        commitment_id=call_off.commitment_id,
        placed_at=call_off.placed_at,
        cancelled_at=call_off.cancelled_at,
        created_by=call_off.created_by,
        version=call_off.version,
        label=label_of(call_off),
    )
