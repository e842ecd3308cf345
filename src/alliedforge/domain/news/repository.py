"""Every query on news posts, scoped to what the caller may see: published posts whose
label they may read, and drafts too for the agency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue.repository import readable
from alliedforge.domain.news.models import NewsPost

# Who sees drafts: the agency, who writes them, and auditors, who read everything.
DRAFT_READERS = frozenset({Role.ADMIN, Role.PLANNER, Role.AUDITOR})

Cursor = tuple[datetime | None, int]


def _visible(caller: Caller) -> Select[NewsPost]:
    query = readable(select(NewsPost), NewsPost, caller)
    if caller.unrestricted or caller.role in DRAFT_READERS:
        return query
    return query.where(NewsPost.published_at.is_not(None))


def cursor(session: Session, caller: Caller, post_id: int) -> Cursor | None:
    """Where the post `post_id` stands in the newest-first order, if the caller sees it."""
    query = _visible(caller).where(NewsPost.id == post_id)
    row = session.execute(query.with_only_columns(NewsPost.published_at, NewsPost.id)).first()
    return None if row is None else (row.published_at, row.id)


def post_rows(session: Session, caller: Caller, limit: int, after: Cursor | None) -> list[NewsPost]:
    """Up to `limit` visible posts newest first — drafts first, by id, then published
    ones by publication time — after the post at `after`."""
    query = _visible(caller)
    if after is not None:
        published_at, post_id = after
        if published_at is None:
            query = query.where(
                or_(
                    and_(NewsPost.published_at.is_(None), NewsPost.id < post_id),
                    NewsPost.published_at.is_not(None),
                )
            )
        else:
            query = query.where(
                or_(
                    NewsPost.published_at < published_at,
                    and_(NewsPost.published_at == published_at, NewsPost.id < post_id),
                )
            )
    order = (NewsPost.published_at.desc().nulls_first(), NewsPost.id.desc())
    return list(session.scalars(query.order_by(*order).limit(limit)))


def latest_rows(session: Session, caller: Caller, limit: int) -> list[NewsPost]:
    """The newest `limit` published posts the caller may read."""
    query = _visible(caller).where(NewsPost.published_at.is_not(None))
    order = (NewsPost.published_at.desc(), NewsPost.id.desc())
    return list(session.scalars(query.order_by(*order).limit(limit)))


def find_post(session: Session, caller: Caller, post_id: int) -> NewsPost | None:
    return session.scalars(_visible(caller).where(NewsPost.id == post_id)).one_or_none()
