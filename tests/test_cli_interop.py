"""`forge interop-value` and `forge plan --fair-share` on tiny packages, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alliedforge.cli.main import app
from alliedforge.planning.package import read_plan_package
from alliedforge.scenario import load_scenario, write_scenario
from alliedforge.scenario.model import Qualification

from builders import active, closed, make_scenario, req, tier
from checker import assert_plan_valid

runner = CliRunner(env={"COLUMNS": "200"})


def _package(tmp_path: Path) -> Path:
    """AAA's HOW fires SH2 (line L2); BBB's HOW2 only SH1, which no line makes."""
    scenario = make_scenario(
        months=1,
        lines=[active("L2", 200, item="SH2")],
        prices=[tier(0, 4000, item="SH1"), tier(0, 4000, item="SH2")],
        requirements=[
            req("RA", 100, "2027-01", nation="AAA", weapon_system="HOW"),
            req("RB", 50, "2027-01", nation="BBB", weapon_system="HOW2"),
        ],
        qualifications=[Qualification("SH2", "HOW"), Qualification("SH1", "HOW2")],
    )
    folder = tmp_path / "scenario"
    write_scenario(scenario, folder)
    return folder


def test_interop_value_ranks_and_writes_json_and_report(tmp_path: Path) -> None:
    out = tmp_path / "interop"
    result = runner.invoke(
        app, ["interop-value", str(_package(tmp_path)), "--out", str(out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "What qualifying would save" in result.output
    assert "SH2" in result.output
    document = json.loads((out / "interop.json").read_text(encoding="utf-8"))
    best = document["gains"][0]
    assert (best["item"], best["weapon_system"]) == ("SH2", "HOW2")
    assert best["value"] == pytest.approx(300_000, rel=1e-4)
    assert len(document["holdings"]) == 2
    assert "<html" in (out / "report.html").read_text(encoding="utf-8")


def test_interop_value_refuses_a_month_outside_the_horizon(tmp_path: Path) -> None:
    out = tmp_path / "interop"
    result = runner.invoke(
        app,
        ["interop-value", str(_package(tmp_path)), "--out", str(out), "--from", "1999-01"],
    )
    assert result.exit_code == 2
    assert "1999-01" in result.output
    assert not out.exists()


def test_interop_value_refuses_workers_with_a_scheduler(tmp_path: Path) -> None:
    args = ["interop-value", str(_package(tmp_path)), "--out", str(tmp_path / "o")]
    result = runner.invoke(app, [*args, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "not both" in result.output


def test_plan_fair_share_writes_both_plans_and_the_cost_of_fairness(tmp_path: Path) -> None:
    # One new line, output only in February: 100 units for AAA (due Jan) and BBB (due Feb).
    scenario = make_scenario(
        months=2,
        lines=[closed("L1", 100, lead=1)],
        prices=[tier(0, 4000)],
        requirements=[
            req("RA", 100, "2027-01", nation="AAA"),
            req("RB", 100, "2027-02", nation="BBB"),
        ],
    )
    folder = tmp_path / "scenario"
    write_scenario(scenario, folder)
    out = tmp_path / "plan"
    result = runner.invoke(
        app, ["plan", str(folder), "--out", str(out), "--fair-share", "--gap", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "Cost of fairness: 5,000" in result.output
    fairness = json.loads((out / "fairness.json").read_text(encoding="utf-8"))
    assert fairness["cost_of_fairness"] == pytest.approx(5_000, rel=1e-6)
    shares = {(s["nation"], s["fair"], s["optimal"]) for s in fairness["shortfall_shares"]}
    assert shares == {("AAA", 0.5, 1.0), ("BBB", 0.5, 0.0)}
    loaded = load_scenario(folder)
    fair, optimal = read_plan_package(out), read_plan_package(out / "optimal")
    assert fair.options["fair_share"] == "yes"
    assert_plan_valid(loaded, fair)
    assert_plan_valid(loaded, optimal)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["options"]["fair_share"] == "yes"
