"""Framework pages: a framework contract with its parties, items and tiers, what remains
of its ceiling, its call-offs; the agency signs and closes it; a buyer nation calls off
under it, every refusal shown next to the field it concerns."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import MAX_ID, RecordId
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.demand import service as demand
from alliedforge.domain.demand.schemas import StockpileFilter
from alliedforge.domain.errors import ConflictError, InvalidError
from alliedforge.domain.industry import service as industry
from alliedforge.domain.industry.schemas import LineFilter
from alliedforge.domain.paging import PageRequest, every_row
from alliedforge.domain.procurement import call_offs, frameworks
from alliedforge.domain.procurement.models import FrameworkStatus
from alliedforge.domain.procurement.schemas import (
    CallOffCreate,
    CallOffFilter,
    FrameworkRead,
)
from alliedforge.domain.requirements import service as requirements
from alliedforge.domain.requirements.schemas import RequirementFilter
from alliedforge.scenario.model import LineState
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

PAGE_SIZE = 25
CALL_OFF_FIELDS = ("item", "line", "serves", "month", "quantity")
# What a call-off serves, as the value of the form's one select: `requirement:CODE` or
# `stockpile:ID` (the service takes either, never both).
SERVED = ("requirement", "stockpile")
# The call-off rules as the fields of the form: the framework's own state, its validity
# and the buyer are the whole form's; requirement and stockpile are the one select's.
CALL_OFF_ERRORS = {
    "framework_id": FORM,
    "placed_on": FORM,
    "nation": FORM,
    "requirement": "serves",
    "stockpile": "serves",
}
FRAMEWORK_STEPS = ("sign", "close")


# --- one framework ----------------------------------------------------------------------


def _buyer(caller: Caller, framework: FrameworkRead) -> str | None:
    """The nation the caller calls off for under this framework: its own, if a party."""
    if caller.role is Role.NATION and caller.nation in framework.parties:
        return caller.nation
    return None


def _call_off_choices(session: Session, caller: Caller, framework: FrameworkRead) -> dict[str, Any]:
    """What the call-off form offers: the framework's items; the supplier's active lines
    making them that the caller may see, as suggestions (the industry service shows a
    nation no line: it names one it knows, or leaves the line to the service, which takes
    the supplier's first active line making the item); the buyer's requirements and
    stockpile targets."""
    items = [entry.item for entry in framework.items]
    lines = [
        line
        for line in every_row(
            lambda page: industry.list_lines(
                session,
                caller,
                LineFilter(supplier=framework.supplier, state=LineState.ACTIVE),
                page,
            )
        )
        if line.item in items
    ]
    nation = RequirementFilter(nation=caller.nation)
    needs = every_row(lambda page: requirements.list_requirements(session, caller, nation, page))
    stock = every_row(
        lambda page: demand.list_stockpiles(
            session, caller, StockpileFilter(nation=caller.nation), page
        )
    )
    return {"items": items, "lines": lines, "requirements": needs, "stockpiles": stock}


def _framework_page(
    request: Request,
    session: Session,
    caller: Caller,
    framework: FrameworkRead,
    *,
    after: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    found = call_offs.list_call_offs(
        session, caller, CallOffFilter(framework_id=framework.id), PageRequest(PAGE_SIZE, after)
    )
    buyer = _buyer(caller, framework)
    may_call_off = buyer is not None and framework.status == FrameworkStatus.SIGNED
    data = {
        "framework": framework,
        "call_offs": found.items,
        "next_after": found.next_after,
        "errors": errors or {},
        "message": message,
    }
    return page(
        request,
        "framework.html",
        data,
        labels=[framework.label, *(call_off.label for call_off in found.items)],
        status_code=status_code,
        after=after,
        steps=_steps(caller, framework),
        may_call_off=may_call_off,
        agency=acts_for_agency(caller),
        buyer=buyer,
        choices=_call_off_choices(session, caller, framework) if may_call_off else {},
        values=values or dict.fromkeys(CALL_OFF_FIELDS, ""),
    )


def _steps(caller: Caller, framework: FrameworkRead) -> list[str]:
    """The agency's next step: sign a draft, close a signed framework."""
    if not acts_for_agency(caller):
        return []
    if framework.status == FrameworkStatus.DRAFT:
        return ["sign"]
    if framework.status == FrameworkStatus.SIGNED:
        return ["close"]
    return []


@router.get("/procurement/frameworks/{framework_id}")
def framework(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    framework_id: RecordId,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """One framework: parties, items and tiers, ceiling and what remains of it, validity,
    status, its call-offs a page at a time; the call-off form for a buyer nation."""
    found = frameworks.get_framework(session, caller, framework_id)
    return _framework_page(request, session, caller, found, after=after)


def _call_off_data(framework_id: int, form: dict[str, str]) -> dict[str, Any]:
    """The call-off the form asks for, as the service's schema reads it."""
    asked: dict[str, Any] = {"framework_id": framework_id, **filled(form, CALL_OFF_FIELDS)}
    kind, _, key = asked.pop("serves", "").partition(":")
    if kind in SERVED:
        asked[kind] = key
    return asked


@router.post("/procurement/frameworks/{framework_id}/call-offs")
def place_call_off(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    framework_id: RecordId,
    form: CheckedForm,
) -> Response:
    """Call off under the framework for one's own nation; a call-off that breaks a rule
    changes nothing and shows the form again with the rule's message at its field."""
    current = frameworks.get_framework(session, caller, framework_id)
    values = typed(form, CALL_OFF_FIELDS)
    try:
        data = CallOffCreate.model_validate(_call_off_data(framework_id, form))
        placed = call_offs.place_call_off(session, caller, data, utctoday())
    except ValidationError as invalid:
        errors = located(invalid, CALL_OFF_ERRORS)
    except InvalidError as error:
        session.rollback()
        errors = refused(error, CALL_OFF_ERRORS)
    else:
        session.commit()
        return RedirectResponse(f"/procurement/call-offs/{placed.id}", status_code=303)
    return _framework_page(
        request, session, caller, current, values=values, errors=errors, status_code=422
    )


@router.post("/procurement/frameworks/{framework_id}/{step}")
def framework_step(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    framework_id: RecordId,
    step: str,
    form: CheckedForm,
) -> Response:
    """Sign or close a framework at the version the page showed (the agency)."""
    version = expected_version(form)
    if step not in FRAMEWORK_STEPS or version is None:
        return error_page(request, 400, "Bad request", "Unknown step or missing version.")
    try:
        if step == "sign":
            frameworks.sign_framework(session, caller, framework_id, version)
        else:
            frameworks.close_framework(session, caller, framework_id, version)
    except (ConflictError, InvalidError) as error:
        session.rollback()
        current = frameworks.get_framework(session, caller, framework_id)
        message, status_code = step_refusal(error)
        return _framework_page(
            request, session, caller, current, message=message, status_code=status_code
        )
    session.commit()
    return RedirectResponse(f"/procurement/frameworks/{framework_id}", status_code=303)
