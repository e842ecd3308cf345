"""The scalable strategy for alliance-size plans: LP bound, LP-guided rounding, fix-and-optimise.

1. Solve the LP relaxation: its value is a proven lower bound, its solution a guide.
2. Round the binaries: open a line when the LP opens at least half of it (at the LP's
   median decision month) and let each tier-pair keep only the tier its LP volume
   reaches; solve that small MIP — a first plan within seconds.
3. Fix-and-optimise: free the binaries of one item family at a time (families
   couple only through budgets and components), re-solve warm-started from the
   incumbent, keep improvements; cycle until a pass brings nothing or time is up.
4. With time left, hand the incumbent to branch-and-cut on the whole model, which
   may improve both the plan and the bound.
"""

from __future__ import annotations

import time

import numpy as np

from alliedforge.planning.highs import SolveOutcome, new_highs, run
from alliedforge.planning.index import FloatArray, IntArray
from alliedforge.planning.model import EPS, PlanningModel
from alliedforge.planning.options import PlanOptions, Progress

# A line the LP opens at least this much is opened by the rounding.
OPEN_THRESHOLD = 0.5
# Share of the remaining time one fix-and-optimise neighbourhood may take at most.
NEIGHBOURHOOD_SHARE = 0.25


class _Search:
    """State of one scalable run: the model in HiGHS, the incumbent, the bound, the clock."""

    def __init__(self, pm: PlanningModel, options: PlanOptions, clock: float) -> None:
        self.pm, self.options, self.clock = pm, options, clock
        self.integer = np.flatnonzero(pm.milp.integrality())
        self.lp = pm.milp.to_highs()
        self.cost = pm.milp.vector(pm.milp.cost)
        self.best_values: FloatArray = np.zeros(pm.milp.num_cols)
        self.best_objective = pm.milp.offset  # the all-zero plan: always feasible
        self.bound = -np.inf

    def objective_of(self, values: FloatArray) -> float:
        return float(self.cost @ values) + self.pm.milp.offset

    def remaining(self) -> float:
        return self.options.time_limit - (time.perf_counter() - self.clock)

    def report(self, phase: str) -> None:
        if self.options.progress is not None:
            self.options.progress(
                Progress(
                    phase,
                    time.perf_counter() - self.clock,
                    self.best_objective,
                    self.bound if np.isfinite(self.bound) else None,
                )
            )

    def solve_lp(self) -> FloatArray | None:
        h = new_highs(self.remaining(), self.options.gap, self.options.threads)
        h.passModel(self.lp)
        h.setOptionValue("solve_relaxation", True)
        result = run(h, phase="LP relaxation", mip=False, clock_start=self.clock, progress=None)
        if result.outcome is SolveOutcome.OPTIMAL and result.objective is not None:
            self.bound = result.objective
        return result.values

    def solve_fixed(self, lower: FloatArray, upper: FloatArray, phase: str, limit: float) -> bool:
        """Solve the MIP with integer columns boxed to [lower, upper]; keep it if better."""
        h = new_highs(min(limit, self.remaining()), self.options.gap, self.options.threads)
        h.passModel(self.lp)
        h.changeColsBounds(len(self.integer), self.integer, lower, upper)
        result = run(
            h,
            phase=phase,
            mip=True,
            clock_start=self.clock,
            progress=self.options.progress,
            cutoff=self.best_objective,
        )
        if result.values is None:
            return False
        # Judge by the values themselves: HiGHS's reported objective can disagree with the
        # column values it returns after a warm start.
        objective = self.objective_of(result.values)
        if objective < self.best_objective - 1e-9 * max(1.0, abs(self.best_objective)):
            self.best_values, self.best_objective = result.values, objective
            self.report(phase)
            return True
        return False


def _family_of_integers(pm: PlanningModel, integer: IntArray) -> IntArray:
    """Item family of each integer column (opening: its line's item; tier: its pair's)."""
    index, milp = pm.index, pm.milp
    family_codes = {item.family for item in index.scenario.items}
    family_of = {code: i for i, code in enumerate(sorted(family_codes))}
    item_family = np.array([family_of[item.family] for item in index.scenario.items])
    family = np.full(milp.num_cols, -1, dtype=np.int64)
    if "open" in milp.columns:
        family[milp.columns["open"].ids()] = item_family[index.line_item[pm.open_line]]
    if "tier" in milp.columns:
        tier_pair = np.searchsorted(pm.tier_pairs.tier_start, pm.tier_binary_tier, side="right") - 1
        pair_item = index.pair_item[pm.tier_pairs.pair[tier_pair]]
        family[milp.columns["tier"].ids()] = item_family[pair_item]
    return family[integer]


def _rounded_box(pm: PlanningModel, integer: IntArray, lp: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Bounds on the integer columns after LP-guided rounding (0/1 fixed, or left free)."""
    milp = pm.milp
    lower = np.zeros(milp.num_cols)
    upper = np.zeros(milp.num_cols)
    if "open" in milp.columns:
        ids = milp.columns["open"].ids()
        values = lp[ids]
        for line in np.unique(pm.open_line):
            mine = np.flatnonzero(pm.open_line == line)
            share = values[mine].sum()
            if share >= OPEN_THRESHOLD:
                median = mine[np.searchsorted(np.cumsum(values[mine]), share / 2)]
                lower[ids[median]] = upper[ids[median]] = 1.0
    if "tier" in milp.columns:
        ids = milp.columns["tier"].ids()
        pairs = pm.tier_pairs
        volume = np.bincount(
            pm.buy_tier_pair, weights=lp[milp.columns["buy"].ids()], minlength=len(pairs.pair)
        )
        tier_pair = np.searchsorted(pairs.tier_start, pm.tier_binary_tier, side="right") - 1
        reached = pairs.tier_min[pm.tier_binary_tier] <= volume[tier_pair] + EPS
        # The highest tier reached stays free (0/1): the plan may still drop the pair.
        last = np.zeros(len(ids), dtype=bool)
        for p in np.unique(tier_pair):
            mine = np.flatnonzero((tier_pair == p) & reached)
            if len(mine):
                last[mine[-1]] = True
            elif volume[p] > EPS:
                last[np.flatnonzero(tier_pair == p)[0]] = True
        upper[ids[last]] = 1.0
    return lower[integer], upper[integer]


def solve_scalable(
    pm: PlanningModel, options: PlanOptions, clock: float
) -> tuple[FloatArray, float, bool]:
    """Best plan found within the time limit, the best proven bound, and whether it is proven."""
    search = _Search(pm, options, clock)
    search.report("LP relaxation")
    lp = search.solve_lp()
    search.report("rounding")
    if lp is None:
        return search.best_values, search.bound, False
    lower, upper = _rounded_box(pm, search.integer, lp)
    search.solve_fixed(lower, upper, "rounding", search.remaining())

    family = _family_of_integers(pm, search.integer)
    families = np.unique(family)
    improved = True
    while improved and search.remaining() > 1.0:
        improved = False
        for f in families:
            if search.remaining() <= 1.0:
                break
            incumbent = np.round(search.best_values[search.integer])
            free = family == f
            lower = np.where(free, 0.0, incumbent)
            upper = np.where(free, 1.0, incumbent)
            limit = max(1.0, NEIGHBOURHOOD_SHARE * search.remaining())
            improved |= search.solve_fixed(lower, upper, f"fix-and-optimise {f}", limit)

    if search.remaining() > 1.0:
        h = new_highs(search.remaining(), options.gap, options.threads)
        h.passModel(search.lp)
        result = run(
            h,
            phase="branch-and-cut",
            mip=True,
            clock_start=clock,
            progress=options.progress,
            cutoff=search.best_objective,
        )
        if result.bound is not None:
            search.bound = max(search.bound, result.bound)
        if result.values is not None:
            objective = search.objective_of(result.values)
            if objective < search.best_objective:
                search.best_values, search.best_objective = result.values, objective
            if result.outcome is SolveOutcome.OPTIMAL:
                return search.best_values, search.bound, True
    return search.best_values, search.bound, False
