"""The catalogue pages over HTTP on a real server: the item list and its filters, one item,
and the interoperability matrix — its statuses, its labels, and the nation-fleet filter
that must not reveal another nation's fleet."""

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
from alliedforge.domain.catalogue.models import Item, Qualification, WeaponSystem
from alliedforge.domain.record import import_scenario
from alliedforge.scenario import Scenario, load_scenario
from alliedforge.scenario.nsn import normalise_nsn
from alliedforge.store.engine import create_db_engine

from live_api import Person, add_people, fresh_database, serve
from shared_data import GOLDEN
from web_site import BACKENDS, Site

# Changes to the tiny scenario's register, made before the server starts, so that every
# status and a label only one nation may read are on the pages. (item, weapon system):
IN_PROGRESS = ("1320-12-578-1794", "WS0", "2027-06", "Firing trials <b>ongoing</b>")
PLANNED = ("1320-10-695-4190", "WS1", "2028-01", None)
RESTRICTED = ("1320-11-652-6876", "WS2")  # NATO RESTRICTED, releasable to N00 only
OWN, OTHER, UNKNOWN = "N00", "N01", "N99"


@dataclass(frozen=True)
class Scene:
    site: Site
    scenario: Scenario


def _qualification(session: Session, item: str, weapon_system: str) -> Qualification | None:
    query = (
        select(Qualification)
        .join(Item, Qualification.item_id == Item.id)
        .join(WeaponSystem, Qualification.weapon_system_id == WeaponSystem.id)
        .where(Item.nsn == normalise_nsn(item), WeaponSystem.code == weapon_system)
    )
    return session.scalars(query).one_or_none()


def _change_register(session: Session) -> None:
    item, weapon_system, month, evidence = IN_PROGRESS
    row = _qualification(session, item, weapon_system)
    assert row is not None
    row.status, row.month, row.evidence = "in_progress", month, evidence
    item, weapon_system, month, _ = PLANNED
    assert _qualification(session, item, weapon_system) is None
    item_id = session.scalars(select(Item.id).where(Item.nsn == normalise_nsn(item))).one()
    system_id = session.scalars(
        select(WeaponSystem.id).where(WeaponSystem.code == weapon_system)
    ).one()
    session.add(
        Qualification(item_id=item_id, weapon_system_id=system_id, status="planned", month=month)
    )
    restricted = _qualification(session, *RESTRICTED)
    assert restricted is not None
    restricted.classification, restricted.releasable_to = "NATO RESTRICTED", OWN


@contextmanager
def _live(backend: str, folder: Path, scenario: Scenario) -> Iterator[Site]:
    people = [
        Person("own-desk", Role.NATION, nation=OWN),
        Person("other-desk", Role.NATION, nation=OTHER),
        Person("maker-desk", Role.SUPPLIER, supplier=scenario.suppliers[0].code),
        Person("agency", Role.PLANNER, nationality=OWN),
    ]
    with fresh_database(backend, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, scenario)
            add_people(session, people)
            _change_register(session)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Site(base)


@pytest.fixture(scope="module", params=BACKENDS)
def scene(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scene]:
    scenario = load_scenario(GOLDEN / "tiny")
    with _live(request.param, tmp_path_factory.mktemp("catalogue"), scenario) as site:
        yield Scene(site, scenario)


def expected_statuses(scenario: Scenario, reader_nation: str) -> dict[tuple[str, str], str]:
    """What the register holds for a reader of `reader_nation`: the scenario's
    qualifications (all qualified on import) with this test's changes."""
    statuses = {(q.item, q.weapon_system): "qualified" for q in scenario.qualifications}
    statuses[IN_PROGRESS[:2]] = "in_progress"
    statuses[PLANNED[:2]] = "planned"
    if reader_nation != OWN:
        del statuses[RESTRICTED]
    return statuses


def twin(client: httpx.Client, path: str, **params: str) -> dict[str, Any]:
    response = client.get(path, params={**params, "format": "json"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def matrix_cells(body: dict[str, Any]) -> dict[tuple[str, str], str]:
    """The statuses the heatmap's data holds, pairs with none left out."""
    matrix = body["matrix"]
    return {
        (item, weapon_system): status
        for item, row in zip(matrix["items"], matrix["status"], strict=True)
        for weapon_system, status in zip(matrix["weapon_systems"], row, strict=True)
        if status != "none"
    }


def heatmap_cells(page: str) -> dict[tuple[str, str], str]:
    """The statuses the heatmap on the page draws (its colour bar names each z value),
    pairs with none left out."""
    found = re.search(r'<script type="application/json" id="matrix-figure">(.*?)</script>', page)
    assert found is not None
    heatmap = json.loads(found.group(1))["data"][0]
    names = dict(zip(heatmap["colorbar"]["tickvals"], heatmap["colorbar"]["ticktext"], strict=True))
    return {
        (item, weapon_system): names[z].replace(" ", "_")
        for item, row in zip(heatmap["y"], heatmap["z"], strict=True)
        for weapon_system, z in zip(heatmap["x"], row, strict=True)
        if names[z] != "none"
    }


def test_catalogue_pages_need_sign_in(scene: Scene) -> None:
    with scene.site.client() as client:
        for path in ("/catalogue", "/catalogue/items/1", "/catalogue/interoperability"):
            response = client.get(path)
            assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_the_item_list_shows_every_item_with_its_nsn_formatted(scene: Scene) -> None:
    with scene.site.signed_in("other-desk") as client:
        body = twin(client, "/catalogue")
        assert [row["code"] for row in body["items"]] == [i.code for i in scene.scenario.items]
        page = client.get("/catalogue").text
        for item in scene.scenario.items:
            digits = normalise_nsn(item.code)
            assert digits is not None
            dashed = f"{digits[:4]}-{digits[4:6]}-{digits[6:9]}-{digits[9:]}"
            assert f">{dashed}</a>" in page
            assert f"<td>{digits[:4]}</td>" in page  # the supply class
            assert item.name in page


def test_the_item_list_filters_by_family_and_finds_by_name_or_nsn(scene: Scene) -> None:
    items = scene.scenario.items
    target = items[2]
    digits = normalise_nsn(target.code)
    assert digits is not None
    with scene.site.signed_in("agency") as client:
        for text in (target.name.upper(), target.code, digits):
            found = [row["code"] for row in twin(client, "/catalogue", q=text)["items"]]
            assert found == [target.code], text
        prefix = target.code[:6]  # `1320-1`: part of an NSN, dashes and all
        found = [row["code"] for row in twin(client, "/catalogue", q=prefix)["items"]]
        assert found == [
            i.code for i in items if prefix.replace("-", "") in i.code.replace("-", "")
        ]
        assert twin(client, "/catalogue", q="no such thing")["items"] == []
        family = items[0].family
        in_family = twin(client, "/catalogue", family=family)["items"]
        assert [row["code"] for row in in_family] == [i.code for i in items if i.family == family]
        assert twin(client, "/catalogue", family="NO-FAMILY")["items"] == []
        # The htmx request asks for the same page; the filter form points at it.
        partial = client.get(
            "/catalogue", params={"q": target.name}, headers={"HX-Request": "true"}
        )
        assert 'id="results"' in partial.text
        assert 'hx-select="#results"' in client.get("/catalogue").text


def test_the_item_list_pages_on(scene: Scene) -> None:
    with scene.site.signed_in("agency") as client:
        first = twin(client, "/catalogue")["items"]
        rest = twin(client, "/catalogue", after=str(first[0]["id"]))["items"]
        assert rest == first[1:]
        assert "First page" in client.get("/catalogue", params={"after": first[0]["id"]}).text


def test_one_item_shows_its_qualifications(scene: Scene) -> None:
    item, weapon_system, month, evidence = IN_PROGRESS
    with scene.site.signed_in("agency") as client:
        listed = twin(client, "/catalogue", q=item)["items"]
        path = f"/catalogue/items/{listed[0]['id']}"
        body = twin(client, path)
        expected = {ws for (i, ws) in expected_statuses(scene.scenario, OWN) if i == item}
        assert {row["weapon_system"] for row in body["qualifications"]} == expected
        page = client.get(path).text
        assert f'<th scope="row">{weapon_system}</th>' in page
        assert month in page
        assert evidence is not None
        assert "Firing trials &lt;b&gt;ongoing&lt;/b&gt;" in page
        assert evidence not in page
        assert client.get("/catalogue/items/999999").status_code == 404


def test_the_heatmap_holds_the_statuses_of_the_register(scene: Scene) -> None:
    scenario = scene.scenario
    with scene.site.signed_in("agency") as client:
        body = twin(client, "/catalogue/interoperability")
        assert set(body["matrix"]["items"]) == {item.code for item in scenario.items}
        assert body["matrix"]["weapon_systems"] == sorted(w.code for w in scenario.weapon_systems)
        assert matrix_cells(body) == expected_statuses(scenario, OWN)
        page = client.get("/catalogue/interoperability").text
        assert 'data-figure="matrix-figure"' in page
        assert heatmap_cells(page) == expected_statuses(scenario, OWN)
        assert 'role="img"' in page
        for status in ("qualified", "in progress", "planned"):
            assert f">{status}</span>" in page  # in the legend and the table
        assert "Firing trials <b>" not in page  # the hover text is escaped too


def test_a_label_the_reader_may_not_read_is_absent_from_the_matrix(scene: Scene) -> None:
    restricted = "NATO RESTRICTED — Releasable to N00"
    with scene.site.signed_in("own-desk") as client:
        body = twin(client, "/catalogue/interoperability")
        assert matrix_cells(body) == expected_statuses(scene.scenario, OWN)
        assert body["classification"] == restricted
        assert client.get("/catalogue/interoperability").text.count(restricted) == 2
    with scene.site.signed_in("other-desk") as client:
        body = twin(client, "/catalogue/interoperability")
        assert matrix_cells(body) == expected_statuses(scene.scenario, OTHER)
        assert RESTRICTED not in {(q["item"], q["weapon_system"]) for q in body["qualifications"]}
        assert body["classification"] == "NATO UNCLASSIFIED"


def test_the_family_filter_keeps_that_familys_items(scene: Scene) -> None:
    family = scene.scenario.items[0].family
    with scene.site.signed_in("agency") as client:
        body = twin(client, "/catalogue/interoperability", family=family)
        assert set(body["matrix"]["items"]) == {
            i.code for i in scene.scenario.items if i.family == family
        }
        empty = twin(client, "/catalogue/interoperability", family="NO-FAMILY")
        assert empty["matrix"]["items"] == []
        assert (
            "No items or weapon systems match"
            in client.get("/catalogue/interoperability", params={"family": "NO-FAMILY"}).text
        )


def fleet_of(scenario: Scenario, nation: str) -> list[str]:
    return sorted(f.weapon_system for f in scenario.fleets if f.nation == nation)


def test_the_agency_filters_by_any_nations_fleet(scene: Scene) -> None:
    with scene.site.signed_in("agency") as client:
        for nation in (OWN, OTHER):
            body = twin(client, "/catalogue/interoperability", nation=nation)
            assert body["matrix"]["weapon_systems"] == fleet_of(scene.scenario, nation)
            assert {row["nation"] for row in body["fleet"]} == {nation}
        options = client.get("/catalogue/interoperability").text
        assert f'<option value="{OTHER}"' in options


def test_a_nation_filters_by_its_own_fleet_and_learns_nothing_of_anothers(scene: Scene) -> None:
    assert fleet_of(scene.scenario, OTHER)  # there is something to leak
    with scene.site.signed_in("own-desk") as client:
        own = twin(client, "/catalogue/interoperability", nation=OWN)
        assert own["matrix"]["weapon_systems"] == fleet_of(scene.scenario, OWN)
        other = twin(client, "/catalogue/interoperability", nation=OTHER)
        unknown = twin(client, "/catalogue/interoperability", nation=UNKNOWN)
        assert other["matrix"]["weapon_systems"] == []
        assert other["fleet"] == []
        for body in (other, unknown):
            del body["filters"]["nation"]
        assert other == unknown
        pages = [
            client.get("/catalogue/interoperability", params={"nation": code}).text
            for code in (OTHER, UNKNOWN)
        ]
        assert pages[0].replace(OTHER, UNKNOWN) == pages[1]
        assert "No fleet of" in pages[0]
        form = client.get("/catalogue/interoperability").text
        assert f'<option value="{OWN}"' in form
        assert f'<option value="{OTHER}"' not in form


def test_a_supplier_is_offered_no_fleet_filter(scene: Scene) -> None:
    with scene.site.signed_in("maker-desk") as client:
        assert 'id="nation"' not in client.get("/catalogue/interoperability").text
        body = twin(client, "/catalogue/interoperability", nation=OWN)
        assert body["matrix"]["weapon_systems"] == []


def test_a_malformed_nation_is_a_bad_filter(scene: Scene) -> None:
    with scene.site.signed_in("agency") as client:
        response = client.get("/catalogue/interoperability", params={"nation": "X"})
        assert response.status_code == 400
        assert "Bad filter" in response.text
