"""The scenario in the shared record: upsert a Scenario by business key, snapshot it back."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.catalogue.models import QualificationStatus
from alliedforge.domain.settings.models import SETTINGS_ID
from alliedforge.scenario import model as sc
from alliedforge.store.base import Record
from alliedforge.store.engine import StoreError

Row = TypeVar("Row")
Model = TypeVar("Model", bound=Record)


@dataclass(frozen=True, slots=True)
class TableCounts:
    """What an import did to one table's rows."""

    table: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Counts per table, in dependency order."""

    tables: tuple[TableCounts, ...]

    def __getitem__(self, table: str) -> TableCounts:
        return next(counts for counts in self.tables if counts.table == table)

    @property
    def changed(self) -> bool:
        """Whether the import created, updated or deleted any row."""
        return any(c.created or c.updated or c.deleted for c in self.tables)


class _Refs:
    """Business code ↔ surrogate id of the rows that other tables point at, per table."""

    def __init__(self, start: str) -> None:
        self.start = start  # the horizon's first month
        self._ids: dict[str, dict[str, int]] = {}
        self._codes: dict[str, dict[int, str]] = {}

    def add(self, table: str, codes: dict[int, str]) -> None:
        self._codes[table] = codes
        self._ids[table] = {code: id_ for id_, code in codes.items()}

    def id(self, table: str, code: str) -> int:
        return self._ids[table][code]

    def has(self, table: str, code: str) -> bool:
        return code in self._ids[table]

    def code(self, table: str, id_: int) -> str:
        return self._codes[table][id_]


def _own_code(record: Any) -> str:
    return str(record.code)


@dataclass(frozen=True)
class _Table(Generic[Row, Model]):
    """How one scenario table maps onto its ORM model.

    `values` gives the columns a scenario row sets; `row` reads the scenario row back;
    rows outside `in_scope` are neither exported nor pruned (the scenario knows nothing
    of them). `referenced` tables register the code each record is known by (`code`) for
    the tables after them.
    """

    model: type[Model]
    key: Callable[[Row], Hashable]
    values: Callable[[Row, _Refs], dict[str, object]]
    row: Callable[[Model, _Refs], Row]
    referenced: bool = False
    in_scope: Callable[[Model], bool] = lambda _record: True
    code: Callable[[Model, _Refs], str] = lambda record, _refs: _own_code(record)

    @property
    def name(self) -> str:
        return str(self.model.__tablename__)

    def records(self, session: Session) -> list[Model]:
        return list(session.scalars(select(self.model).order_by(self.model.id)))

    def register(self, records: Iterable[Model], refs: _Refs) -> None:
        if self.referenced:
            refs.add(self.name, {record.id: self.code(record, refs) for record in records})


_SETTINGS = _Table[sc.Manifest, db.ScenarioSettings](
    model=db.ScenarioSettings,
    key=lambda _m: SETTINGS_ID,
    values=lambda m, _r: {
        "id": SETTINGS_ID,
        "name": m.name,
        "start": m.start,
        "months": m.months,
        "currency": m.currency,
        "shortfall_cost": list(m.shortfall_cost),
        "late_fraction": m.late_fraction,
    },
    row=lambda s, _r: sc.Manifest(
        name=s.name,
        start=s.start,
        months=s.months,
        currency=s.currency,
        shortfall_cost=tuple(float(cost) for cost in s.shortfall_cost),
        late_fraction=s.late_fraction,
    ),
)

# Scenario table name → mapping, in dependency order (stockpiles before the commitments
# that may serve them).
_TABLES: dict[str, _Table[Any, Any]] = {
    "nations": _Table[sc.Nation, db.Nation](
        model=db.Nation,
        key=lambda n: n.code,
        values=lambda n, _r: {"code": n.code, "name": n.name},
        row=lambda n, _r: sc.Nation(n.code, n.name),
        referenced=True,
    ),
    "weapon_systems": _Table[sc.WeaponSystem, db.WeaponSystem](
        model=db.WeaponSystem,
        key=lambda w: w.code,
        values=lambda w, _r: {"code": w.code, "name": w.name, "calibre": w.calibre},
        row=lambda w, _r: sc.WeaponSystem(w.code, w.name, w.calibre),
        referenced=True,
    ),
    "fleets": _Table[sc.Fleet, db.Fleet](
        model=db.Fleet,
        key=lambda f: (f.nation, f.weapon_system),
        values=lambda f, r: {
            "nation_id": r.id("nations", f.nation),
            "weapon_system_id": r.id("weapon_systems", f.weapon_system),
            "quantity": f.quantity,
        },
        row=lambda f, r: sc.Fleet(
            r.code("nations", f.nation_id),
            r.code("weapon_systems", f.weapon_system_id),
            f.quantity,
        ),
    ),
    "items": _Table[sc.Item, db.Item](
        model=db.Item,
        key=lambda i: i.code,
        values=lambda i, _r: {
            "code": i.code,
            "name": i.name,
            "family": i.family,
            "stanag": i.stanag,
        },
        row=lambda i, _r: sc.Item(i.code, i.name, i.family, i.stanag),
        referenced=True,
    ),
    "qualifications": _Table[sc.Qualification, db.Qualification](
        model=db.Qualification,
        key=lambda q: (q.item, q.weapon_system),
        values=lambda q, r: {
            "item_id": r.id("items", q.item),
            "weapon_system_id": r.id("weapon_systems", q.weapon_system),
            "status": QualificationStatus.QUALIFIED,
            "month": q.from_month,
        },
        # "Qualified since" a month before the horizon: qualified from its start (None).
        row=lambda q, r: sc.Qualification(
            r.code("items", q.item_id),
            r.code("weapon_systems", q.weapon_system_id),
            q.month if q.month is None or q.month >= r.start else None,
        ),
        in_scope=lambda q: q.status == QualificationStatus.QUALIFIED,
    ),
    "suppliers": _Table[sc.Supplier, db.Supplier](
        model=db.Supplier,
        key=lambda s: s.code,
        values=lambda s, _r: {"code": s.code, "name": s.name, "country": s.country},
        row=lambda s, _r: sc.Supplier(s.code, s.name, s.country),
        referenced=True,
    ),
    "lines": _Table[sc.Line, db.Line](
        model=db.Line,
        key=lambda line: line.code,
        values=lambda line, r: {
            "code": line.code,
            "supplier_id": r.id("suppliers", line.supplier),
            "item_id": r.id("items", line.item),
            "capacity_per_month": line.capacity_per_month,
            "state": str(line.state),
            "lead_months": line.lead_months,
            "opening_cost": line.opening_cost,
            "ramp_months": line.ramp_months,
            "earliest_decision": line.earliest_decision,
        },
        row=lambda line, r: sc.Line(
            code=line.code,
            supplier=r.code("suppliers", line.supplier_id),
            item=r.code("items", line.item_id),
            capacity_per_month=line.capacity_per_month,
            state=sc.LineState(line.state),
            lead_months=line.lead_months,
            opening_cost=line.opening_cost,
            ramp_months=line.ramp_months,
            earliest_decision=line.earliest_decision,
        ),
        referenced=True,
    ),
    "prices": _Table[sc.Price, db.Price](
        model=db.Price,
        key=lambda p: (p.supplier, p.item, p.min_quantity),
        values=lambda p, r: {
            "supplier_id": r.id("suppliers", p.supplier),
            "item_id": r.id("items", p.item),
            "min_quantity": p.min_quantity,
            "unit_price": p.unit_price,
        },
        row=lambda p, r: sc.Price(
            r.code("suppliers", p.supplier_id),
            r.code("items", p.item_id),
            p.min_quantity,
            p.unit_price,
        ),
    ),
    "requirements": _Table[sc.Requirement, db.Requirement](
        model=db.Requirement,
        key=lambda q: q.code,
        values=lambda q, r: {
            "code": q.code,
            "nation_id": r.id("nations", q.nation),
            "weapon_system_id": r.id("weapon_systems", q.weapon_system),
            "quantity": q.quantity,
            "due": q.due,
            "priority": q.priority,
        },
        row=lambda q, r: sc.Requirement(
            q.code,
            r.code("nations", q.nation_id),
            r.code("weapon_systems", q.weapon_system_id),
            q.quantity,
            q.due,
            q.priority,
        ),
        referenced=True,
    ),
    "budgets": _Table[sc.Budget, db.Budget](
        model=db.Budget,
        key=lambda b: (b.nation, b.year),
        values=lambda b, r: {
            "nation_id": r.id("nations", b.nation),
            "year": b.year,
            "amount": b.amount,
        },
        row=lambda b, r: sc.Budget(r.code("nations", b.nation_id), b.year, b.amount),
    ),
    "components": _Table[sc.Component, db.Component](
        model=db.Component,
        key=lambda c: c.code,
        values=lambda c, _r: {"code": c.code, "name": c.name},
        row=lambda c, _r: sc.Component(c.code, c.name),
        referenced=True,
    ),
    "bom": _Table[sc.BomEntry, db.BomEntry](
        model=db.BomEntry,
        key=lambda b: (b.item, b.component),
        values=lambda b, r: {
            "item_id": r.id("items", b.item),
            "component_id": r.id("components", b.component),
            "quantity_per_unit": b.quantity_per_unit,
        },
        row=lambda b, r: sc.BomEntry(
            r.code("items", b.item_id), r.code("components", b.component_id), b.quantity_per_unit
        ),
    ),
    "component_supply": _Table[sc.ComponentSupply, db.ComponentSupply](
        model=db.ComponentSupply,
        key=lambda s: (s.component, s.month),
        values=lambda s, r: {
            "component_id": r.id("components", s.component),
            "month": s.month,
            "capacity": s.capacity,
        },
        row=lambda s, r: sc.ComponentSupply(
            r.code("components", s.component_id), s.month, s.capacity
        ),
    ),
    "stockpiles": _Table[sc.Stockpile, db.Stockpile](
        model=db.Stockpile,
        key=lambda s: (s.nation, s.weapon_system, s.due),
        values=lambda s, r: {
            "nation_id": r.id("nations", s.nation),
            "weapon_system_id": r.id("weapon_systems", s.weapon_system),
            "on_hand": s.on_hand,
            "target": s.target,
            "due": s.due,
        },
        row=lambda s, r: sc.Stockpile(
            r.code("nations", s.nation_id),
            r.code("weapon_systems", s.weapon_system_id),
            s.on_hand,
            s.target,
            s.due,
        ),
        referenced=True,
        code=lambda s, r: stockpile_code(
            r.code("nations", s.nation_id), r.code("weapon_systems", s.weapon_system_id), s.due
        ),
    ),
    "commitments": _Table[sc.Commitment, db.Commitment](
        model=db.Commitment,
        key=lambda c: c.code,
        values=lambda c, r: {
            "code": c.code,
            "line_id": r.id("lines", c.line),
            **_served(c.requirement, r),
            "month": c.month,
            "quantity": c.quantity,
            "unit_price": c.unit_price,
        },
        row=lambda c, r: sc.Commitment(
            c.code,
            r.code("lines", c.line_id),
            _served_code(c, r),
            c.month,
            c.quantity,
            c.unit_price,
        ),
    ),
}
assert set(_TABLES) == set(sc.TABLE_FIELDS)


def stockpile_code(nation: str, weapon_system: str, due: str) -> str:
    """The code of the requirement a stockpile target implies (scenario-format.md)."""
    return sc.stockpile_requirement_code(sc.Stockpile(nation, weapon_system, 0, 0, due))


def _served(requirement: str, refs: _Refs) -> dict[str, object]:
    """The column a commitment's requirement code points through: a requirement or a
    stockpile target."""
    if refs.has("requirements", requirement):
        return {"requirement_id": refs.id("requirements", requirement), "stockpile_id": None}
    return {"requirement_id": None, "stockpile_id": refs.id("stockpiles", requirement)}


def _served_code(commitment: db.Commitment, refs: _Refs) -> str:
    if commitment.stockpile_id is not None:
        return refs.code("stockpiles", commitment.stockpile_id)
    assert commitment.requirement_id is not None  # the one_requirement CHECK
    return refs.code("requirements", commitment.requirement_id)


def import_scenario(
    session: Session, scenario: sc.Scenario, *, prune: bool = False
) -> ImportReport:
    """Upsert every row of a validated `scenario` by its business key; with `prune`, delete
    the rows the scenario no longer has (in reverse dependency order).

    It only flushes: the caller commits, so the import is one transaction, all or nothing.
    Rows the scenario leaves as they are keep their id and version (an import is idempotent).
    """
    refs = _Refs(scenario.manifest.start)
    counts: dict[str, dict[str, int]] = {}
    stale: dict[str, list[Record]] = {}
    plan: list[tuple[_Table[Any, Any], Sequence[object]]] = [(_SETTINGS, (scenario.manifest,))]
    plan += [(table, getattr(scenario, field)) for field, table in _TABLES.items()]
    for table, rows in plan:
        counts[table.name], stale[table.name] = _upsert(session, table, rows, refs)
    for table, _rows in reversed(plan[1:]):
        doomed = stale[table.name] if prune else []
        for record in doomed:
            session.delete(record)
        session.flush()
        counts[table.name]["deleted"] = len(doomed)
    return ImportReport(tuple(TableCounts(name, **numbers) for name, numbers in counts.items()))


def _upsert(
    session: Session, table: _Table[Any, Any], rows: Sequence[object], refs: _Refs
) -> tuple[dict[str, int], list[Record]]:
    """Create or update `rows`; the counts, and the in-scope records the rows lack."""
    records = table.records(session)
    by_key = {table.key(table.row(record, refs)): record for record in records}
    numbers = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        values = table.values(row, refs)
        record = by_key.pop(table.key(row), None)
        if record is None:
            record = table.model(**values)
            session.add(record)
            records.append(record)
            numbers["created"] += 1
        elif table.in_scope(record) and table.row(record, refs) == row:
            numbers["unchanged"] += 1
        else:
            for column, value in values.items():
                if getattr(record, column) != value:
                    setattr(record, column, value)
            numbers["updated"] += 1
    session.flush()
    table.register(records, refs)
    return numbers, [record for record in by_key.values() if table.in_scope(record)]


def snapshot_scenario(session: Session) -> sc.Scenario:
    """The Scenario the record holds now, each table in insertion (id) order, so that an
    export of an import reproduces the scenario row for row."""
    settings = session.get(db.ScenarioSettings, SETTINGS_ID)
    if settings is None:
        raise StoreError("the database holds no scenario; run `forge import PATH` first")
    refs = _Refs(settings.start)
    tables: dict[str, tuple[object, ...]] = {}
    for field, table in _TABLES.items():
        records = table.records(session)
        table.register(records, refs)
        tables[field] = tuple(table.row(r, refs) for r in records if table.in_scope(r))
    return sc.Scenario(manifest=_SETTINGS.row(settings, refs), **tables)  # type: ignore[arg-type]
