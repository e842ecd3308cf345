"""Moving a line's earliest decision: what-ifs and the compression analysis share it."""

from __future__ import annotations

from dataclasses import replace

from alliedforge.scenario.model import Line
from alliedforge.scenario.months import month_at, month_index


def shift_earliest_decision(line: Line, months: int, start: str, horizon: int) -> Line:
    """`line`'s earliest decision `months` later (negative: earlier), clamped to the horizon
    of `horizon` months from `start`; a line without one counts from the start and keeps
    none when it stays there."""
    at = 0 if line.earliest_decision is None else month_index(start, line.earliest_decision)
    shifted = min(max(0, at + months), horizon - 1)
    if line.earliest_decision is None and shifted == 0:
        return line
    return replace(line, earliest_decision=month_at(start, shifted))
