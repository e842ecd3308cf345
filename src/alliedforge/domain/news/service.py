"""The press room: the agency (planner or admin) writes posts and publishes them; every
role reads the published posts whose label it may read. A draft exists for the agency
only: for anyone else it is not found, like a post they may not read. Every write states
the version it is based on and is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.audit import service as audit
from alliedforge.domain.catalogue.service import (
    audited,
    changed,
    created,
    deleted,
    flush,
    found,
    given,
    label_of,
    require_role,
    writable,
)
from alliedforge.domain.errors import InvalidError
from alliedforge.domain.news import repository
from alliedforge.domain.news.models import NewsPost
from alliedforge.domain.news.schemas import NewsPostCreate, NewsPostRead, NewsPostUpdate
from alliedforge.domain.paging import Page, PageRequest
from alliedforge.store.base import utcnow

ENTITY = "news post"
AGENCY = frozenset({Role.ADMIN, Role.PLANNER})
WHAT = "the news"


def list_posts(session: Session, caller: Caller, page: PageRequest) -> Page[NewsPostRead]:
    """One page of the posts the caller may see, newest first (for the agency, drafts
    first); `page.after` is the id of the last post of the previous page."""
    after = None
    if page.after is not None:
        after = repository.cursor(session, caller, page.after)
        if after is None:
            raise InvalidError(
                "after", page.after, "no such post (deleted meanwhile?): start from the first page"
            )
    rows = repository.post_rows(session, caller, page.limit + 1, after)
    items = [_read(row) for row in rows[: page.limit]]
    return Page(items, items[-1].id if len(rows) > page.limit else None)


def get_post(session: Session, caller: Caller, post_id: int) -> NewsPostRead:
    """The post, or `NotFoundError` if it does not exist for the caller."""
    return _read(found(repository.find_post(session, caller, post_id), ENTITY, post_id))


def latest_news(session: Session, caller: Caller, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` published posts the caller may read, in brief, as JSON-ready
    dicts (`id`, `title`, `summary`, `published_at` as ISO 8601, `label`)."""
    limit = PageRequest(limit).limit  # the same bounds as a page
    return [
        {
            "id": row.id,
            "title": row.title,
            "summary": row.summary,
            "published_at": row.published_at.isoformat() if row.published_at else None,
            "label": label_of(row),
        }
        for row in repository.latest_rows(session, caller, limit)
    ]


def create_post(session: Session, caller: Caller, data: NewsPostCreate) -> NewsPostRead:
    """A new draft, written by the caller."""
    require_role(caller, AGENCY, WHAT)
    now = utcnow()
    row = NewsPost(
        title=data.title,
        summary=data.summary,
        body=data.body,
        author=caller.name,
        created_at=now,
        updated_at=now,
    )
    created(session, caller, ENTITY, row, data.label)
    return get_post(session, caller, row.id)


def update_post(
    session: Session, caller: Caller, post_id: int, data: NewsPostUpdate, expected_version: int
) -> NewsPostRead:
    """Change the given fields of a post (published or not)."""
    row = _writable(session, caller, post_id, expected_version)
    changes = given(row, data, "title", "summary", "body")
    changed(session, caller, ENTITY, row, changes, data.label, expected_version)
    return get_post(session, caller, post_id)


def publish_post(
    session: Session, caller: Caller, post_id: int, expected_version: int
) -> NewsPostRead:
    """Draft → published now: every role cleared for its label reads it from then on."""
    row = _writable(session, caller, post_id, expected_version)
    if row.published_at is not None:
        raise InvalidError("published_at", row.published_at.isoformat(), "already published")
    return _set_published(session, caller, row, utcnow(), "publish", expected_version)


def unpublish_post(
    session: Session, caller: Caller, post_id: int, expected_version: int
) -> NewsPostRead:
    """Published → draft: withdrawn from everyone but the agency."""
    row = _writable(session, caller, post_id, expected_version)
    if row.published_at is None:
        raise InvalidError("published_at", None, "the post is a draft, not published")
    return _set_published(session, caller, row, None, "unpublish", expected_version)


def delete_post(session: Session, caller: Caller, post_id: int, expected_version: int) -> None:
    """Remove a post."""
    row = _writable(session, caller, post_id, expected_version)
    deleted(session, caller, ENTITY, row, expected_version)


def _writable(session: Session, caller: Caller, post_id: int, expected_version: int) -> NewsPost:
    row = found(repository.find_post(session, caller, post_id), ENTITY, post_id)  # unseen: 404
    require_role(caller, AGENCY, WHAT)
    return writable(row, ENTITY, expected_version)


def _set_published(
    session: Session,
    caller: Caller,
    row: NewsPost,
    published_at: datetime | None,
    action: str,
    expected_version: int,
) -> NewsPostRead:
    before = audited(row)
    row.published_at = published_at
    flush(session, ENTITY, row.id, expected_version)
    audit.append(session, caller, action, ENTITY, row.id, before, audited(row))
    return get_post(session, caller, row.id)


def _read(row: NewsPost) -> NewsPostRead:
    return NewsPostRead(
        id=row.id,
        title=row.title,
        summary=row.summary,
        body=row.body,
        author=row.author,
        published_at=row.published_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        label=label_of(row),
    )
