"""The dashboard: the caller's requirements by status, demand per due year, latest plan."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from fastapi import APIRouter, Request, Response

from alliedforge.api.deps import DbSession
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.labels import Label
from alliedforge.domain.paging import MAX_LIMIT, PageRequest
from alliedforge.domain.plans import service as plans
from alliedforge.domain.requirements import service
from alliedforge.domain.requirements.models import RequirementStatus
from alliedforge.domain.requirements.schemas import RequirementFilter
from alliedforge.web.render import WebCaller, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _all_requirements(session: DbSession, caller: Caller) -> list[dict[str, Any]]:
    """Every requirement the caller may see, as field dicts, page by page."""
    rows: list[dict[str, Any]] = []
    after: int | None = None
    while True:
        found = service.list_requirement_fields(
            session, caller, RequirementFilter(), PageRequest(MAX_LIMIT, after)
        )
        rows.extend(found.items)
        if found.next_after is None:
            return rows
        after = found.next_after


def _demand_figure(by_year: list[dict[str, Any]]) -> dict[str, Any]:
    """A plotly bar chart of units required per due year (a plain figure dict)."""
    return {
        "data": [
            {
                "type": "bar",
                "x": [str(cell["year"]) for cell in by_year],
                "y": [cell["quantity"] for cell in by_year],
                "name": "Units required",
                "marker": {"color": "#1f4e79"},
            }
        ],
        "layout": {
            "title": {"text": "Units required per due year (not rejected)"},
            "xaxis": {"title": {"text": "Due year"}, "type": "category"},
            "yaxis": {"title": {"text": "Units"}},
            "margin": {"t": 48, "r": 16, "b": 48, "l": 64},
        },
    }


def _plan_summary(session: DbSession, caller: Caller) -> tuple[dict[str, Any] | None, Label | None]:
    """The newest plan run the caller may read, in brief, and its label."""
    for run in plans.list_runs(session, 1):
        label = Label.parse(run.classification, run.releasable_to)
        if not caller.reads(label):
            return None, None
        return {
            "id": run.id,
            "scenario": run.scenario_name,
            "mode": run.mode,
            "status": run.status,
            "plan_status": run.plan_status,
            "objective": run.objective,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
        }, label
    return None, None


@router.get("/")
def dashboard(request: Request, session: DbSession, caller: WebCaller) -> Response:
    """Counts of the caller's requirements by status, demand per due year, latest plan."""
    rows = _all_requirements(session, caller)
    counts = Counter(str(row["status"]) for row in rows)
    by_status = {str(status): counts.get(str(status), 0) for status in RequirementStatus}
    units: dict[int, float] = defaultdict(float)
    for row in rows:
        if row["status"] != RequirementStatus.REJECTED:
            units[int(str(row["due"])[:4])] += float(row["quantity"])
    by_year = [{"year": year, "quantity": units[year]} for year in sorted(units)]
    latest, plan_label = _plan_summary(session, caller)
    labels = [row["label"] for row in rows]
    if plan_label is not None:
        labels.append(plan_label.as_stanag_4774())
    data = {
        "requirements_by_status": by_status,
        "requirements_total": len(rows),
        "demand_by_year": by_year,
        "latest_plan": latest,
    }
    return page(request, "dashboard.html", data, labels=labels, figure=_demand_figure(by_year))
