"""The reliability suite (`make reliability`, docs/reliability.md): load, faults, hostile input.

1. Load: the alliance-scale record behind `forge serve --workers 2`, on SQLite and (with a
   PostgreSQL URL) on PostgreSQL, and a ladder of `wrk` runs with more and more open
   connections reading pages of 50 requirements as a nation user. wrk is closed-loop: each
   connection sends its next request when the last is answered, so more connections offer
   more load until the service saturates.
2. Reads while a big plan solves: the same reads before and during a plan run of the whole
   record started over the API; p99 must not more than double.
3. The suite `tests/reliability/` in full (slow tests included) with
   `ALLIEDFORGE_FUZZ_EXAMPLES` (default 10000) generated cases per reader.

Figures go to benchmarks/reliability-results.json and a summary to standard output; the
exit status is 1 if a target is missed or a test fails. The load helpers are those of
benchmarks/api.py, imported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url, text

from alliedforge.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import api as load  # noqa: E402  (benchmarks/api.py: a folder of scripts, not a package)

RESULTS = ROOT / "benchmarks" / "reliability-results.json"
TEST_URL_ENV = "ALLIEDFORGE_TEST_DATABASE_URL"
FUZZ_ENV = "ALLIEDFORGE_FUZZ_EXAMPLES"
TARGET_RATE = 500.0  # reads per second, SQLite, 2 workers
TARGET_P99_MS = 100.0
PLAN_SLOWDOWN = 2.0  # reads' p99 during a big plan, at most this many times the p99 before


def _ladder(
    label: str, url: str, service_url: str, args: argparse.Namespace
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The load ladder and the reads-during-a-plan check on one database."""
    credentials = load._prepare(url)
    server = load._serve(service_url, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    target = f"{base}/api/v1/requirements?limit=50"
    reader = f"Authorization: Bearer {credentials['nation']['token']}"
    rows = []
    try:
        load._wrk(target, reader, 3, 4)  # warm up
        for connections in args.ladder:
            measured = load._wrk(target, reader, args.seconds, connections)
            rows.append({"database": label, "connections": connections, **measured})
            print(f"{label} c={connections}: {_line(measured)}", flush=True)
        plan = _reads_during_plan(base, target, reader, credentials["planner"]["token"], args)
        plan["database"] = label
        print(f"{label} reads during a plan: {json.dumps(plan)}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return rows, plan


def _reads_during_plan(
    base: str, target: str, reader: str, planner: str, args: argparse.Namespace
) -> dict[str, Any]:
    """Reads' latency before, then while the agency's plan of the whole record solves."""
    before = load._wrk(target, reader, args.seconds, args.plan_connections)
    headers = {"Authorization": f"Bearer {planner}"}
    asked = {"time_limit": args.plan_seconds, "gap": 0}
    started = httpx.post(f"{base}/api/v1/plans", json=asked, headers=headers, timeout=120)
    started.raise_for_status()
    run = f"{base}/api/v1/plans/{started.json()['id']}"
    time.sleep(2)  # past the snapshot, into the model build and the solve
    during = load._wrk(target, reader, args.seconds, args.plan_connections)
    status = httpx.get(run, headers=headers, timeout=60).json()["status"]
    solving_throughout = status == "running"
    deadline = time.monotonic() + args.plan_seconds + 300
    while status == "running" and time.monotonic() < deadline:
        time.sleep(2)
        status = httpx.get(run, headers=headers, timeout=60).json()["status"]
    return {
        "connections": args.plan_connections,
        "before": before,
        "during": during,
        "p99_ratio": during["p99_ms"] / before["p99_ms"],
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
    owner, schema, admin = load._postgres_schema(base)
    try:
        upgrade(owner)
        with admin.begin() as connection:
            connection.execute(
                text(
                    f"DO $$ BEGIN CREATE ROLE {load.SERVICE_ROLE} LOGIN IN ROLE alliedforge_app; "
                    "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
                )
            )
        service = make_url(owner).set(username=load.SERVICE_ROLE, password=None)
        return _ladder("postgresql", owner, service.render_as_string(hide_password=False), args)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _suite(postgres: str | None, examples: int) -> dict[str, Any]:
    """`tests/reliability/` with its slow tests, as pytest reports it (JUnit XML)."""
    env = {**os.environ, FUZZ_ENV: str(examples)}
    if postgres:
        env[TEST_URL_ENV] = postgres
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "junit.xml"
        started = time.monotonic()
        # -rP prints the fuzz tests' "fuzz <reader>: N cases" lines in the summary.
        command = [sys.executable, "-m", "pytest", "tests/reliability", "-m", "", "-q", "-rP"]
        finished = subprocess.run(
            [*command, "-p", "no:cacheprovider", f"--junitxml={report}"], cwd=ROOT, env=env
        )
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
        "fuzz_examples": examples,
        "exit_status": finished.returncode,
        "seconds": round(seconds, 1),
        **counts,
        "failed": failed,
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
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run (s)")
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
        default=os.environ.get(TEST_URL_ENV),
        help=f"a PostgreSQL URL (owner; default ${TEST_URL_ENV}); the suite restarts its cluster",
    )
    parser.add_argument("--examples", type=int, default=10_000, help=f"${FUZZ_ENV} for the suite")
    parser.add_argument(
        "--databases",
        type=lambda value: value.split(","),
        default=["sqlite", "postgresql"],
        help="which to load (postgresql needs --postgres), comma-separated",
    )
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
        "plan": [],
    }
    if not args.no_load and "sqlite" in args.databases:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'reliability.db'}"
            rows, plan = _ladder("sqlite", url, url, args)
        results["load"] += rows
        results["plan"].append(plan)
    if not args.no_load and "postgresql" in args.databases:
        if args.postgres:
            rows, plan = _postgres(args.postgres, args)
            results["load"] += rows
            results["plan"].append(plan)
        else:
            print("No PostgreSQL URL (--postgres): PostgreSQL not loaded.")
    if not args.no_suite:
        results["suite"] = _suite(args.postgres, args.examples)
    verdicts = _verdicts(results)
    results["verdicts"] = [{"target": target, "met": met} for target, met in verdicts]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {RESULTS.relative_to(ROOT)}")
    for target, met in verdicts:
        print(f"{'met   ' if met else 'MISSED'} {target}")
    if not all(met for _target, met in verdicts):
        sys.exit(1)


if __name__ == "__main__":
    main()
