"""Apply a what-if's changes to a base scenario: pure, in order, all or nothing.

Every change is checked against the scenario as the changes before it left it; all
problems are collected, then raised at once as a `WhatIfError`. What comes out is always
plannable: commitments that no longer fit (capacity lost, qualification gone) are cut,
and demand, budgets and component supply never drop below what commitments use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from alliedforge.scenario.model import (
    Commitment,
    Line,
    LineState,
    Qualification,
    Scenario,
    Stockpile,
    stockpile_requirement_code,
)
from alliedforge.scenario.months import month_index
from alliedforge.scenario.nsn import canonical_item_code
from alliedforge.scenario.shift import shift_earliest_decision
from alliedforge.scenario.validate import check_scenario
from alliedforge.whatif.changes import (
    BudgetChange,
    CapacityChange,
    Change,
    ComponentShock,
    ContractingShift,
    DemandFactor,
    LeadTimeSlip,
    LineOutage,
    PriceChange,
    QualificationAdded,
    QualificationMoved,
    QualificationRemoved,
    SupplierLoss,
)
from alliedforge.whatif.checks import check_change
from alliedforge.whatif.errors import WhatIfError, WhatIfProblem, shown
from alliedforge.whatif.supply import (
    close_supplier,
    keep_commitments,
    month_number,
    months_of,
    scale_availability,
    scale_budgets,
    shock_component,
)


def apply_changes(scenario: Scenario, changes: Sequence[Change]) -> Scenario:
    """`scenario` with `changes` applied in order; raises `WhatIfError` listing every problem
    (`where` is `change[N]`, N counted from 1)."""
    problems: list[WhatIfProblem] = []
    current = scenario
    for number, change in enumerate(changes, start=1):
        issues = check_change(current, change)
        if issues:
            where = f"change[{number}]"
            problems += [WhatIfProblem(where, f, shown(v), m) for f, v, m in issues]
            continue
        current = apply_change(current, change)
    if problems:
        raise WhatIfError(problems)
    # A safety net: the changes are built to keep the scenario valid, this proves it.
    leftover = check_scenario(current)
    if leftover:
        raise WhatIfError(
            WhatIfProblem(
                f"result {p.table} row {p.row}", p.column or "", p.value or "", p.expected
            )
            for p in leftover
        )
    return current


def apply_change(scenario: Scenario, change: Change) -> Scenario:
    """One change, already checked against `scenario` (see `check_change`)."""
    match change:
        case DemandFactor():
            return scale_demand(scenario, change)
        case LineOutage():
            span = months_of(scenario, month_number(scenario, change.start), change.months)
            return scale_availability(scenario, {change.line: span}, 0.0)
        case SupplierLoss():
            return close_supplier(
                scenario, change.supplier, month_number(scenario, change.from_month)
            )
        case CapacityChange():
            span = months_of(scenario, month_number(scenario, change.from_month))
            return scale_availability(scenario, {change.line: span}, change.factor)
        case QualificationAdded():
            item = canonical_item_code(change.item)
            return add_qualification(scenario, item, change.weapon_system, change.from_month)
        case QualificationRemoved():
            item = canonical_item_code(change.item)
            return move_qualification(scenario, item, change.weapon_system, None)
        case QualificationMoved():
            item = canonical_item_code(change.item)
            return move_qualification(scenario, item, change.weapon_system, change.to_month)
        case BudgetChange():
            return scale_budgets(scenario, change.factor, change.nation, change.year)
        case ContractingShift() | LeadTimeSlip():
            return shift_lines(scenario, change)
        case ComponentShock():
            span = months_of(scenario, month_number(scenario, change.start), change.months)
            return shock_component(scenario, change.component, span, change.factor)
        case PriceChange():
            return scale_prices(scenario, change)


def _families_of_systems(scenario: Scenario) -> dict[str, set[str]]:
    """The item families each weapon system has a qualified item of."""
    family = {item.code: item.family for item in scenario.items}
    families: dict[str, set[str]] = defaultdict(set)
    for q in scenario.qualifications:
        families[q.weapon_system].add(family[q.item])
    return families


def scale_demand(scenario: Scenario, change: DemandFactor) -> Scenario:
    """Requirement quantities and stockpile gaps (target above on hand) × factor, for those
    matching the filters; never below the units already committed to them.

    A requirement is of a family when its weapon system has an item of it qualified.
    """
    families = _families_of_systems(scenario)
    start = scenario.manifest.start
    first = month_number(scenario, change.from_month)

    def matches(nation: str, system: str, due: str) -> bool:
        return (
            change.nation in (None, nation)
            and change.weapon_system in (None, system)
            and (change.family is None or change.family in families[system])
            and month_index(start, due) >= first
        )

    committed: dict[str, float] = defaultdict(float)
    for c in scenario.commitments:
        committed[c.requirement] += c.quantity
    requirements = tuple(
        replace(r, quantity=max(r.quantity * change.factor, committed[r.code]))
        if matches(r.nation, r.weapon_system, r.due)
        else r
        for r in scenario.requirements
    )

    def gap(s: Stockpile) -> float:
        return max((s.target - s.on_hand) * change.factor, committed[stockpile_requirement_code(s)])

    stockpiles = tuple(
        replace(s, target=s.on_hand + gap(s))
        if s.target > s.on_hand and matches(s.nation, s.weapon_system, s.due)
        else s
        for s in scenario.stockpiles
    )
    return replace(scenario, requirements=requirements, stockpiles=stockpiles)


def add_qualification(scenario: Scenario, item: str, system: str, month: str | None) -> Scenario:
    """`item` qualified on `system` from `month` (None: the start)."""
    added = Qualification(item, system, month)
    return replace(scenario, qualifications=(*scenario.qualifications, added))


def move_qualification(scenario: Scenario, item: str, system: str, month: str | None) -> Scenario:
    """The qualification of `item` on `system` holds from `month`, or is gone (None).

    Commitments that relied on it in months it no longer covers are dropped: the units
    cannot be used by that system then, so the requirement is open demand again.
    """
    start = scenario.manifest.start
    if month is None:
        qualifications = tuple(
            q for q in scenario.qualifications if (q.item, q.weapon_system) != (item, system)
        )
    else:
        qualifications = tuple(
            replace(q, from_month=month) if (q.item, q.weapon_system) == (item, system) else q
            for q in scenario.qualifications
        )
    item_of = {line.code: line.item for line in scenario.lines}
    system_of = {r.code: r.weapon_system for r in scenario.all_requirements()}

    def cut(c: Commitment) -> Commitment | None:
        relies = item_of[c.line] == item and system_of[c.requirement] == system
        covered = month is not None and month_index(start, c.month) >= month_index(start, month)
        return None if relies and not covered else c

    return keep_commitments(replace(scenario, qualifications=qualifications), cut)


def shift_lines(scenario: Scenario, change: ContractingShift | LeadTimeSlip) -> Scenario:
    """Earliest decisions (contracting) or lead months (lead time, at least 0) of the
    dormant and new lines matching the filters."""
    manifest = scenario.manifest

    def shifted(line: Line) -> Line:
        if line.state is LineState.ACTIVE or change.line not in (None, line.code):
            return line
        if change.supplier not in (None, line.supplier):
            return line
        if isinstance(change, ContractingShift):
            return shift_earliest_decision(line, change.months, manifest.start, manifest.months)
        return replace(line, lead_months=max(0, (line.lead_months or 0) + change.months))

    return replace(scenario, lines=tuple(shifted(line) for line in scenario.lines))


def scale_prices(scenario: Scenario, change: PriceChange) -> Scenario:
    """Every price tier of the matching supplier–item pairs × factor (commitments keep
    their contract price)."""
    item = None if change.item is None else canonical_item_code(change.item)
    prices = tuple(
        replace(p, unit_price=p.unit_price * change.factor)
        if change.supplier in (None, p.supplier) and item in (None, p.item)
        else p
        for p in scenario.prices
    )
    return replace(scenario, prices=prices)
