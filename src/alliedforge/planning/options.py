"""Options of a plan run and the progress reports it emits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from alliedforge.planning.plan import Mode, Opening


class Strategy(StrEnum):
    """How the plan is searched for."""

    AUTO = "auto"  # exact MIP when the model is small enough, else the scalable strategy
    EXACT = "exact"  # HiGHS branch-and-cut on the whole MIP
    SCALABLE = "scalable"  # LP bound, LP-guided rounding, fix-and-optimise


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of a running solve; objective/bound are None until known."""

    phase: str
    elapsed: float
    objective: float | None
    bound: float | None

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """What a plan run is asked: mode, wall-clock limit (s), relative MIP gap, strategy,
    whether each priority's shortfall is spread over nations (`fair_share`), and a
    `cutoff` (currency): an objective some plan of this scenario is known to beat or reach,
    so that the search may prune whatever cannot do better (what-if ranking), and
    `openings`: when given, exactly these lines open at these decision months and the
    planner only re-routes production and re-chooses tiers (planning/recourse.py)."""

    mode: Mode = Mode.JOINT
    time_limit: float = 120.0
    gap: float = 1e-4
    strategy: Strategy = Strategy.AUTO
    progress: ProgressCallback | None = None
    fair_share: bool = False
    cutoff: float | None = None
    openings: tuple[Opening, ...] | None = None
