"""Stock pages: each nation's stock per weapon system today, and one account — its ledger
(every movement and the running balance) and its stock projected month by month with the
latest plan against the stockpile targets. Staff read every nation's stock, a nation its
own; suppliers keep none, so for them there is no stock to find."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from alliedforge.api.deps import DbSession
from alliedforge.api.paging import MAX_ID
from alliedforge.domain.access.caller import Caller, Role
from alliedforge.domain.catalogue.service import label_of
from alliedforge.domain.demand import service as demand
from alliedforge.domain.demand.schemas import StockpileFilter, StockpileRead
from alliedforge.domain.errors import NotFoundError
from alliedforge.domain.nations import service as nations
from alliedforge.domain.paging import PageRequest, every_row
from alliedforge.domain.plans import service as plans
from alliedforge.domain.procurement import deliveries, stock
from alliedforge.domain.procurement.schemas import LedgerEntryRead, LedgerFilter, StockRead
from alliedforge.store.base import utctoday
from alliedforge.web.charts.stock import projection_figure
from alliedforge.web.render import WebCaller, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50
NationChoice = Annotated[str, Query(max_length=8)]


def _all_nations(session: DbSession, caller: Caller) -> list[str]:
    listed = every_row(lambda request: nations.list_nations(session, caller, request))
    return sorted(nation.code for nation in listed)


def _stockpiles(session: DbSession, caller: Caller, nation: str | None) -> list[StockpileRead]:
    return every_row(
        lambda request: demand.list_stockpiles(
            session, caller, StockpileFilter(nation=nation), request
        )
    )


def _ledger(session: DbSession, caller: Caller, filters: LedgerFilter) -> list[LedgerEntryRead]:
    return every_row(lambda request: stock.list_ledger(session, caller, filters, request))


def _account(read: StockRead, stockpiles: list[StockpileRead]) -> dict[str, Any]:
    """A stock line with the targets of its weapon system's stockpiles, earliest first."""
    targets = [
        {"due": row.due, "target": row.target}
        for row in stockpiles
        if row.weapon_system == read.weapon_system
    ]
    return {**read.model_dump(mode="json"), "targets": sorted(targets, key=lambda t: t["due"])}


@router.get("/stock")
def stock_list(
    request: Request, session: DbSession, caller: WebCaller, nation: NationChoice = ""
) -> Response:
    """The stock of each weapon system per nation at the end of today, with the targets
    to reach; staff choose a nation or see all."""
    if caller.role is Role.SUPPLIER:  # suppliers keep no stock: there is none to find
        raise NotFoundError("stock of supplier", caller.supplier)
    chosen = nation.strip().upper()
    choices = _all_nations(session, caller) if caller.is_staff else []
    codes: list[str | None] = [chosen] if chosen else [*choices]
    if not caller.is_staff and not chosen:  # a nation desk: its own (None), all it reads
        codes = [None]
    on = utctoday()
    accounts: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    for code in codes:
        reads = stock.list_stock(session, caller, code, on)
        if not reads:
            continue
        stockpiles = _stockpiles(session, caller, code)
        accounts += [_account(read, stockpiles) for read in reads]
        labels += [row.label for row in stockpiles]
        labels += [entry.label for entry in _ledger(session, caller, LedgerFilter(nation=code))]
    data = {"on": on, "nation": chosen or None, "accounts": accounts}
    return page(request, "stock.html", data, labels=labels, nations=choices)


@router.get("/stock/{nation}/{weapon_system}")
def stock_account(
    request: Request,
    session: DbSession,
    caller: WebCaller,
    nation: str,
    weapon_system: str,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """One nation's account of a weapon system: its stock today, its projection against
    the targets (a chart and the same numbers as tables) and its ledger, one page at a
    time. Another nation's account is not found."""
    on = utctoday()
    projection = stock.stock_projection(session, caller, nation, weapon_system, on)
    current = stock.stock(session, caller, projection.nation, projection.weapon_system, on)
    filters = LedgerFilter(nation=projection.nation, weapon_system=projection.weapon_system)
    shown = stock.list_ledger(session, caller, filters, PageRequest(PAGE_SIZE, after))
    stockpiles = [
        row
        for row in _stockpiles(session, caller, projection.nation)
        if row.weapon_system == projection.weapon_system
    ]
    sources = {
        entry.delivery_id: deliveries.get_delivery(session, caller, entry.delivery_id)
        for entry in shown.items
        if entry.delivery_id is not None
    }
    labels = [entry.label for entry in _ledger(session, caller, filters)]
    labels += [row.label for row in stockpiles]
    if projection.plan_run_id is not None:  # the plan's deliveries are in the projection
        labels.append(label_of(plans.get_run(session, projection.plan_run_id)))
    data = {
        "stock": current,
        "projection": projection,
        "ledger": shown.items,
        "next_after": shown.next_after,
        "deliveries": {
            str(key): {"call_off_id": read.call_off_id, "call_off": read.call_off}
            for key, read in sources.items()
        },
    }
    return page(
        request,
        "stock_account.html",
        data,
        labels=labels,
        figure=projection_figure(projection),
        after=after,
    )
