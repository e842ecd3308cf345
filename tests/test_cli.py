"""The `forge` command line, run in-process on real files: exit codes, outputs, packages."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alliedforge.cli.main import EXIT_INVALID, app
from alliedforge.planning import read_plan_package
from alliedforge.scenario import Budget, Commitment, load_scenario, write_scenario

from checker import assert_plan_valid
from shared_data import GOLDEN

runner = CliRunner(env={"COLUMNS": "200"})
TINY = GOLDEN / "tiny"


def _set_cell(folder: Path, table: str, row: int, column: str, text: str) -> None:
    path = folder / f"{table}.csv"
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = text
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _copy_tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    return folder


def test_validate_prints_summary_of_a_valid_scenario() -> None:
    result = runner.invoke(app, ["validate", str(TINY)])
    assert result.exit_code == 0, result.output
    assert "is valid" in result.output
    assert "155mm-HE" in result.output
    assert "2027-01 … 2027-12 (12 months)" in result.output


def test_validate_reports_every_problem_with_its_location(tmp_path: Path) -> None:
    folder = _copy_tiny(tmp_path)
    _set_cell(folder, "requirements", 3, "quantity", "lots")
    _set_cell(folder, "lines", 2, "supplier", "NOBODY")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == EXIT_INVALID
    assert "2 problem(s) found" in result.output
    for text in ("requirements", "lots", "quantity", "lines", "NOBODY", "supplier"):
        assert text in result.output


def test_plan_plans_nothing_when_invalid(tmp_path: Path) -> None:
    folder = _copy_tiny(tmp_path)
    _set_cell(folder, "requirements", 2, "due", "2027-13")
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", str(folder), "--out", str(out)])
    assert result.exit_code == EXIT_INVALID
    assert "nothing was planned" in result.output
    assert not out.exists()


def test_plan_writes_a_package_that_recomputes_to_its_objective(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", str(TINY), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    expected = json.loads((TINY / "expected.json").read_text())["joint"]
    assert summary["status"] == "optimal"
    assert summary["objective"] == pytest.approx(expected, rel=1e-6)
    assert summary["bound"] <= summary["objective"] * (1 + 1e-9)
    parts = ("procurement_cost", "opening_cost", "commitment_cost", "shortfall_cost", "late_cost")
    assert sum(summary[k] for k in parts) == pytest.approx(summary["objective"], rel=1e-6)
    assert_plan_valid(load_scenario(TINY), read_plan_package(out))
    assert "Cost breakdown" in result.output


def test_compare_reports_the_saving_of_joint_buying(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", str(TINY), "--out", str(out), "--compare"])
    assert result.exit_code == 0, result.output
    expected = json.loads((TINY / "expected.json").read_text())
    comparison = json.loads((out / "comparison.json").read_text())
    saving = expected["national"] - expected["joint"]
    assert comparison["saving"] == pytest.approx(saving, rel=1e-4)
    per_nation = sum(v["saving"] for v in comparison["nations"].values())
    assert per_nation == pytest.approx(saving, rel=1e-4)
    national = read_plan_package(out / "national")
    assert national.objective == pytest.approx(expected["national"], rel=1e-6)
    assert "Value of joint procurement" in result.output


def test_convert_round_trips_through_xlsx(tmp_path: Path) -> None:
    workbook = tmp_path / "tiny.xlsx"
    back = tmp_path / "back"
    assert runner.invoke(app, ["convert", str(TINY), str(workbook)]).exit_code == 0
    assert runner.invoke(app, ["convert", str(workbook), str(back)]).exit_code == 0
    assert load_scenario(back) == load_scenario(TINY)


def test_generate_writes_a_valid_scenario(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    args = ["generate", str(out), "--nations", "4", "--items", "6", "--families", "2"]
    args += ["--lines", "8", "--requirements", "20", "--months", "24", "--seed", "7"]
    result = runner.invoke(app, [*args, "--budgets", "--components", "--commitments"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0


def test_commitments_over_budget_are_refused_naming_the_budget(tmp_path: Path) -> None:
    """No plan exists when commitments alone break a budget: say so before solving."""
    scenario = load_scenario(TINY)
    requirement = next(r for r in scenario.requirements if r.weapon_system == "WS2")
    commitment = Commitment("C1", "L001", requirement.code, "2027-05", 500, 5000)
    budget = Budget(requirement.nation, 2027, 1000)
    broken = type(scenario)(
        **{
            **{f: getattr(scenario, f) for f in scenario.__dataclass_fields__},
            "commitments": (commitment,),
            "budgets": (budget,),
        }
    )
    folder = tmp_path / "broken"
    write_scenario(broken, folder)
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", str(folder), "--out", str(out)])
    assert result.exit_code == EXIT_INVALID, result.output
    assert "at most its budget 1000" in result.output
    assert not out.exists()


def test_demo_plans_the_builtin_scenario_and_writes_a_report(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = (out / "report.html").read_text()
    assert "<html" in report.lower()
    assert (out / "national" / "summary.json").exists()
    assert json.loads((out / "comparison.json").read_text())["saving"] >= -1e-6


def test_unwritable_output_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["plan", str(TINY), "--out", str(blocker / "plan")])
    assert result.exit_code == 1
    assert "Cannot write" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
