"""Call-off pages: one call-off with the commitment it made and its cancellation; the
deliveries recorded against it — recorded by the agency or the supplier (units delivered
and accepted, each accepted unit moving the buyer's stockpile ledger) and voided, never
edited."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import RecordId
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.errors import ConflictError, InvalidError
from alliedforge.domain.paging import every_row
from alliedforge.domain.procurement import call_offs, deliveries
from alliedforge.domain.procurement.models import CallOffStatus
from alliedforge.domain.procurement.schemas import CallOffRead, DeliveryCreate, DeliveryFilter
from alliedforge.store.base import utctoday
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

DELIVERY_FIELDS = ("delivered_on", "quantity", "accepted", "note")
DELIVERY_ERRORS = {"call_off_id": FORM}


def _records_deliveries(caller: Caller) -> bool:
    """Whether the caller records deliveries: the agency, or a supplier (the service keeps
    a supplier to its own frameworks' call-offs, the only ones it sees)."""
    return acts_for_agency(caller) or caller.role is Role.SUPPLIER


def _call_off_page(
    request: Request,
    session: Session,
    caller: Caller,
    found: CallOffRead,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    recorded = every_row(
        lambda page: deliveries.list_deliveries(
            session, caller, DeliveryFilter(call_off_id=found.id), page
        )
    )
    counted = [delivery for delivery in recorded if delivery.voided_at is None]
    buyer = caller.role is Role.NATION and caller.nation == found.nation
    placed = found.status == CallOffStatus.PLACED
    data = {
        "call_off": found,
        "deliveries": recorded,
        "delivered": sum(delivery.quantity for delivery in counted),
        "accepted": sum(delivery.accepted for delivery in counted),
        "errors": errors or {},
        "message": message,
    }
    return page(
        request,
        "call_off.html",
        data,
        labels=[found.label, *(delivery.label for delivery in recorded)],
        status_code=status_code,
        may_cancel=placed and (acts_for_agency(caller) or buyer),
        may_record=placed and _records_deliveries(caller),
        may_void=_records_deliveries(caller),
        values=values
        or {"delivered_on": utctoday().isoformat(), **dict.fromkeys(DELIVERY_FIELDS[1:], "")},
    )


@router.get("/procurement/call-offs/{call_off_id}")
def call_off(
    request: Request, session: DbSession, caller: WebCaller, call_off_id: RecordId
) -> Response:
    """One call-off: what, from which line, for whom, at which price, the commitment it
    made, the deliveries against it; cancellation for the agency and the buyer, the
    delivery form for the agency and the supplier."""
    found = call_offs.get_call_off(session, caller, call_off_id)
    return _call_off_page(request, session, caller, found)


@router.post("/procurement/call-offs/{call_off_id}/cancel")
def cancel_call_off(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    call_off_id: RecordId,
    form: CheckedForm,
) -> Response:
    """Cancel a placed call-off (its commitment is removed, the ceiling freed); then the
    call-off, or the framework it was cancelled from."""
    version = expected_version(form)
    if version is None:
        return error_page(request, 400, "Bad request", "The form has no version to act on.")
    try:
        cancelled = call_offs.cancel_call_off(session, caller, call_off_id, version)
    except (ConflictError, InvalidError) as error:
        session.rollback()
        current = call_offs.get_call_off(session, caller, call_off_id)
        message, status_code = step_refusal(error)
        return _call_off_page(
            request, session, caller, current, message=message, status_code=status_code
        )
    session.commit()
    if form.get("back") == "framework":  # cancelled from the framework's list of call-offs
        return RedirectResponse(
            f"/procurement/frameworks/{cancelled.framework_id}", status_code=303
        )
    return RedirectResponse(f"/procurement/call-offs/{call_off_id}", status_code=303)


@router.post("/procurement/call-offs/{call_off_id}/deliveries")
def record_delivery(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    call_off_id: RecordId,
    form: CheckedForm,
) -> Response:
    """Record a delivery against the call-off; a refusal shows the form again with the
    reason at its field, nothing recorded."""
    current = call_offs.get_call_off(session, caller, call_off_id)
    values = typed(form, DELIVERY_FIELDS)
    try:
        data = DeliveryCreate.model_validate(
            {"call_off_id": call_off_id, **filled(form, DELIVERY_FIELDS)}
        )
        deliveries.record_delivery(session, caller, data, utctoday())
    except ValidationError as invalid:
        errors = located(invalid, DELIVERY_ERRORS)
    except InvalidError as error:
        session.rollback()
        errors = refused(error, DELIVERY_ERRORS)
    else:
        session.commit()
        return RedirectResponse(f"/procurement/call-offs/{call_off_id}", status_code=303)
    return _call_off_page(
        request, session, caller, current, values=values, errors=errors, status_code=422
    )


@router.post("/procurement/deliveries/{delivery_id}/void")
def void_delivery(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    delivery_id: RecordId,
    form: CheckedForm,
) -> Response:
    """Void a wrongly recorded delivery (its accepted units leave the ledger again); then
    its call-off."""
    delivery = deliveries.get_delivery(session, caller, delivery_id)
    version = expected_version(form)
    if version is None:
        return error_page(request, 400, "Bad request", "The form has no version to act on.")
    try:
        deliveries.void_delivery(session, caller, delivery_id, version, utctoday())
    except (ConflictError, InvalidError) as error:
        session.rollback()
        current = call_offs.get_call_off(session, caller, delivery.call_off_id)
        message, status_code = step_refusal(error)
        return _call_off_page(
            request, session, caller, current, message=message, status_code=status_code
        )
    session.commit()
    return RedirectResponse(f"/procurement/call-offs/{delivery.call_off_id}", status_code=303)
