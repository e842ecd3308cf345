"""Run HiGHS on an assembled model: options, live progress, status and solution read-back."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import version
from typing import Any

import highspy
import numpy as np

from alliedforge.planning.index import FloatArray
from alliedforge.planning.options import Progress, ProgressCallback

SOLVER = "HiGHS " + version("highspy")
# Progress reports are throttled: a terminal or an SSE stream needs no more.
REPORT_EVERY_SECONDS = 0.5


class SolveOutcome(StrEnum):
    """What a HiGHS run ended with, reduced to what the planner acts on."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # stopped by a limit with a solution in hand
    NO_SOLUTION = "no_solution"
    INFEASIBLE = "infeasible"


@dataclass(frozen=True)
class SolveResult:
    outcome: SolveOutcome
    values: FloatArray | None
    objective: float | None
    bound: float | None
    seconds: float


def _silent_instance() -> highspy.Highs:
    """A HiGHS instance; the first one in a process prints a banner on the C stdout, so
    that stream is pointed at /dev/null while it is made (a CLI's output is its own)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs(time_limit: float, gap: float) -> highspy.Highs:
    """A silent HiGHS instance with the limits of this run.

    Threads are left to HiGHS: its scheduler is global to the process, and asking a
    later instance for another thread count makes that instance's run fail.
    """
    h = _silent_instance()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("random_seed", 0)
    return h


def run(
    h: highspy.Highs,
    *,
    phase: str,
    mip: bool,
    clock_start: float,
    progress: ProgressCallback | None,
    offset_known: float = 0.0,
    cutoff: float | None = None,
) -> SolveResult:
    """Solve whatever model `h` holds; report MIP progress through `progress`."""
    last = [0.0]

    def on_interrupt(event: Any) -> None:
        now = time.perf_counter()
        if progress is None or now - last[0] < REPORT_EVERY_SECONDS:
            return
        last[0] = now
        out = event.data_out
        primal = float(out.mip_primal_bound)
        dual = float(out.mip_dual_bound)
        progress(
            Progress(
                phase=phase,
                elapsed=now - clock_start,
                objective=primal + offset_known if abs(primal) < 1e300 else None,
                bound=dual + offset_known if abs(dual) < 1e300 else None,
            )
        )

    if progress is not None:
        h.cbMipInterrupt.subscribe(on_interrupt)
    if cutoff is not None:
        # An incumbent's objective prunes the search. The incumbent itself is not passed
        # (setSolution): HiGHS 1.16 can misprice a user solution and then call it optimal.
        h.setOptionValue("objective_bound", float(cutoff))
    began = time.perf_counter()
    if h.run() == highspy.HighsStatus.kError:
        raise RuntimeError(f"HiGHS failed in phase {phase!r} (status {h.getModelStatus()})")
    seconds = time.perf_counter() - began
    if progress is not None:
        h.cbMipInterrupt.unsubscribe(on_interrupt)

    status = h.getModelStatus()
    info = h.getInfo()
    ms = highspy.HighsModelStatus
    if status == ms.kModelEmpty:
        # Nothing to decide (no usable arc): the empty plan is optimal.
        offset = float(h.getLp().offset_)
        return SolveResult(SolveOutcome.OPTIMAL, np.zeros(0), offset, offset, seconds)
    if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return SolveResult(SolveOutcome.INFEASIBLE, None, None, None, seconds)
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value, dtype=float) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else None
    bound = float(info.mip_dual_bound) if mip else objective
    if bound is not None and abs(bound) >= 1e300:
        bound = None
    if status == ms.kOptimal:
        outcome = SolveOutcome.OPTIMAL
    elif has_solution:
        outcome = SolveOutcome.FEASIBLE
    else:
        outcome = SolveOutcome.NO_SOLUTION
    return SolveResult(outcome, values, objective, bound, seconds)
