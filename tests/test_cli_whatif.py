"""`forge whatif run` and `forge whatif compare`, in-process on real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alliedforge.cli.main import EXIT_INVALID, app
from alliedforge.planning import read_plan_package
from alliedforge.scenario import load_scenario, write_scenario
from alliedforge.whatif.files import read_whatif

from builders import active, closed, make_scenario, req, tier
from shared_data import REPO

runner = CliRunner(env={"COLUMNS": "200"})
DEMO = REPO / "src" / "alliedforge" / "data" / "demo"
EXAMPLES = REPO / "src" / "alliedforge" / "data" / "whatifs"

FIRE = """
name = "Fire at L1"
description = "L1 stops for three months"

[[change]]
kind = "line_outage"
line = "L1"
start = "2027-02"
months = 3
"""

SURGE = """
name: BBB doubles
change:
  - kind: demand
    factor: 2
    nation: BBB
"""


@pytest.fixture
def base(tmp_path: Path) -> Path:
    folder = tmp_path / "base"
    scenario = make_scenario(
        lines=[active("L1", 100), closed("L2", 100, lead=2, cost=1000)],
        prices=[tier(0, 10)],
        requirements=[req("R1", 600, "2027-06"), req("R2", 300, "2027-12", nation="BBB")],
    )
    write_scenario(scenario, folder)
    return folder


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_run_writes_both_plans_the_changed_scenario_and_the_comparison(
    tmp_path: Path, base: Path
) -> None:
    out = tmp_path / "out"
    fire = _file(tmp_path, "fire.toml", FIRE)
    result = runner.invoke(app, ["whatif", "run", str(base), str(fire), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Δ Fire at L1" in result.output
    base_plan = read_plan_package(out / "base")
    plan = read_plan_package(out / "whatif")
    assert base_plan.scenario_hash == load_scenario(base).content_hash()
    assert [o.line for o in plan.openings] == ["L2"]
    assert (out / "whatif" / "line_availability.csv").read_text().splitlines() == [
        "line,month,factor",
        "L1,2027-02,0.0",
        "L1,2027-03,0.0",
        "L1,2027-04,0.0",
    ]
    assert read_whatif(out / "whatif.toml") == read_whatif(fire)
    document = json.loads((out / "comparison.json").read_text())
    objectives = [case["costs"] for case in document["cases"]]
    assert sum(objectives[0].values()) == pytest.approx(base_plan.objective)
    assert sum(objectives[1].values()) == pytest.approx(plan.objective)
    assert "<html" in (out / "report.html").read_text()


def test_compare_reads_run_folders_and_writes_a_report(tmp_path: Path, base: Path) -> None:
    fire, surge = _file(tmp_path, "fire.toml", FIRE), _file(tmp_path, "surge.yaml", SURGE)
    for name, path in (("a", fire), ("b", surge)):
        result = runner.invoke(
            app, ["whatif", "run", str(base), str(path), "--out", str(tmp_path / name)]
        )
        assert result.exit_code == 0, result.output
    report = tmp_path / "cmp.html"
    result = runner.invoke(
        app, ["whatif", "compare", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(report)]
    )
    assert result.exit_code == 0, result.output
    for name in ("base", "Fire at L1", "BBB doubles", "Δ BBB doubles"):
        assert name in result.output
    page = report.read_text()
    assert "BBB doubles against base" in page
    assert "Fire at L1 against base" in page


def test_compare_takes_a_plan_package_with_its_scenario(tmp_path: Path, base: Path) -> None:
    out = tmp_path / "run"
    fire = _file(tmp_path, "fire.toml", FIRE)
    assert (
        runner.invoke(app, ["whatif", "run", str(base), str(fire), "-o", str(out)]).exit_code == 0
    )
    plain = tmp_path / "plain"
    shutil.copytree(out / "base", plain)
    result = runner.invoke(app, ["whatif", "compare", str(plain), str(out / "whatif")])
    assert result.exit_code == 0, result.output
    assert "Δ whatif" in result.output


def test_a_bad_whatif_is_a_located_one_line_error_and_nothing_is_written(
    tmp_path: Path, base: Path
) -> None:
    out = tmp_path / "out"
    bad = _file(tmp_path, "bad.toml", FIRE.replace("months = 3", 'months = "six"'))
    result = runner.invoke(app, ["whatif", "run", str(base), str(bad), "--out", str(out)])
    assert result.exit_code == EXIT_INVALID
    assert f'{bad}:change[1].months = "six": expected a whole number' in result.output
    assert not out.exists()
    unknown = _file(tmp_path, "unknown.toml", FIRE.replace('line = "L1"', 'line = "L9"'))
    result = runner.invoke(app, ["whatif", "run", str(base), str(unknown), "--out", str(out)])
    assert result.exit_code == EXIT_INVALID
    assert f'{unknown}:change[1].line = "L9": no such line' in result.output
    assert not out.exists()


def test_compare_refuses_a_folder_that_is_no_case(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["whatif", "compare", str(tmp_path / "empty"), str(tmp_path)])
    assert result.exit_code == EXIT_INVALID
    assert "no plan package" in result.output


@pytest.mark.slow
def test_the_plant_fire_example_on_the_demo(tmp_path: Path) -> None:
    out = tmp_path / "fire"
    fire = EXAMPLES / "plant-fire-2028.toml"
    result = runner.invoke(
        app, ["whatif", "run", str(DEMO), str(fire), "--out", str(out), "--time-limit", "20"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads((out / "comparison.json").read_text())
    assert [case["name"] for case in document["cases"]] == ["base", read_whatif(fire).name]
    assert len(document["cases"][0]["nations"]) == 12
