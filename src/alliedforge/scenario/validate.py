"""Semantic checks of a Scenario, each problem located by table, row, column and value."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from alliedforge.scenario.model import (
    Commitment,
    Line,
    LineState,
    Requirement,
    Scenario,
    Stockpile,
    stockpile_requirement_code,
)
from alliedforge.scenario.months import is_month, month_at, month_index, parse_month
from alliedforge.scenario.nsn import canonical_item_code
from alliedforge.scenario.problems import Problem
from alliedforge.scenario.tables import (
    INTEGER_KINDS,
    MANIFEST_TABLE,
    NUMBER_KINDS,
    TABLES,
    Column,
    Kind,
    Table,
    format_cell,
)

MAX_MONTHS = 240
PRIORITIES = range(1, 6)
# Sums of commitments may exceed a limit by float noise only.
_RELATIVE_TOLERANCE = 1e-9
# Commitments grouped by what they share a limit of: (row index, amount) in file order.
_Groups = dict[tuple[object, ...], list[tuple[int, float]]]
_TABLE_RANK = {name: rank for rank, name in enumerate((MANIFEST_TABLE, *TABLES))}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a scenario's rows came from, so that problems point into the source file.

    `rows[table][i]` is the source row of the table's i-th row (default: i + 2, header = 1).
    `unread` tables could not be read at all: references into them are not checked.
    `dropped` holds the fields that did parse in rows dropped for bad cells: their codes
    still count as known, and checks that need the whole table are skipped.
    """

    rows: Mapping[str, Sequence[int]] = field(default_factory=dict)
    manifest_rows: Mapping[str, int] = field(default_factory=dict)
    horizon_known: bool = True
    unread: frozenset[str] = frozenset()
    dropped: Mapping[str, Sequence[Mapping[str, object]]] = field(default_factory=dict)


def check_scenario(scenario: Scenario) -> list[Problem]:
    """Every semantic problem of an in-memory scenario; rows are numbered index + 2."""
    return check_with_provenance(scenario, Provenance())


def check_with_provenance(scenario: Scenario, provenance: Provenance) -> list[Problem]:
    """Every semantic problem, rows numbered as in the source the scenario was parsed from."""
    checker = _Checker(scenario, provenance)
    checker.check_manifest()
    checker.check_non_empty()
    checker.check_cells()
    checker.check_keys()
    checker.check_references()
    checker.check_lines()
    checker.check_stockpiles()
    checker.check_commitments()
    return sort_problems(checker.problems)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Manifest first, then tables in format order and rows in file order; stable otherwise."""
    return sorted(
        problems,
        key=lambda p: (_TABLE_RANK.get(p.table, len(_TABLE_RANK)), p.table, p.row or 0),
    )


def _key_part(column: Column, value: object) -> object:
    if column.kind is Kind.ITEM and isinstance(value, str):
        return canonical_item_code(value)
    return value


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _exceeds(total: float, limit: float) -> bool:
    return total > limit + _RELATIVE_TOLERANCE * max(1.0, abs(limit))


class _Checker:
    """Runs the checks in a fixed order, collecting problems instead of stopping."""

    def __init__(self, scenario: Scenario, provenance: Provenance) -> None:
        self.scenario = scenario
        self.provenance = provenance
        self.problems: list[Problem] = []
        self.horizon: tuple[str, int] | None = None
        self._known: dict[str, set[str]] = {}

    def add(
        self, table: str, index: int | None, column: str | None, value: object, expected: str
    ) -> None:
        row = None if index is None else self.row_number(table, index)
        shown = None if value is None else format_cell(value)
        self.problems.append(Problem(table, row, column, shown, expected))

    def row_number(self, table: str, index: int) -> int:
        numbers = self.provenance.rows.get(table)
        return numbers[index] if numbers is not None else index + 2

    def complete(self, *tables: str) -> bool:
        """Whether every row of these tables is in the scenario (none unread or dropped)."""
        return not any(
            t in self.provenance.unread or self.provenance.dropped.get(t) for t in tables
        )

    def known(self, table: str) -> set[str] | None:
        """Codes a reference into `table` may name; None when the table could not be read."""
        if table in self.provenance.unread:
            return None
        if table not in self._known:
            self._known[table] = self._codes(table)
        return self._known[table]

    def _codes(self, table: str) -> set[str]:
        dropped = self.provenance.dropped.get(table, ())
        codes = {str(fields["code"]) for fields in dropped if "code" in fields}
        codes.update(row.code for row in getattr(self.scenario, table))
        if table == "items":
            codes = {canonical_item_code(code) for code in codes}
        if table == "requirements":
            codes.update(r.code for r in self.scenario.all_requirements())
            for fields in self.provenance.dropped.get("stockpiles", ()):
                if {"nation", "weapon_system", "due"} <= fields.keys():
                    named = Stockpile(
                        str(fields["nation"]),
                        str(fields["weapon_system"]),
                        0,
                        0,
                        str(fields["due"]),
                    )
                    codes.add(stockpile_requirement_code(named))
        return codes

    # -- the manifest and whole tables ---------------------------------------------------

    def check_manifest(self) -> None:
        manifest = self.scenario.manifest

        def add(key: str, value: object, expected: str) -> None:
            shown = None if value is None else format_cell(value)
            row = self.provenance.manifest_rows.get(key)
            self.problems.append(Problem(MANIFEST_TABLE, row, key, shown, expected))

        if _blank(manifest.name):
            add("name", manifest.name, "a name")
        if _blank(manifest.currency):
            add("currency", manifest.currency, "a currency code")
        start_ok = is_month(manifest.start)
        if not start_ok:
            add("start", manifest.start, "a month YYYY-MM")
        months_ok = 1 <= manifest.months <= MAX_MONTHS
        if not months_ok:
            add("months", manifest.months, f"a whole number of months 1..{MAX_MONTHS}")
        elif start_ok and not is_month(month_at(manifest.start, manifest.months - 1)):
            # Months are written YYYY-MM: a horizon past 9999-12 has months no file can name.
            add("months", manifest.months, "a horizon that ends by 9999-12")
            months_ok = False
        costs = manifest.shortfall_cost
        if len(costs) != len(PRIORITIES) or not all(math.isfinite(c) and c >= 0 for c in costs):
            shown = ", ".join(format_cell(c) for c in costs)
            add("objective.shortfall_cost", shown, "5 non-negative numbers, one per priority 1..5")
        if not (math.isfinite(manifest.late_fraction) and manifest.late_fraction >= 0):
            add("objective.late_fraction", manifest.late_fraction, "a non-negative number")
        if start_ok and months_ok and self.provenance.horizon_known:
            self.horizon = (manifest.start, manifest.months)

    def check_non_empty(self) -> None:
        # A scenario without nations, items or requirements has nothing to plan.
        for name in ("nations", "items", "requirements"):
            if not getattr(self.scenario, name) and self.complete(name):
                self.add(name, None, None, None, "at least one row")

    # -- cells, keys and references, driven by the table schemas ------------------------

    def check_cells(self) -> None:
        for table in TABLES.values():
            for index, row in enumerate(getattr(self.scenario, table.name)):
                for column in table.columns:
                    value = getattr(row, column.attr)
                    if _blank(value):
                        if column.required:
                            self.add(table.name, index, column.name, None, "a value")
                        continue
                    expected = self._cell_expectation(column.kind, value)
                    if expected is not None:
                        self.add(table.name, index, column.name, value, expected)

    def _cell_expectation(self, kind: Kind, value: object) -> str | None:
        """What a non-blank value of this kind should have been, or None when it is fine."""
        if kind is Kind.MONTH:
            if not (isinstance(value, str) and is_month(value)):
                return "a month YYYY-MM"
            if self.horizon is not None:
                start, months = self.horizon
                if not 0 <= month_index(start, value) < months:
                    return f"a month within the horizon {start}..{month_at(start, months - 1)}"
        elif kind in NUMBER_KINDS:
            # Scenarios built in memory (a database, a generator) may hold any type here.
            if not isinstance(value, int | float) or isinstance(value, bool):
                return "a number"
            if kind is Kind.QUANTITY and not (math.isfinite(value) and value >= 0):
                return "a non-negative number"
            if kind is Kind.POSITIVE and not (math.isfinite(value) and value > 0):
                return "a positive number"
        elif kind in INTEGER_KINDS:
            if not isinstance(value, int) or isinstance(value, bool):
                return "a whole number"
            if kind is Kind.COUNT and value < 0:
                return "a whole number >= 0"
            if kind is Kind.PRIORITY and value not in PRIORITIES:
                return "a priority 1..5"
            if kind is Kind.YEAR and self.horizon is not None:
                start, months = self.horizon
                first, last = parse_month(start)[0], parse_month(month_at(start, months - 1))[0]
                if not first <= value <= last:
                    return f"a year overlapping the horizon {first}..{last}"
        elif kind is Kind.STATE and not isinstance(value, LineState):
            return "a LineState: active, dormant or new"
        return None

    def check_keys(self) -> None:
        for table in TABLES.values():
            columns = [table.column(name) for name in table.key]
            first: dict[tuple[object, ...], int] = {}
            for index, row in enumerate(getattr(self.scenario, table.name)):
                key = tuple(_key_part(c, getattr(row, c.attr)) for c in columns)
                if any(_blank(part) for part, c in zip(key, columns, strict=True) if c.required):
                    continue
                if key not in first:
                    first[key] = index
                    continue
                shown = ", ".join(format_cell(getattr(row, c.attr)) for c in columns)
                earlier = self.row_number(table.name, first[key])
                self.add(table.name, index, columns[-1].name, shown, _duplicate(table, earlier))

    def check_references(self) -> None:
        for table in TABLES.values():
            for column_name, target in table.references:
                codes = self.known(target)
                if codes is None:
                    continue
                column = table.column(column_name)
                expected = f"a code in {target}"
                if target == "requirements":
                    expected += " (or a stockpile's requirement code)"
                for index, row in enumerate(getattr(self.scenario, table.name)):
                    value = getattr(row, column.attr)
                    if not _blank(value) and _key_part(column, value) not in codes:
                        self.add(table.name, index, column.name, value, expected)

    # -- rules of particular tables -----------------------------------------------------

    def check_lines(self) -> None:
        check_tiers = self.complete("prices")
        pairs = {(p.supplier, canonical_item_code(p.item)) for p in self.scenario.prices}
        suppliers, items = self.known("suppliers"), self.known("items")
        for index, line in enumerate(self.scenario.lines):
            if line.state in (LineState.DORMANT, LineState.NEW) and line.lead_months is None:
                self.add(
                    "lines", index, "lead_months", None, "lead_months for a dormant or new line"
                )
            item = canonical_item_code(line.item)
            resolvable = (suppliers is None or line.supplier in suppliers) and (
                items is None or item in items
            )
            if check_tiers and resolvable and (line.supplier, item) not in pairs:
                expected = f"an item with a price tier in prices for supplier {line.supplier}"
                self.add("lines", index, "item", line.item, expected)

    def check_stockpiles(self) -> None:
        requirement_rows: dict[str, int] = {}
        for index, requirement in enumerate(self.scenario.requirements):
            requirement_rows.setdefault(requirement.code, index)
        for index, stockpile in enumerate(self.scenario.stockpiles):
            code = stockpile_requirement_code(stockpile)
            if code in requirement_rows:
                row = self.row_number("requirements", requirement_rows[code])
                expected = f"a requirement code not already taken (requirements row {row})"
                self.add("stockpiles", index, None, code, expected)

    def check_commitments(self) -> None:
        """Commitments are fixed: they must be possible, and possible on their own."""
        commitments = self.scenario.commitments
        if not commitments:
            return
        lines: dict[str, Line] = {}
        for line in self.scenario.lines:
            lines.setdefault(line.code, line)
        requirements: dict[str, Requirement] = {}
        for requirement in self.scenario.all_requirements():
            requirements.setdefault(requirement.code, requirement)
        qualified: dict[tuple[str, str], str | None] = {}
        for q in self.scenario.qualifications:
            qualified.setdefault((canonical_item_code(q.item), q.weapon_system), q.from_month)
        check_qualified = self.complete("qualifications")
        for index, commitment in enumerate(commitments):
            made_by = lines.get(commitment.line)
            if made_by is None:
                continue
            if made_by.state is not LineState.ACTIVE:
                expected = f"an active line (line {made_by.code} is {made_by.state})"
                self.add("commitments", index, "line", commitment.line, expected)
            needed_by = requirements.get(commitment.requirement)
            if needed_by is not None and check_qualified:
                self._check_qualified(index, commitment, made_by, needed_by, qualified)
        self._check_commitment_totals(lines, requirements)

    def _check_qualified(
        self,
        index: int,
        commitment: Commitment,
        line: Line,
        requirement: Requirement,
        qualified: Mapping[tuple[str, str], str | None],
    ) -> None:
        item, system = canonical_item_code(line.item), requirement.weapon_system
        if (item, system) not in qualified:
            expected = (
                f"a requirement whose weapon system qualifies item {item} of line {line.code}"
            )
            self.add("commitments", index, "requirement", commitment.requirement, expected)
            return
        start = qualified[(item, system)]
        month = commitment.month
        if start is not None and is_month(start) and is_month(month) and month < start:
            expected = f"a month from {start} on, when item {item} is qualified on {system}"
            self.add("commitments", index, "month", month, expected)

    def _check_commitment_totals(
        self, lines: Mapping[str, Line], requirements: Mapping[str, Requirement]
    ) -> None:
        """Commitments alone must fit requirements, line capacity, budgets and components."""
        by_requirement: _Groups = defaultdict(list)
        by_line_month: _Groups = defaultdict(list)
        by_budget: _Groups = defaultdict(list)
        for index, c in enumerate(self.scenario.commitments):
            requirement = requirements.get(c.requirement)
            if requirement is not None:
                by_requirement[(c.requirement,)].append((index, c.quantity))
                if is_month(c.month):
                    key = (requirement.nation, parse_month(c.month)[0])
                    by_budget[key].append((index, c.quantity * c.unit_price))
            line = lines.get(c.line)
            if line is not None and line.state is LineState.ACTIVE:
                by_line_month[(c.line, c.month)].append((index, c.quantity))
        self._report_overruns(
            by_requirement,
            lambda key: requirements[str(key[0])].quantity,
            "commitments to requirement {0} totalling at most its quantity {limit} (not {total})",
        )
        self._report_overruns(
            by_line_month,
            lambda key: lines[str(key[0])].capacity_per_month,
            "commitments on line {0} in {1} totalling at most its capacity {limit} (not {total})",
        )
        if self.complete("budgets"):
            budgets: dict[tuple[object, ...], float] = {}
            for budget in self.scenario.budgets:
                budgets.setdefault((budget.nation, budget.year), budget.amount)
            self._report_overruns(
                by_budget,
                budgets.get,
                "commitments of {0} in {1} costing at most its budget {limit} (not {total})",
            )
        if self.complete("bom", "component_supply"):
            self._check_commitment_components(lines)

    def _check_commitment_components(self, lines: Mapping[str, Line]) -> None:
        per_unit_of: dict[tuple[str, str], float] = {}
        for entry in self.scenario.bom:
            key = (canonical_item_code(entry.item), entry.component)
            per_unit_of.setdefault(key, entry.quantity_per_unit)
        bom: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (item, component), per_unit in per_unit_of.items():
            bom[item].append((component, per_unit))
        supply: dict[str, dict[str | None, float]] = defaultdict(dict)
        for row in self.scenario.component_supply:
            supply[row.component].setdefault(row.month, row.capacity)
        uses: _Groups = defaultdict(list)
        for index, c in enumerate(self.scenario.commitments):
            line = lines.get(c.line)
            for component, per_unit in bom.get(canonical_item_code(line.item), ()) if line else ():
                if component in supply:  # a component without supply rows is unlimited
                    uses[(component, c.month)].append((index, per_unit * c.quantity))

        def available(key: tuple[object, ...]) -> float:
            rows = supply[str(key[0])]
            # A dated row overrides the blank-month row; with neither there is nothing.
            return rows.get(str(key[1]), rows.get(None, 0.0))

        self._report_overruns(
            uses,
            available,
            "commitments in {1} needing at most the {limit} units of component {0} available"
            " (not {total})",
        )

    def _report_overruns(
        self,
        groups: _Groups,
        limit_of: Callable[[tuple[object, ...]], float | None],
        template: str,
    ) -> None:
        """Report a group of commitments whose total exceeds its limit, at the row crossing it."""
        for key, entries in groups.items():
            limit = limit_of(key)
            total = sum(amount for _, amount in entries)
            if limit is None or not _exceeds(total, limit):
                continue
            running = 0.0
            for index, amount in entries:
                running += amount
                if _exceeds(running, limit):
                    expected = template.format(
                        *key, limit=format_cell(limit), total=format_cell(total)
                    )
                    quantity = self.scenario.commitments[index].quantity
                    self.add("commitments", index, "quantity", quantity, expected)
                    break


def _duplicate(table: Table, earlier: int) -> str:
    if table.name == "prices":
        return f"no duplicate min_quantity for one pair (first at row {earlier})"
    if table.name == "stockpiles":
        return f"one row per nation, weapon system and due month (first at row {earlier})"
    return f"a unique {' + '.join(table.key)} (first at row {earlier})"
