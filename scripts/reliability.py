"""The reliability suite (`make reliability`, docs/reliability.md): load, faults, hostile input.

1. Load: the alliance-scale record behind `forge serve --workers 2`, on SQLite and on
   PostgreSQL, and a ladder of `wrk` runs with more and more open connections reading
   pages of 50 requirements as a nation user. wrk is closed-loop: each connection sends its
   next request when the last is answered, so more connections offer more load until the
   service saturates.
2. Reads while others write, and while a big plan solves: the writers alone; the same
   reads before, then while a nation's desks edit its requirements and a supplier
   updates its lines, then
   while a plan run of the whole record, started over the API, solves. During the plan,
   reads' p99 must not more than double; no write may fail.
3. The suite `tests/reliability/` in full (slow tests included) with
   `ALLIEDFORGE_FUZZ_EXAMPLES` (default 10000) generated cases per reader.

PostgreSQL is a throwaway cluster of the suite's own (Debian's `pg_createcluster`, on a
free port), dropped at the end: the fault tests restart the cluster they test on, which
would cut every other user of a shared one. `--postgres URL` uses a given server instead.

Figures go to benchmarks/reliability-results.json and a summary to standard output; the
exit status is 1 if a target is missed or a test fails. The load helpers are those of
benchmarks/api.py, imported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from alliedforge.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import api as load  # noqa: E402  (benchmarks/api.py: a folder of scripts, not a package)

RESULTS = ROOT / "benchmarks" / "reliability-results.json"
TEST_URL_ENV = "ALLIEDFORGE_TEST_DATABASE_URL"
FUZZ_ENV = "ALLIEDFORGE_FUZZ_EXAMPLES"
STATEFUL_ENV = "ALLIEDFORGE_STATEFUL_EXAMPLES"
STATEFUL_EXAMPLES = 100  # stateful API runs per role and backend (about 5 min for both)
# The figures the suite's tests print with -rP: "fuzz csv: 10000 cases, …" and the like.
FIGURE = re.compile(r"^(fuzz|stateful|access) [^:]+: ")
TARGET_RATE = 500.0  # reads per second, SQLite, 2 workers
TARGET_P99_MS = 100.0
PLAN_SLOWDOWN = 2.0  # reads' p99 during a big plan, at most this many times the p99 before


def _ladder(
    label: str, url: str, service_url: str, args: argparse.Namespace
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The load ladder, then reads beside writes and beside a plan, on one database."""
    credentials = load.prepare(url)
    server = load.serve(service_url, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    target = f"{base}/api/v1/requirements?limit=50"
    reader = f"Authorization: Bearer {credentials['nation']['token']}"
    rows = []
    try:
        load.wrk(target, reader, 3, 4)  # warm up
        for connections in args.ladder:
            measured = load.wrk(target, reader, args.seconds, connections)
            rows.append({"database": label, "connections": connections, **measured})
            print(f"{label} c={connections}: {_line(measured)}", flush=True)
        with _writing(base, credentials) as alone:
            time.sleep(args.seconds)
        print(f"{label} writes alone: {json.dumps(alone.summary())}", flush=True)
        before = load.wrk(target, reader, args.seconds, args.plan_connections)
        print(f"{label} reads, c={args.plan_connections}: {_line(before)}", flush=True)
        with _writing(base, credentials) as writes:
            during_writes = load.wrk(target, reader, args.seconds, args.plan_connections)
        mixed = {
            "database": label,
            "connections": args.plan_connections,
            "before": before,
            "during": during_writes,
            "p99_ratio": during_writes["p99_ms"] / before["p99_ms"],
            "writes_alone": alone.summary(),
            "writes": writes.summary(),
        }
        print(f"{label} reads beside writes: {json.dumps(mixed)}", flush=True)
        during_plan = _reads_during_plan(base, target, reader, credentials, args)
        plan = {"database": label, "before": before, **during_plan}
        plan["p99_ratio"] = plan["during"]["p99_ms"] / before["p99_ms"]
        print(f"{label} reads beside a plan: {json.dumps(plan)}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return rows, {"writes": mixed, "plan": plan}


@dataclass
class Writes:
    """What the writers did: each PATCH's latency, and the failed ones by status."""

    latencies_ms: list[float] = field(default_factory=list)
    failed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def record(self, started: float, outcome: str | None) -> None:
        with self.lock:
            if outcome is None:
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
            else:
                self.failed[outcome] = self.failed.get(outcome, 0) + 1

    def summary(self) -> dict[str, Any]:
        done = sorted(self.latencies_ms)
        centiles = statistics.quantiles(done, n=100) if len(done) > 1 else done * 99
        return {
            "acknowledged": len(done),
            "per_second": round(len(done) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(centiles[49], 1) if centiles else None,
            "p99_ms": round(centiles[98], 1) if centiles else None,
            "failed": self.failed,
        }


def _edit_until_stopped(
    base: str, token: str, listing: str, changed: str, writes: Writes, part: tuple[int, int]
) -> None:
    """One user's desk: read the records of `listing` it may edit (every `part[1]`-th, from
    `part[0]`), then change each one's `changed` field in turn, up by one and back, with
    its ETag, until told to stop."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=60) as client:
        records = client.get(listing, params={"limit": 200}).raise_for_status().json()["items"]
        mine = records[part[0] :: part[1]]
        tags = {record["id"]: f'"{record["version"]}"' for record in mine}
        step = 0
        while not writes.stop.is_set():
            step += 1
            for record in mine:
                value = record[changed] + step % 2
                started = time.perf_counter()
                try:
                    answer = client.patch(
                        f"{listing}/{record['id']}",
                        json={changed: value},
                        headers={"If-Match": tags[record["id"]]},
                    )
                except httpx.HTTPError as error:
                    writes.record(started, type(error).__name__)
                    continue
                if answer.is_success:
                    tags[record["id"]] = answer.headers["ETag"]
                    writes.record(started, None)
                else:
                    writes.record(started, str(answer.status_code))
                if writes.stop.is_set():
                    break


@contextmanager
def _writing(base: str, credentials: load.Credentials) -> Iterator[Writes]:
    """Two desks of a nation editing its requirements' quantities and a supplier updating
    its lines' capacities, closed-loop, while the block runs."""
    writes = Writes()
    nation, supplier = credentials["nation"]["token"], credentials["supplier"]["token"]
    desks = [
        (nation, "/requirements", "quantity", (0, 2)),
        (nation, "/requirements", "quantity", (1, 2)),
        (supplier, "/lines", "capacity_per_month", (0, 1)),
    ]
    threads = [
        threading.Thread(target=_edit_until_stopped, args=(base, *desk[:3], writes, desk[3]))
        for desk in desks
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        yield writes
    finally:
        writes.stop.set()
        for thread in threads:
            thread.join(timeout=120)
        writes.seconds = time.monotonic() - started


def _reads_during_plan(
    base: str, target: str, reader: str, credentials: load.Credentials, args: argparse.Namespace
) -> dict[str, Any]:
    """Reads' latency while the agency's plan of the whole record solves."""
    headers = {"Authorization": f"Bearer {credentials['planner']['token']}"}
    asked = {"time_limit": args.plan_seconds, "gap": 0}
    started = httpx.post(f"{base}/api/v1/plans", json=asked, headers=headers, timeout=120)
    started.raise_for_status()
    run = f"{base}/api/v1/plans/{started.json()['id']}"
    time.sleep(2)  # past the snapshot, into the model build and the solve
    during = load.wrk(target, reader, args.seconds, args.plan_connections)
    status = httpx.get(run, headers=headers, timeout=60).json()["status"]
    solving_throughout = status == "running"
    deadline = time.monotonic() + args.plan_seconds + 300
    while status == "running" and time.monotonic() < deadline:
        time.sleep(2)
        status = httpx.get(run, headers=headers, timeout=60).json()["status"]
    return {
        "connections": args.plan_connections,
        "during": during,
        "plan_solving_throughout": solving_throughout,
        "plan_status": status,
    }


def _line(measured: dict[str, float]) -> str:
    return (
        f"{measured['requests_per_second']:.0f} req/s, p50 {measured['p50_ms']:.1f} ms, "
        f"p99 {measured['p99_ms']:.1f} ms, non-2xx {measured['non_2xx']:.0f}"
    )


def _postgres(base: str, args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The ladder on a fresh schema of `base`, served as a non-owner role (row-level security)."""
    owner, schema, admin = load.postgres_schema(base)
    try:
        upgrade(owner)
        return _ladder("postgresql", owner, load.service_url(owner, admin), args)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _throwaway_cluster() -> Iterator[str]:
    """A PostgreSQL cluster of our own on a free port (trust auth on loopback, database
    `test`), dropped afterwards; its owner URL."""
    if shutil.which("pg_createcluster") is None:
        sys.exit(
            "pg_createcluster (Debian's postgresql-common) is not installed: give a server "
            "with --postgres URL, or --postgres none for SQLite only"
        )
    version = max(Path("/usr/lib/postgresql").iterdir(), key=lambda path: int(path.name)).name
    name, port = f"reliability{os.getpid()}", _free_port()
    create = ["pg_createcluster", version, name, "--port", str(port), "--start"]
    create += ["--", "--auth-host=trust", "--auth-local=trust"]
    made = subprocess.run(create, capture_output=True, text=True)
    if made.returncode != 0:
        sys.exit(
            f"could not create a PostgreSQL cluster ({' '.join(create)}): {made.stderr.strip()}"
            "\nRun as root or postgres, or give a server with --postgres URL"
        )
    try:
        server = create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with server.connect() as connection:
            connection.execute(text("CREATE DATABASE test"))
        server.dispose()
        print(f"PostgreSQL {version} cluster {name} on port {port} (dropped at the end)")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], check=False)


@contextmanager
def _postgres_server(choice: str) -> Iterator[str | None]:
    """The PostgreSQL server to use: a throwaway cluster (`auto`), none, or the given URL."""
    if choice == "none":
        yield None
    elif choice == "auto":
        with _throwaway_cluster() as url:
            yield url
    else:
        yield choice


def _suite(postgres: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """`tests/reliability/` with its slow tests, as pytest reports it (JUnit XML), and the
    figures its tests print (lines such as `fuzz csv: 10000 cases, …`)."""
    env = {**os.environ, FUZZ_ENV: str(args.examples), STATEFUL_ENV: str(args.stateful_examples)}
    env.pop(TEST_URL_ENV, None)
    if postgres:
        env[TEST_URL_ENV] = postgres
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "junit.xml"
        started = time.monotonic()
        # -rP prints what the passed tests printed: their figures.
        command = [sys.executable, "-m", "pytest", "tests/reliability", "-m", "", "-q", "-rP"]
        command += ["-p", "no:cacheprovider", f"--junitxml={report}"]
        output = bytearray()
        with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE) as pytest:
            assert pytest.stdout is not None
            # Passed on as it comes, progress dots included, and kept for the figures.
            while chunk := os.read(pytest.stdout.fileno(), 4096):
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
                output += chunk
        lines = output.decode(errors="replace").splitlines()
        figures = [line.strip() for line in lines if FIGURE.match(line)]
        seconds = time.monotonic() - started
        suites = ElementTree.parse(report).getroot()
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    failed = []
    for suite in suites.iter("testsuite"):
        for key in counts:
            counts[key] += int(suite.get(key, "0"))
    for case in suites.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(f"{case.get('classname')}::{case.get('name')}")
    return {
        "fuzz_examples": args.examples,
        "stateful_examples": args.stateful_examples,
        "exit_status": pytest.returncode,
        "seconds": round(seconds, 1),
        **counts,
        "failed": failed,
        "figures": figures,
    }


def _verdicts(results: dict[str, Any]) -> list[tuple[str, bool]]:
    verdicts = []
    sqlite_rows = [
        row
        for row in results["load"]
        if row["database"] == "sqlite" and row["p99_ms"] <= TARGET_P99_MS
    ]
    best = max(sqlite_rows, key=lambda row: row["requests_per_second"], default=None)
    if any(row["database"] == "sqlite" for row in results["load"]):
        verdicts.append(
            (
                f"SQLite reads: ≥{TARGET_RATE:.0f} req/s with p99 ≤{TARGET_P99_MS:.0f} ms",
                best is not None and best["requests_per_second"] >= TARGET_RATE,
            )
        )
    for row in results["load"]:
        if row["non_2xx"]:
            verdicts.append((f"{row['database']} c={row['connections']}: every read 2xx", False))
    for mixed in results["writes"]:
        verdicts.append(
            (f"{mixed['database']}: no write fails beside the reads", not mixed["writes"]["failed"])
        )
    for plan in results["plan"]:
        verdicts.append(
            (
                f"{plan['database']}: reads' p99 during a plan ≤{PLAN_SLOWDOWN:g}× before",
                plan["p99_ratio"] <= PLAN_SLOWDOWN and plan["plan_solving_throughout"],
            )
        )
    suite = results.get("suite")
    if suite is not None:
        verdicts.append(("tests/reliability/ passes", suite["exit_status"] == 0))
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60, help="per wrk run (s)")
    parser.add_argument(
        "--ladder",
        type=lambda value: [int(part) for part in value.split(",")],
        default=[1, 2, 4, 8, 16, 32, 64],
        help="open connections per step, comma-separated",
    )
    parser.add_argument("--plan-connections", type=int, default=16)
    parser.add_argument("--plan-seconds", type=float, default=90.0, help="the plan's time limit")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--postgres",
        default="auto",
        help="auto: a throwaway cluster of our own (the suite restarts it); none: SQLite only; "
        "or a PostgreSQL URL (owner)",
    )
    parser.add_argument("--examples", type=int, default=10_000, help=f"${FUZZ_ENV} for the suite")
    parser.add_argument(
        "--stateful-examples",
        type=int,
        default=STATEFUL_EXAMPLES,
        help=f"${STATEFUL_ENV} for the suite",
    )
    parser.add_argument(
        "--databases",
        type=lambda value: value.split(","),
        default=["sqlite", "postgresql"],
        help="which to load, comma-separated",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the figures go (JSON)")
    parser.add_argument("--no-load", action="store_true", help="skip parts 1 and 2")
    parser.add_argument("--no-suite", action="store_true", help="skip part 3")
    args = parser.parse_args()
    if not args.no_load and shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "settings": {
            "workers": args.workers,
            "seconds": args.seconds,
            "ladder": args.ladder,
            "plan_time_limit": args.plan_seconds,
        },
        "load": [],
        "writes": [],
        "plan": [],
    }
    with _postgres_server(args.postgres) as postgres:
        if not args.no_load and "sqlite" in args.databases:
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'reliability.db'}"
                rows, beside = _ladder("sqlite", url, url, args)
            results["load"] += rows
            results["writes"].append(beside["writes"])
            results["plan"].append(beside["plan"])
        if not args.no_load and "postgresql" in args.databases and postgres:
            rows, beside = _postgres(postgres, args)
            results["load"] += rows
            results["writes"].append(beside["writes"])
            results["plan"].append(beside["plan"])
        if not args.no_suite:
            results["suite"] = _suite(postgres, args)
    verdicts = _verdicts(results)
    results["verdicts"] = [{"target": target, "met": met} for target, met in verdicts]
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {args.out}")
    for target, met in verdicts:
        print(f"{'met   ' if met else 'MISSED'} {target}")
    if not all(met for _target, met in verdicts):
        sys.exit(1)


if __name__ == "__main__":
    main()
