"""Benchmark the REST API under load: authenticated list requests against `forge serve`.

The alliance-scale scenario is generated and imported into a fresh database, users and
API tokens are created, `forge serve --workers N` starts as its own process, and `wrk`
(Debian package `wrk`) fires keep-alive requests for pages of 50 requirements as a
nation user and as the agency. Run: `make benchmark-api` (add `--postgres URL` to
measure PostgreSQL too; the service then connects as a non-owner role, under
row-level security).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.record import import_scenario
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
LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _prepare(url: str) -> dict[str, str]:
    """Migrate, import the alliance scenario, create a nation user and a planner; their
    tokens by role."""
    upgrade(url)
    scenario = generate_scenario(
        **ALLIANCE, seed=1, budgets=True, components=True, commitments=True
    )
    engine = create_engine(url)
    tokens: dict[str, str] = {}
    with Session(engine) as session:
        import_scenario(session, scenario)
        nation = scenario.requirements[0].nation
        operator = Caller.operator()
        for name, role, nation_code, nationality in (
            ("bench-desk", Role.NATION, nation, None),
            ("bench-agency", Role.PLANNER, None, nation),
        ):
            access.create_user(
                session,
                operator,
                name,
                role,
                uuid.uuid4().hex,
                nation=nation_code,
                clearance="NATO SECRET",
                nationality=nationality,
            )
            _token, tokens[str(role)] = access.create_token(session, operator, name, "bench")
        session.commit()
    engine.dispose()
    return tokens


def _serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ALLIEDFORGE_DATABASE_URL": url}
    command = [str(FORGE), "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen([*command, "--no-access-log"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json"):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("forge serve did not start")


def _wrk(url: str, token: str, seconds: int, connections: int) -> dict[str, float]:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
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


def _postgres_schema(base: str) -> tuple[str, str, Any]:
    """A fresh schema on `base`; the owner URL and the service-role URL for it."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    owner = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return owner.render_as_string(hide_password=False), schema, admin


def run(label: str, url: str, service_url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    tokens = _prepare(url)
    server = _serve(service_url, args.port, args.workers)
    rows = []
    try:
        target = f"http://127.0.0.1:{args.port}/api/v1/requirements?limit=50"
        for role, token in tokens.items():
            _wrk(target, token, 3, args.connections)  # warm up
            rows.append(
                {
                    "database": label,
                    "caller": role,
                    **_wrk(target, token, args.seconds, args.connections),
                }
            )
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
        owner, schema, admin = _postgres_schema(args.postgres)
        try:
            upgrade(owner)
            with admin.begin() as connection:
                connection.execute(
                    text(
                        f"DO $$ BEGIN CREATE ROLE {SERVICE_ROLE} LOGIN IN ROLE alliedforge_app; "
                        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
                    )
                )
            service = make_url(owner).set(username=SERVICE_ROLE, password=None)
            rows += run("postgresql", owner, service.render_as_string(hide_password=False), args)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
