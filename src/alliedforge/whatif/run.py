"""Run a what-if: apply its changes, plan the base and the changed scenario, compare them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from alliedforge.planning.batch import InlineRunner, PlanJob, PlanRunner
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan
from alliedforge.scenario.model import Scenario
from alliedforge.whatif.apply import apply_changes
from alliedforge.whatif.changes import WhatIf
from alliedforge.whatif.compare import Case, Comparison, compare_cases

BASE = "base"
WHATIF = "whatif"


@dataclass(frozen=True, slots=True)
class WhatIfRun:
    """Both scenarios and both plans of a what-if run."""

    whatif: WhatIf
    base: Scenario
    scenario: Scenario
    base_plan: Plan
    plan: Plan

    @property
    def cases(self) -> tuple[Case, Case]:
        """The base case (named "base") and the what-if's (named after it)."""
        return (
            Case(BASE, self.base, self.base_plan),
            Case(self.whatif.name, self.scenario, self.plan, self.whatif),
        )

    @property
    def comparison(self) -> Comparison:
        return compare_cases(self.cases)

    def to_dict(self) -> dict[str, Any]:
        """The comparison, JSON-safe: what is kept of a run (`Comparison.from_dict`)."""
        return self.comparison.to_dict()


def run_whatif(
    base: Scenario,
    whatif: WhatIf,
    options: PlanOptions,
    runner: PlanRunner | None = None,
    on_done: Callable[[str, Plan], None] | None = None,
) -> WhatIfRun:
    """Apply `whatif` to `base` (raising `WhatIfError` first if it does not apply), then plan
    both with `options` through `runner` (default: in this process); `on_done` hears of each
    plan as it is ready, keyed "base" or "whatif"."""
    scenario = apply_changes(base, whatif.changes)
    quiet = replace(options, progress=None)
    jobs = [PlanJob(BASE, base, quiet), PlanJob(WHATIF, scenario, quiet)]
    plans = (runner or InlineRunner()).run(jobs, on_done)
    return WhatIfRun(whatif, base, scenario, plans[BASE], plans[WHATIF])
