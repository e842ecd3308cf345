"""Benchmark the planner from `medium` to alliance scale, one fresh subprocess per run."""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ALLIEDFORGE_SHARED", REPO.parent / "shared"))


@dataclass(frozen=True)
class Size:
    """A generated scenario size: nations, items, families, lines, requirements, months."""

    nations: int
    items: int
    families: int
    lines: int
    requirements: int
    months: int


# `medium` is the golden scenario; the others are generated (seed 1) with budgets,
# components and commitments switched on.
SIZES: dict[str, Size | None] = {
    "medium": None,
    "s1": Size(12, 60, 8, 40, 300, 48),
    "s2": Size(24, 150, 15, 100, 800, 60),
    "alliance": Size(32, 300, 30, 200, 1500, 60),
}
STRATEGIES = ("exact", "scalable")
Row = dict[str, Any]


def child(size: str, strategy: str, mode: str, time_limit: float) -> Row:
    """One run, in this (fresh) process: build, then plan, then read the peak RSS."""
    from alliedforge.planning import Mode, PlanOptions, Progress, Strategy, solve_plan
    from alliedforge.planning.index import build_index
    from alliedforge.planning.model import build_model
    from alliedforge.scenario import load_scenario
    from alliedforge.scenario.generate import generate_scenario

    shape = SIZES[size]
    if shape is None:
        scenario = load_scenario(SHARED / "scenarios" / size)
    else:
        scenario = generate_scenario(
            **vars(shape), seed=1, budgets=True, components=True, commitments=True
        )
    began = time.perf_counter()
    pm = build_model(build_index(scenario), Mode(mode))
    build = time.perf_counter() - began
    milp = pm.milp
    shape_row = {
        "columns": milp.num_cols,
        "rows": milp.num_rows,
        "nonzeros": milp.num_entries,
        "binaries": int(milp.integrality().sum()),
    }
    del pm, milp
    gc.collect()

    phases: list[Row] = []

    def on_progress(p: Progress) -> None:
        phases.append(
            {"phase": p.phase, "elapsed": p.elapsed, "objective": p.objective, "bound": p.bound}
        )

    options = PlanOptions(
        mode=Mode(mode),
        time_limit=time_limit,
        gap=1e-4,
        strategy=Strategy(strategy),
        progress=on_progress,
    )
    plan = solve_plan(scenario, options)
    total = plan.build_seconds + plan.solve_seconds
    usage = resource.getrusage(resource.RUSAGE_SELF)
    first = next((p["elapsed"] for p in phases if p["objective"] is not None), None)
    return {
        "size": size,
        "strategy": strategy,
        "mode": mode,
        "ran": plan.strategy,
        **shape_row,
        "build_s": build,
        "plan_build_s": plan.build_seconds,
        "solve_s": plan.solve_seconds,
        "total_s": total,
        "build_share": plan.build_seconds / total,
        # No report before the end (a quick solve) means the first plan is the final one.
        "first_feasible_s": first if first is not None else total,
        "status": plan.status.value,
        "objective": plan.objective,
        "bound": plan.bound,
        "gap": plan.mip_gap,
        "peak_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "phases": phases,
    }


def machine() -> Row:
    """CPU model, cores, RAM, Python and HiGHS versions of this machine."""
    cpu = meminfo = ""
    with open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    with open("/proc/meminfo") as f:
        meminfo = next((ln.split()[1] for ln in f if ln.startswith("MemTotal")), "0")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(int(meminfo) / 1024**2, 1),
        "python": platform.python_version(),
        "highs": "highspy " + version("highspy"),
    }


def code_version() -> str:
    """The commit, whether src/ differs from it, and a digest of the package's sources."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout

    modified = " (src modified)" if git("status", "--porcelain", "--", "src").strip() else ""
    digest = hashlib.sha256()
    for path in sorted((REPO / "src").rglob("*.py")):
        digest.update(path.read_bytes())
    return f"{git('rev-parse', '--short', 'HEAD').strip()}{modified} src:{digest.hexdigest()[:12]}"


def spawn(size: str, strategy: str, mode: str, time_limit: float) -> Row:
    """Run `child` in a fresh interpreter so memory and HiGHS state are the run's own."""
    args = [sys.executable, __file__, "--child", size, strategy, mode, str(time_limit)]
    before, wall = _busy_seconds(), time.perf_counter()
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=3 * time_limit + 120, check=False
        )
    except subprocess.TimeoutExpired:
        return {"size": size, "strategy": strategy, "mode": mode, "status": "killed (timeout)"}
    if done.returncode != 0:
        error = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return {"size": size, "strategy": strategy, "mode": mode, "status": "error: " + error[0]}
    row: Row = json.loads(done.stdout.strip().splitlines()[-1])
    # CPU time the machine spent on anything but this run, as a share of its cores.
    others = _busy_seconds() - before - row["cpu_s"]
    row["others_cpu"] = max(others, 0.0) / ((time.perf_counter() - wall) * (os.cpu_count() or 1))
    return row


def _busy_seconds() -> float:
    """Non-idle CPU seconds of the whole machine since boot, over all cores (/proc/stat)."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def table(rows: list[Row]) -> str:
    """The results as a markdown table (phases left to the JSON)."""
    head = (
        "| size | strategy | mode | cols | rows | nonzeros | binaries | build s | solve s "
        "| build share | first plan s | objective | bound | gap | status | peak MB | others' CPU |"
    )
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        if "objective" not in r:
            lines.append(
                f"| {r['size']} | {r['strategy']} | {r['mode']} |"
                + " |" * 11
                + f" {r['status']} | | |"
            )
            continue
        lines.append(
            f"| {r['size']} | {r['strategy']} | {r['mode']} | {r['columns']:,} | {r['rows']:,} "
            f"| {r['nonzeros']:,} | {r['binaries']:,} | {r['plan_build_s']:.2f} "
            f"| {r['solve_s']:.1f} | {r['build_share']:.1%} | {r['first_feasible_s']:.1f} "
            f"| {r['objective']:,.0f} | {r['bound']:,.0f} | {r['gap']:.2e} | {r['status']} "
            f"| {r['peak_mb']:,.0f} | {r['others_cpu']:.0%} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        _, _, size, strategy, mode, limit = sys.argv
        print(json.dumps(child(size, strategy, mode, float(limit))))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results.json")
    parser.add_argument(
        "--national",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also plan medium in national mode (exact), for joint vs national",
    )
    args = parser.parse_args()
    sizes, strategies = args.sizes.split(","), args.strategies.split(",")
    for name, known in [*((n, SIZES) for n in sizes), *((n, STRATEGIES) for n in strategies)]:
        if name not in known:
            parser.error(f"unknown {name!r}; choose from {', '.join(known)}")
    runs = [(size, strategy, "joint") for size in sizes for strategy in strategies]
    if args.national and "medium" in sizes and "exact" in strategies:
        runs.append(("medium", "exact", "national"))
    code = code_version()
    rows: list[Row] = []
    for size, strategy, mode in runs:
        print(f"running {size} {strategy} {mode} ...", file=sys.stderr, flush=True)
        rows.append(spawn(size, strategy, mode, args.time_limit))
        print(f"  {rows[-1]['status']}", file=sys.stderr, flush=True)
    result = {
        "command": " ".join(sys.orig_argv),
        "code": code,
        "machine": machine(),
        "time_limit": args.time_limit,
        "runs": rows,
    }
    if code_version() != code:
        result["code_after"] = code_version()
        print("warning: the sources changed during the runs", file=sys.stderr)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
