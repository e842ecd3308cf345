"""Many plans at once: `PlanJob`s, the `PlanRunner` protocol and the in-process runner.

A job is a whole, self-contained problem (scenario and options, no callbacks), so that
it can be pickled to a worker process or a Dask worker and a `Plan` pickled back; only
the coordinator that called `run` consumes the results. Process-pool and Dask runners
are adapters in `alliedforge.fanout`; engine code takes any `PlanRunner`.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import highspy
import numpy as np

from alliedforge.planning.highs import new_highs
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario.model import Scenario

PlanDone = Callable[[str, Plan], None]


@dataclass(frozen=True, slots=True)
class PlanJob:
    """One scenario to plan; `key` names it in results and errors (unique in a batch)."""

    key: str
    scenario: Scenario
    options: PlanOptions


class PlanJobError(RuntimeError):
    """A job failed; the message names its key. Pickles, so a worker can send it back."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(key, detail)
        self.key = key
        self.detail = detail

    def __str__(self) -> str:
        return f"plan job {self.key!r} failed: {self.detail}"


def plan_job(job: PlanJob) -> tuple[str, Plan]:
    """Plan one job (top-level, so process pools and Dask can call it by reference)."""
    try:
        return job.key, solve_plan(job.scenario, job.options)
    except Exception as error:
        raise PlanJobError(job.key, f"{type(error).__name__}: {error}") from error


_pinned: list[int | None] = []


def pin_highs_threads(threads: int | None) -> None:
    """Size this process's HiGHS thread scheduler to `threads` (None: HiGHS's default), once.

    HiGHS keeps one scheduler per process, sized by the first MIP that runs in it; a
    worker that shares the machine with other workers should use one thread, or the
    workers fight over the cores.
    """
    if _pinned:
        return
    _pinned.append(threads)
    if threads is None:
        return
    h = new_highs(time_limit=1.0, gap=0.0)
    h.setOptionValue("threads", threads)
    # A one-column MIP: the scheduler is only made when a MIP actually runs.
    h.addVars(1, np.array([0.0]), np.array([1.0]))
    h.changeColIntegrality(0, highspy.HighsVarType.kInteger)
    h.run()


def plan_pickled(payload: bytes, highs_threads: int | None) -> bytes:
    """What a worker process runs: unpickle a `PlanJob`, plan it, return the pickled
    `(key, Plan)`. Lives here so that a worker imports the planner and nothing else."""
    pin_highs_threads(highs_threads)
    job = pickle.loads(payload)
    if not isinstance(job, PlanJob):
        raise TypeError(f"expected a pickled PlanJob, got {type(job).__name__}")
    return pickle.dumps(plan_job(job), protocol=pickle.HIGHEST_PROTOCOL)


def check_jobs(jobs: Sequence[PlanJob]) -> None:
    """Refuse a batch whose keys repeat or whose options carry a progress callback
    (a callback cannot travel to a worker, and results are matched by key)."""
    seen: set[str] = set()
    for job in jobs:
        if job.key in seen:
            raise ValueError(f"plan job key {job.key!r} appears twice in the batch")
        seen.add(job.key)
        if job.options.progress is not None:
            raise ValueError(f"plan job {job.key!r}: options.progress must be None in a batch")


class PlanRunner(Protocol):
    """Plans a batch of jobs; calls `on_done(key, plan)` in the caller's thread as each
    one finishes (in any order) and returns every plan by key."""

    def run(self, jobs: Sequence[PlanJob], on_done: PlanDone | None = None) -> dict[str, Plan]:
        """Plan every job; a failed job raises `PlanJobError` naming its key."""
        ...


class InlineRunner:
    """Plans the jobs one after another in this process: no start-up cost, one core."""

    def run(self, jobs: Sequence[PlanJob], on_done: PlanDone | None = None) -> dict[str, Plan]:
        check_jobs(jobs)
        plans: dict[str, Plan] = {}
        for job in jobs:
            key, plan = plan_job(job)
            plans[key] = plan
            if on_done is not None:
                on_done(key, plan)
        return plans
