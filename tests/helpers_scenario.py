"""Test helpers for scenario packages: a valid base scenario, CSV edits, a hypothesis strategy."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

from hypothesis import strategies as st

from alliedforge.scenario import (
    BomEntry,
    Budget,
    Commitment,
    Component,
    ComponentSupply,
    Fleet,
    Item,
    Line,
    LineState,
    Manifest,
    Nation,
    Price,
    Qualification,
    Requirement,
    Scenario,
    Stockpile,
    Supplier,
    WeaponSystem,
    check_scenario,
    month_at,
)

ROUND_A = "1320-12-345-6789"
ROUND_B = "1320-12-345-6790"


def base_scenario() -> Scenario:
    """A small valid scenario that touches every table, so each check can be provoked.

    Horizon 2027-01..2027-12. Line L1 (active, round A) holds commitment C1 to R1;
    line L2 (dormant, round B) opens at the earliest in 2027-02.
    """
    return Scenario(
        manifest=Manifest(
            name="Base", start="2027-01", months=12, shortfall_cost=(9e4, 5e4, 2e4, 1e4, 5e3)
        ),
        nations=(Nation("N1", "Nation One"), Nation("N2", "Nation Two")),
        weapon_systems=(WeaponSystem("WS1", "Howitzer One", "155mm"), WeaponSystem("WS2", "Two")),
        fleets=(Fleet("N1", "WS1", 40.0),),
        items=(
            Item(ROUND_A, "Round A", "155mm-HE", "4425"),
            Item(ROUND_B, "Round B", "155mm-HE"),
        ),
        qualifications=(
            Qualification(ROUND_A, "WS1"),
            Qualification(ROUND_B, "WS1", "2027-03"),
            Qualification(ROUND_B, "WS2"),
        ),
        suppliers=(Supplier("S1", "Maker One", "DEU"), Supplier("S2", "Maker Two", "N01")),
        lines=(
            Line("L1", "S1", ROUND_A, 1000.0, LineState.ACTIVE),
            Line("L2", "S2", ROUND_B, 500.0, LineState.DORMANT, 2, 1e6, 2, "2027-02"),
        ),
        prices=(
            Price("S1", ROUND_A, 0.0, 5000.0),
            Price("S1", ROUND_A, 10000.0, 4500.5),
            Price("S2", ROUND_B, 500.0, 6000.0),
        ),
        requirements=(
            Requirement("R1", "N1", "WS1", 3000.0, "2027-06", 1),
            Requirement("R2", "N2", "WS2", 2000.0, "2027-09", 3),
        ),
        budgets=(Budget("N1", 2027, 5e7),),
        components=(Component("NC", "Nitrocellulose (t)"),),
        bom=(BomEntry(ROUND_A, "NC", 0.01),),
        component_supply=(
            ComponentSupply("NC", None, 100.0),
            ComponentSupply("NC", "2027-07", 50.0),
        ),
        commitments=(Commitment("C1", "L1", "R1", "2027-02", 500.0, 4800.0),),
        stockpiles=(Stockpile("N2", "WS1", 100.0, 600.0, "2027-12"),),
    )


def read_rows(folder: Path, table: str) -> list[list[str]]:
    """The records of `<table>.csv`, header first."""
    text = (folder / f"{table}.csv").read_text(encoding="utf-8")
    return [row for row in csv.reader(io.StringIO(text, newline="")) if row]


def write_rows(folder: Path, table: str, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    (folder / f"{table}.csv").write_text(buffer.getvalue(), encoding="utf-8", newline="")


def set_cell(folder: Path, table: str, row: int, column: str, text: str) -> None:
    """Overwrite one cell; `row` counts as problems do (header = row 1)."""
    rows = read_rows(folder, table)
    rows[row - 1][rows[0].index(column)] = text
    write_rows(folder, table, rows)


def append_row(folder: Path, table: str, cells: list[str]) -> None:
    write_rows(folder, table, [*read_rows(folder, table), cells])


def drop_column(folder: Path, table: str, column: str) -> None:
    rows = read_rows(folder, table)
    at = rows[0].index(column)
    write_rows(folder, table, [row[:at] + row[at + 1 :] for row in rows])


# -- hypothesis: small scenarios, valid by construction -----------------------------------

_TEXT = (
    st.text(
        alphabet=st.characters(exclude_categories=("Cc", "Cs", "Cn", "Co")),
        min_size=1,
        max_size=10,
    )
    .map(str.strip)
    .filter(bool)
)
_AMOUNT = st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False)
_POSITIVE = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
_NSN = st.from_regex(r"\A13[0-9]{2}-[0-9]{2}-[0-9]{3}-[0-9]{4}\Z")


def _codes(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A small scenario exercising every table and column, odd text and floats included."""
    start = f"{draw(st.integers(2000, 2090)):04d}-{draw(st.integers(1, 12)):02d}"
    months = draw(st.integers(1, 30))
    month = st.integers(0, months - 1).map(lambda i: month_at(start, i))
    optional_month = st.none() | month

    nations = [Nation(code, draw(_TEXT)) for code in _codes("N", draw(st.integers(1, 3)))]
    systems = [
        WeaponSystem(code, draw(_TEXT), draw(st.none() | _TEXT))
        for code in _codes("WS", draw(st.integers(1, 3)))
    ]
    item_codes = draw(
        st.lists(_NSN | st.sampled_from(["X-1", "=Y", "007"]), min_size=1, max_size=3, unique=True)
    )
    items = [
        Item(code, draw(_TEXT), draw(st.sampled_from(["HE", "ER"])), draw(st.none() | _TEXT))
        for code in item_codes
    ]
    pairs = [(i, w.code) for i in item_codes for w in systems]
    qualifications = [
        Qualification(i, w, draw(optional_month))
        for i, w in draw(st.lists(st.sampled_from(pairs), max_size=4, unique=True))
    ]
    suppliers = [
        Supplier(code, draw(_TEXT), draw(_TEXT)) for code in _codes("S", draw(st.integers(1, 2)))
    ]
    lines = []
    for code in _codes("L", draw(st.integers(0, 3))):
        state = draw(st.sampled_from(list(LineState)))
        closed = state is not LineState.ACTIVE
        lines.append(
            Line(
                code,
                draw(st.sampled_from(suppliers)).code,
                draw(st.sampled_from(item_codes)),
                draw(_POSITIVE),
                state,
                draw(st.integers(0, 12)) if closed else None,
                draw(st.none() | _AMOUNT) if closed else None,
                draw(st.none() | st.integers(0, 6)) if closed else None,
                draw(optional_month) if closed else None,
            )
        )
    prices = []
    for supplier, item in sorted({(line.supplier, line.item) for line in lines}):
        for minimum in draw(st.lists(_AMOUNT, min_size=1, max_size=2, unique=True)):
            prices.append(Price(supplier, item, minimum, draw(_AMOUNT)))
    requirements = [
        Requirement(
            code,
            draw(st.sampled_from(nations)).code,
            draw(st.sampled_from(systems)).code,
            draw(_AMOUNT),
            draw(month),
            draw(st.integers(1, 5)),
        )
        for code in _codes("R", draw(st.integers(1, 4)))
    ]
    nation_system = [(n.code, w.code) for n in nations for w in systems]
    fleets = [
        Fleet(n, w, draw(st.none() | _AMOUNT))
        for n, w in draw(st.lists(st.sampled_from(nation_system), max_size=2, unique=True))
    ]
    first_year, last_year = int(start[:4]), int(month_at(start, months - 1)[:4])
    budget_keys = [(n.code, y) for n in nations for y in range(first_year, last_year + 1)]
    budgets = [
        Budget(n, y, draw(_AMOUNT))
        for n, y in draw(st.lists(st.sampled_from(budget_keys), max_size=2, unique=True))
    ]
    components = [Component(code, draw(_TEXT)) for code in _codes("C", draw(st.integers(0, 2)))]
    bom: list[BomEntry] = []
    supply: list[ComponentSupply] = []
    if components:
        bom_keys = [(i, c.code) for i in item_codes for c in components]
        bom = [
            BomEntry(i, c, draw(_AMOUNT))
            for i, c in draw(st.lists(st.sampled_from(bom_keys), max_size=3, unique=True))
        ]
        supply_keys = st.tuples(st.sampled_from([c.code for c in components]), optional_month)
        supply = [
            ComponentSupply(c, m, draw(_AMOUNT))
            for c, m in draw(st.lists(supply_keys, max_size=3, unique=True))
        ]
    stockpile_keys = st.tuples(st.sampled_from(nation_system), month)
    stockpiles = [
        Stockpile(n, w, draw(_AMOUNT), draw(_AMOUNT), due)
        for (n, w), due in draw(st.lists(stockpile_keys, max_size=2, unique=True))
    ]
    scenario = Scenario(
        manifest=Manifest(
            name=draw(_TEXT),
            start=start,
            months=months,
            currency=draw(st.sampled_from(["EUR", "USD"])),
            shortfall_cost=tuple(draw(st.lists(_AMOUNT, min_size=5, max_size=5))),
            late_fraction=draw(_AMOUNT),
        ),
        nations=tuple(nations),
        weapon_systems=tuple(systems),
        items=tuple(items),
        qualifications=tuple(qualifications),
        suppliers=tuple(suppliers),
        lines=tuple(lines),
        prices=tuple(prices),
        requirements=tuple(requirements),
        fleets=tuple(fleets),
        budgets=tuple(budgets),
        components=tuple(components),
        bom=tuple(bom),
        component_supply=tuple(supply),
        stockpiles=tuple(stockpiles),
    )
    return _with_commitments(draw, scenario)


def _with_commitments(draw: st.DrawFn, scenario: Scenario) -> Scenario:
    """Add commitments on active lines to requirements their item is qualified for."""
    qualified = {(q.item, q.weapon_system): q.from_month for q in scenario.qualifications}
    options = [
        (line, requirement)
        for line in scenario.lines
        for requirement in scenario.all_requirements()
        if line.state is LineState.ACTIVE and (line.item, requirement.weapon_system) in qualified
    ]
    if not options:
        return scenario
    horizon = [month_at(scenario.manifest.start, i) for i in range(scenario.manifest.months)]
    commitments = []
    for i in range(draw(st.integers(1, 2))):
        line, requirement = draw(st.sampled_from(options))
        since = qualified[(line.item, requirement.weapon_system)] or horizon[0]
        most = min(requirement.quantity, line.capacity_per_month) / 2
        commitments.append(
            Commitment(
                f"K{i}",
                line.code,
                requirement.code,
                draw(st.sampled_from([m for m in horizon if m >= since])),
                draw(st.floats(0.0, most)),
                draw(_AMOUNT),
            )
        )
    candidate = replace(scenario, commitments=tuple(commitments))
    # Budgets and component supply can still be overrun; such a draw keeps no commitments.
    return candidate if not check_scenario(candidate) else scenario
