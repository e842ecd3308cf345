"""Check one change against the scenario it is applied to: every problem, by field."""

from __future__ import annotations

import math
from dataclasses import dataclass

from alliedforge.scenario.model import LineState, Scenario
from alliedforge.scenario.months import is_month, month_at, month_index, year_of
from alliedforge.scenario.nsn import canonical_item_code
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

# A problem of one change: the field, its value, what is wrong.
Issue = tuple[str, object, str]


@dataclass(frozen=True, slots=True)
class Codes:
    """The codes a change may name, read once from the scenario it is checked against."""

    nations: frozenset[str]
    weapon_systems: frozenset[str]
    items: frozenset[str]
    families: frozenset[str]
    suppliers: frozenset[str]
    lines: dict[str, LineState]
    line_suppliers: dict[str, str]
    components: frozenset[str]
    qualified: frozenset[tuple[str, str]]
    priced: frozenset[tuple[str, str]]
    budgets: frozenset[tuple[str, int]]

    @classmethod
    def of(cls, scenario: Scenario) -> Codes:
        return cls(
            nations=frozenset(n.code for n in scenario.nations),
            weapon_systems=frozenset(w.code for w in scenario.weapon_systems),
            items=frozenset(i.code for i in scenario.items),
            families=frozenset(i.family for i in scenario.items),
            suppliers=frozenset(s.code for s in scenario.suppliers),
            lines={line.code: line.state for line in scenario.lines},
            line_suppliers={line.code: line.supplier for line in scenario.lines},
            components=frozenset(c.code for c in scenario.components),
            qualified=frozenset((q.item, q.weapon_system) for q in scenario.qualifications),
            priced=frozenset((p.supplier, p.item) for p in scenario.prices),
            budgets=frozenset((b.nation, b.year) for b in scenario.budgets),
        )


class _Checker:
    """Collects the issues of one change; each helper returns the value when it is usable."""

    def __init__(self, scenario: Scenario) -> None:
        self.codes = Codes.of(scenario)
        self.start, self.months = scenario.manifest.start, scenario.manifest.months
        self.issues: list[Issue] = []

    def add(self, field: str, value: object, message: str) -> None:
        self.issues.append((field, value, message))

    def factor(self, field: str, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(field, value, "expected a number")
        elif not math.isfinite(value) or value < 0:
            self.add(field, value, "expected a finite number of 0 or more")

    def whole(self, field: str, value: object, minimum: int | None = None) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field, value, "expected a whole number")
        elif minimum is not None and value < minimum:
            self.add(field, value, f"expected a whole number of {minimum} or more")

    def month(self, field: str, value: object, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.add(field, value, "expected a month YYYY-MM")
            return
        if not isinstance(value, str) or not is_month(value):
            self.add(field, value, "expected a month YYYY-MM")
            return
        if not 0 <= month_index(self.start, value) < self.months:
            last = month_at(self.start, self.months - 1)
            self.add(field, value, f"expected a month within the horizon {self.start}..{last}")

    def code(
        self, field: str, value: object, known: frozenset[str], noun: str, *, required: bool = False
    ) -> bool:
        """True when `value` is one of `known`, or None (no filter) where it is not `required`."""
        if value is None:
            if required:
                self.add(field, value, f"expected a {noun} code")
            return not required
        if not isinstance(value, str):
            self.add(field, value, f"expected a {noun} code")
            return False
        if value not in known:
            self.add(field, value, f"no such {noun}")
            return False
        return True

    def item(self, field: str, value: object, *, required: bool = False) -> bool:
        if isinstance(value, str):
            value = canonical_item_code(value)
        return self.code(field, value, self.codes.items, "item", required=required)

    def line(self, field: str, value: object, *, required: bool = False) -> bool:
        return self.code(field, value, frozenset(self.codes.lines), "line", required=required)

    def closed_lines(self, line: object, supplier: object) -> None:
        """Timing changes need a dormant or new line among those the filters match."""
        line_ok = self.line("line", line)
        if not (self.code("supplier", supplier, self.codes.suppliers, "supplier") and line_ok):
            return
        matched = [
            code
            for code, state in self.codes.lines.items()
            if state is not LineState.ACTIVE
            and line in (None, code)
            and supplier in (None, self.codes.line_suppliers[code])
        ]
        if matched:
            return
        if line is not None:
            self.add("line", line, "expected a dormant or new line (an active line has no lead)")
        else:
            self.add("supplier", supplier, "has no dormant or new line")

    def qualification(self, item: object, system: object, *, exists: bool) -> None:
        ok = self.item("item", item, required=True)
        systems = self.codes.weapon_systems
        ok = self.code("weapon_system", system, systems, "weapon system", required=True) and ok
        if not ok or not isinstance(item, str):
            return
        key = (canonical_item_code(item), system)
        if exists and key not in self.codes.qualified:
            self.add("weapon_system", system, f"item {item} is not qualified on it")
        if not exists and key in self.codes.qualified:
            self.add("weapon_system", system, f"item {item} is already qualified on it")

    def year(self, nation: object, year: object) -> None:
        before = len(self.issues)
        if year is not None:
            self.whole("year", year)
            first, last = year_of(self.start, 0), year_of(self.start, self.months - 1)
            if isinstance(year, int) and not first <= year <= last:
                self.add("year", year, f"expected a year overlapping the horizon {first}..{last}")
        if len(self.issues) > before or nation not in (None, *self.codes.nations):
            return
        if not any(nation in (None, n) and year in (None, y) for n, y in self.codes.budgets):
            field, value = ("nation", nation) if year is None else ("year", year)
            self.add(field, value, "no budget row matches: spending there is unlimited already")


def check_change(scenario: Scenario, change: Change) -> list[Issue]:
    """Every problem of `change` applied to `scenario`; empty when it can be applied."""
    c = _Checker(scenario)
    codes = c.codes
    match change:
        case DemandFactor():
            c.factor("factor", change.factor)
            c.code("nation", change.nation, codes.nations, "nation")
            c.code("weapon_system", change.weapon_system, codes.weapon_systems, "weapon system")
            c.code("family", change.family, codes.families, "item family")
            c.month("from_month", change.from_month)
        case LineOutage():
            c.line("line", change.line, required=True)
            c.month("start", change.start, required=True)
            c.whole("months", change.months, minimum=1)
        case SupplierLoss():
            c.code("supplier", change.supplier, codes.suppliers, "supplier", required=True)
            c.month("from_month", change.from_month)
        case CapacityChange():
            c.line("line", change.line, required=True)
            c.factor("factor", change.factor)
            c.month("from_month", change.from_month)
        case QualificationAdded():
            c.qualification(change.item, change.weapon_system, exists=False)
            c.month("from_month", change.from_month)
        case QualificationRemoved():
            c.qualification(change.item, change.weapon_system, exists=True)
        case QualificationMoved():
            c.qualification(change.item, change.weapon_system, exists=True)
            c.month("to_month", change.to_month, required=True)
        case BudgetChange():
            c.factor("factor", change.factor)
            c.code("nation", change.nation, codes.nations, "nation")
            c.year(change.nation, change.year)
        case ContractingShift() | LeadTimeSlip():
            c.whole("months", change.months)
            c.closed_lines(change.line, change.supplier)
        case ComponentShock():
            c.code("component", change.component, codes.components, "component", required=True)
            c.factor("factor", change.factor)
            c.month("start", change.start)
            if change.months is not None:
                c.whole("months", change.months, minimum=1)
        case PriceChange():
            c.factor("factor", change.factor)
            supplier_ok = c.code("supplier", change.supplier, codes.suppliers, "supplier")
            item_ok = c.item("item", change.item)
            if supplier_ok and item_ok and change.supplier and change.item:
                pair = (change.supplier, canonical_item_code(change.item))
                if pair not in codes.priced:
                    c.add("item", change.item, f"supplier {change.supplier} has no price for it")
        case _:
            c.add("", type(change).__name__, "expected a what-if change")
    return c.issues
