"""Plug the web application into the service: its pages at `/`, its assets at `/static/`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from alliedforge.web import pages

STATIC = "/static"


def install_web(app: FastAPI) -> None:
    """Serve the pages and the static files (plotly.js from the plotly package, htmx and
    the stylesheet from this package: deployments have no internet, so no CDN)."""
    app.include_router(pages.router)  # before the mount: it serves /static/plotly.min.js
    app.mount(STATIC, StaticFiles(packages=[("alliedforge.web", "static")]), name="static")
