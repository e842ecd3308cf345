"""Lots pages: make lots from a finished plan run (the lots made and the groups left out),
one lot with its lines and cost shares, and the agency's steps — put it to tender, or
cancel it while a draft."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import RecordId
from alliedforge.api.routers.plans import label_of
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.errors import ConflictError, ForbiddenError, InvalidError
from alliedforge.domain.industry.profile import planning_horizon
from alliedforge.domain.paging import MAX_LIMIT, PageRequest
from alliedforge.domain.plans import service as plans
from alliedforge.domain.plans.models import PlanRun, RunStatus
from alliedforge.domain.procurement import lots, tenders
from alliedforge.domain.procurement.models import Grouping, LotStatus, Method
from alliedforge.domain.procurement.schemas import (
    LotDetail,
    LotsFromPlan,
    TenderCreate,
    TenderFilter,
    Weights,
)
from alliedforge.planning.plan import PlanStatus
from alliedforge.store.base import utctoday
from alliedforge.web.charts.procurement import shares_figure
from alliedforge.web.procurement_forms import (
    FORM,
    acts_for_agency,
    expected_version,
    filled,
    located,
    refused,
    step_refusal,
    typed,
)
from alliedforge.web.render import CheckedForm, WebCaller, WebRoute, error_page, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# Runs offered for pooling: the newest finished ones.
RUN_CHOICES = 100
LOTS_FIELDS = ("run_id", "grouping", "min_participants")
TENDER_FIELDS = (
    "opens_on",
    "closes_on",
    "method",
    "weight_price",
    "weight_delivery",
    "weight_past_performance",
)
WEIGHTS = {
    "weight_price": "price",
    "weight_delivery": "delivery",
    "weight_past_performance": "past_performance",
}
# A tender's problems as the fields of the publish form: a period that ends before it
# starts is the closing day's; a bad weight its own field's.
TENDER_ERRORS = {FORM: "closes_on", "lot_id": FORM} | {
    f"weights-{weight}": field for field, weight in WEIGHTS.items()
}
# Bids are open a month by default.
TENDER_DAYS = 30


def _require_agency(caller: Caller) -> None:
    """Refuse the lot forms to those who may not send them (the service refuses them too)."""
    if not acts_for_agency(caller):
        raise ForbiddenError(f"a {caller.role} user cannot make lots")


# --- lots from a plan -------------------------------------------------------------------


def _finished_runs(session: Session, caller: Caller) -> list[PlanRun]:
    """The newest finished runs with a plan that the caller may read."""
    return [
        run
        for run in plans.list_runs(session)
        if run.status == RunStatus.DONE
        and run.plan_status != PlanStatus.INFEASIBLE
        and caller.reads(label_of(run))
    ][:RUN_CHOICES]


def _new_lots_page(
    request: Request,
    session: Session,
    caller: Caller,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    runs = _finished_runs(session, caller)
    choices = [
        {"id": run.id, "mode": run.mode, "scenario_name": run.scenario_name, "at": run.finished_at}
        for run in runs
    ]
    return page(
        request,
        "lots_new.html",
        {"runs": choices, "values": values, "errors": errors or {}},
        labels=[label_of(run).as_stanag_4774() for run in runs],
        status_code=status_code,
        groupings=[grouping.value for grouping in Grouping],
    )


@router.get("/procurement/lots/new")
def new_lots(request: Request, session: DbSession, caller: WebCaller) -> Response:
    """The form to pool a finished plan run's deliveries into lots (the agency)."""
    _require_agency(caller)
    runs = _finished_runs(session, caller)
    defaults = LotsFromPlan.model_fields
    values = {
        "run_id": str(runs[0].id) if runs else "",
        "grouping": str(defaults["grouping"].default),
        "min_participants": str(defaults["min_participants"].default),
    }
    return _new_lots_page(request, session, caller, values)


@router.post("/procurement/lots/new")
def make_lots(
    request: Request, session: DbSession, caller: WebCaller, form: CheckedForm
) -> Response:
    """Pool the chosen run into draft lots; the lots made and the groups left out."""
    _require_agency(caller)
    values = typed(form, LOTS_FIELDS)
    try:
        asked = LotsFromPlan.model_validate(filled(form, LOTS_FIELDS))
    except ValidationError as invalid:
        return _new_lots_page(request, session, caller, values, located(invalid), 422)
    try:
        made = lots.lots_from_plan(session, caller, asked)
    except InvalidError as error:
        session.rollback()
        return _new_lots_page(request, session, caller, values, refused(error), 422)
    session.commit()
    return page(
        request,
        "lots_made.html",
        {"run_id": asked.run_id, "lots": made.lots, "left_out": made.left_out},
        labels=[lot.label for lot in made.lots],
        status_code=201,
    )


# --- one lot ----------------------------------------------------------------------------


def _tender_defaults() -> dict[str, str]:
    weights = Weights()
    opens = utctoday()
    return {
        "opens_on": opens.isoformat(),
        "closes_on": (opens + timedelta(days=TENDER_DAYS)).isoformat(),
        "method": Method.BEST_VALUE.value,
        "weight_price": f"{weights.price:g}",
        "weight_delivery": f"{weights.delivery:g}",
        "weight_past_performance": f"{weights.past_performance:g}",
    }


def _lot_page(
    request: Request,
    session: Session,
    caller: Caller,
    lot: LotDetail,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    found = tenders.list_tenders(
        session, caller, TenderFilter(lot_id=lot.id), PageRequest(MAX_LIMIT)
    )
    horizon = planning_horizon(session, caller)
    currency = horizon.currency if horizon is not None else ""
    agency = acts_for_agency(caller) and lot.status == LotStatus.DRAFT
    data: dict[str, Any] = {
        "lot": lot,
        "tenders": found.items,
        "currency": currency,
        "errors": errors or {},
        "message": message,
    }
    return page(
        request,
        "lot.html",
        data,
        labels=[lot.label, *(tender.label for tender in found.items)],
        status_code=status_code,
        figure=shares_figure(lot.shares, currency) if lot.shares else None,
        may_tender=agency,
        may_cancel=agency,
        values=values or _tender_defaults(),
        methods=[method.value for method in Method],
    )


@router.get("/procurement/lots/{lot_id}")
def lot(request: Request, session: DbSession, caller: WebCaller, lot_id: RecordId) -> Response:
    """One lot: its lines and the cost shares the caller may see, its tenders, and the
    agency's steps while it is a draft."""
    return _lot_page(request, session, caller, lots.get_lot(session, caller, lot_id))


@router.post("/procurement/lots/{lot_id}/cancel")
def cancel_lot(
    request: Request, session: DbSession, caller: WebCaller, lot_id: RecordId, form: CheckedForm
) -> Response:
    """Cancel a draft lot at the version the page showed."""
    version = expected_version(form)
    if version is None:
        return error_page(request, 400, "Bad request", "The form has no version to act on.")
    try:
        lots.cancel_lot(session, caller, lot_id, version)
    except (ConflictError, InvalidError) as error:
        session.rollback()
        current = lots.get_lot(session, caller, lot_id)
        message, status_code = step_refusal(error)
        return _lot_page(
            request, session, caller, current, message=message, status_code=status_code
        )
    session.commit()
    return RedirectResponse(f"/procurement/lots/{lot_id}", status_code=303)


@router.post("/procurement/lots/{lot_id}/tender")
def publish_tender(
    request: Request, session: DbSession, caller: WebCaller, lot_id: RecordId, form: CheckedForm
) -> Response:
    """Put a draft lot to tender, open for bids between the dates given; then the tender."""
    current = lots.get_lot(session, caller, lot_id)
    values = typed(form, TENDER_FIELDS)
    asked = filled(form, TENDER_FIELDS)
    weights = {WEIGHTS[name]: asked.pop(name) for name in WEIGHTS if name in asked}
    try:
        data = TenderCreate.model_validate({"lot_id": lot_id, **asked, "weights": weights})
    except ValidationError as invalid:
        errors = located(invalid, TENDER_ERRORS)
        return _lot_page(
            request, session, caller, current, values=values, errors=errors, status_code=422
        )
    try:
        made = tenders.publish_tender(session, caller, data, utctoday())
    except InvalidError as error:
        session.rollback()
        errors = refused(error, TENDER_ERRORS)
        return _lot_page(
            request, session, caller, current, values=values, errors=errors, status_code=422
        )
    session.commit()
    return RedirectResponse(f"/procurement/tenders/{made.id}", status_code=303)
