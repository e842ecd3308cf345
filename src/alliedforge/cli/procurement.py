"""`forge lots`, `forge tenders`, `forge bids`, `forge frameworks` and `forge call-offs`: the
contracting workflow from a stored plan run to call-offs under a signed framework. The
commands act as the operator (an administrator); only a supplier bids, so `bids submit`
acts as a supplier user named with `--as`. Each write is one transaction, committed when
the rules accept it; a stage change acts on the record's current version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from alliedforge.cli.record import DAY, acting
from alliedforge.cli.render import money, units
from alliedforge.domain.access import repository as users
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.access.service import caller_of
from alliedforge.domain.paging import every_row
from alliedforge.domain.procurement import call_offs, frameworks, lots, tenders
from alliedforge.domain.procurement.models import Grouping, Method
from alliedforge.domain.procurement.schemas import (
    BidCreate,
    CallOffCreate,
    CallOffFilter,
    CallOffRead,
    FrameworkFilter,
    FrameworkFromTender,
    FrameworkRead,
    LotFilter,
    LotRead,
    LotsFromPlan,
    TenderCreate,
    TenderFilter,
    TenderRead,
    Weights,
)
from alliedforge.store.base import utctoday

lots_app = typer.Typer(help="Lots pooled from a plan run: make, list, show.", no_args_is_help=True)
tenders_app = typer.Typer(
    help="Tenders on lots: publish, list, close, evaluate, award.", no_args_is_help=True
)
bids_app = typer.Typer(help="Suppliers' bids on open tenders.", no_args_is_help=True)
frameworks_app = typer.Typer(
    help="Framework contracts from awarded tenders: make, sign, list, show.", no_args_is_help=True
)
call_offs_app = typer.Typer(
    help="Call-offs under signed frameworks: place, cancel, list.", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True)


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _table(title: str, columns: Sequence[str], right: set[str], rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left")
    for row in rows:
        table.add_row(*row)
    return table


def _pairs(values: list[str], first: str, second: str) -> list[dict[str, str]]:
    """`A:B` option values as `{first: A, second: B}` (the schemas check the values)."""
    pairs = []
    for value in values:
        left, colon, right = value.partition(":")
        if not colon:
            raise typer.BadParameter(f"{value!r} is not {first.upper()}:{second.upper()}")
        pairs.append({first: left.strip(), second: right.strip()})
    return pairs


# Lots


def lots_table(rows: Sequence[LotRead]) -> Table:
    return _table(
        "Lots",
        ("id", "code", "family", "supplier", "status", "nations", "units", "value"),
        {"id", "units", "value"},
        [
            [
                str(lot.id),
                lot.code,
                lot.family,
                lot.supplier or "any",
                lot.status.value,
                ", ".join(lot.participants),
                units(lot.quantity),
                money(lot.value),
            ]
            for lot in rows
        ],
    )


@lots_app.command("from-plan")
def lots_from_plan(
    run_id: Annotated[int, typer.Argument(help="The finished plan run's id (`forge plans list`).")],
    grouping: Annotated[
        Grouping, typer.Option("--grouping", help="One lot per supplier and family, or per family.")
    ] = Grouping.SUPPLIER_FAMILY,
    min_participants: Annotated[
        int, typer.Option("--min-participants", help="Fewest nations a lot takes (1-100).")
    ] = 3,
) -> None:
    """Pool a finished plan run's planned deliveries into draft lots."""
    with acting(commit=True) as session:
        data = LotsFromPlan(run_id=run_id, grouping=grouping, min_participants=min_participants)
        made = lots.lots_from_plan(session, Caller.operator(), data)
    console.print(lots_table(made.lots))
    left_out = [
        [group.supplier or "any", group.family, ", ".join(group.nations), group.reason]
        for group in made.left_out
    ]
    if left_out:
        console.print(
            _table("Left out", ("supplier", "family", "nations", "reason"), set(), left_out)
        )
    _say(f"Made {len(made.lots)} lots from plan run {run_id}; left out {len(left_out)} groups.")


@lots_app.command("list")
def lots_list() -> None:
    """List the lots, oldest first."""
    with acting() as session:
        rows = every_row(lambda page: lots.list_lots(session, Caller.operator(), LotFilter(), page))
    console.print(lots_table(rows))


@lots_app.command("show")
def lots_show(lot_id: Annotated[int, typer.Argument(help="The lot's id.")]) -> None:
    """A lot with its lines and the nations' cost shares."""
    with acting() as session:
        lot = lots.get_lot(session, Caller.operator(), lot_id)
    console.print(lots_table([lot]))
    console.print(
        _table(
            f"Lines of {lot.code}",
            ("nation", "serves", "item", "month", "units", "unit price", "value"),
            {"units", "unit price", "value"},
            [
                [
                    line.nation,
                    line.requirement or f"stockpile {line.stockpile}",
                    line.item,
                    line.month,
                    units(line.quantity),
                    money(line.unit_price),
                    money(line.value),
                ]
                for line in lot.lines
            ],
        )
    )
    console.print(
        _table(
            f"Cost shares of {lot.code}",
            ("nation", "units", "value", "share"),
            {"units", "value", "share"},
            [
                [share.nation, units(share.quantity), money(share.value), f"{share.share:.1%}"]
                for share in lot.shares
            ],
        )
    )


# Tenders and bids


def tenders_table(rows: Sequence[TenderRead]) -> Table:
    return _table(
        "Tenders",
        ("id", "ocid", "lot", "family", "method", "opens", "closes", "status", "version"),
        {"id", "version"},
        [
            [
                str(tender.id),
                tender.ocid,
                tender.lot,
                tender.family,
                tender.method.value,
                tender.opens_on.isoformat(),
                tender.closes_on.isoformat(),
                tender.status.value,
                str(tender.version),
            ]
            for tender in rows
        ],
    )


def _weights(text: str) -> Weights:
    parts = text.split(",")
    if len(parts) != 3:
        raise typer.BadParameter(f"{text!r} is not PRICE,DELIVERY,PAST (three numbers)")
    price, delivery, past = parts
    return Weights.model_validate({"price": price, "delivery": delivery, "past_performance": past})


@tenders_app.command("publish")
def tenders_publish(
    lot_id: Annotated[int, typer.Argument(help="The draft lot's id.")],
    opens: Annotated[datetime, typer.Option("--opens", formats=DAY, help="First day of bids.")],
    closes: Annotated[datetime, typer.Option("--closes", formats=DAY, help="Last day of bids.")],
    method: Annotated[Method, typer.Option("--method", help="How bids are ranked.")] = (
        Method.BEST_VALUE
    ),
    weights: Annotated[
        str, typer.Option("--weights", help="Best-value weights PRICE,DELIVERY,PAST (sum 1).")
    ] = "0.6,0.3,0.1",
) -> None:
    """Put a draft lot to tender, open for bids from --opens to --closes (inclusive)."""
    today = utctoday()
    with acting(commit=True) as session:
        data = TenderCreate(
            lot_id=lot_id,
            opens_on=opens.date(),
            closes_on=closes.date(),
            method=method,
            weights=_weights(weights),
        )
        tender = tenders.publish_tender(session, Caller.operator(), data, today)
    _say(f"Published tender {tender.id} ({tender.ocid}) on lot {tender.lot}.")


@tenders_app.command("list")
def tenders_list() -> None:
    """List the tenders, oldest first."""
    with acting() as session:
        rows = every_row(
            lambda page: tenders.list_tenders(session, Caller.operator(), TenderFilter(), page)
        )
    console.print(tenders_table(rows))


@tenders_app.command("close")
def tenders_close(tender_id: Annotated[int, typer.Argument(help="The tender's id.")]) -> None:
    """Close a published tender, from its closing day on: bidding ends."""
    today = utctoday()
    operator = Caller.operator()
    with acting(commit=True) as session:
        version = tenders.get_tender(session, operator, tender_id).version
        tender = tenders.close_tender(session, operator, tender_id, version, today)
    _say(f"Closed tender {tender.id} ({tender.ocid}).")


@tenders_app.command("evaluate")
def tenders_evaluate(tender_id: Annotated[int, typer.Argument(help="The tender's id.")]) -> None:
    """Score the submitted bids of a closed tender and store the scores; print the ranking."""
    operator = Caller.operator()
    with acting(commit=True) as session:
        version = tenders.get_tender(session, operator, tender_id).version
        evaluation = tenders.evaluate_tender(session, operator, tender_id, version)
    console.print(
        _table(
            f"Evaluation of tender {tender_id} ({evaluation.method.value})",
            ("rank", "bid", "supplier", "cost", "on time", "past performance", "score"),
            {"rank", "bid", "cost", "on time", "past performance", "score"},
            [
                [
                    str(bid.rank),
                    str(bid.bid_id),
                    bid.supplier,
                    money(bid.cost),
                    f"{bid.delivery:.1%}",
                    f"{bid.past_performance:.1%}",
                    f"{bid.score:.4f}",
                ]
                for bid in evaluation.ranking
            ],
        )
    )


@tenders_app.command("award")
def tenders_award(
    tender_id: Annotated[int, typer.Argument(help="The tender's id.")],
    bid: Annotated[int, typer.Option("--bid", help="The submitted bid to award (its id).")],
) -> None:
    """Award a closed tender to one submitted bid; the others are not awarded."""
    operator = Caller.operator()
    with acting(commit=True) as session:
        version = tenders.get_tender(session, operator, tender_id).version
        tender = tenders.award_tender(session, operator, tender_id, bid, version)
        winner = tenders.get_bid(session, operator, bid)
    _say(f"Awarded tender {tender.id} ({tender.ocid}) to bid {winner.id} of {winner.supplier}.")


@bids_app.command("submit")
def bids_submit(
    tender_id: Annotated[int, typer.Argument(help="The open tender's id.")],
    as_user: Annotated[
        str, typer.Option("--as", help="The supplier user who bids (only a supplier bids).")
    ],
    tier: Annotated[
        list[str], typer.Option("--tier", help="A price tier MIN_QUANTITY:UNIT_PRICE (repeat).")
    ],
    deliver: Annotated[
        list[str], typer.Option("--deliver", help="Units delivered in a month YYYY-MM:N (repeat).")
    ],
    capacity: Annotated[
        float, typer.Option("--capacity", help="The most units delivered in any month.")
    ],
) -> None:
    """Submit a supplier's bid for the whole lot of an open tender."""
    today = utctoday()
    tiers = _pairs(tier, "min_quantity", "unit_price")
    schedule = _pairs(deliver, "month", "quantity")
    with acting(commit=True) as session:
        user = users.user_by_name(session, as_user)
        if user is None:
            errors.print(f"No such user: {as_user}", style="red", markup=False)
            raise typer.Exit(1)
        data = BidCreate.model_validate(
            {"tiers": tiers, "schedule": schedule, "capacity_per_month": capacity}
        )
        made = tenders.submit_bid(session, caller_of(session, user), tender_id, data, today)
    _say(
        f"Submitted bid {made.id} of {made.supplier} on tender {made.tender_id}: the lot costs "
        f"{money(made.cost)}, {made.delivery:.1%} of it on time."
    )


# Frameworks and call-offs


def frameworks_table(rows: Sequence[FrameworkRead]) -> Table:
    return _table(
        "Frameworks",
        (
            "id",
            "code",
            "supplier",
            "parties",
            "valid",
            "status",
            "ceiling units",
            "remaining units",
            "ceiling value",
            "remaining value",
        ),
        {"id", "ceiling units", "remaining units", "ceiling value", "remaining value"},
        [
            [
                str(row.id),
                row.code,
                row.supplier,
                ", ".join(row.parties),
                f"{row.valid_from.isoformat()} to {row.valid_to.isoformat()}",
                row.status.value,
                units(row.ceiling_quantity),
                units(row.remaining_quantity),
                money(row.ceiling_value, row.currency),
                money(row.remaining_value, row.currency),
            ]
            for row in rows
        ],
    )


@frameworks_app.command("from-tender")
def frameworks_from_tender(
    tender_id: Annotated[int, typer.Argument(help="The awarded tender's id.")],
    code: Annotated[str, typer.Option("--code", help="The framework's code.")],
    valid_from: Annotated[
        datetime, typer.Option("--from", formats=DAY, help="First day call-offs may be placed.")
    ],
    valid_to: Annotated[
        datetime, typer.Option("--to", formats=DAY, help="Last day call-offs may be placed.")
    ],
    ceiling_quantity: Annotated[
        float | None, typer.Option("--ceiling-quantity", help="Units; default: the lot's.")
    ] = None,
    ceiling_value: Annotated[
        float | None, typer.Option("--ceiling-value", help="Value; default: the winning cost.")
    ] = None,
) -> None:
    """Make a draft framework from an awarded tender: its winner, the lot's nations and items."""
    with acting(commit=True) as session:
        data = FrameworkFromTender(
            tender_id=tender_id,
            code=code,
            valid_from=valid_from.date(),
            valid_to=valid_to.date(),
            ceiling_quantity=ceiling_quantity,
            ceiling_value=ceiling_value,
        )
        made = frameworks.framework_from_tender(session, Caller.operator(), data)
    _say(f"Made framework {made.id} {made.code} ({made.ocid}) with {made.supplier}, a draft.")


@frameworks_app.command("sign")
def frameworks_sign(
    framework_id: Annotated[int, typer.Argument(help="The framework's id.")],
) -> None:
    """Sign a draft framework: call-offs may be placed under it from now on."""
    operator = Caller.operator()
    with acting(commit=True) as session:
        version = frameworks.get_framework(session, operator, framework_id).version
        signed = frameworks.sign_framework(session, operator, framework_id, version)
    _say(f"Signed framework {signed.id} {signed.code}.")


@frameworks_app.command("list")
def frameworks_list() -> None:
    """List the frameworks with what remains of their ceilings, oldest first."""
    with acting() as session:
        rows = every_row(
            lambda page: frameworks.list_frameworks(
                session, Caller.operator(), FrameworkFilter(), page
            )
        )
    console.print(frameworks_table(rows))


@frameworks_app.command("show")
def frameworks_show(
    framework_id: Annotated[int, typer.Argument(help="The framework's id.")],
) -> None:
    """A framework: its ceiling, what is called off and remains, its items' price tiers."""
    with acting() as session:
        row = frameworks.get_framework(session, Caller.operator(), framework_id)
    console.print(frameworks_table([row]))
    console.print(
        _table(
            f"Price tiers of {row.code}",
            ("item", "from units", "unit price"),
            {"from units", "unit price"},
            [
                [item.item, units(tier.min_quantity), money(tier.unit_price, row.currency)]
                for item in row.items
                for tier in item.tiers
            ],
        )
    )


def call_offs_table(rows: Sequence[CallOffRead]) -> Table:
    return _table(
        "Call-offs",
        ("id", "code", "nation", "item", "line", "serves", "month", "units", "value", "status"),
        {"id", "units", "value"},
        [
            [
                str(row.id),
                row.code,
                row.nation,
                row.item,
                row.line,
                row.requirement or f"stockpile {row.stockpile}",
                row.month,
                units(row.quantity),
                money(row.value),
                row.status.value,
            ]
            for row in rows
        ],
    )


@call_offs_app.command("place")
def call_offs_place(
    framework_id: Annotated[int, typer.Argument(help="The signed framework's id.")],
    nation: Annotated[str, typer.Option("--nation", help="The buyer nation's code.")],
    item: Annotated[str, typer.Option("--item", help="The item's code.")],
    quantity: Annotated[float, typer.Option("--quantity", help="Units called off.")],
    month: Annotated[str, typer.Option("--month", help="Delivery month, YYYY-MM.")],
    requirement: Annotated[
        str | None, typer.Option("--requirement", help="The requirement served (its code).")
    ] = None,
    stockpile: Annotated[
        int | None, typer.Option("--stockpile", help="The stockpile target served (its id).")
    ] = None,
    line: Annotated[
        str | None, typer.Option("--line", help="The line; default: the supplier's first.")
    ] = None,
) -> None:
    """Place a call-off dated today and the commitment it makes."""
    today = utctoday()
    with acting(commit=True) as session:
        data = CallOffCreate(
            framework_id=framework_id,
            nation=nation,
            item=item,
            line=line,
            quantity=quantity,
            month=month,
            requirement=requirement,
            stockpile=stockpile,
        )
        placed = call_offs.place_call_off(session, Caller.operator(), data, today)
    _say(
        f"Placed call-off {placed.id} {placed.code}: {units(placed.quantity)} units of "
        f"{placed.item} for {placed.nation} in {placed.month} at {money(placed.unit_price)} "
        f"(commitment {placed.commitment_id})."
    )


@call_offs_app.command("cancel")
def call_offs_cancel(
    call_off_id: Annotated[int, typer.Argument(help="The call-off's id.")],
) -> None:
    """Cancel a placed call-off without accepted deliveries; its commitment is removed."""
    operator = Caller.operator()
    with acting(commit=True) as session:
        version = call_offs.get_call_off(session, operator, call_off_id).version
        cancelled = call_offs.cancel_call_off(session, operator, call_off_id, version)
    _say(f"Cancelled call-off {cancelled.id} {cancelled.code}.")


@call_offs_app.command("list")
def call_offs_list(
    framework: Annotated[
        int | None, typer.Option("--framework", help="Only those under this framework (id).")
    ] = None,
    nation: Annotated[
        str | None, typer.Option("--nation", help="Only those of this nation.")
    ] = None,
) -> None:
    """List the call-offs, oldest first."""
    with acting() as session:
        filters = CallOffFilter(framework_id=framework, nation=nation)
        rows = every_row(
            lambda page: call_offs.list_call_offs(session, Caller.operator(), filters, page)
        )
    console.print(call_offs_table(rows))
