"""`forge deliveries`, `forge stock` and `forge reports`: record and list deliveries against
call-offs, show a nation's stock and its ledger, report what was delivered between two
dates. The commands act as the operator (an administrator); `record` commits when the
delivery is accepted by the rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from alliedforge.cli.record import DAY, acting
from alliedforge.cli.render import money, units
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.paging import every_row
from alliedforge.domain.procurement import deliveries, stock
from alliedforge.domain.procurement.schemas import (
    DeliveryCreate,
    DeliveryFilter,
    DeliveryRead,
    LedgerEntryRead,
    LedgerFilter,
    StockRead,
)
from alliedforge.store.base import utctoday

deliveries_app = typer.Typer(
    help="Deliveries against call-offs: record one, list them.", no_args_is_help=True
)
stock_app = typer.Typer(
    help="Nations' stock per weapon system and its ledger.", no_args_is_help=True
)
reports_app = typer.Typer(help="Reports over the record.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


def deliveries_table(rows: list[DeliveryRead]) -> Table:
    table = Table(title="Deliveries", title_justify="left")
    for column in ("id", "call-off", "nation", "supplier", "item", "delivered", "units"):
        table.add_column(column, justify="right" if column in ("id", "units") else "left")
    for column in ("accepted", "status", "late", "value", "void"):
        table.add_column(column, justify="right" if column in ("accepted", "value") else "left")
    for row in rows:
        table.add_row(
            str(row.id),
            row.call_off,
            row.nation,
            row.supplier,
            row.item,
            row.delivered_on.isoformat(),
            units(row.quantity),
            units(row.accepted),
            row.status.value,
            f"{row.months_late} mo" if row.months_late else "",
            money(row.value),
            "void" if row.voided_at is not None else "",
        )
    return table


@deliveries_app.command("record")
def record(
    call_off: Annotated[int, typer.Argument(help="The call-off's id (see the API or web app).")],
    quantity: Annotated[float, typer.Option("--quantity", help="Units delivered.")],
    accepted: Annotated[
        float | None,
        typer.Option("--accepted", help="Units accepted (0: all rejected); default: all."),
    ] = None,
    delivered_on: Annotated[
        datetime | None,
        typer.Option(
            "--on", formats=DAY, help="The day they arrived (YYYY-MM-DD); default: today."
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note kept with it.")] = None,
) -> None:
    """Record a delivery against a placed call-off; accepted units enter the buyer's ledger."""
    today = utctoday()
    with acting(commit=True) as session:
        data = DeliveryCreate(
            call_off_id=call_off,
            delivered_on=delivered_on.date() if delivered_on is not None else today,
            quantity=quantity,
            accepted=quantity if accepted is None else accepted,
            note=note,
        )
        made = deliveries.record_delivery(session, Caller.operator(), data, today)
    console.print(
        f"Recorded delivery {made.id} against {made.call_off}: {units(made.accepted)} of "
        f"{units(made.quantity)} units accepted ({made.status.value}"
        + (f", {made.months_late} months late" if made.months_late else "")
        + f"), into the {made.nation} {made.weapon_system} stock.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@deliveries_app.command("list")
def list_(
    call_off: Annotated[
        int | None, typer.Option("--call-off", help="Only those against this call-off (id).")
    ] = None,
    nation: Annotated[
        str | None, typer.Option("--nation", help="Only those to this nation.")
    ] = None,
    supplier: Annotated[
        str | None, typer.Option("--supplier", help="Only those from this supplier.")
    ] = None,
) -> None:
    """List the deliveries, oldest first."""
    with acting() as session:
        filters = DeliveryFilter(call_off_id=call_off, nation=nation, supplier=supplier)
        rows = every_row(
            lambda page: deliveries.list_deliveries(session, Caller.operator(), filters, page)
        )
    console.print(deliveries_table(rows))


def stock_table(levels: list[StockRead]) -> Table:
    on = levels[0].on.isoformat() if levels else ""
    table = Table(title=f"Stock on {on}", title_justify="left")
    for column in ("nation", "weapon system", "opening", "balance", "ledger"):
        table.add_column(column, justify="right" if column in ("opening", "balance") else "left")
    for level in levels:
        table.add_row(
            level.nation,
            level.weapon_system,
            units(level.opening),
            units(level.balance),
            "open" if level.opened else "not opened (stockpile on hand)",
        )
    return table


def ledger_table(entries: list[LedgerEntryRead]) -> Table:
    table = Table(title="Ledger", title_justify="left")
    for column in ("id", "booked", "source", "delivery", "units", "balance", "note"):
        table.add_column(
            column, justify="right" if column in ("id", "units", "balance") else "left"
        )
    for entry in entries:
        table.add_row(
            str(entry.id),
            entry.booked_on.isoformat(),
            entry.source.value,
            "" if entry.delivery_id is None else str(entry.delivery_id),
            f"{entry.units:+,.0f}",
            units(entry.balance),
            entry.note or "",
        )
    return table


@stock_app.command("show")
def show(
    nation: Annotated[str, typer.Argument(help="The nation's code.")],
    weapon_system: Annotated[
        str | None, typer.Argument(help="One weapon system's code (also lists its ledger).")
    ] = None,
    on: Annotated[
        datetime | None,
        typer.Option("--on", formats=DAY, help="The stock at the end of this day; default: today."),
    ] = None,
) -> None:
    """A nation's stock per weapon system; with a weapon system, its ledger too."""
    day = on.date() if on is not None else utctoday()
    operator = Caller.operator()
    with acting() as session:
        if weapon_system is None:
            console.print(stock_table(stock.list_stock(session, operator, nation, day)))
            return
        level = stock.stock(session, operator, nation, weapon_system, day)
        filters = LedgerFilter(nation=nation, weapon_system=weapon_system)
        entries = every_row(lambda page: stock.list_ledger(session, operator, filters, page))
    console.print(stock_table([level]))
    console.print(ledger_table(entries))


@reports_app.command("deliveries")
def report_deliveries(
    start: Annotated[datetime, typer.Option("--from", formats=DAY, help="First day (YYYY-MM-DD).")],
    end: Annotated[datetime, typer.Option("--to", formats=DAY, help="Last day (YYYY-MM-DD).")],
) -> None:
    """Units delivered and accepted and the value accepted between two days, by nation and
    item family."""
    with acting() as session:
        report = deliveries.delivery_report(session, Caller.operator(), start.date(), end.date())
    table = Table(
        title=f"Deliveries {report.start.isoformat()} to {report.end.isoformat()}",
        title_justify="left",
    )
    table.add_column("nation")
    table.add_column("family")
    for column in ("deliveries", "delivered", "accepted", "value"):
        table.add_column(column, justify="right")
    for row in report.rows:
        table.add_row(
            row.nation,
            row.family,
            str(row.deliveries),
            units(row.delivered),
            units(row.accepted),
            money(row.value),
        )
    table.add_row(
        "total",
        "",
        str(sum(row.deliveries for row in report.rows)),
        units(report.delivered),
        units(report.accepted),
        money(report.value),
    )
    console.print(table)
