"""The news pages over HTTP on a real server: the press room, a post from Markdown, the
agency's form with its preview, publish, unpublish, delete; drafts, labels, escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from alliedforge.domain.access.caller import Role
from alliedforge.scenario import load_scenario
from alliedforge.web.render import templates

from live_api import Person
from shared_data import GOLDEN
from web_site import BACKENDS, Site, live_site, token

NATION = "N00"


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    scenario = load_scenario(GOLDEN / "tiny")
    own, other = scenario.nations[0].code, scenario.nations[1].code
    assert own == NATION
    people = [
        Person("agency", Role.PLANNER, nationality=own, clearance="NATO SECRET"),
        Person("own-desk", Role.NATION, nation=own),
        Person("other-desk", Role.NATION, nation=other),
        Person("auditor", Role.AUDITOR, nationality=other),
    ]
    with live_site(request.param, tmp_path_factory.mktemp("news"), scenario, people) as live:
        yield live


def write(client: httpx.Client, title: str, **fields: str) -> httpx.Response:
    """Fill in and send the new-post form."""
    form = client.get("/news/new")
    assert form.status_code == 200
    data = {
        "csrf_token": token(form),
        "title": title,
        "summary": f"In short: {title}.",
        "body": f"## {title}\n\nThe agency **signed** the contract.",
        "classification": "NATO UNCLASSIFIED",
        "releasable_to": "",
        **fields,
    }
    return client.post("/news/new", data=data)


def post_path(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/news/\d+", location)
    return location


def act(client: httpx.Client, path: str, action: str, version: str | None = None) -> httpx.Response:
    """Press a button of the post page (publish, unpublish, delete)."""
    page = client.get(path)
    found = re.search(r'name="expected_version" value="(\d+)"', page.text)
    assert found is not None
    data = {"csrf_token": token(page), "expected_version": version or found.group(1)}
    return client.post(f"{path}/{action}", data=data)


def test_pages_need_sign_in(site: Site) -> None:
    with site.client() as client:
        for path in ("/news", "/news/new", "/news/1", "/news/1/edit"):
            response = client.get(path)
            assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_a_draft_is_the_agencys_until_published(site: Site) -> None:
    with site.signed_in("agency") as agency:
        path = post_path(write(agency, "Demo joint procurement"))
        draft = agency.get(path)
        assert draft.status_code == 200
        assert "<strong>signed</strong>" in draft.text
        assert 'class="status status-draft"' in draft.text
        assert f'action="{path}/publish"' in draft.text
        assert 'href="/news/new"' in agency.get("/news").text
    with site.signed_in("own-desk") as desk:
        assert desk.get(path).status_code == 404
        assert desk.get(f"{path}?format=json").status_code == 404
        assert path not in desk.get("/news").text
    with site.signed_in("agency") as agency:
        assert act(agency, path, "publish").status_code == 303
        published = agency.get(path)
        assert f'action="{path}/unpublish"' in published.text
        assert "Published <time" in published.text
    with site.signed_in("own-desk") as desk:
        listed = desk.get("/news")
        assert f'<a href="{path}">Demo joint procurement</a>' in listed.text
        assert "In short: Demo joint procurement." in listed.text
        assert "by agency" in listed.text
        assert 'href="/news/new"' not in listed.text
        post = desk.get(path)
        assert "<strong>signed</strong>" in post.text
        assert "/publish" not in post.text
        assert "/unpublish" not in post.text
        assert f'href="{path}/edit"' not in post.text


def test_the_json_twin_has_the_posts_of_the_page_and_the_api(site: Site) -> None:
    with site.signed_in("agency") as agency:
        path = post_path(write(agency, "Twin"))
        act(agency, path, "publish")
    with site.signed_in("own-desk") as desk:
        twin = desk.get("/news", params={"format": "json"}).json()
        api = desk.get("/api/v1/news", params={"limit": 20}).json()
        assert twin["items"] == api["items"]
        assert twin["classification"] == "NATO UNCLASSIFIED"
        page = desk.get("/news").text
        for post in twin["items"]:
            assert f'<a href="/news/{post["id"]}">' in page
        one = desk.get(f"{path}?format=json").json()["post"]
        assert one == desk.get(f"/api/v1{path}").json()


def test_the_preview_renders_markdown_safely_and_needs_the_token(site: Site) -> None:
    body = "**bold** <script>alert(1)</script> [x](javascript:alert(1))"
    with site.signed_in("agency") as agency:
        form = agency.get("/news/new")
        assert 'hx-post="/news/preview"' in form.text
        shown = agency.post("/news/preview", data={"csrf_token": token(form), "body": body})
        assert shown.status_code == 200
        assert "<strong>bold</strong>" in shown.text
        assert "<script" not in shown.text
        assert "&lt;script&gt;" in shown.text
        assert 'href="javascript:' not in shown.text
        assert agency.post("/news/preview", data={"body": body}).status_code == 403
    with site.signed_in("own-desk") as desk:
        page = desk.get("/news")
        refused = desk.post("/news/preview", data={"csrf_token": token(page), "body": body})
        assert refused.status_code == 403


def test_only_the_agency_gets_the_form(site: Site) -> None:
    for user in ("own-desk", "auditor"):
        with site.signed_in(user) as client:
            assert client.get("/news/new").status_code == 403
            page = client.get("/news")
            data = {"csrf_token": token(page), "title": "Mine", "body": "text"}
            data |= {"classification": "NATO UNCLASSIFIED", "releasable_to": ""}
            assert client.post("/news/new", data=data).status_code == 403
            titles = {post["title"] for post in client.get("/news?format=json").json()["items"]}
            assert "Mine" not in titles


def test_form_errors_are_shown_next_to_the_field(site: Site) -> None:
    with site.signed_in("agency") as agency:
        response = write(agency, "  ", body="Kept text", classification="TOP SECRET-ish")
        assert response.status_code == 422
        assert 'id="title-error"' in response.text
        assert 'id="classification-error"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert "Kept text" in response.text
        too_high = write(agency, "Too high", classification="COSMIC TOP SECRET")
        assert too_high.status_code == 403
        assert 'id="classification-error"' in too_high.text
        not_ours = write(agency, "Not ours", releasable_to="N01")
        assert not_ours.status_code == 422
        assert 'id="releasable_to-error"' in not_ours.text


def test_a_post_without_the_csrf_token_is_refused(site: Site) -> None:
    with site.signed_in("agency") as agency:
        data = {"title": "CSRF", "body": "x", "classification": "NATO UNCLASSIFIED"}
        assert agency.post("/news/new", data=data).status_code == 403
        path = post_path(write(agency, "Guarded"))
        forged = agency.post(f"{path}/publish", data={"expected_version": "1"})
        assert forged.status_code == 403
        assert agency.get(f"{path}?format=json").json()["post"]["published_at"] is None


def test_edit_keeps_the_typed_text_on_a_conflict(site: Site) -> None:
    with site.signed_in("agency") as agency:
        path = post_path(write(agency, "Edit me"))
        form = agency.get(f"{path}/edit")
        assert 'value="Edit me"' in form.text
        assert "## Edit me" in form.text
        data = {
            "csrf_token": token(form),
            "expected_version": "1",
            "title": "Edited",
            "summary": "",
            "body": "New *text*",
            "classification": "NATO UNCLASSIFIED",
            "releasable_to": "",
        }
        saved = agency.post(f"{path}/edit", data=data)
        assert (saved.status_code, saved.headers["location"]) == (303, path)
        post = agency.get(f"{path}?format=json").json()["post"]
        assert (post["title"], post["summary"], post["version"]) == ("Edited", None, 2)
        stale = agency.post(f"{path}/edit", data={**data, "body": "My other text"})
        assert stale.status_code == 409
        assert "Someone changed this post" in stale.text
        assert "My other text" in stale.text
        assert 'name="expected_version" value="2"' in stale.text
        assert agency.get(f"{path}?format=json").json()["post"]["body"] == "New *text*"


def test_unpublish_and_delete_through_the_buttons(site: Site) -> None:
    with site.signed_in("agency") as agency:
        path = post_path(write(agency, "Short-lived"))
        assert act(agency, path, "publish").status_code == 303
        stale = act(agency, path, "unpublish", version="1")
        assert stale.status_code == 409
        assert "Someone changed this post" in stale.text
        assert act(agency, path, "unpublish").status_code == 303
    with site.signed_in("own-desk") as desk:
        assert desk.get(path).status_code == 404
    with site.signed_in("agency") as agency:
        again = act(agency, path, "unpublish")  # a draft now: nothing to withdraw
        assert again.status_code == 422
        assert "the post is a draft, not published" in again.text
        deleted = act(agency, path, "delete")
        assert (deleted.status_code, deleted.headers["location"]) == (303, "/news")
        assert agency.get(path).status_code == 404


def test_labels_mark_the_banner_and_hide_posts(site: Site) -> None:
    with site.signed_in("agency") as agency:
        path = post_path(
            write(agency, "For N00", classification="NATO RESTRICTED", releasable_to=NATION)
        )
        act(agency, path, "publish")
        secret = post_path(write(agency, "Secret news", classification="NATO SECRET"))
        act(agency, secret, "publish")
    marking = f"NATO RESTRICTED — Releasable to {NATION}"
    with site.signed_in("own-desk") as desk:
        page = desk.get(path).text
        assert page.count(marking) == 2  # top and bottom
        assert 'class="banner banner-nato-restricted"' in page
        assert desk.get("/news?format=json").json()["classification"] == marking
        assert desk.get(secret).status_code == 404
        assert "Secret news" not in desk.get("/news").text
    with site.signed_in("other-desk") as other:
        assert other.get(path).status_code == 404
        assert "For N00" not in other.get("/news").text


def test_user_text_is_escaped_and_markdown_cannot_inject(site: Site) -> None:
    title = "<script>alert(1)</script>"
    body = (
        "<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n\n"
        "![p](https://t.example/p.gif)"
    )
    with site.signed_in("agency") as agency:
        path = post_path(write(agency, title, body=body, summary="<b>bold</b>"))
        act(agency, path, "publish")
        for page in (agency.get(path).text, agency.get("/news").text):
            assert title not in page
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
            assert "<b>bold</b>" not in page
        post = agency.get(path).text
        assert not re.search(r"<[^>]*\sonerror\s*=", post)
        assert 'href="javascript:' not in post
        assert not any("t.example" in src for src in re.findall(r'src="([^"]*)"', post))


def test_the_news_list_partial_renders_posts_in_brief() -> None:
    news = [
        {
            "id": 7,
            "title": "Milestone <reached>",
            "summary": "Line L01 & co.",
            "published_at": "2030-05-01T09:00:00+00:00",
            "label": {"classification": "NATO RESTRICTED"},
        },
        {
            "id": 8,
            "title": "Draft",
            "summary": None,
            "published_at": None,
            "label": {"classification": "NATO UNCLASSIFIED"},
        },
    ]
    html = templates.get_template("_news_list.html").render(news=news)
    assert '<a href="/news/7">Milestone &lt;reached&gt;</a>' in html
    assert '<time datetime="2030-05-01T09:00:00+00:00">2030-05-01</time>' in html
    assert "Line L01 &amp; co." in html
    assert "NATO RESTRICTED" in html
    assert 'class="status status-draft"' in html
    assert "No news yet." in templates.get_template("_news_list.html").render(news=[])
