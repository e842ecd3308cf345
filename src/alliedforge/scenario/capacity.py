"""Line capacity over time: the ramp ρ of planning-model.md, in one place."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from alliedforge.scenario.model import Line, LineState
from alliedforge.scenario.months import month_index

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def ramp_factor(k: IntArray, ramp_months: int | IntArray | None) -> FloatArray:
    """ρ(k): share of capacity k months after first output — 0 before, then rising by
    1/ramp per month to 1 (at once when ramp is 0 or None). Broadcasts over arrays."""
    ramp = np.maximum(np.asarray(0 if ramp_months is None else ramp_months), 1)
    share: FloatArray = np.where(k < 0, 0.0, np.minimum(1.0, (k + 1) / ramp))
    return share


def line_capacity(line: Line, start: str, months: int, decision: int | None = None) -> FloatArray:
    """Capacity of `line` in each month of the horizon (units/month).

    Active lines run at full capacity throughout. A dormant or new line is taken
    as opened at month index `decision` (default: its earliest decision, the best
    case) and makes c·ρ(t − τ − lead).
    """
    if line.state is LineState.ACTIVE:
        return np.full(months, line.capacity_per_month, dtype=np.float64)
    if decision is None:
        earliest = line.earliest_decision
        decision = 0 if earliest is None else max(0, month_index(start, earliest))
    since_output = np.arange(months, dtype=np.int64) - decision - (line.lead_months or 0)
    return line.capacity_per_month * ramp_factor(since_output, line.ramp_months)
