"""The press room: the news service (roles, labels, drafts, paging, versions, audit) on
the test database, and `/api/v1/news` on a real server, over SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alliedforge.cli.demo_record import DEMO_NEWS, prepare_demo
from alliedforge.domain.access import repository as users
from alliedforge.domain.access import service as access
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.audit import service as audit
from alliedforge.domain.audit.models import AuditEntry
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from alliedforge.domain.news import service
from alliedforge.domain.news.models import NewsPost
from alliedforge.domain.news.schemas import NewsPostCreate, NewsPostUpdate
from alliedforge.domain.paging import PageRequest
from alliedforge.domain.record import import_scenario
from alliedforge.domain.requirements.schemas import LabelIn
from alliedforge.scenario import load_scenario
from alliedforge.store.engine import create_db_engine, session_scope

from live_api import DESKS, add_people, fresh_database, serve
from shared_data import GOLDEN
from web_site import BACKENDS

RESTRICTED = "NATO RESTRICTED"
SECRET = "NATO SECRET"

AGENCY = Caller("agency", Role.PLANNER, SECRET, nationality="N00")
ADMIN = Caller("admin", Role.ADMIN, RESTRICTED, nationality="N01")
N00_DESK = Caller("n00-desk", Role.NATION, RESTRICTED, "N00", nation_id=1, nation="N00")
N01_DESK = Caller("n01-desk", Role.NATION, RESTRICTED, "N01", nation_id=2, nation="N01")
SUPPLIER = Caller("s000-desk", Role.SUPPLIER, RESTRICTED, "N00", supplier_id=1, supplier="S000X")
AUDITOR = Caller("auditor", Role.AUDITOR, RESTRICTED, nationality="N01")
READERS = (N00_DESK, N01_DESK, SUPPLIER, AUDITOR)
# The test desks, with the agency cleared to label posts above the others' clearance.
PEOPLE = [replace(p, clearance=SECRET) if p.name == "agency" else p for p in DESKS]


def _post(title: str, **label: Any) -> NewsPostCreate:
    return NewsPostCreate(
        title=title, body=f"# {title}\n\nText.", summary=f"About {title}.", label=LabelIn(**label)
    )


def _write(session: Session, title: str, *, published: bool = True, **label: Any) -> int:
    made = service.create_post(session, AGENCY, _post(title, **label))
    if published:
        made = service.publish_post(session, AGENCY, made.id, made.version)
    return made.id


def _all_ids(session: Session, caller: Caller, limit: int = 500) -> list[int]:
    ids: list[int] = []
    after: int | None = None
    while True:
        page = service.list_posts(session, caller, PageRequest(limit, after))
        ids += [post.id for post in page.items]
        if page.next_after is None:
            return ids
        after = page.next_after


# The service.


def test_drafts_exist_for_the_agency_and_auditors_only(session: Session) -> None:
    draft = _write(session, "Draft", published=False)
    published = _write(session, "Published")
    for caller in (AGENCY, ADMIN, AUDITOR):
        assert {draft, published} <= set(_all_ids(session, caller))
        assert service.get_post(session, caller, draft).published_at is None
    for caller in (c for c in READERS if c is not AUDITOR):
        assert published in _all_ids(session, caller)
        assert draft not in _all_ids(session, caller)
        with pytest.raises(NotFoundError):
            service.get_post(session, caller, draft)


def test_labels_hide_posts_above_clearance_or_not_releasable(session: Session) -> None:
    secret = _write(session, "Secret", classification=SECRET)
    n00_only = _write(session, "For N00", classification=RESTRICTED, releasable_to=["N00"])
    for caller, hidden in (
        (N00_DESK, {secret}),
        (N01_DESK, {secret, n00_only}),
        (AUDITOR, {secret, n00_only}),
        (ADMIN, {secret, n00_only}),
    ):
        listed = set(_all_ids(session, caller))
        assert not listed & hidden, caller.name
        assert {secret, n00_only} - hidden <= listed, caller.name
        for post_id in hidden:
            with pytest.raises(NotFoundError):
                service.get_post(session, caller, post_id)
        assert not {news["id"] for news in service.latest_news(session, caller, 50)} & hidden
    assert {secret, n00_only} <= set(_all_ids(session, AGENCY))


def test_only_the_agency_writes(session: Session) -> None:
    published = service.get_post(session, AGENCY, _write(session, "Visible"))
    draft = service.get_post(session, AGENCY, _write(session, "Unseen", published=False))
    change = NewsPostUpdate(title="Changed")
    for caller in READERS:
        with pytest.raises(ForbiddenError):
            service.create_post(session, caller, _post("Not theirs"))
        with pytest.raises(ForbiddenError):
            service.update_post(session, caller, published.id, change, published.version)
        with pytest.raises(ForbiddenError):
            service.unpublish_post(session, caller, published.id, published.version)
        with pytest.raises(ForbiddenError):
            service.delete_post(session, caller, published.id, published.version)
        # A draft does not exist for them (auditors see it, and may not change it).
        with pytest.raises(ForbiddenError if caller is AUDITOR else NotFoundError):
            service.publish_post(session, caller, draft.id, draft.version)
    assert service.get_post(session, AGENCY, published.id) == published


def test_nobody_labels_a_post_above_their_clearance(session: Session) -> None:
    with pytest.raises(ForbiddenError):
        service.create_post(session, ADMIN, _post("Too high", classification=SECRET))
    with pytest.raises(InvalidError):  # the agency could not read it itself
        service.create_post(session, AGENCY, _post("Not for us", releasable_to=["N01"]))


def test_publish_unpublish_and_edit_follow_the_versions(session: Session) -> None:
    made = service.create_post(session, AGENCY, _post("Versions"))
    assert (made.version, made.author, made.published_at) == (1, "agency", None)
    published = service.publish_post(session, AGENCY, made.id, made.version)
    assert published.version == 2
    assert published.published_at is not None
    with pytest.raises(InvalidError):
        service.publish_post(session, AGENCY, made.id, published.version)
    with pytest.raises(ConflictError):  # based on the draft, which is gone
        service.update_post(session, AGENCY, made.id, NewsPostUpdate(title="Stale"), 1)
    edited = service.update_post(
        session, AGENCY, made.id, NewsPostUpdate(title="Fresh", summary=None), published.version
    )
    assert (edited.title, edited.summary, edited.version) == ("Fresh", None, 3)
    assert edited.body == made.body
    assert edited.published_at == published.published_at  # a correction stays published
    withdrawn = service.unpublish_post(session, AGENCY, made.id, edited.version)
    assert withdrawn.published_at is None
    with pytest.raises(InvalidError):
        service.unpublish_post(session, AGENCY, made.id, withdrawn.version)
    with pytest.raises(ConflictError):
        service.delete_post(session, AGENCY, made.id, edited.version)
    service.delete_post(session, AGENCY, made.id, withdrawn.version)
    with pytest.raises(NotFoundError):
        service.get_post(session, AGENCY, made.id)


def test_a_concurrent_change_under_a_loaded_row_is_a_conflict(session: Session) -> None:
    made = service.create_post(session, AGENCY, _post("Race"))
    session.execute(
        update(NewsPost)
        .where(NewsPost.id == made.id)
        .values(version=NewsPost.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(ConflictError):
        service.update_post(session, AGENCY, made.id, NewsPostUpdate(title="Lost"), made.version)


def test_every_write_is_chained_in_the_audit_log(session: Session) -> None:
    made = service.create_post(session, AGENCY, _post("Audited"))
    post = service.publish_post(session, AGENCY, made.id, made.version)
    post = service.update_post(session, AGENCY, made.id, NewsPostUpdate(body="New"), post.version)
    post = service.unpublish_post(session, AGENCY, made.id, post.version)
    service.delete_post(session, AGENCY, made.id, post.version)
    entries = list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "news post", AuditEntry.entity_id == made.id)
            .order_by(AuditEntry.id)
        )
    )
    assert [e.action for e in entries] == ["create", "publish", "update", "unpublish", "delete"]
    assert {e.actor for e in entries} == {"agency"}
    create, publish, edit, unpublish, delete = entries
    assert create.before is None
    assert create.after is not None
    assert create.after["title"] == "Audited"
    assert publish.before is not None
    assert publish.after is not None
    assert publish.before["published_at"] is None
    assert publish.after["published_at"] is not None
    assert edit.after is not None
    assert edit.after["body"] == "New"
    assert unpublish.after is not None
    assert unpublish.after["published_at"] is None
    assert delete.after is None
    assert audit.verify(session).intact


def test_newest_first_drafts_on_top_across_pages(session: Session) -> None:
    ids = [_write(session, f"Post {n}") for n in range(5)]
    drafts = [_write(session, f"Draft {n}", published=False) for n in range(2)]
    # Publication times out of id order: the second post is the newest.
    base = datetime(2030, 1, 1, tzinfo=UTC)
    for post_id, days in zip(ids, (3, 9, 1, 5, 5), strict=True):
        session.execute(
            update(NewsPost)
            .where(NewsPost.id == post_id)
            .values(published_at=base + timedelta(days=days))
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
    # Posts published at the same moment: the later one (higher id) first.
    newest_first = [ids[1], ids[4], ids[3], ids[0], ids[2]]
    for limit in (1, 2, 3, 500):
        assert _all_ids(session, AGENCY, limit)[:7] == [*reversed(drafts), *newest_first], limit
        assert _all_ids(session, N01_DESK, limit)[:5] == newest_first, limit
    latest = service.latest_news(session, N01_DESK, 2)
    assert [post["id"] for post in latest] == newest_first[:2]
    assert set(latest[0]) == {"id", "title", "summary", "published_at", "label"}
    assert latest[0]["published_at"] == (base + timedelta(days=9)).isoformat()
    assert latest[0]["label"]["classification"] == "NATO UNCLASSIFIED"
    assert [post["id"] for post in service.latest_news(session, AGENCY, 7)][:5] == newest_first


def test_paging_after_a_post_one_cannot_see_is_refused(session: Session) -> None:
    draft = _write(session, "Hidden draft", published=False)
    shown = _write(session, "Shown")
    with pytest.raises(InvalidError):
        service.list_posts(session, N01_DESK, PageRequest(10, draft))
    after_draft = service.list_posts(session, AGENCY, PageRequest(10, draft)).items
    assert [post.id for post in after_draft] == [shown]


# The API on a real server.


@dataclass(frozen=True)
class Service:
    base: str
    tokens: dict[str, str]  # user name → API token

    def client(self, user: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=30)


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    folder: Path = tmp_path_factory.mktemp("news-api")
    with fresh_database(request.param, folder) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            import_scenario(session, load_scenario(GOLDEN / "tiny"))
            tokens = add_people(session, PEOPLE)
            session.commit()
        engine.dispose()
        with serve(url) as base:
            yield Service(base, tokens)


def _ids(client: httpx.Client) -> list[int]:
    response = client.get("/news", params={"limit": 500})
    assert response.status_code == 200, response.text
    assert response.json()["next_after"] is None
    return [post["id"] for post in response.json()["items"]]


def _paged_ids(client: httpx.Client) -> list[int]:
    """Every post id, one page of one post at a time."""
    ids: list[int] = []
    params: dict[str, int] = {"limit": 1}
    while True:
        page = client.get("/news", params=params).json()
        ids += [post["id"] for post in page["items"]]
        if page["next_after"] is None:
            return ids
        params["after"] = page["next_after"]


def test_api_lifecycle(api: Service) -> None:
    body = {"title": "Joint buy", "body": "**Signed**", "summary": "The agency signs."}
    with api.client("agency") as agency, api.client("n01-desk") as desk:
        made = agency.post("/news", json=body)
        assert made.status_code == 201, made.text
        post = made.json()
        location = made.headers["Location"]
        assert location.endswith(f"/api/v1/news/{post['id']}")
        assert made.headers["ETag"] == '"1"'
        assert (post["published_at"], post["author"], post["body"]) == (
            None,
            "agency",
            "**Signed**",
        )
        assert agency.get(location).json() == post
        # A draft: not there for a nation's desk.
        assert desk.get(location).status_code == 404
        assert post["id"] not in _ids(desk)
        assert agency.post(f"{location}/publish").status_code == 428
        assert agency.post(f"{location}/publish", headers={"If-Match": '"9"'}).status_code == 412
        published = agency.post(f"{location}/publish", headers={"If-Match": '"1"'})
        assert published.status_code == 200, published.text
        assert published.headers["ETag"] == '"2"'
        assert published.json()["published_at"] is not None
        assert desk.get(location).json()["title"] == "Joint buy"
        assert post["id"] in _ids(desk)
        # Readers may not change it: forbidden now that they see it.
        patch = {"title": "Mine"}
        assert desk.patch(location, json=patch, headers={"If-Match": '"2"'}).status_code == 403
        assert desk.delete(location, headers={"If-Match": '"2"'}).status_code == 403
        stale = agency.patch(location, json=patch, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        assert stale.json()["current_version"] == 2
        changed = agency.patch(
            location, json={"title": "Joint buy signed"}, headers={"If-Match": '"2"'}
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["title"] == "Joint buy signed"
        again = agency.post(f"{location}/publish", headers={"If-Match": '"3"'})
        assert again.status_code == 422
        withdrawn = agency.post(f"{location}/unpublish", headers={"If-Match": '"3"'})
        assert withdrawn.status_code == 200
        assert desk.get(location).status_code == 404
        assert agency.delete(location, headers={"If-Match": '"3"'}).status_code == 412
        assert agency.delete(location, headers={"If-Match": '"4"'}).status_code == 204
        assert agency.get(location).status_code == 404


def test_api_writes_are_refused_to_readers_and_bad_input(api: Service) -> None:
    body = {"title": "Not mine", "body": "text"}
    for user in ("n00-desk", "s000-desk", "auditor"):
        with api.client(user) as client:
            assert client.post("/news", json=body).status_code == 403, user
    with api.client("agency") as agency:
        for bad in ({"title": "", "body": "x"}, {"title": "x", "body": "  "}, {"title": "x"}):
            assert agency.post("/news", json=bad).status_code == 422, bad
        extra = agency.post("/news", json={**body, "published_at": "2030-01-01T00:00:00Z"})
        assert extra.status_code == 422  # published only through /publish


def test_api_labels_and_list_order(api: Service) -> None:
    with api.client("agency") as agency:
        ids = []
        for title, label in (
            ("For all", {}),
            ("For N00", {"classification": RESTRICTED, "releasable_to": ["N00"]}),
            ("Secret", {"classification": SECRET}),
        ):
            made = agency.post("/news", json={"title": title, "body": "x", "label": label})
            assert made.status_code == 201, made.text
            publish = agency.post(f"/news/{made.json()['id']}/publish", headers={"If-Match": '"1"'})
            assert publish.status_code == 200
            ids.append(made.json()["id"])
        listed = _ids(agency)
        assert [post_id for post_id in listed if post_id in ids] == list(reversed(ids))
    everyone, n00_only, secret = ids
    for user, visible in (("n00-desk", {everyone, n00_only}), ("n01-desk", {everyone})):
        with api.client(user) as client:
            assert set(_ids(client)) & set(ids) == visible, user
            for post_id in set(ids) - visible:
                assert client.get(f"/news/{post_id}").status_code == 404
            assert _paged_ids(client) == _ids(client)
    with api.client("auditor") as auditor:
        assert secret not in set(_ids(auditor))


def test_api_documents_the_news_endpoints(api: Service) -> None:
    with httpx.Client(base_url=api.base) as client:
        schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/news"]) == {"get", "post"}
    assert set(paths["/api/v1/news/{post_id}"]) == {"get", "patch", "delete"}
    for action in ("publish", "unpublish"):
        responses = paths[f"/api/v1/news/{{post_id}}/{action}"]["post"]["responses"]
        assert {"200", "401", "403", "404", "412", "428"} <= set(responses)


def test_the_demo_publishes_its_news_once(tmp_path: Path) -> None:
    prepare_demo(tmp_path)
    record = prepare_demo(tmp_path)
    engine = create_db_engine(record.url)
    try:
        with session_scope(engine) as session:
            user = users.user_by_name(session, "deu-desk")
            assert user is not None
            desk = access.caller_of(session, user)
            posts = service.list_posts(session, desk, PageRequest(50)).items
    finally:
        engine.dispose()
    assert sorted(post.title for post in posts) == sorted(post.title for post in DEMO_NEWS)
    assert all(post.published_at is not None and post.author == "agency" for post in posts)
