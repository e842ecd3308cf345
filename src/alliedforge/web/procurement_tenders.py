"""Tender pages: one tender with its lot's needs; a supplier's bid form (price tiers and a
delivery schedule as repeating rows) and its own bids; the agency's steps — close,
evaluate (the scores as a table and a chart), award, cancel — and the framework contract
made from the award."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import RecordId
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.errors import ConflictError, InvalidError, NotFoundError
from alliedforge.domain.paging import every_row
from alliedforge.domain.procurement import frameworks, lots, tenders
from alliedforge.domain.procurement.models import BidStatus, TenderStatus
from alliedforge.domain.procurement.schemas import (
    AwardIn,
    BidCreate,
    BidRead,
    FrameworkFilter,
    FrameworkFromTender,
    FrameworkRead,
    LotDetail,
    TenderRead,
)
from alliedforge.store.base import utctoday
from alliedforge.web.charts.procurement import ranking, scores_figure
from alliedforge.web.procurement_forms import (
    FORM,
    acts_for_agency,
    expected_version,
    filled,
    located,
    refused,
    rows,
    step_refusal,
    typed,
)
from alliedforge.web.render import CheckedForm, WebCaller, WebRoute, error_page, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

TIER_FIELDS = ("min_quantity", "unit_price")
SCHEDULE_FIELDS = ("month", "quantity")
# Blank price tiers a new bid form offers, and the rows "More rows" adds to each list.
TIER_ROWS = 3
# Decimal places of a planned quantity that are the solver's, not the plan's.
UNIT_NOISE = 6
MORE_ROWS = 3
FRAMEWORK_FIELDS = ("code", "valid_from", "valid_to", "ceiling_quantity", "ceiling_value")
# A framework from a tender is valid a year by default.
FRAMEWORK_DAYS = 365
# The bid's problems as the fields of the bid form (the tender itself: the whole form).
BID_ERRORS = {"tender": FORM}
FRAMEWORK_ERRORS = {"tender_id": FORM}


# --- the page ---------------------------------------------------------------------------


def _visible_lot(session: Session, caller: Caller, lot_id: int) -> LotDetail | None:
    """The tender's lot if the caller sees it: a supplier no longer sees the lot of a
    cancelled tender (it is a draft again), though the tender stays on record."""
    try:
        return lots.get_lot(session, caller, lot_id)
    except NotFoundError:
        return None


def _needs(lot: LotDetail | None) -> list[dict[str, Any]]:
    """Units of the lot's visible lines per month, in month order."""
    months: dict[str, float] = {}
    for line in lot.lines if lot is not None else []:
        months[line.month] = months.get(line.month, 0.0) + line.quantity
    return [{"month": month, "quantity": months[month]} for month in sorted(months)]


def _bid_defaults(needs: list[dict[str, Any]]) -> dict[str, Any]:
    """A new bid form: a first tier from 0 units, and a schedule delivering the lot's
    needs as they fall due (whole units, rounded up, so that it covers the lot; the
    plan's float noise, 8000.0000001, is not a unit more)."""
    schedule = [
        {"month": need["month"], "quantity": str(math.ceil(round(need["quantity"], UNIT_NOISE)))}
        for need in needs
    ]
    peak = max((int(row["quantity"]) for row in schedule), default=0)
    return {
        "tiers": [{"min_quantity": "0", "unit_price": ""}]
        + [dict.fromkeys(TIER_FIELDS, "") for _ in range(TIER_ROWS - 1)],
        "schedule": schedule or [dict.fromkeys(SCHEDULE_FIELDS, "")],
        "capacity_per_month": str(peak) if peak else "",
    }


def _framework_defaults(tender: TenderRead, lot: LotDetail | None) -> dict[str, str]:
    starts = utctoday()
    return {
        "code": f"FW-{lot.code if lot is not None else tender.id}",
        "valid_from": starts.isoformat(),
        "valid_to": (starts + timedelta(days=FRAMEWORK_DAYS)).isoformat(),
        "ceiling_quantity": "",
        "ceiling_value": "",
    }


def _framework_of(
    session: Session, caller: Caller, tender: TenderRead, bids: list[BidRead]
) -> FrameworkRead | None:
    """The framework made from the tender, if any and if the caller sees it."""
    if tender.status != TenderStatus.AWARDED:
        return None
    winners = [bid.supplier for bid in bids if bid.status == BidStatus.AWARDED]
    filters = FrameworkFilter(supplier=winners[0]) if winners else FrameworkFilter()
    listed = every_row(lambda page: frameworks.list_frameworks(session, caller, filters, page))
    return next((framework for framework in listed if framework.tender_id == tender.id), None)


def _is_open(tender: TenderRead) -> bool:
    return tender.status == TenderStatus.PUBLISHED and (
        tender.opens_on <= utctoday() <= tender.closes_on
    )


def _tender_page(
    request: Request,
    session: Session,
    caller: Caller,
    tender: TenderRead,
    *,
    bid_values: dict[str, Any] | None = None,
    framework_values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    framework_errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    lot = _visible_lot(session, caller, tender.lot_id)
    needs = _needs(lot)
    found = every_row(lambda page: tenders.list_bids(session, caller, tender.id, page))
    agency = acts_for_agency(caller)
    # The agency reads the bids once bidding has ended: sealed until the tender closes.
    sealed = caller.is_staff and tender.status == TenderStatus.PUBLISHED
    bids = [] if sealed else found
    ranked = ranking(bids) if caller.is_staff else []
    framework = _framework_of(session, caller, tender, bids)
    submitted = [bid for bid in bids if bid.status == BidStatus.SUBMITTED]
    supplier = caller.role is Role.SUPPLIER
    data: dict[str, Any] = {
        "tender": tender,
        "lot": lot,
        "needs": needs,
        "bids": bids,
        "sealed_bids": len(found) if sealed else None,
        "ranking": ranked,
        "framework": framework,
        "errors": errors or {},
        "framework_errors": framework_errors or {},
        "message": message,
    }
    labels = [tender.label, *(bid.label for bid in bids)]
    labels += [record.label for record in (lot, framework) if record is not None]
    return page(
        request,
        "tender.html",
        data,
        labels=labels,
        status_code=status_code,
        figure=scores_figure(ranked) if ranked else None,
        today=utctoday(),
        is_open=_is_open(tender),
        may_close=agency and tender.status == TenderStatus.PUBLISHED,
        may_evaluate=agency and tender.status == TenderStatus.CLOSED and bool(submitted),
        may_award=agency and tender.status == TenderStatus.CLOSED and bool(submitted),
        may_cancel=agency and tender.status in (TenderStatus.PUBLISHED, TenderStatus.CLOSED),
        may_frame=agency and tender.status == TenderStatus.AWARDED and framework is None,
        may_bid=supplier and _is_open(tender) and not submitted and lot is not None,
        submitted=submitted,
        values=bid_values or _bid_defaults(needs),
        framework_values=framework_values or _framework_defaults(tender, lot),
    )


@router.get("/procurement/tenders/{tender_id}")
def tender(
    request: Request, session: DbSession, caller: WebCaller, tender_id: RecordId
) -> Response:
    """One tender: its dates, method and lot; the bids the caller may see (the agency's
    once bidding ends, a supplier's own); the steps the caller may take."""
    return _tender_page(request, session, caller, tenders.get_tender(session, caller, tender_id))


@router.post("/procurement/tenders/{tender_id}/framework")
def frame_tender(
    request: Request, session: DbSession, caller: WebCaller, tender_id: RecordId, form: CheckedForm
) -> Response:
    """A draft framework contract from an awarded tender; then the framework."""
    current = tenders.get_tender(session, caller, tender_id)
    values = typed(form, FRAMEWORK_FIELDS)
    try:
        data = FrameworkFromTender.model_validate(
            {"tender_id": tender_id, **filled(form, FRAMEWORK_FIELDS)}
        )
        made = frameworks.framework_from_tender(session, caller, data)
    except ValidationError as invalid:
        errors = located(invalid, {FORM: "valid_to"})
    except InvalidError as error:
        session.rollback()
        errors = refused(error, FRAMEWORK_ERRORS)
    else:
        session.commit()
        return RedirectResponse(f"/procurement/frameworks/{made.id}", status_code=303)
    return _tender_page(
        request,
        session,
        caller,
        current,
        framework_values=values,
        framework_errors=errors,
        status_code=422,
    )


# --- bids -------------------------------------------------------------------------------


def _entered(typed_rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[int]]:
    """The rows with anything typed in them (their blank fields left out, so that the
    schema names what is missing), and the form row of each."""
    kept: list[dict[str, str]] = []
    where: list[int] = []
    for index, row in enumerate(typed_rows):
        given = {name: value.strip() for name, value in row.items() if value.strip()}
        if given:
            kept.append(given)
            where.append(index)
    return kept, where


def _row_errors(
    errors: dict[str, str], tiers_at: list[int], schedule_at: list[int]
) -> dict[str, str]:
    """Schema errors of `tiers-K-field` / `schedule-K-field` as the form rows' fields."""
    located_rows: dict[str, str] = {}
    for key, reason in errors.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] in ("tiers", "schedule") and parts[1].isdigit():
            prefix, at = ("tier", tiers_at) if parts[0] == "tiers" else ("schedule", schedule_at)
            key = f"{prefix}-{at[int(parts[1])]}-{parts[2]}"
        located_rows[key] = reason
    return located_rows


@router.post("/procurement/tenders/{tender_id}/bids")
def submit_bid(
    request: Request, session: DbSession, caller: WebCaller, tender_id: RecordId, form: CheckedForm
) -> Response:
    """A supplier's bid from the form's rows; "More rows" shows the form with room for
    more tiers and months, nothing sent."""
    current = tenders.get_tender(session, caller, tender_id)
    values: dict[str, Any] = {
        "tiers": rows(form, "tier", TIER_FIELDS),
        "schedule": rows(form, "schedule", SCHEDULE_FIELDS),
        "capacity_per_month": form.get("capacity_per_month", ""),
    }
    if "more" in form:
        for name, fields in (("tiers", TIER_FIELDS), ("schedule", SCHEDULE_FIELDS)):
            values[name] += [dict.fromkeys(fields, "") for _ in range(MORE_ROWS)]
        return _tender_page(request, session, caller, current, bid_values=values)
    tiers, tiers_at = _entered(values["tiers"])
    schedule, schedule_at = _entered(values["schedule"])
    body = {"tiers": tiers, "schedule": schedule, **filled(form, ("capacity_per_month",))}
    try:
        data = BidCreate.model_validate(body)
        tenders.submit_bid(session, caller, tender_id, data, utctoday())
    except ValidationError as invalid:
        errors = _row_errors(located(invalid), tiers_at, schedule_at)
    except InvalidError as error:
        session.rollback()
        errors = refused(error, BID_ERRORS)
    else:
        session.commit()
        return RedirectResponse(f"/procurement/tenders/{tender_id}", status_code=303)
    return _tender_page(
        request, session, caller, current, bid_values=values, errors=errors, status_code=422
    )


@router.post("/procurement/bids/{bid_id}/withdraw")
def withdraw_bid(
    request: Request, session: DbSession, caller: WebCaller, bid_id: RecordId, form: CheckedForm
) -> Response:
    """Withdraw one's own bid while the tender is open; then the tender again."""
    bid = tenders.get_bid(session, caller, bid_id)
    version = expected_version(form)
    if version is None:
        return error_page(request, 400, "Bad request", "The form has no version to act on.")
    try:
        tenders.withdraw_bid(session, caller, bid_id, version, utctoday())
    except (ConflictError, InvalidError) as error:
        session.rollback()
        current = tenders.get_tender(session, caller, bid.tender_id)
        message, status_code = step_refusal(error)
        return _tender_page(
            request, session, caller, current, message=message, status_code=status_code
        )
    session.commit()
    return RedirectResponse(f"/procurement/tenders/{bid.tender_id}", status_code=303)


# --- the agency's steps (last: its path would take every other tender POST) ----------

STEPS = ("close", "evaluate", "award", "cancel")


@router.post("/procurement/tenders/{tender_id}/{step}")
def tender_step(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    tender_id: RecordId,
    step: str,
    form: CheckedForm,
) -> Response:
    """Close, evaluate, award (the bid chosen) or cancel a tender at the version the page
    showed; a refusal or a stale version shows the tender again, unchanged."""
    version = expected_version(form)
    if step not in STEPS or version is None:
        return error_page(request, 400, "Bad request", "Unknown step or missing version.")
    try:
        if step == "close":
            tenders.close_tender(session, caller, tender_id, version, utctoday())
        elif step == "evaluate":
            tenders.evaluate_tender(session, caller, tender_id, version)
        elif step == "award":
            try:
                chosen = AwardIn.model_validate({"bid_id": form.get("bid_id", "")})
            except ValidationError:
                raise InvalidError("bid_id", form.get("bid_id"), "choose a bid") from None
            tenders.award_tender(session, caller, tender_id, chosen.bid_id, version)
        else:
            tenders.cancel_tender(session, caller, tender_id, version)
    except (ConflictError, InvalidError) as error:
        session.rollback()
        current = tenders.get_tender(session, caller, tender_id)
        message, status_code = step_refusal(error)
        return _tender_page(
            request, session, caller, current, message=message, status_code=status_code
        )
    session.commit()
    return RedirectResponse(f"/procurement/tenders/{tender_id}", status_code=303)
