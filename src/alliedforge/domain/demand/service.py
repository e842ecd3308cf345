"""Budgets, stockpiles, fleets and commitments, and alliance-wide demand aggregates.

Reading: staff see all, a nation its own, a supplier only the commitments on its own
lines; labels apply on top. Writing: budgets, stockpiles and fleets belong to a nation —
its own users and the agency change them; commitments are the agency's alone. Every
write states the version it is based on and is audited.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue.models import WeaponSystem
from alliedforge.domain.catalogue.repository import taken
from alliedforge.domain.catalogue.service import (
    AGENCY,
    changed,
    created,
    deleted,
    found,
    given,
    label_of,
    page_from,
    require_role,
    weapon_system_for,
    writable,
)
from alliedforge.domain.demand import repository
from alliedforge.domain.demand.schemas import (
    AggregateCell,
    AggregateFilter,
    BudgetCreate,
    BudgetFilter,
    BudgetRead,
    BudgetUpdate,
    CommitmentCreate,
    CommitmentFilter,
    CommitmentRead,
    CommitmentUpdate,
    DemandAggregates,
    FleetCreate,
    FleetFilter,
    FleetRead,
    FleetUpdate,
    StockpileCreate,
    StockpileFilter,
    StockpileRead,
    StockpileUpdate,
)
from alliedforge.domain.errors import ForbiddenError, InvalidError
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.domain.requirements.models import Budget, Commitment, Fleet, Stockpile
from alliedforge.scenario.model import LineState
from alliedforge.store.scope import staff_scope

NATION_WRITERS = AGENCY | {Role.NATION}
# Aggregate cells fewer nations stand behind are withheld from non-staff callers, so that
# no nation's figure can be read off (or, with its own, subtracted out of) a cell.
MIN_NATIONS = 3


def list_budgets(
    session: Session, caller: Caller, filters: BudgetFilter, page: PageRequest
) -> Page[BudgetRead]:
    """One page of the budgets the caller may see, in id order."""
    rows = repository.budget_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _budget(*row), lambda read: read.id)


def get_budget(session: Session, caller: Caller, row_id: int) -> BudgetRead:
    return _budget(*found(repository.find_budget(session, caller, row_id), "budget", row_id))


def list_stockpiles(
    session: Session, caller: Caller, filters: StockpileFilter, page: PageRequest
) -> Page[StockpileRead]:
    """One page of the stockpiles the caller may see, in id order."""
    rows = repository.stockpile_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _stockpile(*row), lambda read: read.id)


def get_stockpile(session: Session, caller: Caller, row_id: int) -> StockpileRead:
    row = repository.find_stockpile(session, caller, row_id)
    return _stockpile(*found(row, "stockpile", row_id))


def list_fleets(
    session: Session, caller: Caller, filters: FleetFilter, page: PageRequest
) -> Page[FleetRead]:
    """One page of the fleets the caller may see, in id order."""
    rows = repository.fleet_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _fleet(*row), lambda read: read.id)


def get_fleet(session: Session, caller: Caller, row_id: int) -> FleetRead:
    return _fleet(*found(repository.find_fleet(session, caller, row_id), "fleet", row_id))


def list_commitments(
    session: Session, caller: Caller, filters: CommitmentFilter, page: PageRequest
) -> Page[CommitmentRead]:
    """One page of the commitments the caller may see, in id order."""
    rows = repository.commitment_rows(session, caller, filters, page)
    return page_from(rows, page, lambda row: _commitment(*row), lambda read: read.id)


def get_commitment(session: Session, caller: Caller, row_id: int) -> CommitmentRead:
    row = repository.find_commitment(session, caller, row_id)
    return _commitment(*found(row, "commitment", row_id))


def _budget(row: Budget, nation: str) -> BudgetRead:
    return BudgetRead(
        id=row.id,
        nation=nation,
        year=row.year,
        amount=row.amount,
        version=row.version,
        label=label_of(row),
    )


def _stockpile(row: Stockpile, nation: str, weapon_system: str) -> StockpileRead:
    return StockpileRead(
        id=row.id,
        nation=nation,
        weapon_system=weapon_system,
        on_hand=row.on_hand,
        target=row.target,
        due=row.due,
        version=row.version,
        label=label_of(row),
    )


def _fleet(row: Fleet, nation: str, weapon_system: str) -> FleetRead:
    return FleetRead(
        id=row.id,
        nation=nation,
        weapon_system=weapon_system,
        quantity=row.quantity,
        version=row.version,
        label=label_of(row),
    )


def _commitment(
    row: Commitment, line: str, supplier: str, nation: str, requirement: str | None
) -> CommitmentRead:
    return CommitmentRead(
        id=row.id,
        code=row.code,
        line=line,
        supplier=supplier,
        nation=nation,
        requirement=requirement,
        stockpile=row.stockpile_id,
        month=row.month,
        quantity=row.quantity,
        unit_price=row.unit_price,
        version=row.version,
        label=label_of(row),
    )


def create_budget(session: Session, caller: Caller, data: BudgetCreate) -> BudgetRead:
    """A nation's budget for a year it has none for yet."""
    require_role(caller, NATION_WRITERS, "budgets")
    nation_id, nation = _owner(session, caller, data.nation, "budgets")
    _unique_budget(session, nation_id, nation, data.year)
    row = Budget(nation_id=nation_id, year=data.year, amount=data.amount)
    created(session, caller, "budget", row, data.label)
    return get_budget(session, caller, row.id)


def update_budget(
    session: Session, caller: Caller, row_id: int, data: BudgetUpdate, expected_version: int
) -> BudgetRead:
    """Change the year, amount or label of a budget the caller's nation owns."""
    row, nation = found(repository.find_budget(session, caller, row_id), "budget", row_id)
    require_role(caller, NATION_WRITERS, "budgets")
    writable(row, "budget", expected_version)
    if data.year is not None and data.year != row.year:
        _unique_budget(session, row.nation_id, nation, data.year)
    changes = given(row, data, "year", "amount")
    changed(session, caller, "budget", row, changes, data.label, expected_version)
    return get_budget(session, caller, row_id)


def delete_budget(session: Session, caller: Caller, row_id: int, expected_version: int) -> None:
    """Remove a budget the caller's nation owns."""
    row, _nation = found(repository.find_budget(session, caller, row_id), "budget", row_id)
    require_role(caller, NATION_WRITERS, "budgets")
    deleted(session, caller, "budget", writable(row, "budget", expected_version), expected_version)


def create_stockpile(session: Session, caller: Caller, data: StockpileCreate) -> StockpileRead:
    """A nation's stockpile target for a weapon system and due month."""
    require_role(caller, NATION_WRITERS, "stockpiles")
    nation_id, nation = _owner(session, caller, data.nation, "stockpiles")
    weapon_system = weapon_system_for(session, caller, data.weapon_system)
    _unique_stockpile(session, nation_id, nation, weapon_system, data.due)
    row = Stockpile(
        nation_id=nation_id,
        weapon_system_id=weapon_system.id,
        on_hand=data.on_hand,
        target=data.target,
        due=data.due,
    )
    created(session, caller, "stockpile", row, data.label)
    return get_stockpile(session, caller, row.id)


def update_stockpile(
    session: Session, caller: Caller, row_id: int, data: StockpileUpdate, expected_version: int
) -> StockpileRead:
    """Change fields of a stockpile the caller's nation owns."""
    row, nation, _code = found(
        repository.find_stockpile(session, caller, row_id), "stockpile", row_id
    )
    require_role(caller, NATION_WRITERS, "stockpiles")
    writable(row, "stockpile", expected_version)
    changes = given(row, data, "on_hand", "target", "due")
    if data.weapon_system is not None:
        weapon_system = weapon_system_for(session, caller, data.weapon_system)
        changes["weapon_system_id"] = weapon_system.id
    new_key = (changes.get("weapon_system_id", row.weapon_system_id), changes.get("due", row.due))
    if new_key != (row.weapon_system_id, row.due):
        weapon_system_row = session.get(WeaponSystem, new_key[0])
        assert weapon_system_row is not None
        _unique_stockpile(session, row.nation_id, nation, weapon_system_row, new_key[1])
    changed(session, caller, "stockpile", row, changes, data.label, expected_version)
    return get_stockpile(session, caller, row_id)


def delete_stockpile(session: Session, caller: Caller, row_id: int, expected_version: int) -> None:
    """Remove a stockpile the caller's nation owns (commitments serving it block this)."""
    row, _nation, _code = found(
        repository.find_stockpile(session, caller, row_id), "stockpile", row_id
    )
    require_role(caller, NATION_WRITERS, "stockpiles")
    writable(row, "stockpile", expected_version)
    deleted(session, caller, "stockpile", row, expected_version)


def create_fleet(session: Session, caller: Caller, data: FleetCreate) -> FleetRead:
    """How many of a weapon system a nation operates (one row per pair)."""
    require_role(caller, NATION_WRITERS, "fleets")
    nation_id, nation = _owner(session, caller, data.nation, "fleets")
    weapon_system = weapon_system_for(session, caller, data.weapon_system)
    _unique_fleet(session, nation_id, nation, weapon_system)
    row = Fleet(nation_id=nation_id, weapon_system_id=weapon_system.id, quantity=data.quantity)
    created(session, caller, "fleet", row, data.label)
    return get_fleet(session, caller, row.id)


def update_fleet(
    session: Session, caller: Caller, row_id: int, data: FleetUpdate, expected_version: int
) -> FleetRead:
    """Change fields of a fleet the caller's nation owns."""
    row, nation, code = found(repository.find_fleet(session, caller, row_id), "fleet", row_id)
    require_role(caller, NATION_WRITERS, "fleets")
    writable(row, "fleet", expected_version)
    changes = given(row, data, "quantity")
    if data.weapon_system is not None and data.weapon_system != code:
        weapon_system = weapon_system_for(session, caller, data.weapon_system)
        _unique_fleet(session, row.nation_id, nation, weapon_system)
        changes["weapon_system_id"] = weapon_system.id
    changed(session, caller, "fleet", row, changes, data.label, expected_version)
    return get_fleet(session, caller, row_id)


def delete_fleet(session: Session, caller: Caller, row_id: int, expected_version: int) -> None:
    """Remove a fleet the caller's nation owns."""
    row, _nation, _code = found(repository.find_fleet(session, caller, row_id), "fleet", row_id)
    require_role(caller, NATION_WRITERS, "fleets")
    deleted(session, caller, "fleet", writable(row, "fleet", expected_version), expected_version)


def create_commitment(session: Session, caller: Caller, data: CommitmentCreate) -> CommitmentRead:
    """Deliveries under contract from an active line, by the agency."""
    require_role(caller, AGENCY, "commitments")
    if taken(session, Commitment.code == data.code):
        raise InvalidError("code", data.code, "a commitment with this code exists")
    line = repository.line_by_code(session, caller, data.line)
    if line is None:
        raise InvalidError("line", data.line, "no such line")
    if line.state != LineState.ACTIVE:
        raise InvalidError("line", data.line, "commitments are on active lines only")
    nation = repository.nation_by_code(session, caller, data.nation)
    if nation is None:
        raise InvalidError("nation", data.nation, "no such nation")
    row = Commitment(
        code=data.code,
        line_id=line.id,
        month=data.month,
        quantity=data.quantity,
        unit_price=data.unit_price,
    )
    if (data.requirement is None) == (data.stockpile is None):
        raise InvalidError("requirement", data.requirement, "name a requirement or a stockpile")
    if data.requirement is not None:
        requirement = repository.requirement_by_code(session, caller, nation.id, data.requirement)
        if requirement is None:
            raise InvalidError("requirement", data.requirement, f"{nation.code} has no such one")
        row.requirement_id = requirement.id
    if data.stockpile is not None:
        stockpile = repository.stockpile_of(session, caller, nation.id, data.stockpile)
        if stockpile is None:
            raise InvalidError("stockpile", data.stockpile, f"{nation.code} has no such one")
        row.stockpile_id = stockpile.id
    created(session, caller, "commitment", row, data.label)
    return get_commitment(session, caller, row.id)


def update_commitment(
    session: Session, caller: Caller, row_id: int, data: CommitmentUpdate, expected_version: int
) -> CommitmentRead:
    """Change the month, quantity, price or label of a commitment, by the agency."""
    row = found(repository.find_commitment(session, caller, row_id), "commitment", row_id)[0]
    require_role(caller, AGENCY, "commitments")
    writable(row, "commitment", expected_version)
    changes = given(row, data, "month", "quantity", "unit_price")
    changed(session, caller, "commitment", row, changes, data.label, expected_version)
    return get_commitment(session, caller, row_id)


def delete_commitment(session: Session, caller: Caller, row_id: int, expected_version: int) -> None:
    """Remove a commitment, by the agency."""
    row = found(repository.find_commitment(session, caller, row_id), "commitment", row_id)[0]
    require_role(caller, AGENCY, "commitments")
    writable(row, "commitment", expected_version)
    deleted(session, caller, "commitment", row, expected_version)


def demand_aggregates(
    session: Session, caller: Caller, filters: AggregateFilter
) -> DemandAggregates:
    """Alliance-wide demand: units required per item family and due year, over the
    requirements of every nation, with the number of nations behind each figure.

    The rule: a requirement names a weapon system; the weapon system's item families are
    the families of the items qualified on it (any qualification status: the qualification
    says which ammunition the system consumes). A requirement counts in full in each of
    its system's families — a system firing two families adds its demand to both, so
    families do not sum to the total. Weapon systems without qualifications count nowhere;
    rejected requirements count nowhere. The year is the year of the due month.

    Only requirements, qualifications and items whose label the caller may read (cleared
    and releasable to their nationality) count. For callers other than staff, a cell
    fewer than `MIN_NATIONS` nations stand behind is left out, so that no single nation's
    figure can be inferred; staff see every cell.
    """
    suppress = not (caller.unrestricted or caller.is_staff)
    with staff_scope(session):  # every nation's rows, past PostgreSQL's row-level wall
        rows = repository.demand_cells(session, caller, filters)
    cells = [
        AggregateCell(family=family, year=int(year), quantity=quantity, nations=nations)
        for family, year, quantity, nations in rows
        if not suppress or nations >= MIN_NATIONS
    ]
    return DemandAggregates(min_nations=MIN_NATIONS, suppressed=suppress, cells=cells)


def _owner(session: Session, caller: Caller, nation: str | None, what: str) -> tuple[int, str]:
    """The nation a new row belongs to: a nation user's own (naming another is
    forbidden), the one the agency names."""
    code = nation if nation is not None else caller.nation
    if caller.role is Role.NATION and code != caller.nation:
        raise ForbiddenError(f"a {caller.nation} user records {caller.nation} {what} only")
    if code is None:
        raise InvalidError("nation", None, f"name the nation the {what} belong to")
    row = repository.nation_by_code(session, caller, code)
    if row is None:
        raise InvalidError("nation", code, "no such nation")
    return row.id, row.code


# A nation's keys are its own: a duplicate can only be one of the nation's own rows.


def _unique_budget(session: Session, nation_id: int, nation: str, year: int) -> None:
    if taken(session, Budget.nation_id == nation_id, Budget.year == year):
        raise InvalidError("year", year, f"{nation} already has a budget for it")


def _unique_stockpile(
    session: Session, nation_id: int, nation: str, weapon_system: WeaponSystem, due: str
) -> None:
    key = (
        Stockpile.nation_id == nation_id,
        Stockpile.weapon_system_id == weapon_system.id,
        Stockpile.due == due,
    )
    if taken(session, *key):
        raise InvalidError("due", due, f"{nation} has a {weapon_system.code} stockpile due then")


def _unique_fleet(
    session: Session, nation_id: int, nation: str, weapon_system: WeaponSystem
) -> None:
    if taken(session, Fleet.nation_id == nation_id, Fleet.weapon_system_id == weapon_system.id):
        raise InvalidError(
            "weapon_system", weapon_system.code, f"{nation} already has a fleet of it"
        )
