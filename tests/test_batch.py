"""Batches of plans: inline and on a local process pool, same plans, located failures."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest

from alliedforge.fanout import DaskRunner, FanoutError, InlineRunner, ProcessRunner, runner_for
from alliedforge.planning.batch import PlanJob, PlanJobError, plan_job
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan
from alliedforge.planning.solve import solve_plan
from alliedforge.scenario.model import Scenario

from builders import active, make_scenario, req, tier

OPTIONS = PlanOptions(time_limit=20.0)


def shells(capacity: float) -> Scenario:
    return make_scenario(
        lines=[active("L1", capacity), active("L2", 30, supplier="S2")],
        prices=[tier(0, 10.0), tier(0, 14.0, supplier="S2")],
        requirements=[req("R1", 200, "2027-04"), req("R2", 300, "2027-09", nation="BBB")],
    )


def jobs() -> list[PlanJob]:
    return [PlanJob(f"cap-{c}", shells(c), OPTIONS) for c in (10, 25, 40, 60)]


def comparable(plan: Plan) -> Plan:
    """A plan without its timings, which differ from run to run."""
    return replace(plan, build_seconds=0.0, solve_seconds=0.0)


def test_inline_runner_plans_each_job_as_solve_plan_does() -> None:
    seen: list[str] = []
    plans = InlineRunner().run(jobs(), lambda key, plan: seen.append(key))
    assert seen == [j.key for j in jobs()]
    for job in jobs():
        assert comparable(plans[job.key]) == comparable(solve_plan(job.scenario, job.options))


def test_process_pool_gives_the_inline_plans() -> None:
    seen: list[str] = []
    pooled = ProcessRunner(2).run(jobs(), lambda key, plan: seen.append(key))
    inline = InlineRunner().run(jobs())
    assert sorted(seen) == sorted(inline)
    assert {k: comparable(p) for k, p in pooled.items()} == {
        k: comparable(p) for k, p in inline.items()
    }


def broken_job() -> PlanJob:
    # A scenario that skipped validation: its line makes an item the scenario lacks.
    return PlanJob("broken", replace(shells(10), items=()), OPTIONS)


def test_a_failed_job_is_named_inline_and_in_a_pool() -> None:
    with pytest.raises(PlanJobError, match="plan job 'broken' failed: KeyError"):
        InlineRunner().run([jobs()[0], broken_job()])
    with pytest.raises(PlanJobError, match="plan job 'broken' failed: KeyError"):
        ProcessRunner(2).run([*jobs()[:2], broken_job()])


def test_job_errors_survive_pickling() -> None:
    with pytest.raises(PlanJobError) as caught:
        plan_job(broken_job())
    again = pickle.loads(pickle.dumps(caught.value))
    assert (again.key, str(again)) == ("broken", str(caught.value))


def test_batches_refuse_repeated_keys_and_progress_callbacks() -> None:
    job = jobs()[0]
    with pytest.raises(ValueError, match="appears twice"):
        InlineRunner().run([job, job])
    talking = replace(job, options=replace(OPTIONS, progress=print))
    with pytest.raises(ValueError, match="progress must be None"):
        ProcessRunner(2).run([talking])


def test_runner_for_picks_the_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLIEDFORGE_DASK_SCHEDULER", raising=False)
    assert isinstance(runner_for(1, None), InlineRunner)
    pool = runner_for(None, None)
    assert isinstance(pool, ProcessRunner)
    assert pool.workers >= 1
    assert isinstance(runner_for(3, None), ProcessRunner)
    dask = runner_for(None, "tcp://127.0.0.1:1")
    assert isinstance(dask, DaskRunner)
    assert dask.address == "tcp://127.0.0.1:1"
    monkeypatch.setenv("ALLIEDFORGE_DASK_SCHEDULER", "tcp://10.0.0.9:8786")
    from_env = runner_for(None, None)
    assert isinstance(from_env, DaskRunner)
    assert from_env.address == "tcp://10.0.0.9:8786"
    assert isinstance(runner_for(2, None), ProcessRunner)  # an explicit count wins
    with pytest.raises(FanoutError, match="not both"):
        runner_for(2, "tcp://127.0.0.1:1")
