"""A contracting record of twelve nations, built generically on a generated scenario: what
the access tests read with many users of many nations at once.

- the scenario (generated: twelve NATO nations, seven suppliers, budgets and
  commitments), and a stockpile target for every nation;
- one stored plan run of it;
- a framework agreed directly with each supplier the plan buys from, its parties the
  nations the plan serves from it, signed;
- a call-off by each of those nations under each framework, of part of one of its planned
  deliveries; deliveries against every other call-off, which move the stockpile ledger;
- labels beyond some desks' reach: NATO SECRET on the first framework (its call-offs
  keep their own labels), on the first call-off (and so on its deliveries and ledger
  entries) and on the first budget, fleet, stockpile and price; releasable only to the
  `oracle` nationality (that of the staff member who reads everything) on the third
  call-off, another nation's, and on the second budget, fleet, stockpile and price.

Nothing here names a code of the scenario: who buys what from whom follows from the plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliedforge.domain import models as db
from alliedforge.domain.access.caller import Caller
from alliedforge.domain.plans import service as plans
from alliedforge.domain.procurement import call_offs, deliveries, frameworks
from alliedforge.domain.procurement.schemas import CallOffCreate, DeliveryCreate, FrameworkCreate
from alliedforge.domain.record import import_scenario
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Delivery
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import Scenario
from alliedforge.scenario.generate import generate_scenario
from alliedforge.scenario.model import LineState

SECRET = "NATO SECRET"
RESTRICTED = "NATO RESTRICTED"
# The service dates (`today`) of the contracting steps, within the plan's 2027.
CALLED_OFF_ON = date(2027, 2, 1)
DELIVERED_ON = date(2027, 3, 1)
DELIVERED_BY = date(2027, 9, 30)
# At most this many units of a planned delivery are called off: well inside every line's
# free capacity, every requirement's need and every budget.
CALL_OFF_UNITS = 100.0
OPERATOR = Caller.operator()
# The tables whose first two rows (by id) get labels: none of their rows is read as part
# of another record, so a label hides the row and nothing else.
RELABELLED = (db.Budget, db.Fleet, db.Stockpile, db.Price)


def alliance() -> Scenario:
    """Twelve nations, each with requirements the plan serves (seed 1 gives all twelve)."""
    return generate_scenario(
        nations=12,
        items=30,
        families=8,
        lines=20,
        requirements=72,
        months=12,
        seed=1,
        budgets=True,
        commitments=True,
    )


@dataclass(frozen=True)
class Alliance:
    """What was made: the scenario, the plan run, the call-offs in order placed."""

    scenario: Scenario
    run_id: int
    call_offs: list[int]


def build_alliance(session: Session, scenario: Scenario, oracle: str) -> Alliance:
    """Build the record of the module docstring; `oracle` is the nationality the labels
    releasable to one nation name (the caller commits)."""
    import_scenario(session, scenario)
    _add_stockpiles(session, scenario)
    options = PlanOptions(time_limit=60)
    run = plans.start_run(session, scenario, options)
    plan = solve_plan(scenario, options)
    plans.finish_run(session, run, plan)
    # Call-offs need an active line; the plan may also open dormant ones.
    active = {line.code for line in scenario.lines if line.state is LineState.ACTIVE}
    planned = [d for d in plan.deliveries if d.line in active and not d.committed]
    placed: list[int] = []
    for index, (supplier, bought) in enumerate(sorted(_by_supplier(planned).items())):
        secret = {"classification": SECRET} if index == 0 else None
        framework_id = _framework(session, supplier, bought, secret)
        for delivery in _one_per_nation(bought):
            label = _call_off_label(len(placed), delivery.nation, oracle)
            placed.append(_call_off(session, framework_id, delivery, label))
    for call_off_id in placed[::2]:
        _deliver(session, call_off_id)
    _relabel(session, oracle)
    session.flush()
    return Alliance(scenario, run, placed)


def _add_stockpiles(session: Session, scenario: Scenario) -> None:
    """A stockpile target for the weapon system of each nation's first fleet."""
    nations = dict(session.execute(select(db.Nation.code, db.Nation.id)).all())
    systems = dict(session.execute(select(db.WeaponSystem.code, db.WeaponSystem.id)).all())
    first: dict[str, str] = {}
    for fleet in scenario.fleets:
        first.setdefault(fleet.nation, fleet.weapon_system)
    taken = {(s.nation, s.weapon_system, s.due) for s in scenario.stockpiles}
    for nation, system in sorted(first.items()):
        due = "2027-12"
        if (nation, system, due) not in taken:
            session.add(
                db.Stockpile(nation_id=nations[nation], weapon_system_id=systems[system],
                             on_hand=10, target=100, due=due)
            )  # fmt: skip


def _by_supplier(planned: list[Delivery]) -> dict[str, list[Delivery]]:
    bought: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in planned:
        bought[delivery.supplier].append(delivery)
    return bought


def _one_per_nation(bought: list[Delivery]) -> list[Delivery]:
    """The earliest planned delivery to each nation (ties: the first requirement)."""
    first: dict[str, Delivery] = {}
    for delivery in sorted(bought, key=lambda d: (d.nation, d.month, d.requirement, d.line)):
        first.setdefault(delivery.nation, delivery)
    return [first[nation] for nation in sorted(first)]


def _framework(
    session: Session, supplier: str, bought: list[Delivery], label: dict[str, Any] | None
) -> int:
    prices = {delivery.item: delivery.unit_price for delivery in bought}
    fields: dict[str, Any] = {
        "code": f"FW-{supplier}",
        "supplier": supplier,
        "parties": sorted({delivery.nation for delivery in bought}),
        "items": [
            {"item": item, "tiers": [{"min_quantity": 0, "unit_price": price}]}
            for item, price in sorted(prices.items())
        ],
        "valid_from": "2027-01-01",
        "valid_to": "2028-12-31",
        "ceiling_quantity": 1_000_000,
        "ceiling_value": 1_000_000_000,
    }
    if label is not None:
        fields["label"] = label
    made = frameworks.create_framework(session, OPERATOR, FrameworkCreate.model_validate(fields))
    frameworks.sign_framework(session, OPERATOR, made.id, made.version)
    return made.id


def _call_off_label(index: int, nation: str, oracle: str) -> dict[str, Any] | None:
    """NATO SECRET on the first call-off; releasable to `oracle` only on the third, when its
    buyer is another nation (who then cannot read its own call-off). Both get deliveries."""
    if index == 0:
        return {"classification": SECRET}
    if index == 2 and nation != oracle:
        return {"classification": RESTRICTED, "releasable_to": [oracle]}
    return None


def _call_off(
    session: Session, framework_id: int, delivery: Delivery, label: dict[str, Any] | None
) -> int:
    fields: dict[str, Any] = {
        "framework_id": framework_id,
        "nation": delivery.nation,
        "item": delivery.item,
        "line": delivery.line,
        "quantity": min(delivery.quantity, CALL_OFF_UNITS),
        "month": delivery.month,
        "requirement": delivery.requirement,
    }
    if label is not None:
        fields["label"] = label
    data = CallOffCreate.model_validate(fields)
    return call_offs.place_call_off(session, OPERATOR, data, CALLED_OFF_ON).id


def _deliver(session: Session, call_off_id: int) -> None:
    """Half the call-off's units, all accepted."""
    ordered = call_offs.get_call_off(session, OPERATOR, call_off_id).quantity
    data = DeliveryCreate(
        call_off_id=call_off_id,
        delivered_on=DELIVERED_ON,
        quantity=ordered / 2,
        accepted=ordered / 2,
    )
    deliveries.record_delivery(session, OPERATOR, data, DELIVERED_BY)


def _relabel(session: Session, oracle: str) -> None:
    """NATO SECRET on the first row of each `RELABELLED` table, releasable to `oracle` only
    on the second."""
    for table in RELABELLED:
        first, second = session.scalars(select(table).order_by(table.id).limit(2))
        first.classification = SECRET
        second.releasable_to = oracle
