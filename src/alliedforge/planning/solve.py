"""`solve_plan`: a validated `Scenario` in, a verified-optimal (or best-found) `Plan` out."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from alliedforge.planning.extract import extract_rows
from alliedforge.planning.fairness import add_fairness_constraints
from alliedforge.planning.feasibility import explain_infeasibility
from alliedforge.planning.highs import SOLVER, SolveOutcome, new_highs, run
from alliedforge.planning.index import PlanningIndex, build_index
from alliedforge.planning.model import PlanningModel, build_model
from alliedforge.planning.options import PlanOptions, Progress, Strategy
from alliedforge.planning.plan import Costs, Plan, PlanStatus
from alliedforge.planning.recourse import fix_openings
from alliedforge.planning.scalable import solve_scalable
from alliedforge.scenario.model import Scenario

# Above this many binaries the exact MIP's root loop tends to stall at alliance scale.
EXACT_MAX_BINARIES = 1500


def solve_plan(scenario: Scenario, options: PlanOptions | None = None) -> Plan:
    """Plan `scenario` under `options`; the scenario must already be valid."""
    options = options or PlanOptions()
    clock = time.perf_counter()
    index = build_index(scenario)
    reasons = explain_infeasibility(index)
    if reasons:
        return _infeasible_plan(index, options, time.perf_counter() - clock, reasons)
    pm = build_model(index, options.mode)
    fairness = add_fairness_constraints(pm) if options.fair_share else None
    if options.openings is not None:
        fix_openings(pm, options.openings)
    build_seconds = time.perf_counter() - clock
    _report(options, "built", clock)

    strategy = options.strategy
    if fairness is not None or options.openings is not None:
        # Fairness rows tie blocks of one priority together: the block search cannot split
        # them; with the openings fixed, what is left is small enough for the exact search.
        strategy = Strategy.EXACT
    elif strategy is Strategy.AUTO:
        binaries = int(pm.milp.integrality().sum())
        strategy = Strategy.EXACT if binaries <= EXACT_MAX_BINARIES else Strategy.SCALABLE
    if strategy is Strategy.EXACT:
        # HiGHS's gap is on objective + fairness term, which is at most about twice the
        # objective once shares are even: half the gap keeps the spec's gap within asked.
        # A cutoff is in the spec's units, not in those of the fair objective.
        exact = options if fairness is None else replace(options, gap=options.gap / 2, cutoff=None)
        values, bound, proven = _solve_exact(pm, exact, clock)
    else:
        values, bound, proven = solve_scalable(pm, options, clock)
    solve_seconds = time.perf_counter() - clock - build_seconds
    rows = extract_rows(pm, values)
    objective = rows.costs.total
    if fairness is not None:
        # Any plan whose shares are all within this one's costs at least bound − penalty:
        # a bound on the spec's objective among plans at least as fair (docs/model.md).
        bound -= fairness.penalty(values)
        proven = False  # HiGHS's gap was on objective + penalty; judge the spec's own gap
    bound = min(bound, objective)
    gap = (objective - bound) / max(abs(objective), 1e-9)
    status = PlanStatus.OPTIMAL if proven or gap <= options.gap else PlanStatus.TIME_LIMIT
    return Plan(
        status=status,
        mode=options.mode,
        costs=rows.costs,
        bound=bound,
        mip_gap=max(gap, 0.0),
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        deliveries=rows.deliveries,
        openings=rows.openings,
        tiers=rows.tiers,
        requirements=rows.requirements,
        scenario_hash=scenario.content_hash(),
        scenario_name=scenario.manifest.name,
        solver=SOLVER,
        strategy=strategy.value,
        options=_recorded(options),
    )


def _recorded(options: PlanOptions) -> dict[str, float | str]:
    """The options a plan records; fair share only when asked, so older plans read the same."""
    recorded: dict[str, float | str] = {"time_limit": options.time_limit, "gap": options.gap}
    if options.fair_share:
        recorded["fair_share"] = "yes"
    if options.openings is not None:
        recorded["openings"] = "fixed"
    return recorded


def _solve_exact(
    pm: PlanningModel, options: PlanOptions, clock: float
) -> tuple[np.ndarray, float, bool]:
    """Branch-and-cut on the whole MIP; the all-zero plan is the fallback (always feasible).

    With a cutoff, "infeasible" means HiGHS proved no plan beats it: the cutoff is then
    the bound, and the all-zero plan stands in for the plan the caller already has.
    """
    h = new_highs(options.time_limit - (time.perf_counter() - clock), options.gap)
    h.passModel(pm.milp.to_highs())
    result = run(
        h,
        phase="branch-and-cut",
        mip=bool(pm.milp.integrality().any()),
        clock_start=clock,
        progress=options.progress,
        cutoff=options.cutoff,
    )
    if result.outcome is SolveOutcome.INFEASIBLE:
        if options.cutoff is None:
            raise RuntimeError(
                "HiGHS reports the plan infeasible although commitments fit every limit"
            )
        return np.zeros(pm.milp.num_cols), options.cutoff, False
    values = result.values if result.values is not None else np.zeros(pm.milp.num_cols)
    bound = result.bound if result.bound is not None else -np.inf
    return values, bound, result.outcome is SolveOutcome.OPTIMAL


def _report(options: PlanOptions, phase: str, clock: float) -> None:
    if options.progress is not None:
        options.progress(Progress(phase, time.perf_counter() - clock, None, None))


def _infeasible_plan(
    index: PlanningIndex, options: PlanOptions, seconds: float, reasons: tuple[str, ...]
) -> Plan:
    nan = float("nan")
    return Plan(
        status=PlanStatus.INFEASIBLE,
        mode=options.mode,
        costs=Costs(nan, nan, nan, nan, nan),
        bound=nan,
        mip_gap=nan,
        build_seconds=seconds,
        solve_seconds=0.0,
        scenario_hash=index.scenario.content_hash(),
        scenario_name=index.scenario.manifest.name,
        solver=SOLVER,
        options=_recorded(options),
        infeasibility=reasons,
    )
