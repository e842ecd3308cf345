"""Why a scenario has no plan at all: commitments that overrun a fixed limit.

Every planned quantity may be zero and every line may stay closed, so a plan
exists exactly when the commitments alone respect each limit; checking them
names the constraint family (and the row) that makes a scenario infeasible.
"""

from __future__ import annotations

import numpy as np

from alliedforge.planning.index import PlanningIndex
from alliedforge.scenario.months import month_at

# Slack for sums of contract quantities written with decimals.
TOLERANCE = 1e-6


def explain_infeasibility(index: PlanningIndex) -> tuple[str, ...]:
    """Every limit the commitments break, one readable sentence each; empty when feasible."""
    start = index.scenario.manifest.start
    reasons: list[str] = []
    over = np.flatnonzero(index.req_quantity < -TOLERANCE)
    reasons += [
        f"requirements: commitments to {index.req_codes[r]} exceed its quantity "
        f"by {-index.req_quantity[r]:g} units"
        for r in over
    ]
    slack = index.line_capacity[:, None] * index.line_availability - index.line_committed
    for line, t in zip(*np.nonzero(index.line_active[:, None] & (slack < -TOLERANCE)), strict=True):
        reasons.append(
            f"capacity: commitments on line {index.line_codes[line]} in "
            f"{month_at(start, int(t))} exceed its capacity by {-slack[line, t]:g} units"
        )
    for comp, t in zip(*np.nonzero(index.component_supply < -TOLERANCE), strict=True):
        reasons.append(
            f"components: commitments use more {index.component_codes[comp]} in "
            f"{month_at(start, int(t))} than its supply, by {-index.component_supply[comp, t]:g}"
        )
    for b in np.flatnonzero(index.budget_amount < -TOLERANCE):
        reasons.append(
            f"budgets: commitments of {index.nation_codes[index.budget_nation[b]]} in "
            f"{index.budget_year[b]} exceed its budget by {-index.budget_amount[b]:,.2f}"
        )
    return tuple(reasons)
