"""The plan package on disk: written, read back bit-exact, and recomputable from its files."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from pathlib import Path

import pytest

from alliedforge.planning import (
    Mode,
    Plan,
    PlanOptions,
    PlanStatus,
    Strategy,
    read_plan_package,
    solve_plan,
    write_plan_package,
)
from alliedforge.scenario import Budget, Commitment, Scenario, load_scenario

from builders import active, make_scenario, req, tier
from checker import assert_plan_valid
from shared_data import GOLDEN

SPEC_SUMMARY_KEYS = (
    "status",
    "objective",
    "procurement_cost",
    "opening_cost",
    "commitment_cost",
    "shortfall_cost",
    "late_cost",
    "bound",
    "mip_gap",
    "build_seconds",
    "solve_seconds",
    "mode",
)
LINEAGE_KEYS = ("scenario_name", "scenario_hash", "solver", "strategy", "options", "infeasibility")
COST_KEYS = ("procurement_cost", "opening_cost", "commitment_cost", "shortfall_cost", "late_cost")
NAN_KEYS = ("objective", *COST_KEYS, "bound", "mip_gap")
SPEC_COLUMNS = {
    "deliveries.csv": (
        "line",
        "supplier",
        "item",
        "requirement",
        "nation",
        "month",
        "quantity",
        "unit_price",
    ),
    "openings.csv": ("line", "decision_month", "first_output_month", "opening_cost"),
    "tiers.csv": ("supplier", "item", "nation", "min_quantity", "unit_price", "quantity"),
    "requirements.csv": (
        "requirement",
        "nation",
        "quantity",
        "delivered",
        "delivered_on_time",
        "late_unit_months",
        "shortfall",
    ),
}
EXTRA_COLUMNS = {"deliveries.csv": {"committed"}}  # marks the commitment rows the spec lists


def _bits(value: object) -> object:
    """`value` with every float replaced by its exact hex spelling (NaN and -0.0 included)."""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else value.hex()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, *((f.name, _bits(getattr(value, f.name))) for f in fields))
    if isinstance(value, tuple | list):
        return tuple(_bits(v) for v in value)
    if isinstance(value, dict):
        return {k: _bits(v) for k, v in value.items()}
    return value


def _strict_json(text: str) -> dict[str, object]:
    """Parse as standard JSON: NaN and ±Infinity are not JSON and fail the test."""

    def refuse(token: str) -> object:
        raise AssertionError(f"summary.json holds {token}, which is not JSON")

    document: dict[str, object] = json.loads(text, parse_constant=refuse)
    return document


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(GOLDEN / "tiny")


@pytest.fixture(scope="module", params=[Mode.JOINT, Mode.NATIONAL], ids=lambda m: m.value)
def tiny_plan(request: pytest.FixtureRequest, tiny: Scenario) -> Plan:
    options = PlanOptions(mode=request.param, time_limit=60, strategy=Strategy.EXACT)
    plan = solve_plan(tiny, options)
    assert plan.status is PlanStatus.OPTIMAL
    assert plan.deliveries
    assert plan.tiers
    assert plan.requirements
    return plan


def committed_scenario(budget: float) -> Scenario:
    """One active line (100 units/month) with a 50-unit contract at 3000 in 2027-02 to R1."""
    return make_scenario(
        months=3,
        lines=[active("L1", 100)],
        prices=[tier(0, 4000)],
        requirements=[req("R1", 250, "2027-02")],
        commitments=[Commitment("C1", "L1", "R1", "2027-02", 50.0, 3000.0)],
        budgets=[Budget("AAA", 2027, budget)],
    )


def test_solved_plan_round_trips_bit_exact(tiny_plan: Plan, tmp_path: Path) -> None:
    back = read_plan_package(write_plan_package(tiny_plan, tmp_path / "plan"))
    assert _bits(back) == _bits(tiny_plan)
    assert back == tiny_plan


def test_commitment_rows_round_trip(tmp_path: Path) -> None:
    scenario = committed_scenario(budget=1e9)
    plan = solve_plan(scenario, PlanOptions(time_limit=20, strategy=Strategy.EXACT))
    assert [d.quantity for d in plan.deliveries if d.committed] == [50]
    back = read_plan_package(write_plan_package(plan, tmp_path / "plan"))
    assert _bits(back) == _bits(plan)
    assert_plan_valid(scenario, back)


def test_summary_has_the_spec_keys_then_the_lineage(tiny_plan: Plan, tmp_path: Path) -> None:
    folder = write_plan_package(tiny_plan, tmp_path / "plan")
    summary = _strict_json((folder / "summary.json").read_text(encoding="utf-8"))
    assert tuple(summary) == SPEC_SUMMARY_KEYS + LINEAGE_KEYS
    assert summary["status"] == "optimal"
    assert summary["mode"] == tiny_plan.mode.value
    costs = [summary[k] for k in COST_KEYS]
    assert all(isinstance(c, float | int) for c in costs)
    assert math.fsum(costs) == pytest.approx(summary["objective"], rel=1e-6)


def test_csv_files_have_the_spec_columns(tiny_plan: Plan, tmp_path: Path) -> None:
    folder = write_plan_package(tiny_plan, tmp_path / "plan")
    for name, columns in SPEC_COLUMNS.items():
        header = _header(folder / name)
        assert header[: len(columns)] == list(columns), name
        assert set(header[len(columns) :]) <= EXTRA_COLUMNS.get(name, set()), name


def test_objective_recomputed_from_the_files_matches(
    tiny: Scenario, tiny_plan: Plan, tmp_path: Path
) -> None:
    folder = write_plan_package(tiny_plan, tmp_path / "plan")
    summary = _strict_json((folder / "summary.json").read_text(encoding="utf-8"))
    report = assert_plan_valid(tiny, read_plan_package(folder))
    assert report.costs.total == pytest.approx(summary["objective"], rel=1e-6)
    for key in COST_KEYS:
        name = key.removesuffix("_cost")
        assert getattr(report.costs, name) == pytest.approx(summary[key], rel=1e-6, abs=1e-6)
    expected = json.loads((GOLDEN / "tiny" / "expected.json").read_text())[tiny_plan.mode.value]
    assert report.costs.total == pytest.approx(expected, rel=1e-4)


def test_infeasible_plan_writes_nulls_and_reads_back(tmp_path: Path) -> None:
    # The contract alone costs 50 × 3000 = 150,000, over the 100,000 budget for 2027.
    scenario = committed_scenario(budget=100_000)
    plan = solve_plan(scenario, PlanOptions(time_limit=20, strategy=Strategy.EXACT))
    assert plan.status is PlanStatus.INFEASIBLE
    assert math.isnan(plan.objective)
    folder = write_plan_package(plan, tmp_path / "plan")

    summary = _strict_json((folder / "summary.json").read_text(encoding="utf-8"))
    assert tuple(summary) == SPEC_SUMMARY_KEYS + LINEAGE_KEYS
    assert summary["status"] == "infeasible"
    assert {key: summary[key] for key in NAN_KEYS} == dict.fromkeys(NAN_KEYS)
    assert summary["infeasibility"]

    back = read_plan_package(folder)
    assert back.status is PlanStatus.INFEASIBLE
    assert all(math.isnan(getattr(back.costs, f.name)) for f in dataclasses.fields(back.costs))
    assert math.isnan(back.bound)
    assert math.isnan(back.mip_gap)
    assert back.infeasibility == plan.infeasibility
    assert _bits(back) == _bits(plan)
    assert_plan_valid(scenario, back)
