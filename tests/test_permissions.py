"""The permission matrix: every endpoint × every role × (own object, another owner's
object, one labelled above clearance, one not releasable) → the expected status, from
the one table below, on a real server over SQLite and PostgreSQL.

The users: `admin`, `planner`, `auditor` (staff), `nation` (of N01) and `supplier` (of
S000X). Every one is cleared NATO RESTRICTED and of nationality N01 (staff are given it,
the nation user has its nation's, the supplier user its supplier's country), so that the
label variants bite for staff too. The objects of each kind:

- own: nation-owned kinds a row of N01; supplier-owned kinds a row of S000X; a
  commitment on an S000X line serving an N01 requirement; the S000X profile; an API
  token of the caller. For the kinds nobody owns (the catalogue, nations, plan runs,
  the caller's identity …) this column is the plain visible object (`any` in test ids).
- other: the same of N02 / S001X / a line of S001X serving N02 / another user's token.
- secret: an own row (for profiles: another supplier's) labelled NATO SECRET.
- unreleasable: an own row (for profiles: another supplier's) labelled NATO UNCLASSIFIED
  releasable to N00 only, a nation no user belongs to.

Every write cell acts on a throwaway row made for it (in the state its action needs),
with the right `If-Match`, so cells are independent and DELETE destroys nothing shared.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue import service as catalogue
from alliedforge.domain.catalogue.schemas import ComponentCreate
from alliedforge.domain.record import import_scenario
from alliedforge.domain.requirements.schemas import LabelIn
from alliedforge.scenario import load_scenario
from alliedforge.store.base import Record
from alliedforge.store.engine import create_db_engine

from live_api import TEST_URL_ENV, fresh_database, serve
from shared_data import GOLDEN

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_URL_ENV) else [])
PASSWORD = "correct horse battery staple"

ROLES = ("admin", "planner", "nation", "supplier", "auditor")
VARIANTS = ("own", "other", "secret", "unreleasable")
CLEARANCE = "NATO RESTRICTED"
NATIONALITY = "N01"
NATION, OTHER_NATION, THIRD_NATION = "N01", "N02", "N00"
SUPPLIER, OTHER_SUPPLIER = "S000X", "S001X"
READABLE_CLASSIFICATIONS = ("NATO UNCLASSIFIED", "NATO RESTRICTED")
LABELS = {
    "own": ("NATO UNCLASSIFIED", "ALL"),
    "other": ("NATO UNCLASSIFIED", "ALL"),
    "secret": ("NATO SECRET", "ALL"),
    "unreleasable": ("NATO UNCLASSIFIED", THIRD_NATION),
}

# The table. One row per (endpoint, method, object kind); one column per role, one
# character per variant in VARIANTS order (own, other, secret, unreleasable):
#   2  the row's success status (`ok`)      3  403: the role may not, on a record it sees
#   4  404: no such record for the caller   .  the variant does not apply to this kind
# The rule: a record the caller may not read does not exist for them (404 on read and on
# write, absent from lists); 403 only for a record the caller can see.
TABLE = """
endpoint                      method kind          ok   admin planner nation supplier auditor
/requirements/{id}            GET    requirement   200  2244  2244    2444   4444     2244
/requirements/{id}            PATCH  requirement   200  2244  2244    2444   4444     3344
/requirements/{id}            DELETE requirement   204  2244  2244    2444   4444     3344
/requirements/{id}/submit     POST   draft         200  2244  2244    2444   4444     3344
/requirements/{id}/approve    POST   submitted     200  2244  2244    3444   4444     3344
/requirements/{id}/reject     POST   submitted     200  2244  2244    3444   4444     3344
/nations/{id}                 GET    nation        200  2.44  2.44    2.44   2.44     2.44
/weapon-systems/{id}          GET    weapon-system 200  2.44  2.44    2.44   2.44     2.44
/weapon-systems/{id}          PATCH  weapon-system 200  2.44  2.44    3.44   3.44     3.44
/weapon-systems/{id}          DELETE weapon-system 204  2.44  2.44    3.44   3.44     3.44
/items/{id}                   GET    item          200  2.44  2.44    2.44   2.44     2.44
/items/{id}                   PATCH  item          200  2.44  2.44    3.44   3.44     3.44
/items/{id}                   DELETE item          204  2.44  2.44    3.44   3.44     3.44
/qualifications/{id}          GET    qualification 200  2.44  2.44    2.44   2.44     2.44
/qualifications/{id}          PATCH  qualification 200  2.44  2.44    3.44   3.44     3.44
/qualifications/{id}          DELETE qualification 204  2.44  2.44    3.44   3.44     3.44
/components/{id}              GET    component     200  2.44  2.44    2.44   2.44     2.44
/components/{id}              PATCH  component     200  2.44  2.44    3.44   3.44     3.44
/components/{id}              DELETE component     204  2.44  2.44    3.44   3.44     3.44
/suppliers/{id}               GET    supplier      200  2244  2244    2244   2244     2244
/suppliers/{id}               PATCH  supplier      200  2244  2244    3344   2344     3344
/lines/{id}                   GET    line          200  2244  2244    4444   2444     2244
/lines/{id}                   PATCH  line          200  2244  2244    4444   2444     3344
/lines/{id}                   DELETE line          204  2244  2244    4444   2444     3344
/prices/{id}                  GET    price         200  2244  2244    4444   2444     2244
/prices/{id}                  PATCH  price         200  2244  2244    4444   2444     3344
/prices/{id}                  DELETE price         204  2244  2244    4444   2444     3344
/budgets/{id}                 GET    budget        200  2244  2244    2444   4444     2244
/budgets/{id}                 PATCH  budget        200  2244  2244    2444   4444     3344
/budgets/{id}                 DELETE budget        204  2244  2244    2444   4444     3344
/stockpiles/{id}              GET    stockpile     200  2244  2244    2444   4444     2244
/stockpiles/{id}              PATCH  stockpile     200  2244  2244    2444   4444     3344
/stockpiles/{id}              DELETE stockpile     204  2244  2244    2444   4444     3344
/fleets/{id}                  GET    fleet         200  2244  2244    2444   4444     2244
/fleets/{id}                  PATCH  fleet         200  2244  2244    2444   4444     3344
/fleets/{id}                  DELETE fleet         204  2244  2244    2444   4444     3344
/commitments/{id}             GET    commitment    200  2244  2244    2444   2444     2244
/commitments/{id}             PATCH  commitment    200  2244  2244    3444   3444     3344
/commitments/{id}             DELETE commitment    204  2244  2244    3444   3444     3344
/demand/aggregates            GET    aggregates    200  2...  2...    2...   2...     2...
/plans                        POST   plans         202  2...  2...    3...   3...     3...
/plans/{id}                   GET    run           200  2...  2...    2...   2...     2...
/plans/{id}/deliveries        GET    run           200  2...  2...    2...   2...     2...
/plans/{id}/package           GET    run           200  2...  2...    3...   3...     2...
/scenario                     POST   scenario      200  ....  ....    3...   3...     3...
/audit                        GET    audit         200  2...  3...    3...   3...     2...
/audit/verify                 GET    audit         200  2...  3...    3...   3...     2...
/tokens                       GET    tokens        200  2...  2...    2...   2...     2...
/tokens/{id}                  DELETE token         204  22..  24..    24..   24..     24..
/me                           GET    me            200  2...  2...    2...   2...     2...
/news/{id}                    GET    news          200  2.44  2.44    2.44   2.44     2.44
/news/{id}                    PATCH  news          200  2.44  2.44    3.44   3.44     3.44
/news/{id}                    DELETE news          204  2.44  2.44    3.44   3.44     3.44
/news/{id}/unpublish          POST   news          200  2.44  2.44    3.44   3.44     3.44
/news/{id}/publish            POST   news-draft    200  2.44  2.44    4.44   4.44     3.44
"""
STATUS = {"3": 403, "4": 404}
# The kinds nobody owns: their first column is simply the visible object.
OWNERLESS = frozenset(
    {"nation", "weapon-system", "item", "qualification", "component", "aggregates", "plans",
     "run", "scenario", "audit", "tokens", "me"}
)  # fmt: skip
# Harmless bodies for the writes that need one.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("/requirements/{id}", "PATCH"): {"priority": 2},
    ("/requirements/{id}/reject", "POST"): {"reason": "matrix"},
    ("/weapon-systems/{id}", "PATCH"): {"name": "Renamed"},
    ("/items/{id}", "PATCH"): {"name": "Renamed"},
    ("/qualifications/{id}", "PATCH"): {"evidence": "matrix"},
    ("/components/{id}", "PATCH"): {"name": "Renamed"},
    ("/suppliers/{id}", "PATCH"): {"description": "matrix"},
    ("/lines/{id}", "PATCH"): {"capacity_per_month": 10},
    ("/prices/{id}", "PATCH"): {"unit_price": 1},
    ("/budgets/{id}", "PATCH"): {"amount": 1},
    ("/stockpiles/{id}", "PATCH"): {"target": 1},
    ("/fleets/{id}", "PATCH"): {"quantity": 1},
    ("/commitments/{id}", "PATCH"): {"quantity": 1},
    ("/news/{id}", "PATCH"): {"title": "Renamed"},
    ("/plans", "POST"): {"mode": "joint", "time_limit": 60},
}


class Cell(NamedTuple):
    endpoint: str
    method: str
    kind: str
    role: str
    variant: str
    expected: int

    @property
    def id(self) -> str:
        name = self.endpoint.strip("/").replace("/{id}", "").replace("/", "-")
        variant = "any" if self.kind in OWNERLESS and self.variant == "own" else self.variant
        return f"{name}-{self.method}-{variant}-{self.role}"


def _cells(table: str) -> list[Cell]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header[4:]) == ROLES
    cells = []
    for endpoint, method, kind, ok, *columns in rows:
        assert len(columns) == len(ROLES), endpoint
        for role, column in zip(ROLES, columns, strict=True):
            assert len(column) == len(VARIANTS), (endpoint, role)
            for variant, code in zip(VARIANTS, column, strict=True):
                if code != ".":
                    status = int(ok) if code == "2" else STATUS[code]
                    cells.append(Cell(endpoint, method, kind, role, variant, status))
    return cells


CELLS = _cells(TABLE)
READS = {(c.endpoint, c.kind, c.role, c.variant): c.expected for c in CELLS if c.method == "GET"}


# The fixture data.


@dataclass
class World:
    """A served database and what the matrix needs of it."""

    base: str
    engine: Engine
    tokens: dict[str, str]  # user → API token
    fixed: dict[tuple[str, str], int]  # (kind, variant) → the id of a row read by GET cells
    run: int  # a finished plan run
    serial: Iterator[int]

    def client(self, user: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=60)


def _ids(session: Session, model: Any, column: Any) -> dict[str, int]:
    return dict(session.execute(select(column, model.id)).all())


def _labelled(row: Record, variant: str) -> Record:
    row.classification, row.releasable_to = LABELS[variant]
    return row


def _make(
    session: Session, kind: str, variant: str, number: int, user: str, made: list[Record]
) -> int:
    """A new row of `kind` for `variant` (owner and label), returned by id; every row
    added (the row and what it needed) is appended to `made`."""
    nations = _ids(session, db.Nation, db.Nation.code)
    suppliers = _ids(session, db.Supplier, db.Supplier.code)
    systems = _ids(session, db.WeaponSystem, db.WeaponSystem.code)
    nation = nations[OTHER_NATION if variant == "other" else NATION]
    supplier = suppliers[OTHER_SUPPLIER if variant == "other" else SUPPLIER]
    item = session.scalars(select(db.Item.id).where(db.Item.nsn == "1320137799249")).one()
    row: Record
    if kind in {"requirement", "draft", "submitted"}:
        status = "submitted" if kind == "submitted" else "draft"
        row = db.Requirement(code=f"PM-{number}", nation_id=nation, weapon_system_id=systems["WS0"],
                             quantity=1, due="2027-06", priority=1, status=status)  # fmt: skip
    elif kind == "nation":
        row = db.Nation(code=f"P{number:03d}", name=f"Matrix {number}")
    elif kind == "weapon-system":
        row = db.WeaponSystem(code=f"PM-WS-{number}", name="Matrix")
    elif kind == "item":
        row = db.Item(name="Matrix", family="PM")
        row.code = f"PM-ITEM-{number}"
    elif kind == "qualification":
        new_item = db.Item(name="Matrix", family="PM")
        new_item.code = f"PM-QITEM-{number}"
        session.add(new_item)
        session.flush()
        made.append(new_item)
        row = db.Qualification(item_id=new_item.id, weapon_system_id=systems["WS0"])
    elif kind == "component":
        row = db.Component(code=f"PM-C-{number}", name="Matrix")
    elif kind == "supplier":
        if variant == "own":
            return supplier
        row = db.Supplier(code=f"PM{number:03d}", name="Matrix", country=NATION)
    elif kind == "line":
        code = OTHER_SUPPLIER if variant == "other" else SUPPLIER
        row = db.Line(code=f"{code}-PM{number}", supplier_id=supplier, item_id=item,
                      capacity_per_month=100, state="active")  # fmt: skip
    elif kind == "price":
        row = db.Price(supplier_id=supplier, item_id=item, min_quantity=100_000 + number,
                       unit_price=1)  # fmt: skip
    elif kind == "budget":
        row = db.Budget(nation_id=nation, year=2100 + number, amount=1)  # beyond the horizon
    elif kind == "stockpile":
        system = db.WeaponSystem(code=f"PM-SWS-{number}", name="Matrix")
        session.add(system)
        session.flush()
        made.append(system)
        row = db.Stockpile(nation_id=nation, weapon_system_id=system.id, on_hand=0, target=1,
                           due="2027-06")  # fmt: skip
    elif kind == "fleet":
        system = db.WeaponSystem(code=f"PM-FWS-{number}", name="Matrix")
        session.add(system)
        session.flush()
        made.append(system)
        row = db.Fleet(nation_id=nation, weapon_system_id=system.id, quantity=1)
    elif kind == "commitment":
        line = "L001" if variant == "other" else f"{SUPPLIER}-ACTIVE"
        requirement = session.scalars(
            select(db.Requirement.id).where(
                db.Requirement.nation_id == nation, db.Requirement.code == "PM-BASE"
            )
        ).one()
        line_id = _ids(session, db.Line, db.Line.code)[line]
        row = db.Commitment(code=f"PM-C{number}", line_id=line_id,
                            requirement_id=requirement, month="2027-05", quantity=1,
                            unit_price=1)  # fmt: skip
    elif kind in {"news", "news-draft"}:  # a published post; a draft the agency and auditors see
        published = datetime.now(UTC) if kind == "news" else None
        row = db.NewsPost(title=f"PM-{number}", body="Matrix", author="matrix",
                          published_at=published)  # fmt: skip
    elif kind == "token":
        owner = "bystander" if variant == "other" else user
        token, _value = access.create_token(session, Caller.operator(), owner, f"pm-{number}")
        return int(token.id)
    else:  # pragma: no cover - the table names only the kinds above
        raise AssertionError(kind)
    session.add(_labelled(row, variant))
    session.flush()
    made.append(row)
    return int(row.id)


def _add_bases(session: Session) -> None:
    """An active line of S000X and a requirement of each nation, for commitments."""
    nations = _ids(session, db.Nation, db.Nation.code)
    systems = _ids(session, db.WeaponSystem, db.WeaponSystem.code)
    item = session.scalars(select(db.Item.id).where(db.Item.nsn == "1320137799249")).one()
    session.add(
        db.Line(code=f"{SUPPLIER}-ACTIVE", supplier_id=_ids(session, db.Supplier,
                db.Supplier.code)[SUPPLIER], item_id=item, capacity_per_month=100,
                state="active")
    )  # fmt: skip
    # Each on a weapon system qualifying the item of the line its commitments use.
    for nation, system in ((NATION, "WS0"), (OTHER_NATION, "WS2")):
        session.add(
            db.Requirement(code="PM-BASE", nation_id=nations[nation],
                           weapon_system_id=systems[system], quantity=1000, due="2027-06",
                           priority=1)
        )  # fmt: skip


def _add_users(session: Session) -> dict[str, str]:
    operator = Caller.operator()
    users = [
        ("admin", Role.ADMIN, None, None, NATIONALITY),
        ("planner", Role.PLANNER, None, None, NATIONALITY),
        ("auditor", Role.AUDITOR, None, None, NATIONALITY),
        ("nation", Role.NATION, NATION, None, None),
        ("supplier", Role.SUPPLIER, None, SUPPLIER, None),
        ("bystander", Role.NATION, OTHER_NATION, None, None),
    ]
    tokens = {}
    for name, role, nation, supplier, nationality in users:
        user = access.create_user(session, operator, name, role, PASSWORD, nation=nation,
                                  supplier=supplier, clearance=CLEARANCE,
                                  nationality=nationality)  # fmt: skip
        assert user.nationality == NATIONALITY or name == "bystander", name
        _token, tokens[name] = access.create_token(session, operator, name, "matrix")
    return tokens


def _add_audited_secret(session: Session) -> None:
    """A NATO SECRET component written through the service by the operator, so that the
    audit log holds a record above every user's clearance."""
    label = LabelIn(classification="NATO SECRET")
    catalogue.create_component(
        session, Caller.operator(), ComponentCreate(code="PM-SECRET", name="Secret", label=label)
    )


def _finished_run(world: World) -> int:
    with world.client("planner") as client:
        started = client.post("/plans", json=BODIES[("/plans", "POST")])
        assert started.status_code == 202, started.text
        return _wait(client, started.json()["id"])


def _wait(client: httpx.Client, run_id: int) -> int:
    deadline = time.monotonic() + 120
    while (run := client.get(f"/plans/{run_id}").json())["status"] == "running":
        assert time.monotonic() < deadline, "the plan run did not finish"
        time.sleep(0.1)
    assert run["status"] == "done", run
    return run_id


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    scenario = load_scenario(GOLDEN / "tiny")
    folder: Path = tmp_path_factory.mktemp("permissions-api")
    with fresh_database(request.param, folder) as url:
        engine = create_db_engine(url)
        serial = itertools.count(1)
        with Session(engine) as session:
            import_scenario(session, scenario)
            _add_bases(session)
            tokens = _add_users(session)
            _add_audited_secret(session)
            session.commit()
        with serve(url) as base:
            world = World(base, engine, tokens, {}, 0, serial)
            world.run = _finished_run(world)
            kinds = {cell.kind for cell in CELLS if cell.method == "GET"} - OWNERLESS
            kinds |= {"nation", "weapon-system", "item", "qualification", "component"}
            with Session(engine) as session:
                for kind in sorted(kinds):
                    for variant in VARIANTS:
                        world.fixed[kind, variant] = _make(
                            session, kind, variant, next(serial), "nation", []
                        )
                session.commit()
            yield world
        engine.dispose()


# The matrix.


@contextmanager
def _fresh(world: World, cell: Cell) -> Iterator[tuple[int, int]]:
    """A throwaway row for a write cell (its id and version), removed afterwards with
    whatever it needed, so that the live data stays a plannable scenario."""
    made: list[Record] = []
    with Session(world.engine) as session:
        row_id = _make(session, cell.kind, cell.variant, next(world.serial), cell.role, made)
        session.commit()
        if made:
            version = made[-1].version
        elif cell.kind == "supplier":  # the caller's own profile: whatever it is now
            version = session.scalars(
                select(db.Supplier.version).where(db.Supplier.id == row_id)
            ).one()
        else:  # an API token: not versioned
            version = 1
        keys = [(type(row), row.id) for row in made]
    try:
        yield row_id, version
    finally:
        with Session(world.engine) as session:
            for model, key in reversed(keys):
                session.execute(delete(model).where(model.id == key))
            session.commit()


def _call(world: World, client: httpx.Client, cell: Cell, row_id: int, version: int) -> int:
    path = cell.endpoint.replace("{id}", str(row_id))
    headers = {} if cell.method == "GET" else {"If-Match": f'"{version}"'}
    if cell.kind == "scenario":
        files = {"file": ("tiny.zip", b"", "application/zip")}
        return client.post(path, files=files).status_code
    body = BODIES.get((cell.endpoint, cell.method))
    response = client.request(cell.method, path, json=body, headers=headers)
    if cell.kind == "plans" and response.status_code == 202:
        _wait(client, response.json()["id"])  # one run at a time in a server
    assert response.status_code < 500, response.text
    assert response.status_code != 422, response.text  # a body the matrix got wrong
    return response.status_code


@contextmanager
def _plannable(world: World) -> Iterator[None]:
    """The live data as a valid scenario while a plan starts: the matrix's budgets for
    years beyond the horizon are set aside meanwhile (a budget must overlap it)."""
    with Session(world.engine) as session:
        aside = list(session.scalars(select(db.Budget).where(db.Budget.year >= 2100)))
        rows = [
            {column: getattr(row, column) for column in
             ("id", "nation_id", "year", "amount", "version", "classification", "releasable_to")}
            for row in aside
        ]  # fmt: skip
        session.execute(delete(db.Budget).where(db.Budget.year >= 2100))
        session.commit()
    try:
        yield
    finally:
        with Session(world.engine) as session:
            if rows:
                session.execute(insert(db.Budget), rows)
            session.commit()


@pytest.mark.parametrize("cell", CELLS, ids=[cell.id for cell in CELLS])
def test_matrix(world: World, cell: Cell) -> None:
    with world.client(cell.role) as client:
        if cell.method == "GET" or "{id}" not in cell.endpoint:
            row_id = (
                world.run if cell.kind == "run" else world.fixed.get((cell.kind, cell.variant), 0)
            )
            with _plannable(world) if cell.kind == "plans" else nullcontext():
                got = _call(world, client, cell, row_id, 0)
        else:
            with _fresh(world, cell) as (row_id, version):
                got = _call(world, client, cell, row_id, version)
    assert got == cell.expected, (
        f"{cell.method} {cell.endpoint} as {cell.role} on {cell.variant}: "
        f"got {got}, expected {cell.expected}"
    )


# Lists hold exactly what the caller may read.

LISTS = {
    "/requirements": "requirement",
    "/nations": "nation",
    "/weapon-systems": "weapon-system",
    "/items": "item",
    "/qualifications": "qualification",
    "/components": "component",
    "/suppliers": "supplier",
    "/lines": "line",
    "/prices": "price",
    "/budgets": "budget",
    "/stockpiles": "stockpile",
    "/fleets": "fleet",
    "/commitments": "commitment",
    "/news": "news",
}
OWNER_FIELD = {"nation": "nation", "supplier": "supplier"}


def _all(client: httpx.Client, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after: int | None = None
    while True:
        params = {"limit": 500} | ({} if after is None else {"after": after})
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        after = page["next_after"]
        if after is None:
            return items


def _readable(label: dict[str, Any]) -> bool:
    (category,) = label["categories"]
    values = category["values"]
    return label["classification"] in READABLE_CLASSIFICATIONS and (
        values == ["ALL"] or NATIONALITY in values
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", sorted(LISTS))
def test_list_holds_only_what_the_caller_reads(world: World, path: str, role: str) -> None:
    kind = LISTS[path]
    with world.client(role) as client:
        rows = _all(client, path)
    listed = {row["id"] for row in rows}
    for variant in VARIANTS:
        expected = READS.get((f"{path}/{{id}}", kind, role, variant))
        if expected is None:
            continue
        row_id = world.fixed[kind, variant]
        assert (row_id in listed) == (expected == 200), (path, role, variant, row_id)
    unreadable = [row["id"] for row in rows if not _readable(row["label"])]
    assert not unreadable, f"{path} lists rows labelled beyond {role}: {unreadable}"
    if READS.get((f"{path}/{{id}}", kind, role, "other")) == 404:
        field = "supplier" if role == "supplier" else "nation"
        own = SUPPLIER if role == "supplier" else NATION
        foreign = [row["id"] for row in rows if row.get(field, own) != own]
        assert not foreign, f"{path} lists other owners' rows to {role}: {foreign}"


@pytest.mark.parametrize("role", ROLES)
def test_deliveries_hold_only_the_callers_own(world: World, role: str) -> None:
    with world.client(role) as client:
        rows = _all(client, f"/plans/{world.run}/deliveries")
    if role == "nation":
        assert {row["nation"] for row in rows} <= {NATION}
    elif role == "supplier":
        assert {row["supplier"] for row in rows} <= {SUPPLIER}
    else:
        assert len({row["nation"] for row in rows}) > 1


@pytest.mark.parametrize("role", ROLES)
def test_tokens_list_holds_only_the_callers_own(world: World, role: str) -> None:
    with Session(world.engine) as session:
        user = session.scalars(select(db.User.id).where(db.User.name == role)).one()
        own = set(session.scalars(select(db.ApiToken.id).where(db.ApiToken.user_id == user)))
    with world.client(role) as client:
        response = client.get("/tokens")
    assert response.status_code == 200
    assert {token["id"] for token in response.json()} <= own


def _readable_image(image: dict[str, Any]) -> bool:
    """Whether a row as the audit log keeps it carries a label the users may read."""
    releasable = str(image.get("releasable_to", "ALL")).split(",")
    return image.get(
        "classification", READABLE_CLASSIFICATIONS[0]
    ) in READABLE_CLASSIFICATIONS and (releasable == ["ALL"] or NATIONALITY in releasable)


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_audit_log_shows_no_record_above_the_readers_label(world: World, role: str) -> None:
    with world.client(role) as client:
        entries = _all(client, "/audit")
    hidden = [
        (entry["id"], entry["entity"], entry["entity_id"])
        for entry in entries
        for image in (entry["before"], entry["after"])
        if image is not None and not _readable_image(image)
    ]
    assert not hidden, f"the audit log shows {role} records it may not read: {hidden}"


def test_the_table_covers_every_role_and_variant() -> None:
    assert {cell.role for cell in CELLS} == set(ROLES)
    assert {cell.variant for cell in CELLS} == set(VARIANTS)
    assert len({cell.id for cell in CELLS}) == len(CELLS)
