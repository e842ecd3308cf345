"""The FastAPI application: routers under /api/v1, OpenAPI, docs served from the package."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

import swagger_ui_bundle
from anyio import to_thread
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from alliedforge.api.errors import declare_error_responses, install_error_handlers
from alliedforge.api.links import linked
from alliedforge.api.routers import (
    audit,
    auth,
    catalogue,
    deliveries,
    demand,
    industry,
    nations,
    news,
    ocds,
    plans,
    procurement,
    requirements,
    scenario,
    timelines,
    whatifs,
)
from alliedforge.domain.plans.heartbeat import recover_interrupted_runs
from alliedforge.domain.whatifs.service import recover_interrupted_analyses
from alliedforge.store.engine import create_db_engine
from alliedforge.store.migrate import require_current
from alliedforge.web.app import install_web

API = "/api/v1"
# Routes run in a thread pool; a few threads keep the cores busy, while many only fight
# over the GIL (measured: 40 threads serve a third of what 4 do under load).
WORKER_THREADS = 4
# Requests take their connection on the event loop (see `api.deps`), where waiting for a
# free one would stall every request: the pool grows instead (SQLite connections are
# cheap; PostgreSQL's `max_connections` is the real limit, so size it per worker).
POOL = {"pool_size": 8, "max_overflow": 64, "pool_timeout": 5}
DOCS_ASSETS = "/api/docs-assets"


def create_app(url: str | None = None) -> FastAPI:
    """The service over the migrated database at `url` (default: `ALLIEDFORGE_DATABASE_URL`
    or ./alliedforge.db). Raises `StoreError` if the database is missing or not migrated."""
    engine = create_db_engine(url, **POOL)
    require_current(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        recover_interrupted_runs(engine)  # runs left `running` by a process that died
        recover_interrupted_analyses(engine)
        yield
        engine.dispose()  # close pooled connections when the server stops

    app = FastAPI(
        lifespan=lifespan,
        title="AlliedForge",
        version=version("alliedforge"),
        summary="Defence production coordination: the alliance's shared record and planner.",
        openapi_url=f"{API}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    install_error_handlers(app)
    for router in (
        auth.router,
        requirements.router,
        nations.router,
        catalogue.router,
        industry.router,
        deliveries.router,  # before demand: /stockpiles/ledger is no /stockpiles/{id}
        demand.router,
        audit.router,
        plans.router,
        scenario.router,
        news.router,
        procurement.router,
        ocds.router,
        timelines.router,
        whatifs.router,
    ):
        declare_error_responses(router)
        app.include_router(router, prefix=API)
    app.openapi = linked(app.openapi)  # type: ignore[method-assign]  # OpenAPI links
    # Deployments have no internet: the API docs page uses the Swagger UI in the package.
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path))

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{API}/openapi.json",
            title="AlliedForge API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )

    install_web(app)  # the web pages at / and their assets at /static
    return app
