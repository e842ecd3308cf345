"""`/news`: the press room — posts every role reads once published, written by the agency."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from alliedforge.api.deps import CurrentCaller, DbSession, ExpectedVersion, etag
from alliedforge.api.paging import PageOut, PageParams, RecordId, page_request
from alliedforge.domain.news import service
from alliedforge.domain.news.schemas import NewsPostCreate, NewsPostRead, NewsPostUpdate

router = APIRouter(prefix="/news", tags=["news"])


def _one(response: Response, post: NewsPostRead) -> NewsPostRead:
    response.headers["ETag"] = etag(post.version)
    return post


@router.get("", response_model=PageOut[NewsPostRead])
def list_posts(
    session: DbSession, caller: CurrentCaller, page: Annotated[PageParams, Query()]
) -> PageOut[NewsPostRead]:
    """The posts you may read, newest first (the agency sees its drafts first); follow
    `next_after`."""
    return PageOut.of(service.list_posts(session, caller, page_request(page)))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=NewsPostRead)
def create_post(
    session: DbSession,
    caller: CurrentCaller,
    data: NewsPostCreate,
    request: Request,
    response: Response,
) -> NewsPostRead:
    """Write a draft post (the agency); `body` is Markdown."""
    created = service.create_post(session, caller, data)
    session.commit()
    response.headers["Location"] = str(request.url_for("get_post", post_id=created.id))
    return _one(response, created)


@router.get("/{post_id}", response_model=NewsPostRead)
def get_post(
    session: DbSession, caller: CurrentCaller, post_id: RecordId, response: Response
) -> NewsPostRead:
    """One post, with its ETag."""
    return _one(response, service.get_post(session, caller, post_id))


@router.patch("/{post_id}", response_model=NewsPostRead)
def update_post(
    session: DbSession,
    caller: CurrentCaller,
    post_id: RecordId,
    data: NewsPostUpdate,
    version: ExpectedVersion,
    response: Response,
) -> NewsPostRead:
    """Change fields of a post (the agency; If-Match: its ETag)."""
    updated = service.update_post(session, caller, post_id, data, version)
    session.commit()
    return _one(response, updated)


@router.delete("/{post_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_post(
    session: DbSession, caller: CurrentCaller, post_id: RecordId, version: ExpectedVersion
) -> None:
    """Remove a post (the agency; If-Match: its ETag)."""
    service.delete_post(session, caller, post_id, version)
    session.commit()


@router.post("/{post_id}/publish", response_model=NewsPostRead)
def publish_post(
    session: DbSession,
    caller: CurrentCaller,
    post_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> NewsPostRead:
    """Draft → published now (the agency; If-Match: its ETag)."""
    published = service.publish_post(session, caller, post_id, version)
    session.commit()
    return _one(response, published)


@router.post("/{post_id}/unpublish", response_model=NewsPostRead)
def unpublish_post(
    session: DbSession,
    caller: CurrentCaller,
    post_id: RecordId,
    version: ExpectedVersion,
    response: Response,
) -> NewsPostRead:
    """Published → draft, withdrawn from all but the agency (If-Match: its ETag)."""
    withdrawn = service.unpublish_post(session, caller, post_id, version)
    session.commit()
    return _one(response, withdrawn)
