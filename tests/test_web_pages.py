"""The web pages over HTTP on a real server: sign in, CSRF, requirements, banner, escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

import httpx
import pytest

from alliedforge.domain.access.caller import Role
from alliedforge.scenario import load_scenario

from live_api import PASSWORD, Person
from shared_data import GOLDEN
from web_site import BACKENDS, Site, live_site, token


@dataclass(frozen=True)
class Scene:
    """The live site with two nations' desks and the agency, on the tiny scenario."""

    site: Site
    nations: tuple[str, str]
    weapon_system: str

    def signed_in(self, user: str) -> AbstractContextManager[httpx.Client]:
        return self.site.signed_in(user)

    def client(self) -> httpx.Client:
        return self.site.client()


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scene]:
    scenario = load_scenario(GOLDEN / "tiny")
    own, other = scenario.nations[0].code, scenario.nations[1].code
    people = [
        Person("own-desk", Role.NATION, nation=own),
        Person("other-desk", Role.NATION, nation=other),
        Person("agency", Role.PLANNER, nationality=own),
    ]
    with live_site(request.param, tmp_path_factory.mktemp("web"), scenario, people) as live:
        yield Scene(live, (own, other), scenario.weapon_systems[0].code)


def create(client: httpx.Client, site: Scene, code: str, **fields: str) -> httpx.Response:
    """Fill in and send the new-requirement form."""
    form = client.get("/requirements/new")
    assert form.status_code == 200
    data = {
        "csrf_token": token(form),
        "code": code,
        "weapon_system": site.weapon_system,
        "quantity": "1200",
        "due": "2027-09",
        "priority": "2",
        "classification": "NATO UNCLASSIFIED",
        "releasable_to": "",
        **fields,
    }
    return client.post("/requirements/new", data=data)


def created_path(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/requirements/\d+", location)
    return location


def test_pages_need_sign_in(site: Scene) -> None:
    with site.client() as client:
        for path in ("/", "/requirements", "/requirements/1"):
            response = client.get(path)
            assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_sign_in_shows_the_dashboard_and_sign_out_ends_it(site: Scene) -> None:
    with site.signed_in("own-desk") as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "<h1>Dashboard</h1>" in page.text
        assert "own-desk" in page.text
        assert "nation" in page.text
        assert 'data-figure="demand-figure"' in page.text or "No requirements yet" in page.text
        twin = client.get("/?format=json").json()
        assert set(twin["requirements_by_status"]) == {"draft", "submitted", "approved", "rejected"}
        out = client.post("/logout", data={"csrf_token": token(page)})
        assert (out.status_code, out.headers["location"]) == (303, "/login")
        assert client.get("/").status_code == 303


def test_a_wrong_password_shows_the_form_again(site: Scene) -> None:
    with site.client() as client:
        form = client.get("/login")
        wrong = {"csrf_token": token(form), "name": "own-desk", "password": "nope"}
        response = client.post("/login", data=wrong)
        assert response.status_code == 401
        assert "Wrong name or password" in response.text
        assert "alliedforge_session" not in response.cookies


def test_create_list_and_submit_through_the_forms(site: Scene) -> None:
    with site.signed_in("own-desk") as client:
        path = created_path(create(client, site, "WEB-1"))
        listed = client.get("/requirements")
        assert f'<a href="{path}">WEB-1</a>' in listed.text
        detail = client.get(path)
        assert "draft" in detail.text
        assert 'action="' + path + '/submit"' in detail.text
        version = re.search(r'name="expected_version" value="(\d+)"', detail.text)
        assert version is not None
        submit = {"csrf_token": token(detail), "expected_version": version.group(1)}
        done = client.post(f"{path}/submit", data=submit)
        assert (done.status_code, done.headers["location"]) == (303, path)
        assert client.get(f"{path}?format=json").json()["requirement"]["status"] == "submitted"
        # The same form again is based on a version that is gone: a conflict, no change.
        stale = client.post(f"{path}/submit", data=submit)
        assert stale.status_code == 409
        assert "Someone changed this requirement" in stale.text


def test_form_errors_are_shown_next_to_the_field(site: Scene) -> None:
    with site.signed_in("own-desk") as client:
        response = create(client, site, "WEB-BAD", due="2027-13", weapon_system="NO-SUCH")
        assert response.status_code == 422
        assert 'id="due-error"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert 'value="WEB-BAD"' in response.text  # what was typed is kept
        unknown = create(client, site, "WEB-BAD")
        assert unknown.status_code == 303  # the fixed form goes through
        again = create(client, site, "WEB-BAD")
        assert again.status_code == 422
        assert 'id="code-error"' in again.text


def test_a_post_without_the_csrf_token_is_refused(site: Scene) -> None:
    with site.signed_in("own-desk") as client:
        data = {"code": "WEB-CSRF", "weapon_system": site.weapon_system, "quantity": "1"}
        assert client.post("/requirements/new", data=data).status_code == 403
        forged = client.post("/requirements/new", data={**data, "csrf_token": "0" * 64})
        assert forged.status_code == 403
        assert "Form rejected" in forged.text
        assert client.post("/logout").status_code == 403
        listed = client.get("/requirements?format=json").json()["items"]
        assert "WEB-CSRF" not in {row["code"] for row in listed}
    with site.client() as client:
        sign_in = {"name": "own-desk", "password": PASSWORD}
        assert client.post("/login", data=sign_in).status_code == 403


def test_another_nations_requirement_is_the_not_found_page(site: Scene) -> None:
    with site.signed_in("own-desk") as client:
        path = created_path(create(client, site, "WEB-OWN"))
    with site.signed_in("other-desk") as client:
        response = client.get(path)
        assert response.status_code == 404
        assert "Not found" in response.text
        assert "WEB-OWN" not in response.text
        assert client.get(f"{path}?format=json").status_code == 404


def test_the_json_twin_has_the_rows_of_the_page_and_the_api(site: Scene) -> None:
    with site.signed_in("own-desk") as client:
        created_path(create(client, site, "WEB-TWIN"))
        twin = client.get("/requirements", params={"format": "json"}).json()
        api = client.get("/api/v1/requirements", params={"limit": 50}).json()
        assert twin["items"] == api["items"]
        page = client.get("/requirements").text
        for row in twin["items"]:
            assert f'<a href="/requirements/{row["id"]}">' in page
        drafts = client.get("/requirements", params={"format": "json", "status": "draft"})
        assert {row["status"] for row in drafts.json()["items"]} <= {"draft"}


def test_the_banner_shows_the_most_sensitive_label_on_the_page(site: Scene) -> None:
    own = site.nations[0]
    with site.signed_in("own-desk") as client:
        plain = created_path(create(client, site, "WEB-PLAIN"))
        page = client.get(plain).text
        assert page.count('class="banner banner-nato-unclassified"') == 2
        secret = created_path(
            create(
                client, site, "WEB-RESTRICTED", classification="NATO RESTRICTED", releasable_to=own
            )
        )
        marking = f"NATO RESTRICTED — Releasable to {own}"
        detail = client.get(secret).text
        assert detail.count(marking) == 2  # top and bottom
        assert 'class="banner banner-nato-restricted"' in detail
        listed = client.get("/requirements")
        assert marking in listed.text
        assert client.get("/requirements?format=json").json()["classification"] == marking


def test_user_text_is_escaped(site: Scene) -> None:
    with site.signed_in("own-desk") as client:
        code = "<script>alert(1)</script>"
        path = created_path(create(client, site, code))
        for page in (client.get(path).text, client.get("/requirements").text):
            assert code not in page
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_unknown_address_is_the_not_found_page_but_json_for_the_api(site: Scene) -> None:
    with site.client() as client:
        page = client.get("/no-such-page")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "Not found" in page.text
        api = client.get("/api/v1/no-such-resource")
        assert api.status_code == 404
        assert api.json() == {"detail": "Not Found"}
        unauthenticated = client.get("/api/v1/requirements")
        assert unauthenticated.status_code == 401  # other errors keep the API's answer
        assert "detail" in unauthenticated.json()


def test_static_assets_are_served_from_the_package(site: Scene) -> None:
    with site.client() as client:
        for asset in ("plotly.min.js", "htmx.min.js", "app.js", "app.css"):
            response = client.get(f"/static/{asset}")
            assert response.status_code == 200, asset
            assert len(response.content) > 100
        assert "plotly" in client.get("/static/plotly.min.js").text[:2000].lower()


def test_the_agency_approves_and_rejects_with_a_reason(site: Scene) -> None:
    with site.signed_in("own-desk") as desk:
        path = created_path(create(desk, site, "WEB-FLOW"))
        detail = desk.get(path)
        version = re.search(r'name="expected_version" value="(\d+)"', detail.text)
        assert version is not None
        form = {"csrf_token": token(detail), "expected_version": version.group(1)}
        assert desk.post(f"{path}/submit", data=form).status_code == 303
        assert 'action="' + path + '/approve"' not in desk.get(path).text
    with site.signed_in("agency") as agency:
        detail = agency.get(path)
        assert 'action="' + path + '/approve"' in detail.text
        current = agency.get(f"{path}?format=json").json()["requirement"]
        form = {"csrf_token": token(detail), "expected_version": str(current["version"])}
        empty = agency.post(f"{path}/reject", data={**form, "reason": " "})
        assert empty.status_code == 422
        assert agency.post(f"{path}/approve", data=form).status_code == 303
        current = agency.get(f"{path}?format=json").json()["requirement"]
        form["expected_version"] = str(current["version"])
        rejected = agency.post(f"{path}/reject", data={**form, "reason": "<b>late</b>"})
        assert rejected.status_code == 303
        page = agency.get(path).text
        assert "rejected" in page
        assert "&lt;b&gt;late&lt;/b&gt;" in page


def test_the_list_filters_by_priority_and_due_range(site: Scene) -> None:
    with site.signed_in("own-desk") as client:
        for code, priority, due in (
            ("F-1", "3", "2030-01"),
            ("F-2", "3", "2030-06"),
            ("F-3", "4", "2030-06"),
        ):
            created_path(create(client, site, code, priority=priority, due=due))
        page = client.get("/requirements")
        assert '<select id="nation"' not in page.text  # a desk sees its own nation only
        for query, expected in (
            ({"priority": "3", "due_from": "2030-01", "due_to": "2030-12"}, {"F-1", "F-2"}),
            ({"due_from": "2030-06", "due_to": "2030-06"}, {"F-2", "F-3"}),
            ({"priority": "4", "due_from": "2030-01"}, {"F-3"}),
        ):
            twin = client.get("/requirements", params={**query, "format": "json"}).json()
            assert {row["code"] for row in twin["items"]} == expected, query
            assert twin["filters"] | query == twin["filters"]  # the filters are kept
        bad = client.get("/requirements", params={"due_from": "2030-13"})
        assert bad.status_code == 400
        assert "due from" in bad.text


def test_staff_filter_by_nation(site: Scene) -> None:
    own, other = site.nations
    with site.signed_in("other-desk") as client:
        created_path(create(client, site, "NATION-FILTER"))
    with site.signed_in("agency") as agency:
        page = agency.get("/requirements", params={"nation": other})
        assert '<select id="nation" name="nation">' in page.text
        assert f'<option value="{other}" selected>{other}</option>' in page.text
        assert f'<option value="{own}" >{own}</option>' in page.text
        twin = agency.get("/requirements", params={"nation": other, "format": "json"}).json()
        assert "NATION-FILTER" in {row["code"] for row in twin["items"]}
        assert {row["nation"] for row in twin["items"]} == {other}


def test_the_pager_keeps_the_filters(site: Scene) -> None:
    rows = "\n".join(f"PAGE-{i:02d},{site.weapon_system},1,2031-01,5" for i in range(55))
    content = f"code,weapon_system,quantity,due,priority\n{rows}\n".encode()
    with site.signed_in("own-desk") as client:
        form = client.get("/requirements/upload")
        done = client.post(
            "/requirements/upload",
            data={"csrf_token": token(form)},
            files={"file": ("pages.csv", content, "text/csv")},
        )
        assert done.status_code == 200, done.text
        first = client.get("/requirements", params={"priority": "5", "due_from": "2031-01"})
        following = re.search(r'href="(/requirements\?[^"]*)" rel="next"', first.text)
        assert following is not None
        address = following.group(1).replace("&amp;", "&")
        assert "priority=5" in address
        assert "due_from=2031-01" in address
        second = client.get(address + "&format=json").json()
        assert second["items"]
        assert {row["priority"] for row in second["items"]} == {5}
        shown = re.findall(r">(PAGE-\d\d)</a>", first.text)
        assert len(shown) + len(second["items"]) == 55
