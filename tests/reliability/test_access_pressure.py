"""Access under pressure: the permission rules hold while many users of twelve nations
read at once.

Twenty-four nation users (two desks for each of the twelve nations of a generated alliance,
one cleared NATO RESTRICTED and one NATO SECRET), a user for each of its seven suppliers
and three staff read the contracting record of tests/alliance_world.py (requirements,
budgets, stockpiles, fleets, commitments, lines, prices, deliveries, call-offs,
frameworks, the stock ledger, a plan's deliveries, what-ifs) from many threads at once over
real HTTP, against `forge serve --workers 2` (on PostgreSQL as the service role, behind
row-level security). Every response is checked against an oracle, an administrator cleared
NATO SECRET who reads everything: lists hold exactly the rows the caller owns and may read
(so not one row of another nation or supplier, nor one beyond the caller's label), and
another's record ids answer 404.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import httpx
import pytest
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Role
from alliedforge.store.base import CLASSIFICATIONS
from alliedforge.store.engine import create_db_engine

from alliance_world import RESTRICTED, SECRET, alliance, build_alliance
from live_api import Person, add_people, forge_serve, fresh_database
from web_site import BACKENDS

SCENARIO = alliance()
NATIONS = sorted(nation.code for nation in SCENARIO.nations)
SUPPLIERS = {supplier.code: supplier.country for supplier in SCENARIO.suppliers}
# The oracle's nationality: the labels releasable to one nation only name it.
ORACLE_NATION = NATIONS[0]
PEOPLE = (
    *(Person(f"{n.lower()}-a", Role.NATION, nation=n) for n in NATIONS),
    *(Person(f"{n.lower()}-b", Role.NATION, nation=n, clearance=SECRET) for n in NATIONS),
    *(Person(s.lower(), Role.SUPPLIER, supplier=s) for s in SUPPLIERS),
    Person("admin", Role.ADMIN, nationality=ORACLE_NATION, clearance=SECRET),
    Person("planner", Role.PLANNER, nationality=NATIONS[1]),
    Person("auditor", Role.AUDITOR, nationality=NATIONS[2]),
)
ORACLE = "admin"
FIRE = f"""
name = "Plant fire"

[[change]]
kind = "line_outage"
line = "{SCENARIO.lines[0].code}"
start = "2027-03"
months = 6
"""

# What a nation and a supplier user own of each list: the field naming the owner, or
# None when the role owns none of it. Staff own everything they may read.
OWNERS: dict[str, dict[Role, str | None]] = {
    "/requirements": {Role.NATION: "nation", Role.SUPPLIER: None},
    "/budgets": {Role.NATION: "nation", Role.SUPPLIER: None},
    "/stockpiles": {Role.NATION: "nation", Role.SUPPLIER: None},
    "/fleets": {Role.NATION: "nation", Role.SUPPLIER: None},
    "/stockpiles/ledger": {Role.NATION: "nation", Role.SUPPLIER: None},
    "/commitments": {Role.NATION: "nation", Role.SUPPLIER: "supplier"},
    "/deliveries": {Role.NATION: "nation", Role.SUPPLIER: "supplier"},
    "/call-offs": {Role.NATION: "nation", Role.SUPPLIER: "supplier"},
    "/frameworks": {Role.NATION: "parties", Role.SUPPLIER: "supplier"},
    "/lines": {Role.NATION: None, Role.SUPPLIER: "supplier"},
    "/prices": {Role.NATION: None, Role.SUPPLIER: "supplier"},
}
# The lists whose records are also read one by one at `{list}/{id}`.
DETAILED = sorted(set(OWNERS) - {"/stockpiles/ledger"})
PLAN_DELIVERIES: dict[Role, str | None] = {Role.NATION: "nation", Role.SUPPLIER: "supplier"}
# The lists with labels beyond some desks' reach, so that the label checks can fail.
LABELLED = (
    "/budgets",
    "/fleets",
    "/stockpiles",
    "/prices",
    "/call-offs",
    "/deliveries",
    "/stockpiles/ledger",
)
# Rounds of every record as every user in the long run (~10,800 requests each): about three
# minutes on SQLite and five on PostgreSQL on two cores.
ROUNDS = 3


@dataclass(frozen=True)
class Service:
    """The served record: its backend, API address, tokens by user, and the oracle's rows
    by list."""

    backend: str
    api: str
    tokens: dict[str, str]
    truth: dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The alliance's contracting record, a what-if and the users above, served by two
    worker processes."""
    folder = tmp_path_factory.mktemp("access-pressure")
    with fresh_database(request.param, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            build_alliance(session, SCENARIO, ORACLE_NATION)
            tokens = add_people(session, PEOPLE, label="pressure")
            session.commit()
        engine.dispose()
        with forge_serve(url, folder / "serve.log") as base:
            api = f"{base}/api/v1"
            with httpx.Client(base_url=api, timeout=60) as client:
                headers = {"Authorization": f"Bearer {tokens['planner']}"}
                made = client.post("/whatifs", json={"text": FIRE}, headers=headers)
                assert made.status_code == 201, made.text
                truth = _read_everything(client, tokens[ORACLE])
            yield Service(request.param, api, tokens, truth)


def _read_everything(client: httpx.Client, token: str) -> dict[str, list[dict[str, Any]]]:
    """Every list as the oracle reads it, with the run's deliveries under `/plans/{id}`."""
    headers = {"Authorization": f"Bearer {token}"}
    truth = {path: _page(client.get(path, params=LIMIT, headers=headers)) for path in OWNERS}
    (run,) = _page(client.get("/plans", params=LIMIT, headers=headers))
    truth["/plans/{id}/deliveries"] = _page(
        client.get(f"/plans/{run['id']}/deliveries", params=LIMIT, headers=headers)
    )
    truth["/whatifs"] = _page(client.get("/whatifs", params=LIMIT, headers=headers))
    truth["/plans"] = [run]
    return truth


LIMIT = {"limit": 500}


def _page(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_after"] is None, "the record outgrew one page"
    items: list[dict[str, Any]] = body["items"]
    return items


# The oracle's rules.


def _nationality(person: Person) -> str | None:
    if person.role is Role.NATION:
        return person.nation
    if person.role is Role.SUPPLIER:
        return SUPPLIERS[person.supplier or ""]
    return person.nationality


def readable(person: Person, row: dict[str, Any]) -> bool:
    """Whether the row's label is within the person's clearance and released to them."""
    label = row.get("label")
    if label is None:
        return True
    (category,) = label["categories"]
    released = category["values"] == ["ALL"] or _nationality(person) in category["values"]
    cleared = CLASSIFICATIONS.index(label["classification"]) <= CLASSIFICATIONS.index(
        person.clearance
    )
    return cleared and released


def owns(person: Person, row: dict[str, Any], owners: dict[Role, str | None]) -> bool:
    """Whether the row is the person's own by the list's owner field (staff own all)."""
    if person.role not in owners:
        return True
    field = owners[person.role]
    if field is None:
        return False
    own = person.nation if person.role is Role.NATION else person.supplier
    value = row[field]
    return own in value if isinstance(value, list) else value == own


def visible(person: Person, path: str, row: dict[str, Any]) -> bool:
    owners = PLAN_DELIVERIES if path == "/plans/{id}/deliveries" else OWNERS[path]
    return owns(person, row, owners) and readable(person, row)


# The requests and their checks.


class Call(NamedTuple):
    """One GET as one user, and what must come back."""

    user: str
    path: str
    status: int
    ids: frozenset[int] | None  # for a list: exactly these ids; for a record: None


class Problem(NamedTuple):
    """A wrong answer; a leak when it showed what the user may not see."""

    leak: bool
    text: str


# Which records of a list to read one by one as a person: their ids.
Pick = Callable[[Person, str, list[dict[str, Any]]], list[int]]


def _calls(service: Service, pick: Pick) -> list[Call]:
    """Every list as every user, and the records `pick` chooses of each list as every
    user: each one's own as 200 (when readable), everyone else's as 404."""
    calls = []
    run_id = service.truth["/plans"][0]["id"]
    for person in PEOPLE:
        for path, rows in service.truth.items():
            if path == "/plans":
                continue
            if path == "/whatifs":
                staff = person.role not in (Role.NATION, Role.SUPPLIER)
                seen = frozenset(row["id"] for row in rows) if staff else None
                calls.append(Call(person.name, path, 200 if staff else 404, seen))
                for row in rows:
                    calls.append(Call(person.name, f"/whatifs/{row['code']}",
                                      200 if staff else 404, None))  # fmt: skip
                continue
            ids = frozenset(row["id"] for row in rows if visible(person, path, row))
            calls.append(Call(person.name, path.replace("{id}", str(run_id)), 200, ids))
            if path not in DETAILED:
                continue
            by_id = {row["id"]: row for row in rows}
            for row_id in pick(person, path, rows):
                status = 200 if visible(person, path, by_id[row_id]) else 404
                calls.append(Call(person.name, f"{path}/{row_id}", status, None))
    return calls


def _a_few(person: Person, path: str, rows: list[dict[str, Any]]) -> list[int]:
    """The first record the person may read (if any) and two drawn at random."""
    ids = sorted(row["id"] for row in rows)
    own = [row["id"] for row in rows if visible(person, path, row)][:1]
    drawn = random.Random(f"{person.name} {path}").sample(ids, min(2, len(ids)))
    return sorted({*own, *drawn})


def _all(_person: Person, _path: str, rows: list[dict[str, Any]]) -> list[int]:
    return [row["id"] for row in rows]


def _check(client: httpx.Client, token: str, call: Call) -> Problem | None:
    """What is wrong with the answer to `call`, or None."""
    params = LIMIT if call.ids is not None else None
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get(call.path, params=params, headers=headers)
    if response.status_code != call.status:
        shown = response.status_code == 200
        return Problem(shown, f"{call}: answered {response.status_code} {response.text[:200]}")
    if call.status != 200:
        return None
    body = response.json()
    if call.ids is None:
        key = call.path.rsplit("/", 1)[1]  # a record's id, or a what-if's code
        wrong = key not in (str(body["id"]), body.get("code"))
        return Problem(True, f"{call}: {body}") if wrong else None
    listed = frozenset(row["id"] for row in body["items"])
    if listed != call.ids:
        extra = sorted(listed - call.ids)
        return Problem(bool(extra), f"{call}: listed {sorted(listed)}, extra {extra}")
    return None


def hammer(service: Service, calls: list[Call], threads: int) -> list[Problem]:
    """Make the calls in random order from `threads` threads; every problem found. Prints
    a summary line (shown by `pytest -rP`). Each thread keeps one connection that it uses
    as whichever user its next call is, so the users' requests interleave on every
    connection (and no connection idles into the server's keep-alive timeout, which races
    with its reuse)."""
    local = threading.local()
    opened: list[httpx.Client] = []

    def run(call: Call) -> Problem | None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=service.api, timeout=60)
            opened.append(local.client)
        return _check(local.client, service.tokens[call.user], call)

    shuffled = random.Random(8).sample(calls, len(calls))
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(threads) as pool:
            problems = [problem for problem in pool.map(run, shuffled) if problem]
    finally:
        for client in opened:
            client.close()
    seconds = time.monotonic() - started
    leaks = sum(problem.leak for problem in problems)
    print(
        f"access pressure on {service.backend}: {len(calls)} requests checked in {seconds:.0f} s"
        f" from {threads} threads, {len(PEOPLE)} users, {len(NATIONS)} nations,"
        f" {len(calls) / seconds:.0f} req/s, leaks={leaks}, other problems={len(problems) - leaks}"
    )
    return problems


def _owners(rows: list[dict[str, Any]], field: str) -> set[str]:
    found: set[str] = set()
    for row in rows:
        value = row[field]
        found |= set(value) if isinstance(value, list) else {value}
    return found


def _labels(rows: list[dict[str, Any]]) -> set[tuple[str, tuple[str, ...]]]:
    return {
        (row["label"]["classification"], tuple(row["label"]["categories"][0]["values"]))
        for row in rows
    }


# The tests.


def test_the_oracle_sees_what_the_checks_need(service: Service) -> None:
    """The record holds rows of several owners in every list (of every nation in some, of
    every nation and supplier among them), and rows beyond some users' labels, so the
    checks can fail."""
    truth = service.truth
    assert _owners(truth["/requirements"], "nation") == set(NATIONS)
    assert _owners(truth["/fleets"], "nation") == set(NATIONS)
    assert _owners(truth["/commitments"], "nation") | _owners(truth["/call-offs"], "nation") == (
        set(NATIONS)
    )
    assert _owners(truth["/lines"], "supplier") == set(SUPPLIERS)
    assert _owners(truth["/frameworks"], "supplier") == set(SUPPLIERS)
    for path, owners in [*OWNERS.items(), ("/plans/{id}/deliveries", PLAN_DELIVERIES)]:
        for field in filter(None, owners.values()):
            assert len(_owners(truth[path], field)) >= 2, f"{path}: one {field} only"
    for path in LABELLED:
        labels = _labels(truth[path])
        assert (SECRET, ("ALL",)) in labels, path
        assert (ORACLE_NATION,) in {released for _level, released in labels}, path
    # A call-off its own nation may not read.
    assert any(
        row["nation"] != ORACLE_NATION and _labels([row]) == {(RESTRICTED, (ORACLE_NATION,))}
        for row in truth["/call-offs"]
    )
    assert (SECRET, ("ALL",)) in _labels(truth["/frameworks"])
    assert truth["/whatifs"]


def test_many_users_at_once_read_only_their_own(service: Service) -> None:
    """One round: every list as every user, and a few records of each list as every user
    (one of their own, two at random: 200 or 404 as the oracle says), from 12 threads."""
    problems = hammer(service, _calls(service, _a_few), threads=12)
    assert not problems, "\n".join(problem.text for problem in problems[:20])


@pytest.mark.reliability
def test_many_users_at_once_for_long_read_only_their_own(service: Service) -> None:
    """Rounds of every record of every list as every user, from 32 threads."""
    problems = hammer(service, _calls(service, _all) * ROUNDS, threads=32)
    assert not problems, "\n".join(problem.text for problem in problems[:20])
