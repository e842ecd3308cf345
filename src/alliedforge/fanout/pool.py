"""`ProcessRunner`: plan a batch on a local process pool, one HiGHS thread per worker."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed

from alliedforge.planning.batch import PlanDone, PlanJob, check_jobs, plan_pickled
from alliedforge.planning.plan import Plan


class ProcessRunner:
    """Plans jobs in `workers` processes (None: every core).

    Workers are spawned, not forked: the coordinator may run threads (a progress bar,
    a web server) that a fork would copy mid-flight.
    """

    def __init__(self, workers: int | None = None, *, highs_threads: int | None = 1) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers or os.cpu_count() or 1
        self.highs_threads = highs_threads

    def run(self, jobs: Sequence[PlanJob], on_done: PlanDone | None = None) -> dict[str, Plan]:
        check_jobs(jobs)
        if not jobs:
            return {}
        plans: dict[str, Plan] = {}
        context = multiprocessing.get_context("spawn")
        workers = min(self.workers, len(jobs))
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures: list[Future[bytes]] = [
                pool.submit(plan_pickled, pickle.dumps(job), self.highs_threads) for job in jobs
            ]
            try:
                for future in as_completed(futures):
                    key, plan = pickle.loads(future.result())
                    plans[key] = plan
                    if on_done is not None:
                        on_done(key, plan)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return plans
