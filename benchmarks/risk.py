"""Benchmark `forge risk` on the demo: wall time per executor and worker count.

Run on demand (not in the test suite), e.g.
    .venv/bin/python benchmarks/risk.py --samples 200 --workers 2
    .venv/bin/python benchmarks/risk.py --samples 20 --executor dask --workers 2
    .venv/bin/python benchmarks/risk.py --samples 20 --replan --time-limit 5
Prints one JSON row: wall seconds, seconds per sample, plans not proven optimal, gaps.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from importlib.resources import as_file, files
from typing import Any

from distributed import LocalCluster

from alliedforge.fanout import DaskRunner, InlineRunner, ProcessRunner
from alliedforge.planning.batch import PlanRunner
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan
from alliedforge.risk.model import default_model
from alliedforge.risk.outcome import summarise
from alliedforge.risk.run import run_risk
from alliedforge.scenario import load_scenario


def measure(
    runner: PlanRunner, samples: int, seed: int, time_limit: float, replan: bool
) -> dict[str, Any]:
    with as_file(files("alliedforge.data").joinpath("demo")) as folder:
        base = load_scenario(folder)
    done: list[float] = []
    began = time.perf_counter()

    def on_done(key: str, plan: Plan) -> None:
        done.append(time.perf_counter() - began)

    result = run_risk(
        base,
        default_model(),
        samples=samples,
        seed=seed,
        runner=runner,
        options=PlanOptions(time_limit=time_limit),
        replan=replan,
        on_done=on_done,
    )
    wall = time.perf_counter() - began
    summary = summarise(result)
    gaps = [s.mip_gap for s in result.samples if s.usable]
    return {
        "samples": samples,
        "time_limit": time_limit,
        "openings": "free" if replan else "fixed",
        "wall_seconds": round(wall, 1),
        "seconds_per_sample": round(wall / (samples + 1), 2),
        "mean_plan_seconds": round(statistics.fmean(s.seconds for s in result.samples), 2),
        "not_optimal": summary.not_optimal,
        "infeasible": summary.infeasible,
        "median_gap": statistics.median(gaps) if gaps else None,
        "max_gap": max(gaps) if gaps else None,
        "mean_shortfall": summary.shortfall.mean,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--replan", action="store_true", help="openings free in every sample")
    parser.add_argument("--executor", choices=("inline", "process", "dask"), default="process")
    parser.add_argument(
        "--highs-threads", type=int, default=1, help="HiGHS threads per worker (0: its default)"
    )
    args = parser.parse_args()
    row: dict[str, Any] = {
        "executor": args.executor,
        "workers": 1 if args.executor == "inline" else args.workers,
        "highs_threads": args.highs_threads,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    threads = args.highs_threads or None
    if args.executor == "dask":
        with LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            runner: PlanRunner = DaskRunner(cluster.scheduler_address, highs_threads=threads)
            row |= measure(runner, args.samples, args.seed, args.time_limit, args.replan)
    else:
        runner = (
            InlineRunner()
            if args.executor == "inline"
            else ProcessRunner(args.workers, highs_threads=threads)
        )
        row |= measure(runner, args.samples, args.seed, args.time_limit, args.replan)
    print(json.dumps(row))


if __name__ == "__main__":
    main()
