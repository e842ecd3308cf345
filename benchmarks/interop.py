"""Benchmark `forge interop-value` on the demo: wall time, candidates solved, value intervals.

Usage: .venv/bin/python benchmarks/interop.py [--workers 2] [--time-limit 30] [--refine 4]
    [--no-reverse]
Prints one JSON document: timings, counts by basis, and the top of each ranking.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from collections import Counter
from importlib.resources import as_file, files

from alliedforge.fanout import runner_for
from alliedforge.interop.value import DEFAULT_REFINE, InteropValue, rank_interop
from alliedforge.planning.options import PlanOptions
from alliedforge.scenario import load_scenario


def _top(values: tuple[InteropValue, ...], count: int) -> list[dict[str, object]]:
    return [
        {
            "pair": f"{v.candidate.item}@{v.candidate.weapon_system}",
            "value": round(v.value),
            "low": round(v.low),
            "high": round(v.high) if math.isfinite(v.high) else None,  # open until refined
            "basis": v.basis.value,
        }
        for v in values[:count]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--refine", type=int, default=DEFAULT_REFINE)
    parser.add_argument("--reverse", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    with as_file(files("alliedforge.data").joinpath("demo")) as folder:
        scenario = load_scenario(folder)
    began = time.perf_counter()
    ranking = rank_interop(
        scenario,
        runner_for(args.workers, None),
        reverse=args.reverse,
        options=PlanOptions(time_limit=args.time_limit),
        refine=args.refine,
    )
    seconds = time.perf_counter() - began
    values = ranking.gains + ranking.holdings
    result = {
        "workers": args.workers,
        "time_limit": args.time_limit,
        "reverse": args.reverse,
        "refine": args.refine,
        "seconds": round(seconds, 1),
        "base_seconds": round(ranking.base.build_seconds + ranking.base.solve_seconds, 1),
        "candidates": len(values),
        "by_basis": dict(Counter(v.basis.value for v in values)),
        "nonzero": sum(1 for v in values if v.value > 0),
        "top_gains": _top(ranking.gains, 10),
        "top_holdings": _top(ranking.holdings, 10),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
