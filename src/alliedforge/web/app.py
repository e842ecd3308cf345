"""Plug the web application into the service: its pages at `/`, its assets at `/static/`."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from alliedforge.web import (
    catalogue,
    dashboard,
    industry,
    news,
    plans,
    procurement,
    reports,
    requirements,
    risk,
    session,
    stock,
    timelines,
    tokens,
    whatifs,
)
from alliedforge.web.render import error_page

STATIC = "/static"
# Each section of the application is a module with its own router.
SECTIONS = (
    session,
    dashboard,
    requirements,
    catalogue,
    industry,
    plans,
    procurement,
    stock,
    reports,
    timelines,
    whatifs,
    risk,
    news,
    tokens,
)


def install_web(app: FastAPI) -> None:
    """Serve the pages and the static files (plotly.js from the plotly package, htmx and
    the stylesheet from this package: deployments have no internet, so no CDN)."""
    for section in SECTIONS:  # before the mount: /static/plotly.min.js is a route
        app.include_router(section.router)
    app.mount(STATIC, StaticFiles(packages=[("alliedforge.web", "static")]), name="static")
    app.add_exception_handler(HTTPException, _unknown_page)


async def _unknown_page(request: Request, error: Exception) -> Response:
    """An address no route knows is the not-found page for people; the API (and every
    other HTTP error) keeps FastAPI's JSON answer."""
    assert isinstance(error, HTTPException)
    if error.status_code == 404 and not request.url.path.startswith("/api/"):
        message = "There is no such page or record, or you may not see it."
        return error_page(request, 404, "Not found", message)
    return await http_exception_handler(request, error)
