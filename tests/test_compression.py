"""The compression what-if: what a stage maps to, clamping, exact small cases, golden scenarios."""

from __future__ import annotations

import pytest

from alliedforge.analysis.compression import (
    Lever,
    compress,
    compression_value,
    plan_compression,
)
from alliedforge.analysis.timelines import STAGES, Stage
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Costs, Mode, Plan, PlanStatus
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario import load_scenario
from alliedforge.scenario.model import LineState, Scenario

from builders import active, closed, make_scenario, req, tier
from shared_data import GOLDEN

EXACT = PlanOptions(time_limit=60, gap=1e-9)
CONTRACTING_STAGES = (Stage.PREPARATION, Stage.BIDDING, Stage.EVALUATION, Stage.CONTRACTING)


def one_line(*, lead: int = 0, ramp: int = 0, earliest: str | None = None) -> Scenario:
    """100 units due in the first month; only a new line (100/month, opening EUR 1,000, units
    at EUR 10) can make them. Late costs EUR 100 per unit-month, short EUR 10,000 per unit."""
    return make_scenario(
        lines=[closed("N1", 100, lead=lead, cost=1000, ramp=ramp, earliest=earliest)],
        prices=[tier(0, 10)],
        requirements=[req("R1", 100, "2027-01")],
    )


@pytest.mark.parametrize(
    ("stage", "months", "late_unit_months"),
    [
        # earliest decision 2027-04: all 100 units 3 months late
        (Stage.CONTRACTING, 0, 300),
        (Stage.CONTRACTING, 2, 100),  # decided in 2027-02
        (Stage.PREPARATION, 5, 0),  # clamped at the horizon's start
    ],
)
def test_contracting_stages_open_the_line_earlier(
    stage: Stage, months: int, late_unit_months: float
) -> None:
    plan = solve_plan(compress(one_line(earliest="2027-04"), stage, months), EXACT)
    # procurement 100 × 10 + opening 1,000 + 100 per late unit-month
    assert plan.objective == pytest.approx(2000 + 100 * late_unit_months)


@pytest.mark.parametrize(("months", "late_unit_months"), [(0, 200), (1, 100), (5, 0)])
def test_compressing_the_lead_time_brings_first_output_forward(
    months: int, late_unit_months: float
) -> None:
    plan = solve_plan(compress(one_line(lead=2), Stage.LEAD_TIME, months), EXACT)
    assert plan.objective == pytest.approx(2000 + 100 * late_unit_months)


@pytest.mark.parametrize(
    ("months", "late_unit_months"),
    [
        # ramp 4: 25, 50, 75, 100 a month → 25 on time, 50 one month and 25 two months late
        (0, 50 + 25 * 2),
        # ramp 2: 50, then 100 → 50 on time, 50 one month late
        (2, 50),
        (4, 0),
    ],
)
def test_compressing_delivery_shortens_the_ramp_up(months: int, late_unit_months: float) -> None:
    plan = solve_plan(compress(one_line(ramp=4), Stage.DELIVERY, months), EXACT)
    assert plan.objective == pytest.approx(2000 + 100 * late_unit_months)


def test_what_each_stage_changes_and_what_it_leaves_alone() -> None:
    scenario = make_scenario(
        lines=[
            active("A1", 50),
            closed("N1", 100, lead=6, ramp=3, earliest="2027-08"),
            closed("D1", 100, lead=2, ramp=1, earliest=None, state=LineState.DORMANT),
        ],
        prices=[tier(0, 10)],
        requirements=[req("R1", 100, "2027-06")],
    )
    lines = {line.code: line for line in compress(scenario, Stage.BIDDING, 3).lines}
    assert lines["N1"].earliest_decision == "2027-05"
    assert (lines["N1"].lead_months, lines["N1"].ramp_months) == (6, 3)
    assert lines["D1"].earliest_decision is None  # may already be opened at the start
    assert lines["A1"] == scenario.lines[0]
    lines = {line.code: line for line in compress(scenario, Stage.LEAD_TIME, 4).lines}
    assert (lines["N1"].lead_months, lines["D1"].lead_months) == (2, 0)
    assert lines["N1"].earliest_decision == "2027-08"
    lines = {line.code: line for line in compress(scenario, Stage.DELIVERY, 2).lines}
    assert (lines["N1"].ramp_months, lines["D1"].ramp_months) == (1, 0)
    assert lines["A1"] == scenario.lines[0]


def test_shifted_decisions_are_clamped_at_the_horizon_start() -> None:
    scenario = one_line(earliest="2027-03")
    for months in (2, 3, 40):
        (line,) = compress(scenario, Stage.CONTRACTING, months).lines
        assert line.earliest_decision == "2027-01"


def test_negative_compression_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        compress(one_line(), Stage.CONTRACTING, -1)


@pytest.mark.parametrize("name", ["tiny", "small"])
@pytest.mark.parametrize("stage", STAGES)
def test_compressing_by_zero_months_changes_nothing(name: str, stage: Stage) -> None:
    scenario = load_scenario(GOLDEN / name)
    compressed = compress(scenario, stage, 0)
    assert compressed == scenario
    assert compressed.content_hash() == scenario.content_hash()


def test_a_zero_what_if_shows_no_change() -> None:
    what_if = plan_compression(load_scenario(GOLDEN / "tiny"), Stage.CONTRACTING, 0, EXACT)
    assert what_if.value is not None
    assert what_if.value.lines == ()
    assert what_if.value.diff.objective.delta == pytest.approx(0, abs=1e-6)
    assert what_if.value.diff.openings_moved == ()


@pytest.mark.parametrize(
    ("name", "stage", "months"),
    [
        ("tiny", Stage.CONTRACTING, 1),
        ("tiny", Stage.LEAD_TIME, 2),
        ("small", Stage.CONTRACTING, 6),
        ("small", Stage.LEAD_TIME, 3),
    ],
)
def test_compression_never_increases_the_optimal_objective(
    name: str, stage: Stage, months: int
) -> None:
    """Opening earlier can only help: the compressed scenario allows everything the
    baseline does."""
    options = PlanOptions(time_limit=60, gap=1e-6)
    what_if = plan_compression(load_scenario(GOLDEN / name), stage, months, options)
    baseline, plan, value = what_if.baseline, what_if.plan, what_if.value
    assert baseline.status is PlanStatus.OPTIMAL
    assert plan.status is PlanStatus.OPTIMAL
    assert plan.objective <= baseline.objective * (1 + 2e-6)
    assert value is not None
    assert value.lever is (
        Lever.EARLIEST_DECISION if stage is Stage.CONTRACTING else Lever.LEAD_MONTHS
    )
    assert value.lines, "the golden scenarios have lines the compression moves"
    # the comparison adds up: objectives, and the nations' shares of the change
    assert value.diff.objective.delta == pytest.approx(plan.objective - baseline.objective)
    nations_delta = sum(n.cost.delta for n in value.nations)
    assert nations_delta == pytest.approx(value.diff.objective.delta, abs=1e-3)
    assert value.shortfall.a == pytest.approx(sum(r.shortfall for r in baseline.requirements))
    assert value.shortfall.b == pytest.approx(sum(r.shortfall for r in plan.requirements))
    late = sum(r.late_unit_months for r in plan.requirements)
    assert value.late_unit_months.b == pytest.approx(late)


@pytest.mark.parametrize("stage", CONTRACTING_STAGES)
def test_every_contracting_stage_shifts_the_earliest_decision(stage: Stage) -> None:
    (line,) = compress(one_line(earliest="2027-06"), stage, 2).lines
    assert line.earliest_decision == "2027-04"


def test_an_infeasible_plan_has_nothing_to_compare() -> None:
    scenario = one_line()
    infeasible = Plan(PlanStatus.INFEASIBLE, Mode.JOINT, Costs(), 0.0, 0.0, 0.0, 0.0)
    feasible = solve_plan(scenario, EXACT)
    with pytest.raises(ValueError, match="infeasible"):
        compression_value(scenario, scenario, Stage.CONTRACTING, 1, infeasible, feasible)
    other = one_line(lead=3)
    with pytest.raises(ValueError, match="another scenario"):
        compression_value(scenario, other, Stage.CONTRACTING, 1, feasible, feasible)
