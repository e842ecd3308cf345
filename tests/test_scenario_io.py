"""Scenario packages on disk: golden scenarios, CSV and xlsx round trips, cell conventions."""

from __future__ import annotations

import datetime
import filecmp
import tempfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from openpyxl.styles import Font

from alliedforge.scenario import (
    FamilyBalance,
    Item,
    Scenario,
    ScenarioError,
    check_scenario,
    load_scenario,
    summarise,
    write_scenario,
)

from helpers_scenario import (
    ROUND_A,
    base_scenario,
    read_rows,
    scenarios,
    set_cell,
    write_rows,
)
from shared_data import GOLDEN, GOLDEN_NAMES


def _same_files(left: Path, right: Path) -> bool:
    names = sorted(p.name for p in left.iterdir())
    if names != sorted(p.name for p in right.iterdir()):
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, names, shallow=False)
    return not mismatch and not errors


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_golden_scenarios_load_and_round_trip(name: str, tmp_path: Path) -> None:
    scenario = load_scenario(GOLDEN / name)
    assert scenario.requirements
    assert check_scenario(scenario) == []

    write_scenario(scenario, tmp_path / "folder")
    assert load_scenario(tmp_path / "folder") == scenario
    write_scenario(scenario, tmp_path / "book.xlsx")
    from_xlsx = load_scenario(tmp_path / "book.xlsx")
    assert from_xlsx == scenario
    write_scenario(from_xlsx, tmp_path / "again")
    assert _same_files(tmp_path / "folder", tmp_path / "again")


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_golden_csv_files_are_written_back_byte_for_byte(name: str, tmp_path: Path) -> None:
    write_scenario(load_scenario(GOLDEN / name), tmp_path)
    for written in tmp_path.iterdir():
        assert written.read_bytes() == (GOLDEN / name / written.name).read_bytes(), written.name


def test_xlsx_output_is_deterministic(tmp_path: Path) -> None:
    scenario = load_scenario(GOLDEN / "small")
    write_scenario(scenario, tmp_path / "a.xlsx")
    write_scenario(scenario, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_only_non_empty_optional_tables_are_written(tmp_path: Path) -> None:
    scenario = base_scenario()
    write_scenario(scenario, tmp_path)
    assert (tmp_path / "commitments.csv").exists()
    write_scenario(replace(scenario, commitments=(), fleets=()), tmp_path)
    assert not (tmp_path / "commitments.csv").exists()
    assert not (tmp_path / "fleets.csv").exists()
    assert load_scenario(tmp_path) == replace(scenario, commitments=(), fleets=())

    write_scenario(replace(scenario, commitments=()), tmp_path / "book.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "book.xlsx")
    assert "commitments" not in workbook.sheetnames
    assert {"scenario", "nations", "lines", "requirements", "fleets"} <= set(workbook.sheetnames)


def test_nsn_with_and_without_dashes_name_one_item(tmp_path: Path) -> None:
    write_scenario(base_scenario(), tmp_path)
    undashed = ROUND_A.replace("-", "")
    set_cell(tmp_path, "items", 2, "code", undashed)
    set_cell(tmp_path, "lines", 2, "item", undashed)
    set_cell(tmp_path, "bom", 2, "item", undashed)
    assert load_scenario(tmp_path) == base_scenario()


def test_csv_conventions_bom_blank_lines_padding_and_other_files(tmp_path: Path) -> None:
    write_scenario(base_scenario(), tmp_path)
    nations = (tmp_path / "nations.csv").read_text(encoding="utf-8")
    (tmp_path / "nations.csv").write_text(
        "\ufeff" + nations.replace("\r\n", "\r\n\r\n", 1), encoding="utf-8"
    )
    write_rows(
        tmp_path, "suppliers", [[f"  {c} " for c in r] for r in read_rows(tmp_path, "suppliers")]
    )
    (tmp_path / "README.md").write_text("not a table", encoding="utf-8")
    (tmp_path / "expected.json").write_text("{}", encoding="utf-8")
    assert load_scenario(tmp_path) == base_scenario()


def test_floats_and_awkward_text_round_trip_exactly(tmp_path: Path) -> None:
    base = base_scenario()
    odd = 0.1 + 0.2  # needs 17 significant digits
    scenario = replace(
        base,
        items=(Item(ROUND_A, '=SUM(A1), "quoted"', "155mm-HE", "007"), *base.items[1:]),
        requirements=(replace(base.requirements[0], quantity=odd + 3000), *base.requirements[1:]),
        bom=(replace(base.bom[0], quantity_per_unit=1e-7),),
        prices=(*base.prices[:2], replace(base.prices[2], unit_price=123456789.12345679)),
    )
    for target in (tmp_path / "folder", tmp_path / "book.xlsx"):
        write_scenario(scenario, target)
        assert load_scenario(target) == scenario


def test_xlsx_accepts_spreadsheet_typed_cells(tmp_path: Path) -> None:
    """Dates for months, numbers in text columns and whole floats for integer columns."""
    path = tmp_path / "book.xlsx"
    write_scenario(base_scenario(), path)
    workbook = openpyxl.load_workbook(path)
    workbook["requirements"]["E2"] = datetime.datetime(2027, 6, 1)
    workbook["requirements"]["F2"] = 1.0
    workbook["items"]["A2"] = 1320123456789
    workbook["items"]["D2"] = 4425.0
    workbook["scenario"]["B3"] = datetime.date(2027, 1, 1)
    workbook["scenario"]["B4"] = 12.0
    workbook["scenario"]["B6"] = "[90000, 50000, 20000, 10000, 5000]"
    for row in (1, 2):  # formatted but empty trailing cells are no column
        workbook["nations"].cell(row=row, column=3).font = Font(bold=True)
    workbook.save(path)
    assert load_scenario(path) == base_scenario()


def test_missing_path_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "nowhere.xlsx")
    assert [p.value for p in caught.value.problems] == [str(tmp_path / "nowhere.xlsx")]


def test_summary_counts_horizon_and_family_balance() -> None:
    summary = summarise(base_scenario())
    assert (summary.start, summary.months, summary.end) == ("2027-01", 12, "2027-12")
    assert summary.counts["requirements"] == 2
    assert summary.counts["commitments"] == 1
    assert summary.total_demand == 3000 + 2000 + 500  # the stockpile adds 600 - 100
    # L1: 1000 × 12 months. L2: decided 2027-02, 2 months lead → output from 2027-04,
    # ramp 2 → 50 % then full: 500 × (0.5 + 8).
    assert summary.families == (FamilyBalance("155mm-HE", 5500.0, 12000.0, 16250.0),)
    assert summary.unserved_demand == 0.0


@settings(max_examples=30, deadline=None)
@given(scenarios())
def test_generated_scenarios_round_trip_csv_and_xlsx(scenario: Scenario) -> None:
    assert check_scenario(scenario) == []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        write_scenario(scenario, folder / "first")
        assert load_scenario(folder / "first") == scenario
        write_scenario(scenario, folder / "book.xlsx")
        from_xlsx = load_scenario(folder / "book.xlsx")
        assert from_xlsx == scenario
        write_scenario(from_xlsx, folder / "second")
        assert _same_files(folder / "first", folder / "second")
