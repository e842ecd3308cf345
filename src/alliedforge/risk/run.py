"""A risk run: draw N samples of disruptions, plan each one on a `PlanRunner`, collect.

The base scenario is planned first (key `base`), undisrupted, so each sample can be read
against it. By default each sample keeps the base plan's openings: plants are contracted
years before a fire or a surge is known, so what is at risk is what the plan in hand
delivers once production is re-routed (planning/recourse.py). `replan=True` instead plans
each sample from scratch, as if the disruption had been foreseen. Samples are built here,
in the coordinator; the runner only plans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from alliedforge.planning.batch import PlanJob, PlanRunner
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan, PlanStatus
from alliedforge.risk.model import RiskModel
from alliedforge.risk.outcome import RiskResult, requirement_infos, sample_outcome
from alliedforge.risk.sample import draw, sample_generator
from alliedforge.scenario.model import Scenario
from alliedforge.whatif.apply import apply_changes
from alliedforge.whatif.changes import Change
from alliedforge.whatif.errors import WhatIfError

BASE_KEY = "base"
# The base plan is the reference every sample is read against: it gets at least this
# long (s) to be proven, whatever the samples' limit.
BASE_TIME_LIMIT = 120.0


class RiskSampleError(RuntimeError):
    """A drawn sample could not be applied to the base scenario (a bug, not bad input)."""


def sample_key(sample: int) -> str:
    return f"sample-{sample:05d}"


def sample_changes(base: Scenario, model: RiskModel, seed: int, sample: int) -> tuple[Change, ...]:
    """The disruptions of sample `sample` (0-based) of a run seeded with `seed`."""
    return draw(base, model, sample_generator(seed, sample))


def sample_scenario(base: Scenario, changes: tuple[Change, ...], sample: int) -> Scenario:
    try:
        return apply_changes(base, changes)
    except WhatIfError as error:
        raise RiskSampleError(f"sample {sample} does not apply: {error}") from error


def risk_jobs(
    base: Scenario, model: RiskModel, samples: range, seed: int, options: PlanOptions
) -> tuple[list[PlanJob], dict[str, tuple[int, tuple[Change, ...]]]]:
    """The jobs of the samples, and each sample key's number and changes."""
    options = replace(options, progress=None)
    jobs: list[PlanJob] = []
    drawn: dict[str, tuple[int, tuple[Change, ...]]] = {}
    for sample in samples:
        changes = sample_changes(base, model, seed, sample)
        key = sample_key(sample)
        jobs.append(PlanJob(key, sample_scenario(base, changes, sample), options))
        drawn[key] = (sample, changes)
    return jobs, drawn


def run_risk(
    base: Scenario,
    model: RiskModel,
    *,
    samples: int,
    seed: int,
    runner: PlanRunner,
    options: PlanOptions | None = None,
    replan: bool = False,
    on_done: Callable[[str, Plan], None] | None = None,
) -> RiskResult:
    """Plan the base, then `samples` disrupted copies of it, with the base plan's openings
    unless `replan`; `on_done` sees each plan. The base plan gets at least
    BASE_TIME_LIMIT: every sample is read against it."""
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    options = replace(options or PlanOptions(), progress=None)
    base_options = replace(options, time_limit=max(options.time_limit, BASE_TIME_LIMIT))
    base_plan = runner.run([PlanJob(BASE_KEY, base, base_options)], on_done)[BASE_KEY]
    if not replan and base_plan.status is not PlanStatus.INFEASIBLE:
        options = replace(options, openings=base_plan.openings)
    jobs, drawn = risk_jobs(base, model, range(samples), seed, options)
    plans = runner.run(jobs, on_done)
    requirements = requirement_infos(base)
    outcomes = {
        key: sample_outcome(number, changes, plans[key], requirements)
        for key, (number, changes) in drawn.items()
    }
    return RiskResult(
        scenario_name=base.manifest.name,
        scenario_hash=base.content_hash(),
        seed=seed,
        model=model,
        options={
            "mode": options.mode.value,
            "time_limit": options.time_limit,
            "base_time_limit": max(options.time_limit, BASE_TIME_LIMIT),
            "gap": options.gap,
            "strategy": options.strategy.value,
            "openings": "free" if replan else "fixed",
            "solver": base_plan.solver,
        },
        requirements=requirements,
        base=sample_outcome(-1, (), base_plan, requirements),
        samples=tuple(outcomes[sample_key(i)] for i in range(samples)),
    )
