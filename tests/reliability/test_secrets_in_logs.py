"""No secret in the logs: a live `forge serve` is used with passwords, cookies and API
tokens (made on the command line and over the API, used, revoked, guessed wrong), and
every line it and the CLI wrote is searched for each of them and for the hashes they are
stored under."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.service import digest
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import load_scenario
from alliedforge.store.engine import DATABASE_URL_ENV, create_db_engine

from live_api import FORGE, forge_serve, fresh_database
from shared_data import GOLDEN
from web_site import BACKENDS, token

PRINTED_TOKEN = re.compile(r"^(afg_\S+)$", re.MULTILINE)
# Users made on the command line: (name, role options), each with a fresh password.
USERS = (
    ("desk", ["--role", "nation", "--nation", "N00"]),
    ("agency", ["--role", "planner", "--nationality", "N01"]),
)


@dataclass
class Trail:
    """Where the logs went, and every secret used on the way."""

    folder: Path
    secrets: set[str]

    def logs(self) -> list[Path]:
        """Every file written beside the database but the database itself."""
        return [
            path
            for path in sorted(self.folder.rglob("*"))
            if path.is_file() and not path.name.startswith("api.db")
        ]


def _forge(url: str, trail: Trail, *args: str, password: str | None = None) -> str:
    """Run a `forge` command; its stderr (a log) kept in the folder, its stdout returned.
    Only `forge tokens create`'s stdout shows a secret, once, by design: it is not kept."""
    done = subprocess.run(
        [str(FORGE), *args],
        env={**os.environ, DATABASE_URL_ENV: url},
        input=None if password is None else f"{password}\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with (trail.folder / "cli-stderr.log").open("a") as log:
        log.write(done.stderr)
    if args[:2] != ("tokens", "create"):
        with (trail.folder / "cli-stdout.log").open("a") as log:
            log.write(done.stdout)
    return done.stdout


@pytest.fixture(scope="module", params=BACKENDS)
def trail(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Trail:
    folder = tmp_path_factory.mktemp("secrets")
    trail = Trail(folder / "logs", set())
    trail.folder.mkdir()
    with fresh_database(request.param, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, load_scenario(GOLDEN / "tiny"))
            session.commit()
        passwords = {name: f"pw-{uuid.uuid4().hex}" for name, _role in USERS}
        trail.secrets |= set(passwords.values())
        for name, role in USERS:
            _forge(url, trail, "users", "create", name, *role, password=passwords[name])
        printed = _forge(url, trail, "tokens", "create", "desk", "--name", "cli")
        (cli_token,) = PRINTED_TOKEN.findall(printed)
        trail.secrets.add(cli_token)
        with forge_serve(url, trail.folder / "serve.log") as base:
            _use(base, passwords, cli_token, trail)
            _forge(url, trail, "tokens", "revoke", "1")
            _use_revoked(base, cli_token)
        with Session(engine) as session:
            stored = [
                *session.scalars(select(db.ApiToken.token_hash)),
                *session.scalars(select(db.WebSession.token_hash)),
                *session.scalars(select(db.User.password_hash)),
            ]
        engine.dispose()
    assert stored
    trail.secrets |= {digest(secret) for secret in trail.secrets} | set(stored)
    return trail


def _use(base: str, passwords: dict[str, str], cli_token: str, trail: Trail) -> None:
    """Sign in over the API and on the web page, fail to, use and make tokens."""
    wrong = f"pw-{uuid.uuid4().hex}"
    trail.secrets.add(wrong)
    with httpx.Client(base_url=f"{base}/api/v1", timeout=60) as api:
        signed_in = api.post(
            "/auth/login", json={"name": "agency", "password": passwords["agency"]}
        )
        assert signed_in.status_code == 200, signed_in.text
        cookie = signed_in.cookies["alliedforge_session"]
        trail.secrets.add(cookie)
        assert api.get("/me").status_code == 200
        made = api.post("/tokens", json={"name": "api"})
        assert made.status_code == 201, made.text
        api_token = made.json()["token"]
        trail.secrets.add(api_token)
        assert api.post("/auth/logout").status_code in (200, 204)
        refused = api.post("/auth/login", json={"name": "agency", "password": wrong})
        assert refused.status_code == 401
        # A password typed into the name field, and a password sent as a token.
        slip = api.post("/auth/login", json={"name": passwords["desk"], "password": wrong})
        assert slip.status_code == 401
        as_token = {"Authorization": f"Bearer {passwords['desk']}"}
        assert api.get("/requirements", headers=as_token).status_code == 401
        for secret in (cli_token, api_token):
            used = api.get("/requirements", headers={"Authorization": f"Bearer {secret}"})
            assert used.status_code == 200, used.text
    with httpx.Client(base_url=base, timeout=60) as web:
        form = web.get("/login")
        fields = {"csrf_token": token(form), "name": "desk", "password": passwords["desk"]}
        assert web.post("/login", data=fields).status_code == 303
        trail.secrets.add(web.cookies["alliedforge_session"])
        assert web.get("/").status_code == 200


def _use_revoked(base: str, cli_token: str) -> None:
    headers = {"Authorization": f"Bearer {cli_token}"}
    revoked = httpx.get(f"{base}/api/v1/requirements", headers=headers, timeout=60)
    assert revoked.status_code == 401


def test_the_logs_record_the_requests(trail: Trail) -> None:
    """The search below looks at real logs: the access log holds the requests made."""
    served = (trail.folder / "serve.log").read_text()
    assert "POST /api/v1/auth/login" in served
    assert "GET /api/v1/requirements" in served
    assert " 401" in served


def test_no_secret_in_any_log(trail: Trail) -> None:
    assert len(trail.secrets) >= 10
    found = [
        f"{path.name}: {secret[:8]}…"
        for path in trail.logs()
        for secret in trail.secrets
        if secret in path.read_text(errors="replace")
    ]
    assert not found, found
