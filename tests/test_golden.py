"""Golden scenarios: both modes reach the known optimum, and every plan passes the checker."""

from __future__ import annotations

import json

import pytest

from alliedforge.planning import Mode, PlanOptions, PlanStatus, Strategy, solve_plan
from alliedforge.scenario import load_scenario

from checker import assert_plan_valid
from shared_data import GOLDEN, GOLDEN_NAMES


@pytest.mark.parametrize("mode", [Mode.JOINT, Mode.NATIONAL], ids=lambda m: m.value)
@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_golden_optimum(name: str, mode: Mode) -> None:
    folder = GOLDEN / name
    expected = json.loads((folder / "expected.json").read_text())[mode.value]
    scenario = load_scenario(folder)
    plan = solve_plan(scenario, PlanOptions(mode=mode, time_limit=120, strategy=Strategy.EXACT))
    assert plan.status is PlanStatus.OPTIMAL
    assert plan.objective == pytest.approx(expected, rel=1e-4)
    assert_plan_valid(scenario, plan)


@pytest.mark.parametrize("name", ["tiny", "small"])
def test_scalable_strategy_reaches_golden_optimum(name: str) -> None:
    """With time to spare, LP → rounding → fix-and-optimise → branch-and-cut ends optimal."""
    folder = GOLDEN / name
    expected = json.loads((folder / "expected.json").read_text())["joint"]
    scenario = load_scenario(folder)
    plan = solve_plan(scenario, PlanOptions(time_limit=60, strategy=Strategy.SCALABLE))
    assert plan.objective == pytest.approx(expected, rel=1e-4)
    assert plan.bound <= plan.objective
    assert_plan_valid(scenario, plan)
