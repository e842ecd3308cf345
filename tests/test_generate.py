"""Synthetic scenarios are deterministic, sized as asked, plausible and valid; so is the demo."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from importlib.resources import as_file, files
from itertools import pairwise
from pathlib import Path

import pytest

from alliedforge.scenario import (
    LineState,
    Scenario,
    check_scenario,
    load_scenario,
    summarise,
    write_scenario,
)
from alliedforge.scenario.generate import generate_scenario
from alliedforge.scenario.nsn import is_ncage, normalise_nsn, supply_class
from alliedforge.scenario.synth.reference import NATIONS, NATO_ASSIGNED_NCB

ALLIANCE = {
    "nations": 32,
    "items": 300,
    "families": 30,
    "lines": 200,
    "requirements": 1500,
    "months": 60,
}
ALL_TABLES = {"budgets": True, "components": True, "commitments": True}
SIZES = [
    pytest.param((1, 1, 1, 1, 1, 1), id="smallest"),
    pytest.param((2, 6, 4, 3, 5, 2), id="fewer-lines-than-families"),
    pytest.param((5, 12, 3, 10, 40, 24), id="small"),
    pytest.param((12, 40, 8, 30, 150, 48), id="demo-sized"),
    pytest.param((8, 70, 35, 50, 100, 36), id="more-families-than-kinds"),
]
FLAGS = [
    pytest.param({}, id="base"),
    pytest.param({"budgets": True}, id="budgets"),
    pytest.param({"components": True}, id="components"),
    pytest.param({"commitments": True}, id="commitments"),
    pytest.param(ALL_TABLES, id="all"),
]


def _generate(
    size: tuple[int, ...],
    seed: int = 7,
    *,
    budgets: bool = False,
    components: bool = False,
    commitments: bool = False,
) -> Scenario:
    nations, items, families, lines, requirements, months = size
    return generate_scenario(
        nations=nations,
        items=items,
        families=families,
        lines=lines,
        requirements=requirements,
        months=months,
        seed=seed,
        budgets=budgets,
        components=components,
        commitments=commitments,
    )


@pytest.fixture(scope="module")
def alliance() -> Scenario:
    # Runs in a fraction of a second; a slow generator would show here first.
    return _generate(tuple(ALLIANCE.values()), seed=2027, **ALL_TABLES)


@pytest.fixture(scope="module")
def demo() -> Iterator[Scenario]:
    with as_file(files("alliedforge.data").joinpath("demo")) as folder:
        yield load_scenario(folder)


def test_same_seed_gives_the_same_scenario() -> None:
    first = _generate((6, 20, 4, 15, 60, 36), seed=3, **ALL_TABLES)
    again = _generate((6, 20, 4, 15, 60, 36), seed=3, **ALL_TABLES)
    other = _generate((6, 20, 4, 15, 60, 36), seed=4, **ALL_TABLES)
    assert first == again
    assert first.content_hash() == again.content_hash()
    assert first.content_hash() != other.content_hash()


@pytest.mark.parametrize("flags", FLAGS)
@pytest.mark.parametrize("size", SIZES)
def test_counts_are_as_requested_and_the_scenario_is_valid(
    size: tuple[int, ...], flags: dict[str, bool]
) -> None:
    nations, items, families, lines, requirements, months = size
    scenario = _generate(size, **flags)
    assert len(scenario.nations) == nations
    assert len(scenario.items) == items
    assert len({item.family for item in scenario.items}) == families
    assert len(scenario.lines) == lines
    assert len(scenario.requirements) == requirements
    assert scenario.manifest.months == months
    assert check_scenario(scenario) == []


def test_alliance_scale_is_valid_with_every_optional_table(alliance: Scenario) -> None:
    assert len(alliance.nations) == ALLIANCE["nations"]
    assert len(alliance.items) == ALLIANCE["items"]
    assert len({item.family for item in alliance.items}) == ALLIANCE["families"]
    assert len(alliance.lines) == ALLIANCE["lines"]
    assert len(alliance.requirements) == ALLIANCE["requirements"]
    assert alliance.manifest.months == ALLIANCE["months"]
    optional = ("budgets", "components", "bom", "component_supply", "commitments", "stockpiles")
    assert all(getattr(alliance, table) for table in optional)
    assert check_scenario(alliance) == []


def test_optional_tables_leave_the_others_unchanged() -> None:
    size = (8, 30, 6, 24, 80, 36)
    base = _generate(size)
    full = _generate(size, **ALL_TABLES)
    cleared = replace(full, budgets=(), components=(), bom=(), component_supply=(), commitments=())
    assert cleared == base


def test_identifiers_look_real(alliance: Scenario) -> None:
    nato = {n.code: n for n in NATIONS}
    assert {n.code for n in alliance.nations} == set(nato)
    assert all(nato[n.code].name == n.name for n in alliance.nations)
    bureaus = {n.ncb for n in NATIONS if n.ncb} | {NATO_ASSIGNED_NCB}
    for item in alliance.items:
        digits = normalise_nsn(item.code)
        assert digits is not None
        assert item.code == f"{digits[:4]}-{digits[4:6]}-{digits[6:9]}-{digits[9:]}"
        assert digits[4:6] in bureaus
    classes: dict[str, set[str | None]] = defaultdict(set)
    for item in alliance.items:
        classes[item.family].add(supply_class(item.code))
    assert classes["155mm-HE"] == {"1320"}
    assert classes["120mm-HE"] == {"1315"}
    assert classes["SAM-LR"] == {"1410"}
    assert classes["30mm-KE"] == {"1305"}
    assert all(is_ncage(s.code) for s in alliance.suppliers)
    assert {s.country for s in alliance.suppliers} <= set(nato)


def test_qualification_is_partial_and_time_dependent(alliance: Scenario) -> None:
    family = {item.code: item.family for item in alliance.items}
    systems_of: dict[str, set[str]] = defaultdict(set)
    items_of: dict[str, set[str]] = defaultdict(set)
    for q in alliance.qualifications:
        systems_of[family[q.item]].add(q.weapon_system)
        items_of[family[q.item]].add(q.item)
    pairs = {(q.item, q.weapon_system) for q in alliance.qualifications}
    possible = sum(len(items_of[f]) * len(systems_of[f]) for f in items_of)
    assert len(pairs) < 0.8 * possible
    assert sum(q.from_month is not None for q in alliance.qualifications) > 0.1 * len(pairs)
    # No system spans families: a family is a group of substitutes.
    assert sum(len(s) for s in systems_of.values()) == len(alliance.weapon_systems)


def test_every_requirement_has_a_made_qualified_item(alliance: Scenario) -> None:
    made = {line.item for line in alliance.lines}
    served = {q.weapon_system for q in alliance.qualifications if q.item in made}
    assert {r.weapon_system for r in alliance.all_requirements()} <= served


def test_lines_mix_states_and_tiers_fall_with_volume(alliance: Scenario) -> None:
    states: dict[LineState, int] = defaultdict(int)
    for line in alliance.lines:
        states[line.state] += 1
        if line.state is not LineState.ACTIVE:
            assert line.lead_months is not None
            assert line.opening_cost
    assert all(states[s] >= 0.1 * len(alliance.lines) for s in LineState)
    tiers: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for price in alliance.prices:
        tiers[(price.supplier, price.item)].append((price.min_quantity, price.unit_price))
    assert {(line.supplier, line.item) for line in alliance.lines} == set(tiers)
    for pair in tiers.values():
        pair.sort()
        assert 1 <= len(pair) <= 3
        assert all(a[1] > b[1] for a, b in pairwise(pair))
    minimum_orders = sum(pair[0][0] > 0 for pair in tiers.values())
    assert 0 < minimum_orders < len(tiers)


def test_magnitudes_are_plausible(alliance: Scenario) -> None:
    family = {item.code: item.family for item in alliance.items}
    list_price: dict[str, list[float]] = defaultdict(list)
    for price in alliance.prices:
        if price.min_quantity == min(
            p.min_quantity
            for p in alliance.prices
            if (p.supplier, p.item) == (price.supplier, price.item)
        ):
            list_price[family[price.item]].append(price.unit_price)
    assert 2_500 <= min(list_price["155mm-HE"]) <= max(list_price["155mm-HE"]) <= 9_500
    assert 300 <= min(list_price["120mm-HE"]) <= max(list_price["120mm-HE"]) <= 1_500
    assert 2.5e6 <= min(list_price["SAM-LR"]) <= max(list_price["SAM-LR"]) <= 6e6
    capacity: dict[str, list[float]] = defaultdict(list)
    for line in alliance.lines:
        capacity[family[line.item]].append(line.capacity_per_month)
    assert 2_000 <= min(capacity["155mm-HE"]) <= max(capacity["155mm-HE"]) <= 30_000
    assert max(capacity["SAM-LR"]) <= 50
    new_shell_plants = [
        line.opening_cost or 0.0
        for line in alliance.lines
        if line.state is LineState.NEW and family[line.item] == "155mm-HE"
    ]
    assert all(1e7 <= cost <= 5e8 for cost in new_shell_plants)


def test_demand_is_comparable_to_capacity(alliance: Scenario) -> None:
    ratios = [
        f.demand / f.capacity for f in summarise(alliance).families if f.capacity and f.demand
    ]
    assert len(ratios) == ALLIANCE["families"]
    assert all(0.3 < r < 2.5 for r in ratios)
    assert min(ratios) < 1.0 < max(ratios)


def test_a_generated_scenario_round_trips_through_files(tmp_path: Path) -> None:
    scenario = _generate((10, 30, 6, 25, 90, 48), **ALL_TABLES)
    write_scenario(scenario, tmp_path / "folder")
    write_scenario(scenario, tmp_path / "book.xlsx")
    assert load_scenario(tmp_path / "folder") == scenario
    assert load_scenario(tmp_path / "book.xlsx") == scenario


@pytest.mark.parametrize(
    "change",
    [
        {"nations": 33},
        {"nations": 0},
        {"families": 5, "items": 4},
        {"lines": 0},
        {"requirements": 0},
        {"months": 0},
        {"months": 241},
        {"start": "2027-13"},
    ],
    ids=str,
)
def test_impossible_arguments_are_refused(change: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "nations": 4,
        "items": 6,
        "families": 2,
        "lines": 4,
        "requirements": 10,
        "months": 12,
        "seed": 1,
    }
    with pytest.raises(ValueError, match=r"must|need"):
        generate_scenario(**{**arguments, **change})  # type: ignore[arg-type]


def test_demo_loads_without_problems(demo: Scenario) -> None:
    assert check_scenario(demo) == []
    assert len(demo.nations) == 12
    assert (demo.manifest.start, demo.manifest.months) == ("2027-01", 48)
    assert len(demo.requirements) <= 150
    assert len(demo.lines) <= 40
    assert {line.state for line in demo.lines} == set(LineState)
    optional = ("budgets", "components", "bom", "component_supply", "commitments", "stockpiles")
    assert all(getattr(demo, table) for table in optional)
    assert any(q.from_month is not None for q in demo.qualifications)
    assert {supply_class(item.code) for item in demo.items} == {"1320", "1315", "1410"}
    assert all(is_ncage(s.code) for s in demo.suppliers)


def test_demo_readme_says_the_numbers_are_illustrative() -> None:
    readme = files("alliedforge.data").joinpath("demo", "README.md").read_text(encoding="utf-8")
    assert "illustrative orders of magnitude, not real data" in readme
