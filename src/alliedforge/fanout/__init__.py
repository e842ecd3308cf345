"""Executors for batches of plans: local process pool and Dask distributed, and the choice.

`runner_for` is what the CLI and the web app call; engine code takes the `PlanRunner`
it returns and never imports this package.
"""

from __future__ import annotations

import os

from alliedforge.fanout.cluster import DaskRunner
from alliedforge.fanout.errors import FanoutError
from alliedforge.fanout.pool import ProcessRunner
from alliedforge.planning.batch import InlineRunner, PlanRunner

SCHEDULER_ENV = "ALLIEDFORGE_DASK_SCHEDULER"

__all__ = [
    "SCHEDULER_ENV",
    "DaskRunner",
    "FanoutError",
    "InlineRunner",
    "ProcessRunner",
    "runner_for",
]


def runner_for(workers: int | None = None, scheduler: str | None = None) -> PlanRunner:
    """The runner asked for: a Dask scheduler address (given, or in ALLIEDFORGE_DASK_SCHEDULER
    when `workers` is not given either) → Dask; one worker → inline; else a process pool of
    `workers` processes (None: every core)."""
    if scheduler is not None and workers is not None:
        raise FanoutError("give a number of workers or a Dask scheduler, not both")
    if scheduler is None and workers is None:
        scheduler = os.environ.get(SCHEDULER_ENV) or None
    if scheduler is not None:
        return DaskRunner(scheduler)
    if workers is not None and workers < 1:
        raise FanoutError(f"workers must be at least 1, got {workers}")
    if workers == 1:
        return InlineRunner()
    return ProcessRunner(workers)
