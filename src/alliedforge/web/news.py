"""News pages: the press room (newest first), one post rendered from Markdown, and for
the agency the new/edit form with a preview, publish, unpublish and delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import MAX_ID, RecordId
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.labels import Label
from alliedforge.domain.errors import ConflictError, DomainError, ForbiddenError, InvalidError
from alliedforge.domain.news import service
from alliedforge.domain.news.schemas import NewsPostCreate, NewsPostRead, NewsPostUpdate
from alliedforge.domain.paging import PageRequest
from alliedforge.store.base import CLASSIFICATIONS, RELEASABLE_TO_ALL
from alliedforge.web.markdown import render_markdown
from alliedforge.web.render import CheckedForm, WebCaller, WebRoute, error_page, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 20
FORM_FIELDS = ("title", "summary", "body", "classification", "releasable_to")
ACTIONS = ("publish", "unpublish", "delete")


def _may_write(caller: Caller) -> bool:
    return caller.unrestricted or caller.role in service.AGENCY


def _require_writer(caller: Caller) -> None:
    if not _may_write(caller):
        raise ForbiddenError("only the agency (planner or admin) writes news")


@router.get("/news")
def news(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """The posts the caller may read, newest first (the agency's drafts on top)."""
    try:
        found = service.list_posts(session, caller, PageRequest(PAGE_SIZE, after))
    except InvalidError:
        return error_page(
            request, 400, "Page gone", "That page of the news no longer exists: start again."
        )
    items = [post.model_dump(mode="json") for post in found.items]
    return page(
        request,
        "news.html",
        {"items": items, "next_after": found.next_after},
        labels=[post.label for post in found.items],
        after=after,
        may_write=_may_write(caller),
    )


def _releasable_text(label: dict[str, Any]) -> str:
    """The form's text for a label's releasability: nation codes, or empty for all."""
    values = [value for category in label["categories"] for value in category["values"]]
    return "" if values == [RELEASABLE_TO_ALL] else ", ".join(values)


def _nations(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]


def _typed_label(values: dict[str, str]) -> list[dict[str, Any]]:
    """The label the form's text is to carry, for the banner over it (none if invalid)."""
    releasable = ",".join(_nations(values["releasable_to"])) or RELEASABLE_TO_ALL
    try:
        return [Label.parse(values["classification"], releasable).as_stanag_4774()]
    except DomainError:
        return []


def _form_page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    post: NewsPostRead | None = None,
    *,
    status_code: int = 200,
    message: str | None = None,
) -> Response:
    labels = _typed_label(values) + ([post.label] if post is not None else [])
    return page(
        request,
        "news_edit.html",
        {"values": values, "errors": errors, "message": message},
        labels=labels,
        status_code=status_code,
        post=post,
        classifications=CLASSIFICATIONS,
    )


def _values(form: dict[str, str]) -> dict[str, str]:
    return {name: form.get(name, "") for name in FORM_FIELDS}


def _payload(values: dict[str, str]) -> dict[str, Any]:
    return {
        "title": values["title"],
        "summary": values["summary"],
        "body": values["body"],
        "label": {
            "classification": values["classification"],
            "releasable_to": _nations(values["releasable_to"]) or None,
        },
    }


def _form_field(location: tuple[str | int, ...]) -> str:
    """The form field a validation error names (`label.releasable_to.0` → `releasable_to`)."""
    parts = [str(part) for part in location if not isinstance(part, int)]
    if parts and parts[0] == "label":
        parts = parts[1:] or ["classification"]
    return parts[0] if parts and parts[0] in FORM_FIELDS else "form"


def _errors(invalid: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in invalid.errors():
        errors.setdefault(_form_field(problem["loc"]), problem["msg"])
    return errors


@router.get("/news/new")
def new_post(request: Request, caller: WebCaller) -> Response:
    """The form for a new draft post."""
    _require_writer(caller)
    values = dict.fromkeys(FORM_FIELDS, "") | {"classification": CLASSIFICATIONS[0]}
    return _form_page(request, values, {})


@router.post("/news/new")
def create_post(
    request: Request, session: DbSession, caller: WebCaller, form: CheckedForm
) -> Response:
    """Save a draft; errors are shown next to their fields."""
    _require_writer(caller)
    values = _values(form)
    try:
        data = NewsPostCreate.model_validate(_payload(values))
    except ValidationError as invalid:
        return _form_page(request, values, _errors(invalid), status_code=422)
    try:
        created = service.create_post(session, caller, data)
    except InvalidError as error:
        field = _form_field(tuple(error.field.split(".")))
        return _form_page(request, values, {field: error.reason}, status_code=422)
    except ForbiddenError as error:  # the writer is checked above: it is the label
        return _form_page(request, values, {"classification": str(error)}, status_code=403)
    session.commit()
    return RedirectResponse(f"/news/{created.id}", status_code=303)


@router.post("/news/preview")
def preview(caller: WebCaller, form: CheckedForm) -> HTMLResponse:
    """The body of the form rendered as the post will show it (for htmx)."""
    _require_writer(caller)
    body = form.get("body", "")
    if not body.strip():
        return HTMLResponse('<p class="hint">Nothing to preview yet.</p>')
    return HTMLResponse(render_markdown(body))


def _actions(caller: Caller, post: NewsPostRead) -> list[str]:
    """The steps to offer (the service decides; this only hides futile buttons)."""
    if not _may_write(caller):
        return []
    return ["unpublish" if post.published_at else "publish", "delete"]


def _post_page(
    request: Request,
    caller: Caller,
    post: NewsPostRead,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "news_post.html",
        {"post": post, "message": message},
        labels=[post.label],
        status_code=status_code,
        body_html=render_markdown(post.body),
        actions=_actions(caller, post),
    )


@router.get("/news/{post_id}")
def news_post(
    request: Request, session: DbSession, caller: WebCaller, post_id: RecordId
) -> Response:
    """One post, rendered from its Markdown."""
    return _post_page(request, caller, service.get_post(session, caller, post_id))


@router.get("/news/{post_id}/edit")
def edit_post(
    request: Request, session: DbSession, caller: WebCaller, post_id: RecordId
) -> Response:
    """The form to change a post, filled in with it."""
    post = service.get_post(session, caller, post_id)
    _require_writer(caller)
    values = {
        "title": post.title,
        "summary": post.summary or "",
        "body": post.body,
        "classification": post.label["classification"],
        "releasable_to": _releasable_text(post.label),
    }
    return _form_page(request, values, {}, post)


@router.post("/news/{post_id}/edit")
def update_post(
    request: Request, session: DbSession, caller: WebCaller, post_id: RecordId, form: CheckedForm
) -> Response:
    """Save changes to a post at the version the form was opened on; if someone changed
    it meanwhile nothing is saved, and the form keeps what was typed."""
    post = service.get_post(session, caller, post_id)
    _require_writer(caller)
    values = _values(form)
    version_text = form.get("expected_version", "")
    if not version_text.isdigit():
        return error_page(request, 400, "Bad request", "The form has no version.")
    try:
        data = NewsPostUpdate.model_validate(_payload(values))
    except ValidationError as invalid:
        return _form_page(request, values, _errors(invalid), post, status_code=422)
    try:
        service.update_post(session, caller, post_id, data, int(version_text))
    except ConflictError:
        session.rollback()
        current = service.get_post(session, caller, post_id)
        message = (
            f"Someone changed this post since you opened it (it is now at version "
            f"{current.version}); nothing was saved. Your text is kept below: compare it "
            "with the current post and save again to replace it."
        )
        return _form_page(request, values, {}, current, status_code=409, message=message)
    except InvalidError as error:
        session.rollback()
        field = _form_field(tuple(error.field.split(".")))
        return _form_page(request, values, {field: error.reason}, post, status_code=422)
    except ForbiddenError as error:  # the writer is checked above: it is the label
        session.rollback()
        return _form_page(request, values, {"classification": str(error)}, post, status_code=403)
    session.commit()
    return RedirectResponse(f"/news/{post_id}", status_code=303)


@router.post("/news/{post_id}/{action}")
def post_action(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    post_id: RecordId,
    action: str,
    form: CheckedForm,
) -> Response:
    """Publish, unpublish or delete a post at the version the page showed; a stale
    version shows the conflict and the current post, never changes it."""
    version_text = form.get("expected_version", "")
    if action not in ACTIONS or not version_text.isdigit():
        return error_page(request, 400, "Bad request", "Unknown step or missing version.")
    version = int(version_text)
    try:
        if action == "publish":
            service.publish_post(session, caller, post_id, version)
        elif action == "unpublish":
            service.unpublish_post(session, caller, post_id, version)
        else:
            service.delete_post(session, caller, post_id, version)
    except ConflictError:
        session.rollback()
        current = service.get_post(session, caller, post_id)
        message = (
            "Someone changed this post since you opened it; nothing was changed. "
            "Here is the current version: check it and try again."
        )
        return _post_page(request, caller, current, message, 409)
    except InvalidError as error:
        session.rollback()
        return _post_page(
            request, caller, service.get_post(session, caller, post_id), error.reason, 422
        )
    session.commit()
    return RedirectResponse("/news" if action == "delete" else f"/news/{post_id}", status_code=303)
