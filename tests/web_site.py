"""A browser-like HTTP client for the web pages: sign in through the form, CSRF tokens,
and a live site over a scenario with the test people (`live_api.DESKS` or others)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from alliedforge.domain.record import import_scenario
from alliedforge.scenario import Scenario
from alliedforge.store.engine import create_db_engine

from live_api import PASSWORD, TEST_URL_ENV, Person, add_people, fresh_database, serve

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_URL_ENV) else [])
TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def token(response: httpx.Response) -> str:
    """The CSRF token of the form on a page."""
    found = TOKEN.search(response.text)
    assert found is not None, "the page has no CSRF token"
    return found.group(1)


@dataclass(frozen=True)
class Site:
    """A live service; `signed_in(name)` gives a client with that person's session."""

    base: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60, follow_redirects=False)

    @contextmanager
    def signed_in(self, user: str) -> Iterator[httpx.Client]:
        """A browser-like client signed in through the form (password `PASSWORD`)."""
        with self.client() as client:
            form = client.get("/login")
            assert form.status_code == 200
            response = client.post(
                "/login", data={"csrf_token": token(form), "name": user, "password": PASSWORD}
            )
            assert (response.status_code, response.headers["location"]) == (303, "/"), response.text
            yield client


@contextmanager
def live_site(
    backend: str,
    folder: Path,
    scenario: Scenario,
    people: Iterable[Person],
    prepare: Callable[[Session], object] | None = None,
) -> Iterator[Site]:
    """The service over a fresh database holding `scenario` and `people`, and whatever
    `prepare` adds (in the same transaction) before the service starts."""
    with fresh_database(backend, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, scenario)
            add_people(session, people)
            if prepare is not None:
                prepare(session)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Site(base)
