"""The industry pages over HTTP on a real server: the supplier register and its filters,
a supplier's profile (contacts, escaped text, safe links), and the lines and prices a
supplier keeps private — the agency and the supplier see them, a nation does not."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Role
from alliedforge.domain.industry.models import Line, Supplier
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import Scenario, load_scenario
from alliedforge.scenario.capacity import line_capacity
from alliedforge.store.engine import create_db_engine
from alliedforge.web.industry import web_link

from live_api import Person, add_people, fresh_database, serve
from shared_data import GOLDEN
from web_site import BACKENDS, Site

SCRIPT = "<script>alert('profile')</script>"
HOSTILE_WEBSITE = "javascript:alert(document.cookie)"
WEBSITE = "https://maker.example/about?lang=en&x=1"
# A line of the second supplier only readers of N00 may read (the agency is of N00).
RESTRICTED_LINE = "L003"
MARKING = "NATO RESTRICTED — Releasable to N00"
# The profile each supplier gets before the server starts (the scenario has none).
PROFILES: dict[int, dict[str, Any]] = {
    0: {
        "description": "Shells & charges",
        "year_founded": 1951,
        "ownership": "Family-owned",
        "address": "1 Foundry Road\nSteeltown",
        "phone": "+00 1 234 567",
        "fax": "+00 1 234 568",
        "mobile": "+00 171 000 000",
        "email": "sales@maker.example",
        "website": WEBSITE,
        "products_delivered": 1_200_000,
        "contracts": 85,
        "track_record_since": 1990,
    },
    2: {"description": SCRIPT, "products": f"<b>{SCRIPT}</b>", "website": HOSTILE_WEBSITE},
}


@dataclass(frozen=True)
class Scene:
    site: Site
    scenario: Scenario

    def supplier_path(self, client: httpx.Client, index: int) -> str:
        code = self.scenario.suppliers[index].code
        found = twin(client, "/industry", name=code)["suppliers"]
        assert [row["code"] for row in found] == [code]
        return f"/industry/suppliers/{found[0]['id']}"


@contextmanager
def _live(backend: str, folder: Path, scenario: Scenario) -> Iterator[Site]:
    makers = [supplier.code for supplier in scenario.suppliers]
    people = [
        Person("nation-desk", Role.NATION, nation=scenario.nations[0].code),
        Person("maker-desk", Role.SUPPLIER, supplier=makers[0]),
        Person("rival-desk", Role.SUPPLIER, supplier=makers[1]),
        Person("agency", Role.PLANNER, nationality=scenario.nations[0].code),
        Person("auditor", Role.AUDITOR, nationality=scenario.nations[1].code),
    ]
    with fresh_database(backend, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, scenario)
            add_people(session, people)
            restricted = session.scalars(select(Line).where(Line.code == RESTRICTED_LINE)).one()
            restricted.classification, restricted.releasable_to = "NATO RESTRICTED", "N00"
            for index, fields in PROFILES.items():
                row = session.scalars(select(Supplier).where(Supplier.code == makers[index])).one()
                for column, value in fields.items():
                    setattr(row, column, value)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Site(base)


@pytest.fixture(scope="module", params=BACKENDS)
def scene(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scene]:
    scenario = load_scenario(GOLDEN / "tiny")
    with _live(request.param, tmp_path_factory.mktemp("industry"), scenario) as site:
        yield Scene(site, scenario)


def twin(client: httpx.Client, path: str, **params: str) -> dict[str, Any]:
    response = client.get(path, params={**params, "format": "json"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def figure(page: str, name: str) -> dict[str, Any]:
    """The plotly figure a page hands to `app.js` in its JSON script element."""
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', page, re.S)
    assert found is not None, f"no {name} on the page"
    drawn: dict[str, Any] = json.loads(found.group(1))
    return drawn


def test_industry_pages_need_sign_in(scene: Scene) -> None:
    with scene.site.client() as client:
        for path in ("/industry", "/industry/suppliers/1"):
            response = client.get(path)
            assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_the_register_lists_every_supplier_with_the_lines_shared(scene: Scene) -> None:
    suppliers = scene.scenario.suppliers
    lines_per_supplier = {
        s.code: sum(1 for line in scene.scenario.lines if line.supplier == s.code)
        for s in suppliers
    }
    with scene.site.signed_in("agency") as client:
        body = twin(client, "/industry")
        listed = [(row["code"], row["name"], row["country"]) for row in body["suppliers"]]
        assert listed == [(s.code, s.name, s.country) for s in suppliers]
        assert body["lines_shared"] == {c: n for c, n in lines_per_supplier.items() if n}
        page = client.get("/industry").text
        for supplier in suppliers:
            assert f">{supplier.code}</a>" in page
    with scene.site.signed_in("maker-desk") as client:
        own = suppliers[0].code
        assert twin(client, "/industry")["lines_shared"] == {own: lines_per_supplier[own]}
    with scene.site.signed_in("nation-desk") as client:
        body = twin(client, "/industry")
        assert [row["code"] for row in body["suppliers"]] == [s.code for s in suppliers]
        assert body["lines_shared"] == {}
        assert "none shared with you" in client.get("/industry").text


def test_the_register_filters_by_country_and_name(scene: Scene) -> None:
    suppliers = scene.scenario.suppliers
    country = suppliers[0].country
    with scene.site.signed_in("nation-desk") as client:
        found = twin(client, "/industry", country=country.lower())["suppliers"]
        assert [row["code"] for row in found] == [s.code for s in suppliers if s.country == country]
        by_name = twin(client, "/industry", name=suppliers[1].name.upper())["suppliers"]
        assert [row["code"] for row in by_name] == [suppliers[1].code]
        assert twin(client, "/industry", name="no such maker")["suppliers"] == []
        assert twin(client, "/industry", country="XXX")["suppliers"] == []
        page = client.get("/industry").text
        assert f'<option value="{country}"' in page
        assert 'hx-select="#results"' in page


def test_the_profile_shows_about_and_contacts(scene: Scene) -> None:
    profile = PROFILES[0]
    with scene.site.signed_in("nation-desk") as client:
        path = scene.supplier_path(client, 0)
        page = client.get(path).text
        for field in ("phone", "fax", "mobile", "email", "ownership"):
            assert str(profile[field]) in page
        assert "1 Foundry Road\nSteeltown" in page
        assert "Shells &amp; charges" in page
        assert "1951" in page
        assert "1,200,000 units delivered" in page
        assert "85 contracts" in page
        assert "since 1990" in page
        assert '<a href="mailto:sales@maker.example">' in page
        assert '<a href="https://maker.example/about?lang=en&amp;x=1"' in page
        contacts = twin(client, path)["supplier"]["contacts"]
        assert contacts["website"] == WEBSITE
        assert client.get("/industry/suppliers/999999").status_code == 404


def test_profile_text_is_escaped_and_a_javascript_website_is_not_linked(scene: Scene) -> None:
    with scene.site.signed_in("agency") as client:
        path = scene.supplier_path(client, 2)
        page = client.get(path).text
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(&#39;profile&#39;)&lt;/script&gt;" in page
        assert "&lt;b&gt;" in page
        assert HOSTILE_WEBSITE in page  # shown as text …
        assert not re.search(r'href="\s*javascript:', page, re.IGNORECASE)  # … never a link
        assert twin(client, path)["supplier"]["contacts"]["website"] == HOSTILE_WEBSITE


def test_the_agency_sees_the_lines_with_the_planners_capacity(scene: Scene) -> None:
    scenario = scene.scenario
    maker = scenario.suppliers[0].code
    lines = [line for line in scenario.lines if line.supplier == maker]
    start, months = scenario.manifest.start, scenario.manifest.months
    assert any(line.ramp_months for line in lines)  # a ramp-up to draw
    with scene.site.signed_in("agency") as client:
        path = scene.supplier_path(client, 0)
        body = twin(client, path)
        assert [row["code"] for row in body["lines"]] == [line.code for line in lines]
        capacity = {row["code"]: row["capacity"] for row in body["capacity"]}
        for line in lines:
            assert capacity[line.code] == list(line_capacity(line, start, months))
        tiers = sorted(
            (p.item, p.min_quantity, p.unit_price) for p in scenario.prices if p.supplier == maker
        )
        assert [(p["item"], p["min_quantity"], p["unit_price"]) for p in body["prices"]] == tiers
        page = client.get(path).text
        assert 'data-figure="capacity-figure"' in page
        drawn = figure(page, "capacity-figure")["data"]
        assert [trace["y"] for trace in drawn] == [capacity[line.code] for line in lines]
        steps = figure(page, "prices-figure")["data"]
        assert {trace["name"] for trace in steps} == {item for item, _, _ in tiers}
        assert {trace["line"]["shape"] for trace in steps} == {"hv"}
        for line in lines:
            assert f'<th scope="row">{line.code}</th>' in page


def test_a_nation_sees_the_profile_but_not_the_suppliers_private_data(scene: Scene) -> None:
    maker = scene.scenario.suppliers[0].code
    private = [line.code for line in scene.scenario.lines if line.supplier == maker]
    with scene.site.signed_in("nation-desk") as client:
        path = scene.supplier_path(client, 0)
        body = twin(client, path)
        assert body["supplier"]["code"] == maker
        assert (body["lines"], body["prices"], body["capacity"]) == ([], [], None)
        page = client.get(path).text
        assert page.count("Not shared with you") == 2
        assert "capacity-figure" not in page
        assert "prices-figure" not in page
        for code in private:
            assert code not in page


def test_a_supplier_sees_its_own_lines_and_not_a_rivals(scene: Scene) -> None:
    makers = [s.code for s in scene.scenario.suppliers]
    with scene.site.signed_in("maker-desk") as client:
        own = twin(client, scene.supplier_path(client, 0))
        assert {row["supplier"] for row in own["lines"]} == {makers[0]}
        assert own["lines"]
        rival = twin(client, scene.supplier_path(client, 1))
        assert (rival["lines"], rival["prices"]) == ([], [])


@pytest.mark.parametrize(
    ("address", "linked"),
    [
        ("https://maker.example", True),
        ("HTTP://maker.example/path?q=1", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("https://", False),
        ("//maker.example", False),
        ("maker.example", False),
        ("https://maker.example/a b", False),
    ],
)
def test_only_a_web_address_becomes_a_link(address: str, linked: bool) -> None:
    assert web_link(address) == (address if linked else None)


def test_a_line_the_reader_may_not_read_is_neither_counted_nor_shown(scene: Scene) -> None:
    rival = scene.scenario.suppliers[1].code
    lines = [line.code for line in scene.scenario.lines if line.supplier == rival]
    assert RESTRICTED_LINE in lines
    with scene.site.signed_in("agency") as client:
        register = twin(client, "/industry")
        assert register["lines_shared"][rival] == len(lines)
        assert register["classification"] == MARKING
        path = scene.supplier_path(client, 1)
        assert RESTRICTED_LINE in {row["code"] for row in twin(client, path)["lines"]}
        assert client.get(path).text.count(MARKING) == 2
    with scene.site.signed_in("auditor") as client:
        register = twin(client, "/industry")
        assert register["lines_shared"][rival] == len(lines) - 1
        assert register["classification"] == "NATO UNCLASSIFIED"
        profile = twin(client, scene.supplier_path(client, 1))
        assert {row["code"] for row in profile["lines"]} == set(lines) - {RESTRICTED_LINE}
        assert RESTRICTED_LINE not in {row["code"] for row in profile["capacity"]}
