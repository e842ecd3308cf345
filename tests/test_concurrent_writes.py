"""Many writers at once: every write is acknowledged or refused on its merits, never
lost to a lock. On SQLite a write holds the database's one write lock; waiting for it on
the event loop would stall the request that holds it, and all fail after the busy
timeout — a regression this test catches."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from alliedforge.scenario import load_scenario

from live_api import DESKS
from shared_data import GOLDEN
from web_site import BACKENDS, Site, live_site, token

WRITERS = 12
SCENARIO = load_scenario(GOLDEN / "tiny")


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    folder: Path = tmp_path_factory.mktemp("concurrent")
    with live_site(request.param, folder, SCENARIO, DESKS) as live:
        yield live


def _create(site: Site, code: str) -> int:
    """Sign in through the form and record a draft requirement; the answer's status."""
    with site.signed_in("n00-desk") as client:
        form = client.get("/requirements/new")
        data = {
            "csrf_token": token(form),
            "code": code,
            "weapon_system": SCENARIO.weapon_systems[0].code,
            "quantity": "100",
            "due": "2027-09",
            "priority": "2",
            "classification": "NATO UNCLASSIFIED",
            "releasable_to": "",
        }
        return client.post("/requirements/new", data=data).status_code


def test_simultaneous_form_posts_are_all_recorded(site: Site) -> None:
    codes = [f"RUSH-{n}" for n in range(WRITERS)]
    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = list(pool.map(lambda code: _create(site, code), codes))
    assert statuses == [303] * WRITERS
    with site.signed_in("n00-desk") as client:
        listed = client.get("/requirements", params={"format": "json", "status": "draft"})
        recorded = {row["code"] for row in listed.json()["items"]}
    assert set(codes) <= recorded


def test_a_busy_writer_does_not_stall_the_readers(site: Site) -> None:
    """Reads during a burst of writes answer (the event loop is never blocked on a lock)."""
    with ThreadPoolExecutor(WRITERS + 4) as pool:
        writes = [pool.submit(_create, site, f"BURST-{n}") for n in range(WRITERS)]
        with httpx.Client(base_url=site.base, timeout=30) as client:
            reads = [pool.submit(client.get, "/login") for _ in range(4)]
            assert [read.result().status_code for read in reads] == [200] * 4
        assert [write.result() for write in writes] == [303] * WRITERS
