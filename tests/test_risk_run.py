"""A risk run end to end on a tiny alliance: reproducible samples, outcomes, JSON, report."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from alliedforge.planning.batch import InlineRunner
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Costs, Mode, Plan, PlanStatus
from alliedforge.planning.solve import solve_plan
from alliedforge.risk.model import RiskModel, default_model
from alliedforge.risk.outcome import (
    RiskResult,
    requirement_infos,
    result_from_dict,
    result_to_dict,
    sample_outcome,
    summarise,
)
from alliedforge.risk.report import render_risk_report, samples_csv, top_risks
from alliedforge.risk.run import run_risk, sample_changes, sample_scenario
from alliedforge.scenario.model import BomEntry, ComponentSupply, Scenario
from alliedforge.whatif.changes import LineOutage

from builders import active, closed, make_scenario, req, tier


def risk_scenario() -> Scenario:
    """Two nations short of shells for a year; a new line can help from month 4."""
    return make_scenario(
        lines=[active("L1", 100), active("L2", 60, supplier="S2"), closed("L3", 80, lead=3)],
        prices=[tier(0, 10.0), tier(0, 12.0, supplier="S2")],
        requirements=[
            req("A1", 300, "2027-03", nation="AAA"),
            req("A2", 600, "2027-08", nation="AAA", priority=2),
            req("B1", 400, "2027-06", nation="BBB"),
            req("B2", 500, "2027-12", nation="BBB", priority=3),
        ],
        bom=[BomEntry("SH", "NC", 1.0)],
        component_supply=[ComponentSupply("NC", None, 500.0)],
    )


def stormy_model() -> RiskModel:
    """Disruptions often, so a few samples see every kind."""
    model = default_model()
    return replace(
        model,
        line_outage=replace(model.line_outage, probability_per_year=0.6),
        lead_time=replace(model.lead_time, probability=0.8),
        demand_surge=replace(model.demand_surge, probability=0.5),
        component_shock=replace(model.component_shock, probability_per_year=0.6),
    )


OPTIONS = PlanOptions(time_limit=20.0)


@pytest.fixture(scope="module")
def result() -> RiskResult:
    return run_risk(
        risk_scenario(), stormy_model(), samples=8, seed=11, runner=InlineRunner(), options=OPTIONS
    )


def test_a_sample_is_the_same_drawn_alone_or_in_any_run() -> None:
    base, model = risk_scenario(), stormy_model()
    alone = sample_changes(base, model, 11, 5)
    assert alone == sample_changes(base, model, 11, 5)
    assert alone != sample_changes(base, model, 12, 5)
    kinds = {c.kind for i in range(8) for c in sample_changes(base, model, 11, i)}
    assert kinds == {"line_outage", "lead_time", "demand", "component_shock"}


def test_outages_stay_within_the_horizon() -> None:
    base = risk_scenario()
    model = stormy_model()
    model = replace(model, line_outage=replace(model.line_outage, probability_per_year=1.0))
    outages = [c for c in sample_changes(base, model, 3, 0) if isinstance(c, LineOutage)]
    assert outages
    for outage in outages:
        start = int(outage.start[5:]) - 1  # the horizon is 2027-01 … 2027-12
        assert outage.months >= 1
        assert start + outage.months <= 12


def test_the_run_keeps_every_sample_in_order(result: RiskResult) -> None:
    assert [s.sample for s in result.samples] == list(range(8))
    assert result.base.sample == -1
    assert result.base.changes == ()
    summary = summarise(result)
    assert summary.samples == 8
    assert summary.usable + summary.infeasible == 8


def test_a_sample_outcome_is_its_plan_read_again(result: RiskResult) -> None:
    base, model = risk_scenario(), stormy_model()
    changes = sample_changes(base, model, 11, 3)
    plan = solve_plan(sample_scenario(base, changes, 3), OPTIONS)
    assert sample_outcome(3, changes, plan, requirement_infos(base)) == replace(
        result.samples[3], seconds=plan.build_seconds + plan.solve_seconds
    )
    shortfall = {o.requirement: o.shortfall for o in plan.requirements}
    assert result.samples[3].shortfall_by_nation["AAA"] == pytest.approx(
        shortfall["A1"] + shortfall["A2"]
    )
    on_time = {o.requirement for o in plan.requirements if o.delivered_on_time >= o.quantity - 1e-6}
    assert set(result.samples[3].on_time) == on_time


def test_on_time_chances_count_the_samples(result: RiskResult) -> None:
    summary = summarise(result)
    for chance in summary.on_time:
        met = sum(chance.requirement.code in s.on_time for s in result.samples if s.usable)
        assert chance.met == met
        assert chance.samples == summary.usable
        assert chance.low <= chance.probability <= chance.high


def test_json_round_trip_is_lossless(result: RiskResult) -> None:
    text = json.dumps(result_to_dict(result), allow_nan=False)
    again = result_from_dict(json.loads(text))
    assert again == result
    assert summarise(again) == summarise(result)


def test_report_and_csv_show_every_sample(result: RiskResult) -> None:
    page = render_risk_report(result)
    assert "Risk report: tiny" in page
    assert page.count('class="figure"') == 5
    rows = samples_csv(result).splitlines()
    assert len(rows) == 1 + 1 + 8  # header, base, samples
    assert rows[0].endswith("shortfall_AAA,shortfall_BBB")


def test_an_infeasible_sample_is_counted_and_left_out(result: RiskResult) -> None:
    nan = float("nan")
    infeasible = Plan(
        status=PlanStatus.INFEASIBLE,
        mode=Mode.JOINT,
        costs=Costs(nan, nan, nan, nan, nan),
        bound=nan,
        mip_gap=nan,
        build_seconds=0.1,
        solve_seconds=0.0,
    )
    outcome = sample_outcome(0, (), infeasible, result.requirements)
    assert not outcome.usable
    broken = replace(result, samples=(outcome, *result.samples[1:]))
    summary = summarise(broken)
    assert summary.infeasible == summarise(result).infeasible + 1
    assert summary.usable == summarise(result).usable - 1
    kept = [sum(s.shortfall_by_nation.values()) for s in result.samples[1:] if s.usable]
    assert summary.shortfall.mean == pytest.approx(sum(kept) / len(kept))
    again = result_from_dict(json.loads(json.dumps(result_to_dict(broken), allow_nan=False)))
    assert math.isnan(again.samples[0].objective)


def test_top_risks_are_base_on_time_requirements_least_likely_first(result: RiskResult) -> None:
    summary = summarise(result)
    risks = top_risks(result, summary)
    assert risks
    assert {c.requirement.code for c in risks} <= set(result.base.on_time)
    chances = [c.probability for c in risks]
    assert chances == sorted(chances)
    assert all(p < 1.0 for p in chances)
