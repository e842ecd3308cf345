"""The delivery report page: units delivered and accepted and the value accepted between
two dates by nation and item family, over the deliveries the caller may see."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from alliedforge.api.deps import DbSession
from alliedforge.domain.errors import InvalidError
from alliedforge.domain.paging import every_row
from alliedforge.domain.procurement import deliveries
from alliedforge.domain.procurement.schemas import DeliveryFilter
from alliedforge.store.base import utctoday
from alliedforge.web.charts.stock import delivery_report_figure
from alliedforge.web.render import WebCaller, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def read_day(text: str, default: date) -> date | None:
    """The day typed as YYYY-MM-DD (`default` when blank); None when it is not a day."""
    if not text.strip():
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@router.get("/reports/deliveries")
def delivery_report(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    start: Annotated[str, Query(alias="from", max_length=32)] = "",
    end: Annotated[str, Query(alias="to", max_length=32)] = "",
) -> Response:
    """The report between two days, both included (default: this calendar year)."""
    year = utctoday().year
    values = {"from": start.strip(), "to": end.strip()}
    first = read_day(start, date(year, 1, 1))
    last = read_day(end, date(year, 12, 31))
    errors = {
        field: "Give a day as YYYY-MM-DD."
        for field, day in (("from", first), ("to", last))
        if day is None
    }
    if first is None or last is None:
        return _form(request, values, errors)
    values = {"from": first.isoformat(), "to": last.isoformat()}
    try:
        report = deliveries.delivery_report(session, caller, first, last)
    except InvalidError as error:
        return _form(request, values, {error.field: error.reason})
    # The banner is that of the deliveries the report counts.
    counted = [
        read
        for read in every_row(
            lambda page_request: deliveries.list_deliveries(
                session, caller, DeliveryFilter(), page_request
            )
        )
        if read.voided_at is None and first <= read.delivered_on <= last
    ]
    return page(
        request,
        "report_deliveries.html",
        {"report": report},
        labels=[read.label for read in counted],
        values=values,
        errors={},
        figure=delivery_report_figure(report),
    )


def _form(request: Request, values: dict[str, str], errors: dict[str, str]) -> Response:
    """The form alone, with its errors, when the period cannot be read."""
    data = {"report": None, "errors": errors}
    return page(request, "report_deliveries.html", data, status_code=422, values=values)
