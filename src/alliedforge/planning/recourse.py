"""Plans with the openings already decided: re-route production, keep the investments.

A plan's openings are its first-stage decisions: contracts for plants are signed
long before an outage, a surge or a late qualification is known. Re-planning a
disrupted scenario with those openings fixed answers "what does the plan we have
deliver now?" and, with 15–20 opening binaries gone, solves in about a tenth of
the time of a free re-plan (docs/benchmarks.md). What is left to decide is
continuous but for the price tiers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from alliedforge.planning.model import PlanningModel
from alliedforge.planning.plan import Opening
from alliedforge.scenario.months import month_index


def fix_openings(pm: PlanningModel, openings: Sequence[Opening]) -> None:
    """Fix every `open[l, τ]` column of `pm`: 1 from the line's planned decision month on
    (or from its earliest decision, if the scenario now allows it only later), 0 before;
    a line the plan does not open stays closed. Openings of unknown lines are ignored."""
    if len(pm.open_line) == 0:
        return
    start = pm.index.scenario.manifest.start
    position = {code: k for k, code in enumerate(pm.index.line_codes)}
    never = pm.index.months  # a decision month no column reaches
    decided = np.full(len(pm.index.line_codes), never, dtype=np.int64)
    for opening in openings:
        if opening.line in position:
            decided[position[opening.line]] = month_index(start, opening.decision_month)
    # Columns start at the line's earliest decision, so a later earliest shifts the opening.
    pm.milp.fix_columns("open", (pm.open_month >= decided[pm.open_line]).astype(float))
