"""Benchmark the REST API under load: authenticated list requests against `forge serve`.

The alliance-scale scenario is generated and imported into a fresh database, users and
API tokens are created, `forge serve --workers N` starts as its own process, and `wrk`
(Debian package `wrk`) fires keep-alive requests for pages of 50 requirements as a
nation user and as the agency. Then the web dashboard (`GET /` with a session cookie),
over the alliance scenario with a joint and a national plan stored, one connection at a
time: its latency is the page's server time plus loopback. Run: `make benchmark-api` (add
`--postgres URL` to measure PostgreSQL too; the service then connects as a non-owner
role, under row-level security).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.plans import service as plan_runs
from alliedforge.domain.record import import_scenario
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Mode
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario.generate import generate_scenario
from alliedforge.store.migrate import upgrade

FORGE = Path(sys.executable).with_name("forge")
ALLIANCE = {
    "nations": 32,
    "items": 300,
    "families": 30,
    "lines": 200,
    "requirements": 1500,
    "months": 60,
}
SERVICE_ROLE = "alliedforge_api_bench"
PLAN_SECONDS = 20.0  # per plan stored for the dashboard: its figures, not its optimality
LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


Credentials = dict[str, dict[str, str]]


def prepare(url: str) -> Credentials:
    """Migrate, import the alliance scenario, store a joint and a national plan of it,
    create a nation user, a planner and a supplier user (of the first line's supplier);
    per role, an API token and a web session cookie."""
    upgrade(url)
    scenario = generate_scenario(
        **ALLIANCE, seed=1, budgets=True, components=True, commitments=True
    )
    engine = create_engine(url)
    credentials: Credentials = {}
    with Session(engine) as session:
        import_scenario(session, scenario)
        for mode in (Mode.JOINT, Mode.NATIONAL):
            options = PlanOptions(mode=mode, time_limit=PLAN_SECONDS)
            run_id = plan_runs.start_run(session, scenario, options)
            plan_runs.finish_run(session, run_id, solve_plan(scenario, options))
        nation = scenario.requirements[0].nation
        supplier = scenario.lines[0].supplier
        operator = Caller.operator()
        for name, role, nation_code, supplier_code, nationality in (
            ("bench-desk", Role.NATION, nation, None, None),
            ("bench-agency", Role.PLANNER, None, None, nation),
            ("bench-works", Role.SUPPLIER, None, supplier, None),
        ):
            password = uuid.uuid4().hex
            access.create_user(
                session,
                operator,
                name,
                role,
                password,
                nation=nation_code,
                supplier=supplier_code,
                clearance="NATO SECRET",
                nationality=nationality,
            )
            _token, token = access.create_token(session, operator, name, "bench")
            _caller, cookie = access.login(session, name, password, None)
            credentials[str(role)] = {"token": token, "cookie": cookie}
        session.commit()
    engine.dispose()
    return credentials


def serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ALLIEDFORGE_DATABASE_URL": url}
    command = [str(FORGE), "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen([*command, "--no-access-log"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json"):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("forge serve did not start")


def _check(url: str, header: str) -> None:
    """One request must answer 200 (wrk counts a redirect to the sign-in page as success)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=60)
    name, _colon, value = header.partition(": ")
    connection.request("GET", f"{parts.path}?{parts.query}", headers={name: value})
    status = connection.getresponse().status
    connection.close()
    if status != 200:
        raise RuntimeError(f"GET {url} answered {status}, not 200")


def wrk(url: str, header: str, seconds: int, connections: int) -> dict[str, float]:
    _check(url, header)
    output = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            header,
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result = {"requests_per_second": rate, "non_2xx": float(errors.group(1)) if errors else 0.0}
    for percent, value, unit in LATENCY.findall(output):
        result[f"p{percent}_ms"] = float(value) * UNITS[unit]
    return result


def postgres_schema(base: str) -> tuple[str, str, Any]:
    """A fresh schema on `base`: the owner URL for it, its name and an admin engine."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    owner = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return owner.render_as_string(hide_password=False), schema, admin


def service_url(owner: str, admin: Any) -> str:
    """`owner` (a migrated schema's URL) as the service connects to it: as `SERVICE_ROLE`,
    a member of `alliedforge_app` that owns no table, so that row-level security holds."""
    with admin.begin() as connection:
        connection.execute(
            text(
                f"DO $$ BEGIN CREATE ROLE {SERVICE_ROLE} LOGIN IN ROLE alliedforge_app; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
        )
    return (
        make_url(owner)
        .set(username=SERVICE_ROLE, password=None)
        .render_as_string(hide_password=False)
    )


def run(label: str, url: str, service_url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    credentials = prepare(url)
    server = serve(service_url, args.port, args.workers)
    rows = []
    try:
        base = f"http://127.0.0.1:{args.port}"
        for role in ("nation", "planner"):
            secrets = credentials[role]
            bearer = f"Authorization: Bearer {secrets['token']}"
            target = f"{base}/api/v1/requirements?limit=50"
            wrk(target, bearer, 3, args.connections)  # warm up
            measured = wrk(target, bearer, args.seconds, args.connections)
            rows.append({"database": label, "target": "api", "caller": role, **measured})
            cookie = f"Cookie: alliedforge_session={secrets['cookie']}"
            measured = wrk(f"{base}/", cookie, 10, 1)
            rows.append({"database": label, "target": "dashboard", "caller": role, **measured})
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--postgres", help="a PostgreSQL URL (owner) to measure as well")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        rows += run("sqlite", url, url, args)
    if args.postgres:
        owner, schema, admin = postgres_schema(args.postgres)
        try:
            upgrade(owner)
            rows += run("postgresql", owner, service_url(owner, admin), args)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
