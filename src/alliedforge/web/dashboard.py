"""The dashboard: per role, demand against capacity, coverage of requirements, stockpiles,
lines opening soon, the value of joint procurement, and the agency's latest news."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from alliedforge.api.deps import DbSession
from alliedforge.domain.access.caller import Role
from alliedforge.domain.news.service import latest_news
from alliedforge.domain.overview import dashboard_overview
from alliedforge.web.charts.dashboard import (
    coverage_figure,
    demand_capacity_figure,
    stockpile_figure,
)
from alliedforge.web.render import WebCaller, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

NEWS_SHOWN = 3


@router.get("/")
def dashboard(request: Request, session: DbSession, caller: WebCaller) -> Response:
    """The caller's dashboard; every figure is scoped as the services scope records."""
    overview = dashboard_overview(session, caller, datetime.now(UTC).strftime("%Y-%m"))
    news = latest_news(session, caller, NEWS_SHOWN)
    data = {**overview.as_json(), "news": news}
    per = "weapon system" if caller.role is Role.NATION else "nation"
    figures = {
        "demand": demand_capacity_figure(data["demand_capacity"]),
        "coverage": coverage_figure(data["coverage"]),
        "stockpiles": stockpile_figure(data["stockpiles"], per),
    }
    return page(request, "dashboard.html", data, labels=overview.labels, figures=figures, per=per)
