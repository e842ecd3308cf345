"""A real AlliedForge service on a loopback port, over its own fresh database: in a server
thread (`serve`), or as `forge serve` processes (`Forge`, `forge_serve`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from alliedforge.api.app import create_app
from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import Scenario
from alliedforge.store.engine import DATABASE_URL_ENV, create_db_engine
from alliedforge.store.migrate import upgrade

TEST_URL_ENV = "ALLIEDFORGE_TEST_DATABASE_URL"
# On PostgreSQL the service connects as this login role, a member of `alliedforge_app`
# that owns no table, so that row-level security is in force as in a deployment.
API_ROLE = "alliedforge_api_test"


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file in `folder`, or a new PostgreSQL schema
    dropped afterwards."""
    if backend == "sqlite":
        file_url = f"sqlite:///{folder / 'api.db'}"
        upgrade(file_url)
        yield file_url
        return
    base = os.environ[TEST_URL_ENV]
    schema = f"api_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, pool_pre_ping=True)  # survives a restart of the cluster
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        upgrade(rendered)
        with admin.begin() as connection:
            connection.execute(
                text(
                    f"""
                    DO $$ BEGIN
                        CREATE ROLE {API_ROLE} LOGIN IN ROLE alliedforge_app;
                    EXCEPTION WHEN duplicate_object THEN NULL;
                    END $$
                    """
                )
            )
        yield rendered
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def as_service(url: str) -> str:
    """`url` as the service connects to it: on PostgreSQL as the unprivileged API role."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    return parsed.set(username=API_ROLE, password=None).render_as_string(hide_password=False)


@contextmanager
def serve(url: str) -> Iterator[str]:
    """Run the app over `url` (as the service role) in a uvicorn server thread; yield its
    base URL."""
    port = _free_port()
    app = create_app(as_service(url))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def served(
    backend: str, folder: Path, scenario: Scenario, people: Iterable[Person], label: str = "tests"
) -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh database holding `scenario` and `people` (each with an API token), served
    by `serve`: its base URL and the tokens by name."""
    with fresh_database(backend, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, scenario)
            tokens = add_people(session, people, label)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield base, tokens


# The `forge` script of this environment, and how long `forge serve` may take to answer
# (its workers import the whole app first: on a busy machine, tens of seconds).
FORGE = Path(sys.executable).with_name("forge")
SERVE_WITHIN_S = 180.0


@dataclass
class Forge:
    """`forge serve` over `url` (as the service role) as a process group of its own, the
    supervisor and its workers, its output appended to `log`. It may be started again
    after a stop or a kill, on the same port and database."""

    url: str
    log: Path
    workers: int = 1
    access_log: bool = True
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start it and wait until it answers; fail the test with its log if it does not."""
        command = [str(FORGE), "serve", "--port", str(self.port), "--workers", str(self.workers)]
        if not self.access_log:
            command.append("--no-access-log")
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, DATABASE_URL_ENV: as_service(self.url)},
                stdout=sink,
                stderr=subprocess.STDOUT,
                # A session of its own, so that a kill takes the workers with the supervisor.
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVE_WITHIN_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                ended = self.process.returncode
                self.kill()
                pytest.fail(f"forge serve ended ({ended}):\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.base}/api/v1/openapi.json", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        pytest.fail(
            f"forge serve did not answer within {SERVE_WITHIN_S} s:\n{self.log.read_text()}"
        )

    def stop(self) -> None:
        """Shut it down as an operator would (SIGTERM); `kill` it if that takes over 30 s."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def kill(self) -> None:
        """`kill -9` the whole service: no shutdown handler, no last commit."""
        if self.process is None:
            return
        # The group too when the supervisor is gone: a worker may outlive it.
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None


@contextmanager
def forge_serve(url: str, log: Path, workers: int = 2) -> Iterator[str]:
    """`forge serve --workers N` over `url` (as the service role), its output in `log`;
    yields the base URL once it answers, and shuts it down afterwards."""
    forge = Forge(url, log, workers)
    forge.start()
    try:
        yield forge.base
    finally:
        forge.stop()


PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Person:
    """A test user: role, what they act for, nationality, clearance."""

    name: str
    role: Role
    nation: str | None = None
    supplier: str | None = None
    nationality: str | None = None
    clearance: str = "NATO RESTRICTED"


def add_people(session: Session, people: Iterable[Person], label: str = "tests") -> dict[str, str]:
    """Create each person (password `PASSWORD`) with an API token, as the operator;
    the tokens by name. The caller commits."""
    operator = Caller.operator()
    tokens: dict[str, str] = {}
    for person in people:
        access.create_user(
            session,
            operator,
            person.name,
            person.role,
            PASSWORD,
            nation=person.nation,
            supplier=person.supplier,
            clearance=person.clearance,
            nationality=person.nationality,
        )
        _token, tokens[person.name] = access.create_token(session, operator, person.name, label)
    return tokens


# Two nations' desks, two suppliers' desks, the agency and an auditor on the tiny scenario.
DESKS = (
    Person("n00-desk", Role.NATION, nation="N00"),
    Person("n01-desk", Role.NATION, nation="N01"),
    Person("s000-desk", Role.SUPPLIER, supplier="S000X"),
    Person("s001-desk", Role.SUPPLIER, supplier="S001X"),
    Person("agency", Role.PLANNER, nationality="N00"),
    Person("auditor", Role.AUDITOR, nationality="N01"),
)
