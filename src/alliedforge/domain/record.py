"""The scenario in the shared record: upsert a Scenario by business key, snapshot it back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.audit import service as audit
from alliedforge.domain.catalogue.models import QualificationStatus
from alliedforge.domain.settings.models import SETTINGS_ID
from alliedforge.scenario import model as sc
from alliedforge.scenario.nsn import format_nsn, normalise_nsn
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
    """How one scenario table maps onto its ORM model's table.

    `columns` are the columns the scenario carries; `values` gives them for a scenario row
    (plus `id` where the scenario fixes it); `row` reads the scenario row back;
    rows outside `in_scope` are neither exported nor pruned (the scenario knows nothing
    of them). `referenced` tables register the code each record is known by (`code`) for
    the tables after them.

    Rows are read and written with Core statements, not ORM objects: at 100,000 rows the
    unit of work costs ten times the SQL. `row`, `in_scope` and `code` therefore get Core
    rows typed as the model — they may read `columns`, `id` and `version`, nothing else
    (no properties such as `Item.code`).
    """

    model: type[Model]
    columns: tuple[str, ...]
    key: Callable[[Row], Hashable]
    values: Callable[[Row, _Refs], dict[str, object]]
    row: Callable[[Model, _Refs], Row]
    referenced: bool = False
    in_scope: Callable[[Model], bool] = lambda _record: True
    code: Callable[[Model, _Refs], str] = lambda record, _refs: _own_code(record)
    codes: Callable[[list[Model], _Refs], dict[int, str]] | None = None

    @property
    def name(self) -> str:
        return str(self.model.__tablename__)

    @property
    def table(self) -> Table:
        return cast(Table, self.model.__table__)

    def records(self, session: Session) -> list[Model]:
        """Every stored row (id, version and `columns`) in id order."""
        t = self.table
        query = select(t.c.id, t.c.version, *(t.c[c] for c in self.columns)).order_by(t.c.id)
        return cast(list[Model], list(session.execute(query)))

    def register(self, records: Iterable[Model], refs: _Refs) -> None:
        if not self.referenced:
            return
        if self.codes is not None:
            refs.add(self.name, self.codes(list(records), refs))
        else:
            refs.add(self.name, {record.id: self.code(record, refs) for record in records})


_SETTINGS = _Table[sc.Manifest, db.ScenarioSettings](
    model=db.ScenarioSettings,
    columns=("name", "start", "months", "currency", "shortfall_cost", "late_fraction"),
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
        columns=("code", "name"),
        key=lambda n: n.code,
        values=lambda n, _r: {"code": n.code, "name": n.name},
        row=lambda n, _r: sc.Nation(n.code, n.name),
        referenced=True,
    ),
    "weapon_systems": _Table[sc.WeaponSystem, db.WeaponSystem](
        model=db.WeaponSystem,
        columns=("code", "name", "calibre"),
        key=lambda w: w.code,
        values=lambda w, _r: {"code": w.code, "name": w.name, "calibre": w.calibre},
        row=lambda w, _r: sc.WeaponSystem(w.code, w.name, w.calibre),
        referenced=True,
    ),
    "fleets": _Table[sc.Fleet, db.Fleet](
        model=db.Fleet,
        columns=("nation_id", "weapon_system_id", "quantity"),
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
        columns=("nsn", "other_code", "name", "family", "stanag"),
        key=lambda i: i.code,
        values=lambda i, _r: {
            **_item_codes(i.code),
            "name": i.name,
            "family": i.family,
            "stanag": i.stanag,
        },
        row=lambda i, _r: sc.Item(_item_code(i), i.name, i.family, i.stanag),
        referenced=True,
        code=lambda i, _r: _item_code(i),
    ),
    "qualifications": _Table[sc.Qualification, db.Qualification](
        model=db.Qualification,
        columns=("item_id", "weapon_system_id", "status", "month"),
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
        columns=("code", "name", "country"),
        key=lambda s: s.code,
        values=lambda s, _r: {"code": s.code, "name": s.name, "country": s.country},
        row=lambda s, _r: sc.Supplier(s.code, s.name, s.country),
        referenced=True,
    ),
    "lines": _Table[sc.Line, db.Line](
        model=db.Line,
        columns=(
            "code",
            "supplier_id",
            "item_id",
            "capacity_per_month",
            "state",
            "lead_months",
            "opening_cost",
            "ramp_months",
            "earliest_decision",
        ),
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
        columns=("supplier_id", "item_id", "min_quantity", "unit_price"),
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
    # Codes are unique per nation in the record; in a scenario a code another nation
    # also uses is qualified as `NATION/CODE` (and read back without the prefix).
    "requirements": _Table[sc.Requirement, db.Requirement](
        model=db.Requirement,
        columns=("code", "nation_id", "weapon_system_id", "quantity", "due", "priority"),
        key=lambda q: (q.nation, _own_requirement_code(q)),
        values=lambda q, r: {
            "code": _own_requirement_code(q),
            "nation_id": r.id("nations", q.nation),
            "weapon_system_id": r.id("weapon_systems", q.weapon_system),
            "quantity": q.quantity,
            "due": q.due,
            "priority": q.priority,
        },
        row=lambda q, r: sc.Requirement(
            r.code("requirements", q.id),
            r.code("nations", q.nation_id),
            r.code("weapon_systems", q.weapon_system_id),
            q.quantity,
            q.due,
            q.priority,
        ),
        referenced=True,
        codes=lambda records, r: _requirement_codes(records, r),
    ),
    "budgets": _Table[sc.Budget, db.Budget](
        model=db.Budget,
        columns=("nation_id", "year", "amount"),
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
        columns=("code", "name"),
        key=lambda c: c.code,
        values=lambda c, _r: {"code": c.code, "name": c.name},
        row=lambda c, _r: sc.Component(c.code, c.name),
        referenced=True,
    ),
    "bom": _Table[sc.BomEntry, db.BomEntry](
        model=db.BomEntry,
        columns=("item_id", "component_id", "quantity_per_unit"),
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
        columns=("component_id", "month", "capacity"),
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
        columns=("nation_id", "weapon_system_id", "on_hand", "target", "due"),
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
        columns=(
            "code",
            "line_id",
            "requirement_id",
            "stockpile_id",
            "month",
            "quantity",
            "unit_price",
        ),
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


def _item_codes(code: str) -> dict[str, object]:
    """The columns an item code goes to: its 13 digits if it is an NSN, else as written."""
    nsn = normalise_nsn(code)
    return {"nsn": nsn, "other_code": None if nsn is not None else code}


def _item_code(item: db.Item) -> str:
    """`Item.code` from the columns (stored rows are Core rows, without the property)."""
    if item.nsn is not None:
        return format_nsn(item.nsn)
    assert item.other_code is not None  # the one_code CHECK
    return item.other_code


def _own_requirement_code(requirement: sc.Requirement) -> str:
    """A scenario requirement's code as its nation holds it (without a `NATION/` prefix)."""
    return requirement.code.removeprefix(f"{requirement.nation}/")


def _requirement_codes(records: list[Any], refs: _Refs) -> dict[int, str]:
    """The scenario code of each stored requirement: its own code, or `NATION/CODE` where
    another nation uses the same code."""
    uses = Counter(record.code for record in records)
    return {
        record.id: record.code
        if uses[record.code] == 1
        else f"{refs.code('nations', record.nation_id)}/{record.code}"
        for record in records
    }


def stockpile_code(nation: str, weapon_system: str, due: str) -> str:
    """The code of the requirement a stockpile target implies (scenario-format.md)."""
    return sc.stockpile_requirement_code(sc.Stockpile(nation, weapon_system, 0, 0, due))


def _served(requirement: str, refs: _Refs) -> dict[str, object]:
    """The column a commitment's requirement code points through: a requirement or a
    stockpile target."""
    if refs.has("requirements", requirement):
        return {"requirement_id": refs.id("requirements", requirement), "stockpile_id": None}
    if refs.has("stockpiles", requirement):
        return {"requirement_id": None, "stockpile_id": refs.id("stockpiles", requirement)}
    raise StoreError(
        f"commitment names requirement {requirement}, a code several nations use in the "
        f"record: name it NATION/{requirement}"
    )


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

    It only executes statements in the session's transaction: the caller commits, so the
    import is one transaction, all or nothing. Rows the scenario leaves as they are keep
    their id and version (an import is idempotent); an updated row gets version + 1, and
    an update or delete based on a version someone else has changed meanwhile fails
    (`StaleDataError`), as the ORM's would. Objects the session holds are expired, since
    their rows may have changed beneath them.
    """
    session.flush()  # the caller's pending changes are part of what the import compares
    refs = _Refs(scenario.manifest.start)
    counts: dict[str, dict[str, int]] = {}
    stale: dict[str, list[Record]] = {}
    plan: list[tuple[_Table[Any, Any], Sequence[object]]] = [(_SETTINGS, (scenario.manifest,))]
    plan += [(table, getattr(scenario, field)) for field, table in _TABLES.items()]
    for table, rows in plan:
        counts[table.name], stale[table.name] = _upsert(session, table, rows, refs)
    for table, _rows in reversed(plan[1:]):
        doomed = stale[table.name] if prune else []
        _delete(session, table, doomed)
        counts[table.name]["deleted"] = len(doomed)
    grown = [name for name, n in counts.items() if n["created"] or n.get("deleted")]
    _refresh_statistics(session, grown)
    session.expire_all()
    return ImportReport(tuple(TableCounts(name, **numbers) for name, numbers in counts.items()))


def _refresh_statistics(session: Session, tables: list[str]) -> None:
    """Let PostgreSQL's planner see the tables a bulk import filled: until autovacuum
    gets to them it plans on the old row counts (measured: a page of 50 of 1,500 fresh
    requirements took 9 ms by a full nested loop and sort, not an index scan). ANALYZE
    runs inside the import's transaction; SQLite needs nothing."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))


def import_audited(
    session: Session, caller: Caller, scenario: sc.Scenario, *, prune: bool = False
) -> ImportReport:
    """`import_scenario`, recorded in the audit log as one entry: who imported which
    scenario (its content hash) and what it did to each table."""
    report = import_scenario(session, scenario, prune=prune)
    after = {
        "scenario": scenario.manifest.name,
        "hash": scenario.content_hash(),
        "prune": prune,
        "tables": {c.table: [c.created, c.updated, c.unchanged, c.deleted] for c in report.tables},
    }
    audit.append(session, caller, "import", "scenario", None, None, after)
    return report


def _upsert(
    session: Session, table: _Table[Any, Any], rows: Sequence[object], refs: _Refs
) -> tuple[dict[str, int], list[Record]]:
    """Create or update `rows`; the counts, and the in-scope records the rows lack."""
    records = table.records(session)
    table.register(records, refs)  # a table whose rows read their own codes back
    by_key = {table.key(table.row(record, refs)): record for record in records}
    created: list[dict[str, object]] = []
    updated: list[dict[str, object]] = []
    unchanged = 0
    for row in rows:
        values = table.values(row, refs)
        record = by_key.pop(table.key(row), None)
        if record is None:
            created.append({**values, "version": 1})
        elif table.in_scope(record) and table.row(record, refs) == row:
            unchanged += 1
        else:
            changes = {column: values[column] for column in table.columns}
            updated.append({**changes, "old_id": record.id, "old_version": record.version})
    _insert(session, table, created)
    _update(session, table, updated)
    if created and table.referenced:
        records = table.records(session)  # the new rows' ids, for the tables after this one
    table.register(records, refs)
    numbers = {"created": len(created), "updated": len(updated), "unchanged": unchanged}
    return numbers, [record for record in by_key.values() if table.in_scope(record)]


def _insert(session: Session, table: _Table[Any, Any], rows: list[dict[str, object]]) -> None:
    """Insert `rows` in one executemany, without RETURNING: with it, SQLAlchemy sends
    multi-row INSERTs whose thousands of placeholders psycopg parses anew for every batch
    (45 s for 100,000 requirements); without it, psycopg pipelines one prepared INSERT."""
    if rows:
        session.execute(insert(table.table), rows)


def _update(session: Session, table: _Table[Any, Any], rows: list[dict[str, object]]) -> None:
    """Update `rows` (changed columns, `old_id`, `old_version`) and bump their versions."""
    if not rows:
        return
    t = table.table
    statement = (
        update(t)
        .where(t.c.id == bindparam("old_id"), t.c.version == bindparam("old_version"))
        .values(version=t.c.version + 1)
    )
    _expect(session.execute(statement, rows), len(rows), table, "update")


def _delete(session: Session, table: _Table[Any, Any], records: list[Any]) -> None:
    """Delete `records`, each only at the version it was read."""
    if not records:
        return
    t = table.table
    statement = delete(t).where(
        t.c.id == bindparam("old_id"), t.c.version == bindparam("old_version")
    )
    rows = [{"old_id": r.id, "old_version": r.version} for r in records]
    _expect(session.execute(statement, rows), len(rows), table, "delete")


def _expect(result: object, expected: int, table: _Table[Any, Any], verb: str) -> None:
    matched = cast(CursorResult[Any], result).rowcount
    if matched != expected:
        raise StaleDataError(
            f"{table.name}: {verb} matched {matched} of {expected} rows; another writer "
            "changed or removed the others since they were read"
        )


def snapshot_scenario(session: Session) -> sc.Scenario:
    """The Scenario the record holds now, each table in insertion (id) order, so that an
    export of an import reproduces the scenario row for row."""
    session.flush()
    settings = next(iter(_SETTINGS.records(session)), None)
    if settings is None:
        raise StoreError("the database holds no scenario; run `forge import PATH` first")
    refs = _Refs(settings.start)
    tables: dict[str, tuple[object, ...]] = {}
    for field, table in _TABLES.items():
        records = table.records(session)
        table.register(records, refs)
        tables[field] = tuple(table.row(r, refs) for r in records if table.in_scope(r))
    return sc.Scenario(manifest=_SETTINGS.row(settings, refs), **tables)  # type: ignore[arg-type]
