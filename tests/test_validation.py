"""Validation: every class of problem, located exactly, all reported at once."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from alliedforge.scenario import (
    Nation,
    Problem,
    Scenario,
    ScenarioError,
    check_scenario,
    load_scenario,
    write_scenario,
)

from helpers_scenario import (
    ROUND_A,
    ROUND_B,
    append_row,
    base_scenario,
    drop_column,
    read_rows,
    set_cell,
    write_rows,
)

Edit = Callable[[Path], None]
UNKNOWN_ITEM = "1320-99-999-9999"
HORIZON = "a month within the horizon 2027-01..2027-12"
MANIFEST_KEYS = (
    "a manifest key: name, start, months, currency, objective.shortfall_cost, "
    "objective.late_fraction"
)


def _problems_after(tmp_path: Path, edit: Edit, scenario: Scenario | None = None) -> list[Problem]:
    """Write the (base) scenario as CSV, apply `edit` to the files, and load."""
    write_scenario(scenario or base_scenario(), tmp_path)
    edit(tmp_path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path)
    return caught.value.problems


def _cell(table: str, row: int, column: str, text: str) -> Edit:
    return lambda folder: set_cell(folder, table, row, column, text)


def _append(table: str, *cells: str) -> Edit:
    return lambda folder: append_row(folder, table, list(cells))


def _edits(*edits: Edit) -> Edit:
    def apply(folder: Path) -> None:
        for edit in edits:
            edit(folder)

    return apply


def _manifest(old: str, new: str) -> Edit:
    def apply(folder: Path) -> None:
        path = folder / "scenario.toml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    return apply


def _add_column(folder: Path) -> None:
    rows = read_rows(folder, "nations")
    write_rows(folder, "nations", [[*rows[0], "colour"]] + [[*r, "red"] for r in rows[1:]])


def _duplicate_column(folder: Path) -> None:
    rows = read_rows(folder, "nations")
    write_rows(folder, "nations", [[*r, r[1]] for r in rows])


# One case per class of problem: (edit of the base scenario's files, every problem expected).
CASES: dict[str, tuple[Edit, list[Problem]]] = {
    # -- files, headers and cells
    "missing table": (
        lambda f: (f / "lines.csv").unlink(),
        [Problem("lines", None, None, None, "a required table")],
    ),
    "missing manifest": (
        lambda f: (f / "scenario.toml").unlink(),
        [Problem("scenario", None, None, None, "a manifest scenario.toml")],
    ),
    "unknown csv file": (
        lambda f: (f / "extras.csv").write_text("code\nX\n", encoding="utf-8"),
        [Problem("extras", None, None, "extras.csv", "a CSV file named after a table")],
    ),
    "missing required column": (
        lambda f: drop_column(f, "nations", "name"),
        [Problem("nations", 1, "name", None, "a required column")],
    ),
    "unknown column": (
        _add_column,
        [Problem("nations", 1, "colour", "colour", "a column of the table: code, name")],
    ),
    "duplicate column": (
        _duplicate_column,
        [Problem("nations", 1, "name", "name", "each column once")],
    ),
    "wrong number of cells": (
        _append("nations", "N3"),
        [Problem("nations", 4, None, "1 cells", "2 cells, as in the header")],
    ),
    "missing cell (whitespace only)": (
        _cell("lines", 2, "supplier", "   "),
        [Problem("lines", 2, "supplier", None, "a value")],
    ),
    "not a number": (
        _cell("requirements", 3, "quantity", "lots"),
        [Problem("requirements", 3, "quantity", "lots", "a number")],
    ),
    "negative quantity": (
        _cell("requirements", 3, "quantity", "-5"),
        [Problem("requirements", 3, "quantity", "-5", "a non-negative number")],
    ),
    "not a whole number": (
        _cell("lines", 3, "lead_months", "2.5"),
        [Problem("lines", 3, "lead_months", "2.5", "a whole number")],
    ),
    "unknown line state": (
        _cell("lines", 3, "state", "closed"),
        [Problem("lines", 3, "state", "closed", "active, dormant or new")],
    ),
    "priority outside 1..5": (
        _cell("requirements", 3, "priority", "6"),
        [Problem("requirements", 3, "priority", "6", "a priority 1..5")],
    ),
    "capacity not positive": (
        _cell("lines", 3, "capacity_per_month", "0"),
        [Problem("lines", 3, "capacity_per_month", "0", "a positive number")],
    ),
    "malformed month": (
        _cell("requirements", 3, "due", "2027-13"),
        [Problem("requirements", 3, "due", "2027-13", "a month YYYY-MM")],
    ),
    "budget year outside the horizon": (
        _cell("budgets", 2, "year", "2030"),
        [Problem("budgets", 2, "year", "2030", "a year overlapping the horizon 2027..2027")],
    ),
    # -- the manifest
    "months outside 1..240": (
        _manifest("months = 12", "months = 241"),
        [Problem("scenario", None, "months", "241", "a whole number of months 1..240")],
    ),
    "months not whole": (
        _manifest("months = 12", "months = 1.5"),
        [Problem("scenario", None, "months", "1.5", "a whole number")],
    ),
    "malformed start": (
        _manifest('start = "2027-01"', 'start = "2027-1"'),
        [Problem("scenario", None, "start", "2027-1", "a month YYYY-MM")],
    ),
    "missing name": (
        _manifest('name = "Base"\n', ""),
        [Problem("scenario", None, "name", None, "a value")],
    ),
    "shortfall_cost not 5 numbers": (
        _manifest("shortfall_cost = [90000, 50000, 20000, 10000, 5000]", "shortfall_cost = [1, 2]"),
        [
            Problem(
                "scenario",
                None,
                "objective.shortfall_cost",
                "1, 2",
                "5 non-negative numbers, one per priority 1..5",
            )
        ],
    ),
    "negative late_fraction": (
        _manifest("late_fraction = 0.02", "late_fraction = -0.5"),
        [Problem("scenario", None, "objective.late_fraction", "-0.5", "a non-negative number")],
    ),
    "unknown manifest key": (
        _manifest("[objective]", "colour = 1\n[objective]"),
        [Problem("scenario", None, "colour", "1", MANIFEST_KEYS)],
    ),
    # -- rules of particular tables
    "dormant line without lead_months": (
        _cell("lines", 3, "lead_months", ""),
        [Problem("lines", 3, "lead_months", None, "lead_months for a dormant or new line")],
    ),
    "line without a price tier": (
        _cell("lines", 3, "supplier", "S1"),
        [
            Problem(
                "lines", 3, "item", ROUND_B, "an item with a price tier in prices for supplier S1"
            )
        ],
    ),
    "stockpile code taken by a requirement": (
        _cell("requirements", 3, "code", "stockpile:N2:WS1:2027-12"),
        [
            Problem(
                "stockpiles",
                2,
                None,
                "stockpile:N2:WS1:2027-12",
                "a requirement code not already taken (requirements row 3)",
            )
        ],
    ),
    "commitment on a dormant line": (
        _edits(_cell("commitments", 2, "line", "L2"), _cell("commitments", 2, "month", "2027-04")),
        [Problem("commitments", 2, "line", "L2", "an active line (line L2 is dormant)")],
    ),
    "commitment before its item is qualified": (
        _cell("qualifications", 2, "from", "2027-03"),
        [
            Problem(
                "commitments",
                2,
                "month",
                "2027-02",
                f"a month from 2027-03 on, when item {ROUND_A} is qualified on WS1",
            )
        ],
    ),
    "commitment item never qualified": (
        _cell("commitments", 2, "requirement", "R2"),
        [
            Problem(
                "commitments",
                2,
                "requirement",
                "R2",
                f"a requirement whose weapon system qualifies item {ROUND_A} of line L1",
            )
        ],
    ),
    "commitments above the requirement": (
        _cell("requirements", 2, "quantity", "400"),
        [
            Problem(
                "commitments",
                2,
                "quantity",
                "500",
                "commitments to requirement R1 totalling at most its quantity 400 (not 500)",
            )
        ],
    ),
    "commitments above line capacity": (
        _cell("lines", 2, "capacity_per_month", "400"),
        [
            Problem(
                "commitments",
                2,
                "quantity",
                "500",
                "commitments on line L1 in 2027-02 totalling at most its capacity 400 (not 500)",
            )
        ],
    ),
    "commitments above the budget": (
        _cell("budgets", 2, "amount", "1000000"),
        [
            Problem(
                "commitments",
                2,
                "quantity",
                "500",
                "commitments of N1 in 2027 costing at most its budget 1000000 (not 2400000)",
            )
        ],
    ),
    "commitments above component supply": (
        _cell("component_supply", 2, "capacity", "4"),
        [
            Problem(
                "commitments",
                2,
                "quantity",
                "500",
                "commitments in 2027-02 needing at most the 4 units of component NC available"
                " (not 5)",
            )
        ],
    ),
}

# Each month column outside the horizon: (table, row, column, value).
MONTHS_OUTSIDE = [
    ("qualifications", 3, "from", "2028-05"),
    ("lines", 3, "earliest_decision", "2026-12"),
    ("requirements", 3, "due", "2028-01"),
    ("component_supply", 3, "month", "2028-07"),
    ("commitments", 2, "month", "2028-02"),
    ("stockpiles", 2, "due", "2028-12"),
]

# A duplicate appended to each keyed table: (table, new row, key column, shown key, expected).
DUPLICATES = [
    ("nations", ["N1", "Again"], "code", "N1", "a unique code (first at row 2)"),
    ("weapon_systems", ["WS2", "Again", ""], "code", "WS2", "a unique code (first at row 3)"),
    (
        "items",
        [ROUND_A.replace("-", ""), "Same NSN undashed", "155mm-HE", ""],
        "code",
        ROUND_A,
        "a unique code (first at row 2)",
    ),
    ("suppliers", ["S2", "Again", "FRA"], "code", "S2", "a unique code (first at row 3)"),
    ("lines", ["L1", "S1", ROUND_A, "5", "active", "", "", "", ""], "code", "L1", None),
    ("requirements", ["R1", "N1", "WS1", "5", "2027-06", "2"], "code", "R1", None),
    ("components", ["NC", "Again"], "code", "NC", None),
    ("commitments", ["C1", "L1", "R1", "2027-03", "10", "4800"], "code", "C1", None),
    (
        "qualifications",
        [ROUND_B, "WS2", "2027-05"],
        "weapon_system",
        f"{ROUND_B}, WS2",
        "a unique item + weapon_system (first at row 4)",
    ),
    (
        "fleets",
        ["N1", "WS1", "3"],
        "weapon_system",
        "N1, WS1",
        "a unique nation + weapon_system (first at row 2)",
    ),
    ("budgets", ["N1", "2027", "1"], "year", "N1, 2027", "a unique nation + year (first at row 2)"),
    (
        "bom",
        [ROUND_A, "NC", "0.5"],
        "component",
        f"{ROUND_A}, NC",
        "a unique item + component (first at row 2)",
    ),
    (
        "component_supply",
        ["NC", "2027-07", "20"],
        "month",
        "NC, 2027-07",
        "a unique component + month (first at row 3)",
    ),
    (
        "prices",
        ["S1", ROUND_A, "10000", "4000"],
        "min_quantity",
        f"S1, {ROUND_A}, 10000",
        "no duplicate min_quantity for one pair (first at row 3)",
    ),
    (
        "stockpiles",
        ["N2", "WS1", "0", "10", "2027-12"],
        "due",
        "N2, WS1, 2027-12",
        "one row per nation, weapon system and due month (first at row 2)",
    ),
]

# Every foreign key, broken on a row where that causes no other problem: (table, row, column).
DANGLING = [
    ("fleets", 2, "nation", "NX", "nations"),
    ("fleets", 2, "weapon_system", "WSX", "weapon_systems"),
    ("qualifications", 4, "item", UNKNOWN_ITEM, "items"),
    ("qualifications", 4, "weapon_system", "WSX", "weapon_systems"),
    ("lines", 3, "supplier", "SX", "suppliers"),
    ("lines", 3, "item", UNKNOWN_ITEM, "items"),
    ("prices", 3, "supplier", "SX", "suppliers"),
    ("prices", 3, "item", UNKNOWN_ITEM, "items"),
    ("requirements", 3, "nation", "NX", "nations"),
    ("requirements", 3, "weapon_system", "WSX", "weapon_systems"),
    ("budgets", 2, "nation", "NX", "nations"),
    ("bom", 2, "item", UNKNOWN_ITEM, "items"),
    ("bom", 2, "component", "XX", "components"),
    ("component_supply", 3, "component", "XX", "components"),
    ("commitments", 2, "line", "LX", "lines"),
    ("stockpiles", 2, "nation", "NX", "nations"),
    ("stockpiles", 2, "weapon_system", "WSX", "weapon_systems"),
]


def test_base_scenario_is_valid(tmp_path: Path) -> None:
    assert check_scenario(base_scenario()) == []
    write_scenario(base_scenario(), tmp_path)
    assert load_scenario(tmp_path) == base_scenario()


@pytest.mark.parametrize(("edit", "expected"), CASES.values(), ids=CASES.keys())
def test_each_problem_is_located(tmp_path: Path, edit: Edit, expected: list[Problem]) -> None:
    assert _problems_after(tmp_path, edit) == expected


@pytest.mark.parametrize(("table", "row", "column", "value"), MONTHS_OUTSIDE)
def test_month_outside_the_horizon(
    tmp_path: Path, table: str, row: int, column: str, value: str
) -> None:
    problems = _problems_after(tmp_path, _cell(table, row, column, value))
    assert problems == [Problem(table, row, column, value, HORIZON)]


@pytest.mark.parametrize(("table", "cells", "column", "shown", "expected"), DUPLICATES)
def test_duplicate_key(
    tmp_path: Path, table: str, cells: list[str], column: str, shown: str, expected: str | None
) -> None:
    row = len(getattr(base_scenario(), table)) + 2
    problems = _problems_after(tmp_path, _append(table, *cells))
    expected = expected or "a unique code (first at row 2)"
    assert problems == [Problem(table, row, column, shown, expected)]


@pytest.mark.parametrize(("table", "row", "column", "value", "target"), DANGLING)
def test_dangling_reference(
    tmp_path: Path, table: str, row: int, column: str, value: str, target: str
) -> None:
    problems = _problems_after(tmp_path, _cell(table, row, column, value))
    assert problems == [Problem(table, row, column, value, f"a code in {target}")]


def test_dangling_commitment_requirement_mentions_stockpiles(tmp_path: Path) -> None:
    problems = _problems_after(tmp_path, _cell("commitments", 2, "requirement", "RX"))
    expected = "a code in requirements (or a stockpile's requirement code)"
    assert problems == [Problem("commitments", 2, "requirement", "RX", expected)]


def test_commitment_may_serve_a_stockpile_requirement(tmp_path: Path) -> None:
    write_scenario(base_scenario(), tmp_path)
    set_cell(tmp_path, "commitments", 2, "requirement", "stockpile:N2:WS1:2027-12")
    assert load_scenario(tmp_path).commitments[0].requirement == "stockpile:N2:WS1:2027-12"


def test_empty_required_table(tmp_path: Path) -> None:
    scenario = replace(base_scenario(), requirements=(), commitments=())
    problems = _problems_after(tmp_path, lambda folder: None, scenario)
    assert problems == [Problem("requirements", None, None, None, "at least one row")]


def test_header_only_file_for_an_optional_table_is_fine(tmp_path: Path) -> None:
    write_scenario(base_scenario(), tmp_path)
    (tmp_path / "fleets.csv").write_text("nation,weapon_system,quantity\n", encoding="utf-8")
    assert load_scenario(tmp_path).fleets == ()


def test_unreadable_files_are_problems(tmp_path: Path) -> None:
    def spoil(folder: Path) -> None:
        (folder / "fleets.csv").write_bytes(b"nation,weapon_system\n\xff\xfe\n")
        (folder / "components.csv").write_bytes(b"")
        (folder / "scenario.toml").write_text("name = \n", encoding="utf-8")

    problems = _problems_after(tmp_path, spoil)
    located = [(p.table, p.row, p.column, p.expected) for p in problems]
    assert located == [
        ("scenario", None, None, "valid TOML in UTF-8"),
        ("fleets", None, None, "UTF-8 text"),
        ("components", 1, None, "a header row"),
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    edit = _edits(
        _manifest("months = 12", "months = 0"),
        _cell("nations", 3, "name", ""),
        _cell("lines", 2, "supplier", "SX"),
        _cell("requirements", 2, "quantity", "many"),
        _cell("requirements", 3, "priority", "9"),
        _append("prices", "S2", ROUND_B, "500", "1"),
        _cell("commitments", 2, "line", "LX"),
    )
    assert _problems_after(tmp_path, edit) == [
        Problem("scenario", None, "months", "0", "a whole number of months 1..240"),
        Problem("nations", 3, "name", None, "a value"),
        Problem("lines", 2, "supplier", "SX", "a code in suppliers"),
        Problem(
            "prices",
            5,
            "min_quantity",
            f"S2, {ROUND_B}, 500",
            "no duplicate min_quantity for one pair (first at row 4)",
        ),
        Problem("requirements", 2, "quantity", "many", "a number"),
        Problem("requirements", 3, "priority", "9", "a priority 1..5"),
        Problem("commitments", 2, "line", "LX", "a code in lines"),
    ]


def test_rows_dropped_for_bad_cells_keep_their_codes_and_row_numbers(tmp_path: Path) -> None:
    """A bad cell drops its row, yet rows below keep their numbers and references hold."""
    edit = _edits(
        _cell("lines", 2, "capacity_per_month", "lots"),  # C1 still names a known line
        _cell("requirements", 2, "priority", "high"),  # C1 still names a known requirement
        _cell("requirements", 3, "due", "2031-01"),
    )
    assert _problems_after(tmp_path, edit) == [
        Problem("lines", 2, "capacity_per_month", "lots", "a number"),
        Problem("requirements", 2, "priority", "high", "a whole number"),
        Problem("requirements", 3, "due", "2031-01", HORIZON),
    ]


def test_workbook_problems_are_located_in_sheets(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    write_scenario(base_scenario(), path)
    workbook = openpyxl.load_workbook(path)
    workbook["scenario"]["B4"] = 0  # months
    workbook["requirements"]["D3"] = "lots"
    workbook["nations"]["A4"] = "N3"
    workbook["nations"]["D4"] = "stray"
    workbook.create_sheet("notes")
    workbook.save(path)
    assert _load_problems(path) == [
        Problem("scenario", 4, "months", "0", "a whole number of months 1..240"),
        Problem("nations", 4, None, "4 cells", "2 cells, as in the header"),
        Problem("requirements", 3, "quantity", "lots", "a number"),
        Problem("notes", None, None, "notes", "a sheet named after a table"),
    ]


def test_workbook_without_a_manifest_or_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    write_scenario(base_scenario(), path)
    workbook = openpyxl.load_workbook(path)
    del workbook["scenario"]
    workbook.save(path)
    assert _load_problems(path) == [
        Problem("scenario", None, None, None, "a sheet scenario with the manifest")
    ]
    write_scenario(base_scenario(), path)
    workbook = openpyxl.load_workbook(path)
    workbook["scenario"]["A1"] = "setting"
    workbook.save(path)
    assert _load_problems(path) == [
        Problem("scenario", 1, None, "setting, value", "the header key, value")
    ]
    path.write_bytes(b"not a zip file")
    assert [p.expected for p in _load_problems(path)] == ["an .xlsx workbook"]


def test_check_scenario_numbers_rows_by_index() -> None:
    base = base_scenario()
    scenario = replace(
        base,
        nations=(*base.nations, Nation("N3", " ")),
        lines=(replace(base.lines[0], item=ROUND_A.replace("-", "")), base.lines[1]),
    )
    # An undashed NSN in memory still names the item; a blank name is missing.
    assert check_scenario(scenario) == [Problem("nations", 4, "name", None, "a value")]


def _load_problems(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value.problems


def test_check_scenario_reports_what_files_cannot_express() -> None:
    """In-memory scenarios (a database, a generator) may hold NaN, wrong types or a bad manifest."""
    base = base_scenario()
    scenario = replace(
        base,
        manifest=replace(base.manifest, months=0, late_fraction=math.nan),
        requirements=(replace(base.requirements[0], quantity=math.nan), base.requirements[1]),
        lines=(base.lines[0], replace(base.lines[1], state="dormant", lead_months=-1)),
    )
    assert check_scenario(scenario) == [
        Problem("scenario", None, "months", "0", "a whole number of months 1..240"),
        Problem("scenario", None, "objective.late_fraction", "nan", "a non-negative number"),
        Problem("lines", 3, "state", "dormant", "a LineState: active, dormant or new"),
        Problem("lines", 3, "lead_months", "-1", "a whole number >= 0"),
        Problem("requirements", 2, "quantity", "nan", "a non-negative number"),
    ]
