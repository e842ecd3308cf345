"""Plans on a real Dask cluster (`distributed.LocalCluster`, two worker processes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from distributed import LocalCluster

from alliedforge.fanout import DaskRunner, FanoutError
from alliedforge.planning.batch import InlineRunner, PlanJobError
from alliedforge.risk.run import run_risk
from test_batch import broken_job, comparable, jobs
from test_risk_run import OPTIONS, risk_scenario, stormy_model


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_gives_the_inline_plans(scheduler: str) -> None:
    seen: list[str] = []
    remote = DaskRunner(scheduler).run(jobs(), lambda key, plan: seen.append(key))
    inline = InlineRunner().run(jobs())
    assert sorted(seen) == sorted(inline)
    assert {k: comparable(p) for k, p in remote.items()} == {
        k: comparable(p) for k, p in inline.items()
    }


def test_a_failed_job_comes_back_named(scheduler: str) -> None:
    with pytest.raises(PlanJobError, match="plan job 'broken' failed: KeyError"):
        DaskRunner(scheduler).run([jobs()[0], broken_job()])


def test_a_risk_run_on_dask_equals_the_inline_run(scheduler: str) -> None:
    def run(runner: DaskRunner | InlineRunner) -> list[object]:
        result = run_risk(
            risk_scenario(), stormy_model(), samples=4, seed=5, runner=runner, options=OPTIONS
        )
        return [replace(s, seconds=0.0) for s in (result.base, *result.samples)]

    assert run(DaskRunner(scheduler)) == run(InlineRunner())


def test_an_unreachable_scheduler_is_named() -> None:
    runner = DaskRunner("tcp://127.0.0.1:9", connect_timeout=1.0)
    with pytest.raises(
        FanoutError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        runner.run(jobs())
