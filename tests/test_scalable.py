"""The scalable strategy on coupled blocks: valid plans, a true bound, near the exact optimum."""

from __future__ import annotations

import pytest

from alliedforge.planning import PlanOptions, Strategy, solve_plan
from alliedforge.planning.blocks import find_blocks
from alliedforge.planning.index import build_index
from alliedforge.planning.model import build_model
from alliedforge.planning.plan import Mode
from alliedforge.scenario.generate import generate_scenario
from alliedforge.scenario.model import Scenario

from checker import assert_plan_valid


@pytest.fixture(scope="module")
def coupled_scenario() -> Scenario:
    """Three families whose blocks share budgets and component supply."""
    return generate_scenario(
        nations=5,
        items=9,
        families=3,
        lines=10,
        requirements=40,
        months=18,
        seed=3,
        budgets=True,
        components=True,
        commitments=True,
    )


def test_generated_scenario_has_coupled_blocks(coupled_scenario: Scenario) -> None:
    blocks = find_blocks(build_model(build_index(coupled_scenario), Mode.JOINT))
    assert blocks.count >= 2
    assert len(blocks.coupling) > 0


@pytest.mark.parametrize("mode", [Mode.JOINT, Mode.NATIONAL], ids=lambda m: m.value)
def test_scalable_plan_is_valid_and_brackets_the_exact_optimum(
    coupled_scenario: Scenario, mode: Mode
) -> None:
    exact = solve_plan(coupled_scenario, PlanOptions(mode=mode, strategy=Strategy.EXACT, gap=1e-6))
    scalable = solve_plan(
        coupled_scenario, PlanOptions(mode=mode, strategy=Strategy.SCALABLE, time_limit=20)
    )
    assert_plan_valid(coupled_scenario, scalable)
    tolerance = 1e-5 * abs(exact.objective)
    assert scalable.objective >= exact.objective - tolerance
    assert scalable.bound <= exact.objective + tolerance
    # Not a guarantee of the strategy, but far looser than what it reaches here.
    assert scalable.objective <= exact.objective * 1.05
