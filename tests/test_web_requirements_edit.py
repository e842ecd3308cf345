"""Editing a requirement through its form on a real server: prefilled, saved at the version
it was rendered from, a stale version is a conflict that overwrites nothing; each field is
checked while typing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from alliedforge.domain.access.caller import Role
from alliedforge.scenario import load_scenario

from live_api import Person
from shared_data import GOLDEN
from web_site import BACKENDS, Site, live_site, token

VERSION = re.compile(r'name="expected_version" value="(\d+)"')


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    scenario = load_scenario(GOLDEN / "tiny")
    own, other = scenario.nations[0].code, scenario.nations[1].code
    people = [
        Person("own-desk", Role.NATION, nation=own),
        Person("other-desk", Role.NATION, nation=other),
        Person("agency", Role.PLANNER, nationality=own),
        Person("auditor", Role.AUDITOR, nationality=own),
    ]
    with live_site(request.param, tmp_path_factory.mktemp("edit"), scenario, people) as live:
        yield live


def create(client: httpx.Client, code: str, quantity: str = "1200") -> str:
    """A new draft through the form; its address."""
    form = client.get("/requirements/new")
    data = {
        "csrf_token": token(form),
        "code": code,
        "weapon_system": "WS0",
        "quantity": quantity,
        "due": "2027-09",
        "priority": "2",
        "classification": "NATO UNCLASSIFIED",
        "releasable_to": "",
    }
    response = client.post("/requirements/new", data=data)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def edit_form(client: httpx.Client, path: str) -> tuple[httpx.Response, dict[str, str]]:
    """The edit page and the fields its form would send unchanged."""
    page = client.get(f"{path}/edit")
    assert page.status_code == 200, page.text
    version = VERSION.search(page.text)
    assert version is not None
    fields = {"csrf_token": token(page), "expected_version": version.group(1)}
    for name in ("weapon_system", "quantity", "due", "releasable_to"):
        found = re.search(rf'id="{name}" name="{name}" value="([^"]*)"', page.text)
        assert found is not None, name
        fields[name] = found.group(1)
    for name in ("priority", "classification"):
        select = re.search(rf'<select id="{name}".*?</select>', page.text, re.S)
        assert select is not None, name
        chosen = re.search(r"<option (?:value=\"[^\"]*\" )?selected>([^<]*)<", select.group(0))
        assert chosen is not None, name
        fields[name] = chosen.group(1)
    return page, fields


def current(client: httpx.Client, path: str) -> dict[str, Any]:
    requirement: dict[str, Any] = client.get(f"{path}?format=json").json()["requirement"]
    return requirement


def test_the_edit_form_is_prefilled_and_saves(site: Site) -> None:
    with site.signed_in("own-desk") as client:
        path = create(client, "EDIT-1", quantity="1234567.25")
        before = current(client, path)
        page, fields = edit_form(client, path)
        assert "Edit requirement EDIT-1" in page.text
        assert fields == {
            "csrf_token": fields["csrf_token"],
            "expected_version": str(before["version"]),
            "weapon_system": before["weapon_system"],
            "quantity": "1234567.25",
            "due": before["due"],
            "releasable_to": "",
            "priority": str(before["priority"]),
            "classification": before["label"]["classification"],
        }
        saved = client.post(f"{path}/edit", data=fields | {"quantity": "900", "due": "2028-02"})
        assert (saved.status_code, saved.headers["location"]) == (303, path)
        after = current(client, path)
        assert (after["quantity"], after["due"], after["version"]) == (
            900,
            "2028-02",
            before["version"] + 1,
        )
        assert (after["code"], after["weapon_system"]) == ("EDIT-1", before["weapon_system"])


def test_a_stale_version_shows_the_conflict_and_overwrites_nothing(site: Site) -> None:
    with site.signed_in("own-desk") as first, site.signed_in("agency") as second:
        path = create(first, "EDIT-STALE")
        _page, mine = edit_form(first, path)
        _page, theirs = edit_form(second, path)
        assert mine["expected_version"] == theirs["expected_version"]
        assert second.post(f"{path}/edit", data=theirs | {"quantity": "10"}).status_code == 303
        stale = first.post(f"{path}/edit", data=mine | {"quantity": "20"})
        assert stale.status_code == 409
        assert "Someone changed this requirement" in stale.text
        assert current(first, path)["quantity"] == 10  # nothing overwritten
        latest = current(first, path)["version"]
        assert f"Current version ({latest})" in stale.text
        assert "<dd>10 units</dd>" in stale.text  # the current record is shown
        assert 'id="quantity" name="quantity" value="20"' in stale.text  # what was typed is kept
        rebased = VERSION.search(stale.text)
        assert rebased is not None
        assert int(rebased.group(1)) == latest
        # Having seen the current version, saving again is a deliberate choice.
        again = {**mine, "quantity": "20", "expected_version": rebased.group(1)}
        assert first.post(f"{path}/edit", data=again).status_code == 303
        assert current(first, path)["quantity"] == 20


def test_edit_errors_are_inline_and_keep_the_version_the_form_came_from(site: Site) -> None:
    with site.signed_in("own-desk") as client:
        path = create(client, "EDIT-BAD")
        _page, fields = edit_form(client, path)
        wrong = client.post(f"{path}/edit", data=fields | {"due": "2027-13", "quantity": "-1"})
        assert wrong.status_code == 422
        assert "Nothing was saved" in wrong.text
        assert 'id="due-error"' in wrong.text
        assert 'id="quantity-error"' in wrong.text
        assert 'aria-describedby="due-hint due-error"' in wrong.text
        assert wrong.text.count('aria-invalid="true"') == 2
        assert f'name="expected_version" value="{fields["expected_version"]}"' in wrong.text
        unknown = client.post(f"{path}/edit", data=fields | {"weapon_system": "NO-SUCH"})
        assert unknown.status_code == 422
        assert 'id="weapon_system-error"' in unknown.text
        assert "no such weapon system" in unknown.text
        assert current(client, path)["version"] == int(fields["expected_version"])


def test_a_nation_editing_a_submitted_requirement_sends_it_back_to_draft(site: Site) -> None:
    with site.signed_in("own-desk") as client:
        path = create(client, "EDIT-SUBMITTED")
        detail = client.get(path)
        version = VERSION.search(detail.text)
        assert version is not None
        form = {"csrf_token": token(detail), "expected_version": version.group(1)}
        assert client.post(f"{path}/submit", data=form).status_code == 303
        page, fields = edit_form(client, path)
        assert "saving a change sends it back to draft" in page.text
        assert client.post(f"{path}/edit", data=fields | {"priority": "4"}).status_code == 303
        after = current(client, path)
        assert (after["status"], after["priority"]) == ("draft", 4)


def test_only_writers_get_the_edit_link_and_form(site: Site) -> None:
    with site.signed_in("own-desk") as desk:
        path = create(desk, "EDIT-WHO")
        assert f'href="{path}/edit"' in desk.get(path).text
    with site.signed_in("agency") as agency:
        assert f'href="{path}/edit"' in agency.get(path).text
    with site.signed_in("auditor") as auditor:
        detail = auditor.get(path)
        assert detail.status_code == 200
        assert f'href="{path}/edit"' not in detail.text
        assert auditor.get(f"{path}/edit").status_code == 403
        fields = {"csrf_token": token(detail), "expected_version": "1", "quantity": "1"}
        assert auditor.post(f"{path}/edit", data=fields).status_code == 403
        assert auditor.get("/requirements/new").status_code == 403
    with site.signed_in("own-desk") as desk:
        assert current(desk, path)["quantity"] == 1200


def test_another_nations_requirement_cannot_be_edited(site: Site) -> None:
    with site.signed_in("own-desk") as desk:
        path = create(desk, "EDIT-MINE")
        _page, fields = edit_form(desk, path)
    with site.signed_in("other-desk") as other:
        page = other.get(f"{path}/edit")
        assert page.status_code == 404
        assert "EDIT-MINE" not in page.text
        own_token = token(other.get("/requirements"))
        posted = other.post(
            f"{path}/edit", data=fields | {"csrf_token": own_token, "quantity": "1"}
        )
        assert posted.status_code == 404
    with site.signed_in("own-desk") as desk:
        assert current(desk, path)["quantity"] == 1200


def test_a_field_is_checked_while_typing(site: Site) -> None:
    with site.signed_in("own-desk") as client:
        form = client.get("/requirements/new")
        assert 'hx-post="/requirements/check/due"' in form.text
        assert 'id="check-status"' in form.text
        assert 'aria-live="polite"' in form.text
        fields = {"csrf_token": token(form), "code": "", "due": "2027-13", "quantity": "x"}
        wrong = client.post("/requirements/check/due", data=fields)
        assert wrong.status_code == 200  # htmx swaps only successful answers
        assert wrong.text.lstrip().startswith('<div class="field has-error" id="due-field">')
        assert 'aria-invalid="true"' in wrong.text
        assert 'aria-describedby="due-hint due-error"' in wrong.text
        assert '<p class="error" id="due-error">expected a month YYYY-MM</p>' in wrong.text
        # Only the field asked about: the other wrong fields are not its business.
        assert "quantity" not in wrong.text
        assert "code-error" not in wrong.text
        status = re.search(r'<p id="check-status" hx-swap-oob="innerHTML">([^<]*)</p>', wrong.text)
        assert status is not None
        assert status.group(1) == "Due month: expected a month YYYY-MM"
        right = client.post("/requirements/check/due", data=fields | {"due": "2027-09"})
        assert right.status_code == 200
        assert 'value="2027-09"' in right.text
        assert "aria-invalid" not in right.text
        assert "due-error" not in right.text
        escaped = client.post("/requirements/check/code", data=fields | {"code": "<b>x"})
        assert "<b>x" not in escaped.text
        assert 'value="&lt;b&gt;x"' in escaped.text
        assert client.post("/requirements/check/due", data={"due": "x"}).status_code == 403
        unknown = client.post("/requirements/check/password", data=fields)
        assert unknown.status_code == 404
