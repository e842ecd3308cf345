"""Pages and their JSON twins, who is signed in, checked forms, and errors shown as pages."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic_core import to_json

from alliedforge.api.deps import SESSION_COOKIE, DbSession, identify
from alliedforge.domain.access.caller import Caller, scope_settings
from alliedforge.domain.errors import ForbiddenError, NotFoundError
from alliedforge.store.scope import bind_scope
from alliedforge.web import csrf
from alliedforge.web.banner import banner_of

# Autoescape everything: every value a user typed reaches the page escaped.
templates = Environment(
    loader=PackageLoader("alliedforge.web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
SIGN_IN = "/login"


class SignInRequiredError(Exception):
    """The page needs a signed-in user and the request has none."""


class CsrfRejectedError(Exception):
    """A form arrived without the token of the session it claims to come from."""


async def current_caller(request: Request, session: DbSession) -> Caller:
    """The signed-in user of the session cookie, with the database scope bound to them."""
    caller = identify(request) if request.cookies.get(SESSION_COOKIE) else None
    if caller is None:
        raise SignInRequiredError
    bind_scope(session, scope_settings(caller))  # PostgreSQL's row-level security wall
    request.state.caller = caller
    return caller


WebCaller = Annotated[Caller, Depends(current_caller)]


async def form_fields(request: Request) -> dict[str, str]:
    """The text fields of a submitted form (uploads are not accepted here)."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


async def checked_form(request: Request) -> dict[str, str]:
    """The fields of a form whose CSRF token belongs to the request's session cookie."""
    fields = await form_fields(request)
    if not csrf.is_valid(request.cookies.get(SESSION_COOKIE), fields.get(csrf.CSRF_FIELD)):
        raise CsrfRejectedError
    return fields


FormFields = Annotated[dict[str, str], Depends(form_fields)]
CheckedForm = Annotated[dict[str, str], Depends(checked_form)]


def wants_json(request: Request) -> bool:
    return request.query_params.get("format") == "json"


def page(
    request: Request,
    template: str,
    data: Mapping[str, Any],
    *,
    labels: Iterable[dict[str, Any]] = (),
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **display: Any,
) -> Response:
    """`template` over `data` — or, with `?format=json`, `data` itself (the JSON twin).
    The banner is the most sensitive of `labels`, the labels of the records shown;
    `display` holds what only the HTML needs."""
    banner = banner_of(labels)
    if wants_json(request):
        body = to_json({**data, "classification": banner.text})
        return Response(body, status_code, headers, media_type="application/json")
    cookie = request.cookies.get(SESSION_COOKIE)
    context = {
        "user": getattr(request.state, "caller", None),
        "csrf_field": csrf.CSRF_FIELD,
        "csrf_token": csrf.token_for(cookie) if cookie else "",
        "path": request.url.path,
        **data,
        **display,
        "banner": banner,
    }
    html = templates.get_template(template).render(context)
    return HTMLResponse(html, status_code, headers)


def error_page(request: Request, status_code: int, title: str, message: str) -> Response:
    """An error as a page (or as JSON for the JSON twin)."""
    data = {"error": title, "detail": message}
    return page(request, "error.html", data, status_code=status_code)


def sign_in_redirect(request: Request) -> Response:
    if request.headers.get("hx-request"):  # htmx follows redirects itself: navigate instead
        return Response(status_code=204, headers={"HX-Redirect": SIGN_IN})
    return RedirectResponse(SIGN_IN, status_code=303)


class WebRoute(APIRoute):
    """A page route: a missing sign-in redirects to /login, and refusals become pages —
    a record the caller may not see is the same not-found page as one that never was."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequiredError:
                return sign_in_redirect(request)
            except CsrfRejectedError:
                return error_page(
                    request,
                    403,
                    "Form rejected",
                    "The form was not sent from this application's page (missing or wrong "
                    "security token). Reload the page and try again.",
                )
            except NotFoundError:
                return error_page(
                    request,
                    404,
                    "Not found",
                    "There is no such page or record, or you may not see it.",
                )
            except ForbiddenError as error:
                return error_page(request, 403, "Not allowed", str(error))
            except RequestValidationError:
                return error_page(
                    request,
                    400,
                    "Bad request",
                    "The address or form holds a value that is not valid.",
                )

        return handle
