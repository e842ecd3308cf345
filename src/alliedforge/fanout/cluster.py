"""`DaskRunner`: plan a batch on a Dask distributed cluster.

Workers get pickled jobs and send pickled plans back; they need AlliedForge installed,
and nothing else from the coordinator (no database, no files).
"""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Sequence

from distributed import Client, Future, as_completed

from alliedforge.fanout.errors import FanoutError
from alliedforge.planning.batch import PlanDone, PlanJob, check_jobs, plan_pickled
from alliedforge.planning.plan import Plan

CONNECT_TIMEOUT_SECONDS = 5.0


class DaskRunner:
    """Plans jobs on the Dask scheduler at `address` (e.g. `tcp://host:8786`)."""

    def __init__(
        self,
        address: str,
        *,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        highs_threads: int | None = 1,
    ) -> None:
        self.address = address
        self.connect_timeout = connect_timeout
        self.highs_threads = highs_threads

    def connect(self) -> Client:
        """A client on the scheduler, or a `FanoutError` naming the address."""
        try:
            return Client(  # type: ignore[no-untyped-call]
                self.address, timeout=self.connect_timeout
            )
        except (OSError, ValueError, TypeError) as error:
            raise FanoutError(
                f"cannot reach the Dask scheduler at {self.address} "
                f"(waited {self.connect_timeout:g} s): {error}"
            ) from None

    def run(self, jobs: Sequence[PlanJob], on_done: PlanDone | None = None) -> dict[str, Plan]:
        check_jobs(jobs)
        if not jobs:
            return {}
        plans: dict[str, Plan] = {}
        batch = uuid.uuid4().hex[:12]
        with self.connect() as client:
            futures: list[Future[bytes]] = [
                client.submit(
                    plan_pickled,
                    pickle.dumps(job),
                    self.highs_threads,
                    key=f"alliedforge-plan-{batch}-{i}",
                    pure=False,
                )
                for i, job in enumerate(jobs)
            ]
            try:
                for future in as_completed(futures):  # type: ignore[no-untyped-call]
                    key, plan = pickle.loads(future.result())
                    plans[key] = plan
                    if on_done is not None:
                        on_done(key, plan)
            except BaseException:
                client.cancel(futures)
                raise
        return plans
