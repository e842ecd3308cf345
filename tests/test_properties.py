"""Hypothesis properties of the optimum on tiny generated scenarios (planning-model.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from hypothesis import example, given, settings
from hypothesis import strategies as st

from alliedforge.planning import Mode, Plan, PlanOptions, PlanStatus, Strategy, solve_plan
from alliedforge.scenario import (
    BomEntry,
    Budget,
    Commitment,
    ComponentSupply,
    Line,
    LineState,
    Price,
    Qualification,
    Requirement,
    Scenario,
    check_scenario,
    month_at,
    month_index,
)

from builders import active, closed, make_scenario, req, tier
from checker import assert_plan_valid

START = "2027-01"  # every horizon (≤ 12 months) lies in calendar year 2027
NATIONS = ("AAA", "BBB", "CCC")
SYSTEMS = ("HOW", "MLR")
ITEMS = ("SH", "ER")
SUPPLIERS = ("S1", "S2")
FUZE = "FZ"

PROPERTY = settings(max_examples=25, deadline=None)
MODES = st.sampled_from([Mode.JOINT, Mode.NATIONAL])

# Shrunk counterexamples hypothesis found, pinned so that they are tried on every run.
NOTHING_TO_BUY = make_scenario(
    months=1, lines=[active("L0", 1)], prices=[tier(0, 500)], requirements=[req("R0", 0, "2027-01")]
)
"""No demand, so the model has no columns: the optimum is the empty plan, objective 0."""
MINIMUM_OUT_OF_REACH = make_scenario(
    months=1, lines=[active("L0", 1)], prices=[tier(2, 500)], requirements=[req("R0", 1, "2027-01")]
)
"""The only pair cannot make its minimum order of 2: nothing is bought, 1 unit is short."""
SHADOWED_TIER = make_scenario(
    months=1,
    lines=[active("L0", 1, "S1", "SH"), active("L1", 1, "S2", "SH"), active("L2", 2, "S1", "ER")],
    prices=[tier(2, 500, "S1", "SH"), tier(0, 500, "S2", "SH"), tier(1, 500, "S1", "ER")],
    requirements=[req("R0", 2, "2027-01", nation="AAA"), req("R1", 1, "2027-01", nation="BBB")],
)
"""S1/SH cannot reach its minimum order; S2/SH and S1/ER can serve all 3 units for 1500 in
either mode (national finds it), so joint must not leave a unit short."""


def _line(draw: st.DrawFn, code: str, month: st.SearchStrategy[str]) -> Line:
    supplier, item = draw(st.sampled_from(SUPPLIERS)), draw(st.sampled_from(ITEMS))
    capacity = float(draw(st.integers(1, 200)))
    if draw(st.booleans()):
        return active(code, capacity, supplier, item)
    return closed(
        code,
        capacity,
        lead=draw(st.integers(0, 4)),
        cost=float(draw(st.sampled_from([0, 1_000, 50_000, 400_000]))),
        ramp=draw(st.integers(0, 3)),
        earliest=draw(st.none() | month),
        state=draw(st.sampled_from([LineState.DORMANT, LineState.NEW])),
        supplier=supplier,
        item=item,
    )


def _prices(draw: st.DrawFn, lines: list[Line]) -> list[Price]:
    """1–2 all-units tiers per supplier–item pair; the smallest minimum may be a minimum order."""
    prices = []
    for supplier, item in dict.fromkeys((ln.supplier, ln.item) for ln in lines):
        minimums = draw(st.lists(st.integers(0, 600), min_size=1, max_size=2, unique=True))
        for minimum in sorted(minimums):
            price = float(draw(st.integers(500, 8_000)))
            prices.append(tier(float(minimum), price, supplier, item))
    return prices


def _qualifications(
    draw: st.DrawFn, lines: list[Line], requirements: list[Requirement], months: int
) -> list[Qualification]:
    """Each item–system pair: not qualified, qualified from the start, or from a later month."""
    items = dict.fromkeys(ln.item for ln in lines)
    systems = dict.fromkeys(r.weapon_system for r in requirements)
    rows = []
    for item in items:
        for system in systems:
            when = draw(st.sampled_from(["start", "start", "later", "never"]))
            if when == "start":
                rows.append(Qualification(item, system))
            elif when == "later":
                rows.append(Qualification(item, system, month_at(START, draw(_index(months)))))
    return rows


def _index(months: int) -> st.SearchStrategy[int]:
    return st.integers(0, months - 1)


def _commitment(
    draw: st.DrawFn,
    lines: list[Line],
    requirements: list[Requirement],
    qualifications: list[Qualification],
    months: int,
) -> list[Commitment]:
    """At most one contract: an active line, a requirement it may serve, half the headroom."""
    since = {
        (q.item, q.weapon_system): month_index(START, q.from_month or START) for q in qualifications
    }
    options = [
        (ln, r, since[(ln.item, r.weapon_system)])
        for ln in lines
        for r in requirements
        if ln.state is LineState.ACTIVE and (ln.item, r.weapon_system) in since
    ]
    if not options or not draw(st.booleans()):
        return []
    line, requirement, first = draw(st.sampled_from(options))
    t = draw(st.integers(first, months - 1))
    most = int(min(line.capacity_per_month, requirement.quantity) // 2)
    quantity = float(draw(st.integers(0, most)))
    price = float(draw(st.integers(500, 8_000)))
    return [Commitment("K1", line.code, requirement.code, month_at(START, t), quantity, price)]


@st.composite
def tiny_scenarios(draw: st.DrawFn) -> Scenario:
    """≤ 3 nations, ≤ 4 lines, ≤ 6 requirements, ≤ 12 months; budgets, fuzes and a contract
    sometimes. Budgets and fuze supply always cover the contract, so the all-zero plan is
    feasible and every scenario has an optimum."""
    months = draw(st.integers(1, 12))
    month = _index(months).map(lambda t: month_at(START, t))
    nations = NATIONS[: draw(st.integers(1, 3))]
    lines = [_line(draw, f"L{k}", month) for k in range(draw(st.integers(1, 4)))]
    requirements = [
        req(
            f"R{k}",
            float(draw(st.integers(0, 800))),
            draw(month),
            priority=draw(st.integers(1, 5)),
            nation=draw(st.sampled_from(nations)),
            weapon_system=draw(st.sampled_from(SYSTEMS)),
        )
        for k in range(draw(st.integers(1, 6)))
    ]
    qualifications = _qualifications(draw, lines, requirements, months)
    commitments = _commitment(draw, lines, requirements, qualifications, months)

    line_of = {ln.code: ln for ln in lines}
    nation_of = {r.code: r.nation for r in requirements}
    committed_spend: dict[str, float] = defaultdict(float)
    committed_fuzes = 0.0
    for c in commitments:
        committed_spend[nation_of[c.requirement]] += c.quantity * c.unit_price
        if line_of[c.line].item == "SH":
            committed_fuzes = max(committed_fuzes, c.quantity)
    budgets = [
        Budget(n, 2027, committed_spend[n] + float(draw(st.integers(0, 2_000_000))))
        for n in draw(st.lists(st.sampled_from(nations), max_size=2, unique=True))
    ]
    bom: list[BomEntry] = []
    supply: list[ComponentSupply] = []
    if draw(st.booleans()):
        bom = [BomEntry("SH", FUZE, 1.0)]
        supply = [ComponentSupply(FUZE, None, committed_fuzes + draw(st.integers(0, 300)))]
        if draw(st.booleans()):
            dated = ComponentSupply(FUZE, draw(month), committed_fuzes + draw(st.integers(0, 50)))
            supply.append(dated)
    scenario = make_scenario(
        lines=lines,
        prices=_prices(draw, lines),
        requirements=requirements,
        qualifications=qualifications,
        months=months,
        budgets=budgets,
        bom=bom,
        component_supply=supply,
        commitments=commitments,
    )
    problems = check_scenario(scenario)
    assert not problems, problems  # the strategy itself is wrong
    return scenario


def solve(scenario: Scenario, mode: Mode) -> Plan:
    """A proven optimum (gap 1e-9, so comparisons between optima are exact), verified."""
    options = PlanOptions(mode=mode, time_limit=20, gap=1e-9, strategy=Strategy.EXACT)
    plan = solve_plan(scenario, options)
    assert plan.status is PlanStatus.OPTIMAL, (plan.status, plan.infeasibility)
    assert plan.mode is mode
    assert_plan_valid(scenario, plan)
    return plan


def assert_not_worse(new: Plan, old: Plan) -> None:
    assert new.objective <= old.objective * (1 + 1e-6) + 1e-6, (new.objective, old.objective)


@PROPERTY
@example(scenario=NOTHING_TO_BUY, mode=Mode.JOINT, pick=0, factor=2.0)
@example(scenario=MINIMUM_OUT_OF_REACH, mode=Mode.NATIONAL, pick=0, factor=2.0)
@given(
    scenario=tiny_scenarios(),
    mode=MODES,
    pick=st.integers(0, 3),
    factor=st.sampled_from([1.0, 1.25, 1.5, 2.0, 4.0]) | st.floats(1.0, 10.0),
)
def test_more_capacity_never_makes_the_optimum_worse(
    scenario: Scenario, mode: Mode, pick: int, factor: float
) -> None:
    lines = list(scenario.lines)
    k = pick % len(lines)
    lines[k] = replace(lines[k], capacity_per_month=lines[k].capacity_per_month * factor)
    bigger = replace(scenario, lines=tuple(lines))
    assert_not_worse(solve(bigger, mode), solve(scenario, mode))


@PROPERTY
@given(scenario=tiny_scenarios(), mode=MODES, pick=st.integers(0, 5), data=st.data())
def test_later_due_date_never_makes_the_optimum_worse(
    scenario: Scenario, mode: Mode, pick: int, data: st.DataObject
) -> None:
    requirements = list(scenario.requirements)
    k = pick % len(requirements)
    due = month_index(START, requirements[k].due)
    later = data.draw(st.integers(due, scenario.manifest.months - 1), label="later due")
    requirements[k] = replace(requirements[k], due=month_at(START, later))
    relaxed = replace(scenario, requirements=tuple(requirements))
    assert_not_worse(solve(relaxed, mode), solve(scenario, mode))


@PROPERTY
@example(scenario=NOTHING_TO_BUY)
@example(scenario=MINIMUM_OUT_OF_REACH)
@example(scenario=SHADOWED_TIER)
@given(scenario=tiny_scenarios())
def test_joint_is_never_worse_than_national(scenario: Scenario) -> None:
    assert_not_worse(solve(scenario, Mode.JOINT), solve(scenario, Mode.NATIONAL))
