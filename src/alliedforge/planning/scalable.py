"""The scalable strategy for alliance-size plans: blocks, LP bound, LP-guided allocation.

Item families (more precisely, connected blocks of lines, requirement groups and
tier-pairs) interact only through budgets and component supply. So:

0. Blocks that nothing couples are independent MIPs: each is solved exactly.
1. In a background thread, HiGHS solves the LP relaxation of the whole model:
   its value is a proven lower bound, and its solution says how much of each
   budget and component each block should get.
2. Meanwhile, within a fifth of the time limit, blocks are solved one by one as
   small exact MIPs, most shortfall cost per euro first: without the shared limits
   (the sum of their proven bounds is a lower bound too), then — only if that
   answer does not fit in what the blocks before it left of the shared budgets
   and components — again within that remainder. Together: a first plan.
3. The plan is rebuilt with blocks ordered by their measured saving per unit of
   shared limit, and kept if better.
4. Block-coordinate improvement: each block is re-solved with everything the
   others leave it, its current cost as cutoff; a block never gets worse, so the
   plan only improves.
5. When the LP is in, every block is re-solved with the LP's share of the shared
   limits (they add up to at most each limit, so the result is feasible); it is
   kept when better. Improvement rounds continue until a pass brings nothing or
   time is up.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import scipy.sparse as sp

from alliedforge.planning.blocks import Blocks, find_blocks
from alliedforge.planning.highs import SolveOutcome, new_highs, run
from alliedforge.planning.index import FloatArray, IntArray, weighted_count
from alliedforge.planning.model import PlanningModel
from alliedforge.planning.options import PlanOptions, Progress

# A pass over the blocks may use this share of the time left, split by block size.
BLOCK_SHARE = 0.6
MIN_BLOCK_SECONDS = 0.3
# The first plan should come within this share of the time limit.
FIRST_PLAN_SHARE = 0.2
# Shared-limit slack (units or currency) within which a block's answer still fits.
FIT_TOLERANCE = 1e-6
# Improvements smaller than this (relative to the objective) end the search.
MIN_IMPROVEMENT = 1e-7


class _BackgroundLp:
    """The whole model's LP relaxation, solved on a second thread (HiGHS frees the GIL)."""

    def __init__(self, pm: PlanningModel, options: PlanOptions, time_limit: float) -> None:
        self.values: FloatArray | None = None
        self.bound: float | None = None
        self.h = new_highs(time_limit, options.gap)
        self.h.passModel(pm.milp.to_highs())
        self.h.setOptionValue("solve_relaxation", True)
        # Interior point (with crossover, so the bound is exact) beats dual simplex by
        # about a third on alliance-scale relaxations (docs/benchmarks.md).
        self.h.setOptionValue("solver", "ipm")
        self.thread = threading.Thread(target=self._solve, daemon=True)
        self.thread.start()

    def _solve(self) -> None:
        result = run(self.h, phase="LP relaxation", mip=False, clock_start=0.0, progress=None)
        if result.outcome is SolveOutcome.OPTIMAL:
            self.values, self.bound = result.values, result.objective

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()

    def stop(self) -> None:
        """Interrupt the LP (it stops at its next check) and wait for the thread."""
        self.h.cancelSolve()  # type: ignore[no-untyped-call]
        self.thread.join()


class _Search:
    """The incumbent plan, the shared-limit activity of each block, and the clock."""

    def __init__(self, pm: PlanningModel, blocks: Blocks, options: PlanOptions, clock: float):
        self.pm, self.blocks, self.options, self.clock = pm, blocks, options, clock
        self.values: FloatArray = np.zeros(pm.milp.num_cols)
        self.coupling: sp.csr_matrix = blocks.matrix.tocsr()[blocks.coupling, :]
        self.capacity = blocks.row_upper[blocks.coupling]
        self.bound = -np.inf

    @property
    def objective(self) -> float:
        return float(self.blocks.cost @ self.values) + self.pm.milp.offset

    def gap(self) -> float:
        """Relative distance from the incumbent to the best bound (inf without a bound)."""
        return (self.objective - self.bound) / max(abs(self.objective), 1e-9)

    def remaining(self) -> float:
        return self.options.time_limit - (time.perf_counter() - self.clock)

    def report(self, phase: str, *, partial: bool = False) -> None:
        """Tell the caller where the search is; a `partial` plan has no objective yet."""
        if self.options.progress is not None:
            self.options.progress(
                Progress(
                    phase,
                    time.perf_counter() - self.clock,
                    None if partial else self.objective,
                    self.bound if np.isfinite(self.bound) else None,
                )
            )

    def usage(self, block: int, values: FloatArray) -> FloatArray:
        cols = self.blocks.columns[block]
        usage: FloatArray = self.coupling[:, cols] @ values[cols]
        return usage

    def left_for(self, block: int) -> FloatArray:
        """What the other blocks leave of each shared limit (never less than block's own use)."""
        own = self.usage(block, self.values)
        others: FloatArray = self.coupling @ self.values - own
        left: FloatArray = np.maximum(self.capacity - others, own)
        return left

    def time_for(self, block: int, pending: IntArray, seconds: float | None = None) -> float:
        """A block's share of `seconds` (default: a share of the time left) among the
        blocks still `pending` in this pass, in proportion to their sizes."""
        sizes = self.blocks.sizes
        share = float(sizes[block]) / max(1, int(sizes[pending].sum()))
        budget = self.remaining() * BLOCK_SHARE if seconds is None else seconds
        return max(MIN_BLOCK_SECONDS, budget * share)

    def solve_relaxed(self, block: int, limit: float) -> tuple[FloatArray | None, float, bool]:
        """The block alone with no shared limit: its best answer, its proven bound, and
        whether that answer is proven optimal."""
        h = new_highs(min(limit, self.remaining()), self.options.gap)
        h.passModel(self.blocks.sub_model(block, np.full(len(self.blocks.row_upper), np.inf)))
        result = run(h, phase="relaxed", mip=True, clock_start=self.clock, progress=None)
        bound = -np.inf if result.bound is None else result.bound
        return result.values, bound, result.outcome is SolveOutcome.OPTIMAL

    def fits(self, block: int, values: FloatArray) -> bool:
        cols = self.blocks.columns[block]
        trial = np.zeros_like(self.values)
        trial[cols] = values
        return bool(np.all(self.usage(block, trial) <= self.left_for(block) + FIT_TOLERANCE))

    def solve_block(self, block: int, allowance: FloatArray, limit: float, phase: str) -> bool:
        """Re-solve one block under `allowance` of the shared limits; keep it if cheaper."""
        cols = self.blocks.columns[block]
        current = float(self.blocks.cost[cols] @ self.values[cols])
        upper = self.blocks.row_upper.copy()
        upper[self.blocks.coupling] = allowance
        h = new_highs(min(limit, self.remaining()), self.options.gap)
        h.passModel(self.blocks.sub_model(block, upper))
        result = run(
            h, phase=phase, mip=True, clock_start=self.clock, progress=None, cutoff=current
        )
        if result.values is None:
            return False
        candidate = float(self.blocks.cost[cols] @ result.values)
        if candidate >= current - MIN_IMPROVEMENT * max(1.0, abs(self.objective)):
            return False
        self.values[cols] = result.values
        return True


def solve_scalable(
    pm: PlanningModel, options: PlanOptions, clock: float
) -> tuple[FloatArray, float, bool]:
    """Best plan found within the time limit, the best proven bound, and whether it is proven."""
    blocks = find_blocks(pm)
    search = _Search(pm, blocks, options, clock)
    if len(blocks.coupling) == 0:
        return _solve_separable(search)
    background = _BackgroundLp(pm, options, search.remaining())
    try:
        order = range(blocks.count)
        relaxed_bound = pm.milp.offset
        relaxed: list[FloatArray | None] = [None] * blocks.count
        first_order = _value_per_euro_order(pm, blocks)
        first_deadline = time.perf_counter() + FIRST_PLAN_SHARE * search.remaining()
        for rank, block in enumerate(first_order):
            seconds = first_deadline - time.perf_counter()
            limit = search.time_for(block, first_order[rank:], seconds)
            values, bound, _ = search.solve_relaxed(block, limit)
            relaxed[block] = values
            relaxed_bound += bound
            if values is not None and search.fits(block, values):
                search.values[blocks.columns[block]] = values
            else:
                search.solve_block(block, search.left_for(block), limit, "first plan")
            # No plan or bound yet, but a long first pass should still show it is moving.
            search.report(f"first plan: block {rank + 1} of {blocks.count}", partial=True)
        search.bound = relaxed_bound
        search.report(f"first plan ({blocks.count} blocks)")
        _rebuild_by_value(search, relaxed)
        search.report("rebuilt by value per shared unit")

        guided = False
        improved = True
        while search.remaining() > 0.5:
            if background.done and not guided:
                guided = True
                if background.bound is not None:
                    search.bound = max(search.bound, background.bound)
                if background.values is not None:
                    improved = _lp_guided_pass(search, background.values) or improved
                    search.report("LP-guided allocation")
                continue
            if not improved:
                if guided:
                    break
                # Nothing left to gain block by block: wait for the LP's allocation.
                background.thread.join(timeout=max(search.remaining() - 0.5, 0.0))
                continue
            if search.gap() <= options.gap:
                break
            improved = False
            for block in order:
                if search.remaining() <= 0.5:
                    break
                limit = search.time_for(block, np.arange(blocks.count))
                improved |= search.solve_block(block, search.left_for(block), limit, "improve")
            search.report("block improvement")
    finally:
        background.stop()
    if background.bound is not None:
        search.bound = max(search.bound, background.bound)
    return search.values, search.bound, False


def _solve_separable(search: _Search) -> tuple[FloatArray, float, bool]:
    """No budget or component couples the blocks: solve each one exactly, on its own."""
    blocks = search.blocks
    bound, proven = search.pm.milp.offset, True
    pending = np.arange(blocks.count)
    for block in range(blocks.count):
        limit = search.time_for(block, pending[block:], search.remaining())
        values, block_bound, optimal = search.solve_relaxed(block, limit)
        bound += block_bound
        proven &= optimal
        if values is not None:
            search.values[blocks.columns[block]] = values
    search.bound = bound
    search.report(f"{blocks.count} independent blocks")
    return search.values, bound, proven


def _value_per_euro_order(pm: PlanningModel, blocks: Blocks) -> IntArray:
    """Blocks ordered by shortfall cost at stake per euro of their cheapest tier price.

    A first guess of who should get the shared budgets first, before any block is solved.
    """
    milp, index = pm.milp, pm.index
    at_stake = np.zeros(blocks.count)
    if "serve" in milp.columns:
        serve_block = blocks.column_block[milp.columns["serve"].ids()]
        req_block = np.full(len(index.req_codes), -1, dtype=np.int64)
        req_block[pm.serve_req] = serve_block
        mine = req_block >= 0
        weight = index.req_shortfall_cost * index.req_quantity
        at_stake = weighted_count(req_block[mine], weight[mine], minlength=blocks.count)
    cheapest = np.full(blocks.count, np.inf)
    buy_block = blocks.column_block[milp.columns["buy"].ids()]
    np.minimum.at(cheapest, buy_block, pm.tier_pairs.tier_price[pm.buy_tier])
    units = np.zeros(blocks.count)
    if "serve" in milp.columns:
        units = weighted_count(req_block[mine], index.req_quantity[mine], minlength=blocks.count)
    value = at_stake / np.maximum(units * cheapest, 1e-9)
    order: IntArray = np.argsort(-value, kind="stable")
    return order


def _rebuild_by_value(search: _Search, relaxed: list[FloatArray | None]) -> None:
    """Rebuild the plan serving first the blocks that save most per unit of shared limits.

    The first plan hands budgets and components out in block order; when they bind,
    a block that saves more per euro (or per component unit) should go first.
    """
    blocks = search.blocks
    zero = np.zeros_like(search.values)
    density = np.zeros(blocks.count)
    for block, values in enumerate(relaxed):
        if values is None:
            continue
        cols = blocks.columns[block]
        trial = zero.copy()
        trial[cols] = values
        share = search.usage(block, trial) / np.maximum(search.capacity, 1e-9)
        density[block] = -float(blocks.cost[cols] @ values) / (1e-9 + float(share.sum()))
    order = np.argsort(-density, kind="stable")
    trial_search = _Search(search.pm, blocks, search.options, search.clock)
    for rank, block in enumerate(order):
        if trial_search.remaining() <= 0.5:
            return
        values = relaxed[block]
        if values is not None and trial_search.fits(block, values):
            trial_search.values[blocks.columns[block]] = values
        else:
            limit = trial_search.time_for(block, order[rank:])
            trial_search.solve_block(block, trial_search.left_for(block), limit, "rebuild")
    if trial_search.objective < search.objective:
        search.values = trial_search.values


def _lp_guided_pass(search: _Search, lp: FloatArray) -> bool:
    """Give every block the LP's share of each shared limit and re-solve it; keep if better."""
    blocks = search.blocks
    shares = [search.usage(b, lp) for b in range(blocks.count)]
    total = np.sum(shares, axis=0)
    slack = np.maximum(search.capacity - total, 0.0)
    trial = _Search(search.pm, blocks, search.options, search.clock)
    for block in range(blocks.count):
        if trial.remaining() <= 0.5:
            return False
        # The LP's share plus an equal part of what the LP left unused.
        allowance = np.maximum(shares[block], 0.0) + slack / blocks.count
        limit = trial.time_for(block, np.arange(block, blocks.count))
        trial.solve_block(block, allowance, limit, "LP-guided allocation")
    if trial.objective < search.objective:
        search.values = trial.values
        return True
    return False
