"""Access under pressure: the permission rules hold while many users read at once.

Ten nation users (two for each of the five nations of the small scenario), three supplier
users and three staff read the contracting record (requirements, budgets, stockpiles,
fleets, commitments, lines, prices, deliveries, call-offs, frameworks, the stock ledger,
a plan's deliveries, what-ifs) from many threads at once over real HTTP, against
`forge serve --workers 2` (on PostgreSQL as the service role, behind row-level security).
Every response is checked against an oracle, an administrator cleared NATO SECRET who
reads everything: lists hold exactly the rows the caller owns and may read (so not one
row of another nation or supplier), and another's record ids answer 404.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Role
from alliedforge.store.base import CLASSIFICATIONS
from alliedforge.store.engine import DATABASE_URL_ENV, create_db_engine

from contracting_world import build_world, small
from live_api import Person, add_people, as_service, fresh_database
from web_site import BACKENDS

NATIONS = ("N00", "N01", "N02", "N03", "N04")
SUPPLIERS = {"S000X": "N02", "S001X": "N00", "S002X": "N00"}  # code → country
RESTRICTED = "NATO RESTRICTED"
PEOPLE = (
    *(Person(f"{n.lower()}-{desk}", Role.NATION, nation=n) for n in NATIONS for desk in "ab"),
    *(Person(s.lower(), Role.SUPPLIER, supplier=s) for s in SUPPLIERS),
    # The oracle: of the only nationality the N03-only call-off is releasable to.
    Person("admin", Role.ADMIN, nationality="N03", clearance="NATO SECRET"),
    Person("planner", Role.PLANNER, nationality="N01"),
    Person("auditor", Role.AUDITOR, nationality="N02"),
)
ORACLE = "admin"
FIRE = """
name = "Plant fire"

[[change]]
kind = "line_outage"
line = "L001"
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
SERVE_WITHIN_S = 180.0


@dataclass(frozen=True)
class Service:
    """The served record: its API address, tokens by user, and the oracle's rows by list."""

    api: str
    tokens: dict[str, str]
    truth: dict[str, list[dict[str, Any]]]


@contextmanager
def forge_serve(url: str, log: Path, workers: int = 2) -> Iterator[str]:
    """`forge serve --workers N` over `url` as its own process group, its stdout and
    stderr in `log`; yields the base URL once it answers.

    The command runs from `python -c`, not the `forge` script: uvicorn's spawned workers
    re-import a main script (all of the CLI) before they answer the supervisor's 5 s
    health check, and on a busy machine that takes longer, so the workers are killed
    and restarted forever."""
    port = _free_port()
    command = [sys.executable, "-c", "from alliedforge.cli.main import app; app()", "serve"]
    command += ["--port", str(port), "--workers", str(workers)]
    with log.open("ab") as sink:
        server = subprocess.Popen(
            command,
            env={**os.environ, DATABASE_URL_ENV: url},
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base, server, log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVE_WITHIN_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"forge serve ended ({server.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/api/v1/openapi.json", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"forge serve did not answer within {SERVE_WITHIN_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The contracting record with a stockpile per nation, a what-if and the users above,
    served by two worker processes."""
    folder = tmp_path_factory.mktemp("access-pressure")
    with fresh_database(request.param, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            build_world(session, small())
            _add_stockpiles(session)
            tokens = add_people(session, PEOPLE, label="pressure")
            session.commit()
        engine.dispose()
        with forge_serve(as_service(url), folder / "serve.log") as base:
            api = f"{base}/api/v1"
            with httpx.Client(base_url=api, timeout=60) as client:
                headers = {"Authorization": f"Bearer {tokens['planner']}"}
                made = client.post("/whatifs", json={"text": FIRE}, headers=headers)
                assert made.status_code == 201, made.text
                truth = _read_everything(client, tokens[ORACLE])
            yield Service(api, tokens, truth)


def _add_stockpiles(session: Session) -> None:
    nations = dict(session.execute(select(db.Nation.code, db.Nation.id)).all())
    system = session.scalars(select(db.WeaponSystem.id).where(db.WeaponSystem.code == "WS0"))
    system_id = system.one()
    for code in NATIONS:
        session.add(
            db.Stockpile(
                nation_id=nations[code], weapon_system_id=system_id, on_hand=10, target=100,
                due="2027-06",
            )
        )  # fmt: skip


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


def _person(name: str) -> Person:
    return next(person for person in PEOPLE if person.name == name)


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


def _calls(service: Service, details: Callable[[list[int]], list[int]]) -> list[Call]:
    """Every list as every user, and the records `details` picks of each list as every
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
            for row_id in details(sorted(by_id)):
                status = 200 if visible(person, path, by_id[row_id]) else 404
                calls.append(Call(person.name, f"{path}/{row_id}", status, None))
    return calls


def _check(client: httpx.Client, token: str, call: Call) -> str | None:
    """What is wrong with the answer to `call`, or None."""
    params = LIMIT if call.ids is not None else None
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get(call.path, params=params, headers=headers)
    if response.status_code != call.status:
        return f"{call}: answered {response.status_code} {response.text[:200]}"
    if call.status != 200:
        return None
    body = response.json()
    if call.ids is None:
        key = call.path.rsplit("/", 1)[1]  # a record's id, or a what-if's code
        return None if key in (str(body["id"]), body.get("code")) else f"{call}: {body}"
    listed = frozenset(row["id"] for row in body["items"])
    if listed != call.ids:
        return f"{call}: listed {sorted(listed)}, extra {sorted(listed - call.ids)}"
    return None


def hammer(service: Service, calls: list[Call], threads: int) -> tuple[list[str], float]:
    """Make the calls in random order from `threads` threads; every problem found, and
    the requests per second. Each thread keeps one connection that it uses as whichever
    user its next call is, so the users' requests interleave on every connection (and no
    connection idles into the server's keep-alive timeout, which races with its reuse)."""
    local = threading.local()
    opened: list[httpx.Client] = []

    def run(call: Call) -> str | None:
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
    return problems, len(calls) / (time.monotonic() - started)


# The tests.


def test_the_oracle_sees_what_the_checks_need(service: Service) -> None:
    """The record holds rows of every nation and a row beyond each user's label, so the
    checks can fail."""
    nations = {row["nation"] for row in service.truth["/requirements"]}
    assert nations == set(NATIONS)
    labels = {
        (row["label"]["classification"], tuple(row["label"]["categories"][0]["values"]))
        for row in service.truth["/call-offs"]
    }
    assert ("NATO SECRET", ("ALL",)) in labels
    assert (RESTRICTED, ("N03",)) in labels
    assert service.truth["/whatifs"]
    for path in OWNERS:
        assert service.truth[path], f"nothing in {path}"


def test_many_users_at_once_read_only_their_own(service: Service) -> None:
    """One round: every list as every user, and two records of each list as every user
    (200 or 404 as the oracle says), from 12 threads."""
    picked = _calls(service, lambda ids: random.Random(len(ids)).sample(ids, min(2, len(ids))))
    problems, _rate = hammer(service, picked, threads=12)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.reliability
def test_many_users_at_once_for_long_read_only_their_own(service: Service) -> None:
    """Twenty rounds of every record of every list as every user, from 32 threads."""
    everything = _calls(service, lambda ids: ids) * 20
    problems, rate = hammer(service, everything, threads=32)
    assert not problems, "\n".join(problems[:20])
    print(f"{len(everything)} checked requests at {rate:.0f} per second")
