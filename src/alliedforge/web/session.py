"""Signing in and out, and plotly.js served from the plotly package."""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from alliedforge.api.deps import SESSION_COOKIE, DbSession
from alliedforge.api.routers.auth import SESSION_HOURS
from alliedforge.domain.access import service as access
from alliedforge.domain.errors import AuthenticationError, RateLimitedError
from alliedforge.store.engine import session_scope
from alliedforge.web import csrf
from alliedforge.web.render import CheckedForm, CsrfRejectedError, FormFields, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# plotly.js ships inside the plotly package: serve it from there (no CDN, no copy).
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@router.get("/static/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js, from the installed plotly package."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript")


# --- signing in and out ----------------------------------------------------------------


def _login_page(
    request: Request, error: str | None = None, status_code: int = 200, name: str = ""
) -> Response:
    secret = csrf.new_login_secret()
    response = page(
        request,
        "login.html",
        {"error": error},
        status_code=status_code,
        name=name,
        login_token=csrf.token_for(secret),
    )
    response.set_cookie(
        csrf.LOGIN_COOKIE,
        secret,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    """The sign-in form, with a fresh double-submit CSRF cookie."""
    return _login_page(request)


@router.post("/login")
def login(request: Request, session: DbSession, form: FormFields) -> Response:
    """Sign in; on success set the session cookie (as the API's) and go to the dashboard."""
    if not csrf.is_valid(request.cookies.get(csrf.LOGIN_COOKIE), form.get(csrf.CSRF_FIELD)):
        raise CsrfRejectedError
    name = form.get("name", "")
    address = request.client.host if request.client else None
    try:
        with session_scope(request.app.state.engine) as checking:
            password = form.get("password", "")
            _caller, cookie = access.login(session, name, password, address, checking=checking)
    except AuthenticationError:
        session.commit()  # keep the failure: the rate limit counts it
        return _login_page(request, "Wrong name or password.", 401, name)
    except RateLimitedError as error:
        response = _login_page(request, str(error), 429, name)
        response.headers["Retry-After"] = str(max(1, int(error.retry_after)))
        return response
    session.commit()
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(csrf.LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession, _form: CheckedForm) -> Response:
    """End the web session (its cookie stops working at once)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        access.logout(session, cookie)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
