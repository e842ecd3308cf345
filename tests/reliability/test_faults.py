"""Faults under load: `forge serve` killed mid-write and mid-plan, PostgreSQL restarted
under it, a backup taken while writes run. No acknowledged write is lost, nothing is
half-applied, and the service carries on."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import MetaData, make_url, select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Role
from alliedforge.domain.plans.heartbeat import STALE_AFTER
from alliedforge.domain.plans.models import PlanRun, RunStatus
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import Scenario, load_scenario
from alliedforge.scenario.generate import generate_scenario
from alliedforge.store.engine import DATABASE_URL_ENV, create_db_engine

from live_api import DESKS, FORGE, TEST_URL_ENV, Forge, Person, add_people, fresh_database
from shared_data import GOLDEN
from web_site import BACKENDS

TINY = load_scenario(GOLDEN / "tiny")
# Columns an update of a requirement's quantity may change; every other value must stay.
UPDATED = ("quantity", "version", "updated_at", "updated_by")
# The audit trail: one record per committed write, and the head of its hash chain.
AUDIT = ("audit_log", "audit_head")
# Bookkeeping any authenticated request updates.
TOKEN_USE = "last_used_at"
WAIT_S = 60.0

Rows = dict[str, dict[object, dict[str, object]]]


def _forge(url: str, folder: Path) -> Forge:
    """`forge serve` with one worker over `url`, its log in `folder`."""
    return Forge(url, folder / "serve.log", access_log=False)


@contextmanager
def running(forge: Forge) -> Iterator[Forge]:
    """The service while the block runs, then `kill -9`ed."""
    forge.start()
    try:
        yield forge
    finally:
        forge.kill()


def _rows(url: str) -> Rows:
    """Every row of every table (reflected), keyed by primary key, as column → value."""
    engine = create_db_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        rows: Rows = {}
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                key = list(table.primary_key.columns) or list(table.columns)
                found = connection.execute(select(table)).mappings().all()
                rows[table.name] = {
                    tuple(row[column.name] for column in key): dict(row) for row in found
                }
        return rows
    finally:
        engine.dispose()


def _record(
    url: str, scenario: Scenario = TINY, people: Iterable[Person] = DESKS
) -> dict[str, str]:
    """Import `scenario` and `people`; their API tokens by name."""
    engine = create_db_engine(url)
    with Session(engine) as session:
        import_scenario(session, scenario)
        tokens = add_people(session, people)
        session.commit()
    engine.dispose()
    return tokens


@dataclass
class Updates:
    """Quantity updates of some requirements, one at a time each, per requirement id: the
    values acknowledged (a 2xx answer), and those sent since the last acknowledged one and
    never answered (each may or may not have committed)."""

    acknowledged: dict[int, list[float]] = field(default_factory=dict)
    unanswered: dict[int, list[float]] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return sum(map(len, self.acknowledged.values()))


def _update_until_stopped(base: str, token: str, ids: list[int], updates: Updates) -> None:
    """PATCH each requirement's quantity in turn, with its ETag, until told to stop; after a
    failed request, read the ETag again and go on. Quantities are unique: each tells which
    request wrote it."""
    headers = {"Authorization": f"Bearer {token}"}
    versions: dict[int, str] = {}
    step = 0
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=10) as client:
        while not updates.stop.is_set():
            step += 1
            for requirement_id in ids:
                quantity = float(requirement_id * 100_000 + step)
                try:
                    if requirement_id not in versions:
                        found = client.get(f"/requirements/{requirement_id}")
                        versions[requirement_id] = found.raise_for_status().headers["ETag"]
                    with updates.lock:
                        updates.unanswered.setdefault(requirement_id, []).append(quantity)
                    answer = client.patch(
                        f"/requirements/{requirement_id}",
                        json={"quantity": quantity},
                        headers={"If-Match": versions[requirement_id]},
                    )
                    versions[requirement_id] = answer.raise_for_status().headers["ETag"]
                except httpx.HTTPError:
                    versions.pop(requirement_id, None)
                    time.sleep(0.05)
                    continue
                with updates.lock:
                    updates.acknowledged.setdefault(requirement_id, []).append(quantity)
                    updates.unanswered[requirement_id] = []


@contextmanager
def writing(base: str, token: str, ids: list[int], updates: Updates) -> Iterator[None]:
    """Four writers updating `ids` while the block runs."""
    threads = [
        threading.Thread(target=_update_until_stopped, args=(base, token, ids[i::4], updates))
        for i in range(4)
    ]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        updates.stop.set()
        for thread in threads:
            thread.join(timeout=WAIT_S)


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.02)


def _assert_only_acknowledged(before: Rows, after: Rows, updates: Updates) -> None:
    """Each requirement holds its last acknowledged quantity, or one sent after it and never
    answered (committed, then the answer was lost); its version counts every acknowledged
    update and at most the unanswered ones besides; one audit record per new version;
    nothing else changed anywhere."""
    committed = 0
    requirements = {row["id"]: row for row in after["requirements"].values()}
    assert len(requirements) == len(before["requirements"])
    for row in before["requirements"].values():
        key = int(str(row["id"]))
        now = requirements[row["id"]]
        done = updates.acknowledged.get(key, [])
        unanswered = updates.unanswered.get(key, [])
        last = done[-1] if done else row["quantity"]
        assert now["quantity"] in (last, *unanswered), f"requirement {key}: write lost"
        writes = int(str(now["version"])) - int(str(row["version"]))
        assert len(done) <= writes <= len(done) + len(unanswered), f"requirement {key}"
        committed += writes
        for column, value in row.items():
            if column not in UPDATED:
                assert now[column] == value, f"requirement {key}: {column} changed"
    assert len(after["audit_log"]) == len(before["audit_log"]) + committed
    for table, rows in before.items():
        if table == "api_tokens":
            assert _without(after[table], TOKEN_USE) == _without(rows, TOKEN_USE)
        elif table not in ("requirements", *AUDIT):
            assert after[table] == rows, f"{table} changed"


def _without(rows: dict[object, dict[str, object]], column: str) -> list[dict[str, object]]:
    return [{k: v for k, v in row.items() if k != column} for _key, row in sorted(rows.items())]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_killed_server_keeps_every_acknowledged_update_and_nothing_else(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        tokens = _record(url)
        before = _rows(url)
        ids = sorted(int(str(row["id"])) for row in before["requirements"].values())
        updates = Updates()
        forge = _forge(url, tmp_path)
        with running(forge), writing(forge.base, tokens["agency"], ids, updates):
            _wait_for(lambda: updates.count() >= 60, "60 updates were acknowledged")
            forge.kill()
        _assert_only_acknowledged(before, _rows(url), updates)
        # The service comes back on the same database and serves it.
        with running(forge):
            headers = {"Authorization": f"Bearer {tokens['agency']}"}
            listed = httpx.get(f"{forge.base}/api/v1/requirements", headers=headers, timeout=30)
            assert listed.status_code == 200
            assert len(listed.json()["items"]) == len(ids)


def test_a_backup_taken_while_writes_run_is_a_consistent_prefix(tmp_path: Path) -> None:
    """`forge db backup` three times while one writer adds requirements: each copy passes
    SQLite's integrity check and holds exactly the first k requirements added, every one
    acknowledged before the backup started among them, with their audit records."""
    with fresh_database("sqlite", tmp_path) as url:
        tokens = _record(url)
        audited = len(_rows(url)["audit_log"])
        sent: list[str] = []
        acknowledged: list[str] = []
        stop = threading.Event()

        def add_requirements(base: str) -> None:
            headers = {"Authorization": f"Bearer {tokens['agency']}"}
            with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=10) as client:
                while not stop.is_set():
                    code = f"B{len(sent):05d}"
                    sent.append(code)
                    new = {"code": code, "nation": "N01", "weapon_system": "WS0"}
                    answer = client.post(
                        "/requirements", json={**new, "quantity": 1.0, "due": "2027-06"}
                    )
                    answer.raise_for_status()
                    acknowledged.append(code)

        copies: list[tuple[Path, int, int]] = []
        with running(_forge(url, tmp_path)) as forge:
            writer = threading.Thread(target=add_requirements, args=(forge.base,))
            writer.start()
            try:
                for number in range(3):
                    wanted = len(acknowledged) + 10
                    _wait_for(lambda: len(acknowledged) >= wanted, "writes ran")  # noqa: B023
                    target = tmp_path / f"backup-{number}.db"
                    first = len(acknowledged)
                    backup = subprocess.run(
                        [str(FORGE), "db", "backup", str(target)],
                        env={**os.environ, DATABASE_URL_ENV: url},
                        capture_output=True,
                        text=True,
                        timeout=WAIT_S,
                    )
                    assert backup.returncode == 0, backup.stderr
                    copies.append((target, first, len(acknowledged)))
            finally:
                stop.set()
                writer.join(timeout=WAIT_S)
        assert not writer.is_alive()
        for target, first, last in copies:
            with closing(sqlite3.connect(target)) as copy:
                assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                codes = [
                    code
                    for (code,) in copy.execute(
                        "SELECT code FROM requirements WHERE code LIKE 'B%' ORDER BY id"
                    )
                ]
                audit = copy.execute("SELECT count(*) FROM audit_log").fetchone()[0]
            assert codes == sent[: len(codes)], "not a prefix of the writes"
            assert first <= len(codes) <= last + 1, "an acknowledged write is missing"
            assert audit == audited + len(codes)


def _cluster_of(url: str) -> tuple[str, str] | None:
    """The local PostgreSQL cluster (version, name) serving `url`'s port, if any."""
    if shutil.which("pg_ctlcluster") is None:
        return None
    port = str(make_url(url).port or 5432)
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    )
    for line in listing.stdout.splitlines():
        version, name, cluster_port, *_rest = line.split()
        if cluster_port == port:
            return version, name
    return None


@pytest.mark.reliability
def test_the_service_rides_out_a_postgresql_restart(tmp_path: Path) -> None:
    """`pg_ctlcluster … restart` while readers and writers run: requests fail while the
    database is down, then succeed again from the same `forge serve`, and every
    acknowledged write is there."""
    base = os.environ.get(TEST_URL_ENV)
    cluster = _cluster_of(base) if base else None
    if base is None or cluster is None:
        pytest.skip("needs a local PostgreSQL cluster (pg_ctlcluster) at the test URL")
    # fresh_database's admin engine checks its connection before use, so it drops the schema
    # after the restart too.
    with fresh_database("postgresql", tmp_path) as url:
        tokens = _record(url)
        before = _rows(url)
        ids = sorted(int(str(row["id"])) for row in before["requirements"].values())
        updates = Updates()
        reads: list[tuple[float, bool]] = []
        forge = _forge(url, tmp_path)
        with running(forge), writing(forge.base, tokens["agency"], ids, updates):
            reader = threading.Thread(
                target=_read_until_stopped, args=(forge.base, tokens["n00-desk"], reads, updates)
            )
            reader.start()
            _wait_for(lambda: updates.count() >= 20, "writes ran")
            subprocess.run(["pg_ctlcluster", *cluster, "restart"], check=True, timeout=WAIT_S)
            restarted = time.monotonic()
            _wait_for(lambda: bool(reads) and reads[-1][1], "a read succeeded again")
            recovered = updates.count()
            _wait_for(lambda: updates.count() >= recovered + 20, "writes succeeded again")
            time.sleep(2)
            updates.stop.set()
            reader.join(timeout=WAIT_S)
            assert forge.process is not None
            assert forge.process.poll() is None, "forge serve died with its database"
        settled = [ok for at, ok in reads if at > reads[-1][0] - 1.5]
        assert all(settled), "reads still fail after the restart"
        assert any(at > restarted and ok for at, ok in reads)
        _assert_only_acknowledged(before, _rows(url), updates)


def _read_until_stopped(
    base: str, token: str, reads: list[tuple[float, bool]], updates: Updates
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=10) as client:
        while not updates.stop.is_set():
            try:
                ok = client.get("/requirements").status_code == 200
            except httpx.HTTPError:
                ok = False
            reads.append((time.monotonic(), ok))
            time.sleep(0.01)


@pytest.mark.reliability
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_plan_run_killed_mid_solve_is_failed_and_the_next_one_completes(
    backend: str, tmp_path: Path
) -> None:
    """`kill -9` while a plan solves: the run stays `running` with no result rows; once its
    last sign of life is `STALE_AFTER` old, the restarted service marks it failed, and a new
    plan starts and completes."""
    scenario = generate_scenario(
        nations=8, items=40, families=8, lines=40, requirements=400, months=36, seed=3
    )
    with fresh_database(backend, tmp_path) as url:
        tokens = _record(url, scenario, [Person("agency", Role.PLANNER)])
        headers = {"Authorization": f"Bearer {tokens['agency']}"}
        forge = _forge(url, tmp_path)
        with running(forge):
            plans = f"{forge.base}/api/v1/plans"
            started = httpx.post(plans, json={"time_limit": 600, "gap": 0}, headers=headers)
            assert started.status_code == 202, started.text
            run_id = started.json()["id"]

            def solving() -> bool:
                run = httpx.get(f"{plans}/{run_id}", headers=headers, timeout=30).json()
                assert run["status"] == RunStatus.RUNNING, run
                return bool(run["progress"] and run["progress"]["elapsed"] > 0)

            _wait_for(solving, "the solve was under way")
            forge.kill()
        rows = _rows(url)
        run = next(row for row in rows["plan_runs"].values() if row["id"] == run_id)
        assert run["status"] == RunStatus.RUNNING
        assert not [row for row in rows["plan_deliveries"].values() if row["run_id"] == run_id]
        # The clock moves on past the threshold that tells a dead solver from a slow one.
        engine = create_db_engine(url)
        with Session(engine) as session:
            stored = session.get(PlanRun, run_id)
            assert stored is not None
            stored.started_at -= STALE_AFTER
            stored.heartbeat_at = None if stored.heartbeat_at is None else stored.started_at
            session.commit()
        engine.dispose()
        with running(forge):
            plans = f"{forge.base}/api/v1/plans"
            killed = httpx.get(f"{plans}/{run_id}", headers=headers, timeout=30).json()
            assert killed["status"] == RunStatus.FAILED
            assert "interrupted" in killed["error"]
            again = httpx.post(plans, json={"time_limit": 5}, headers=headers, timeout=60)
            assert again.status_code == 202, again.text
            new = f"{plans}/{again.json()['id']}"
            _wait_for(
                lambda: (
                    httpx.get(new, headers=headers, timeout=30).json()["status"]
                    != RunStatus.RUNNING
                ),
                "the new plan ended",
            )
            assert httpx.get(new, headers=headers, timeout=30).json()["status"] == RunStatus.DONE
