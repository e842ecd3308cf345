"""Draw one risk sample: the disruptions of a `RiskModel`, as what-if changes.

Sample i of a run with seed s draws from its own generator,
`SeedSequence(s).spawn(n)[i]`, which is `SeedSequence(s, spawn_key=(i,))` whatever n is:
a sample can be redrawn alone, and results depend neither on the number of workers nor
on the order in which samples finish. Every draw takes the same number of random numbers
whatever happens, so a changed probability changes which events happen, not the stream.
"""

from __future__ import annotations

import numpy as np

from alliedforge.risk.model import RiskModel
from alliedforge.scenario.model import LineState, Scenario
from alliedforge.scenario.months import month_at
from alliedforge.whatif.changes import (
    Change,
    ComponentShock,
    DemandFactor,
    LeadTimeSlip,
    LineOutage,
)

MONTHS_PER_YEAR = 12


def sample_generator(seed: int, sample: int) -> np.random.Generator:
    """The generator of sample `sample` (0-based) in a run seeded with `seed`."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(sample,)))


def monthly_chance(probability_per_year: float) -> float:
    """The chance per month that gives `probability_per_year` of at least one event a year."""
    return 1.0 - float((1.0 - probability_per_year) ** (1.0 / MONTHS_PER_YEAR))


def draw(scenario: Scenario, model: RiskModel, rng: np.random.Generator) -> tuple[Change, ...]:
    """The disruptions of one sample: line outages, lead-time slips, demand surges and
    component shocks, in that order (scenario row order within each)."""
    return (
        *_outages(scenario, model, rng),
        *_slips(scenario, model, rng),
        *_surges(scenario, model, rng),
        *_shocks(scenario, model, rng),
    )


def _whole_months(
    rng: np.random.Generator, shape: tuple[int, int], low: int, mode: int, high: int
) -> np.ndarray:
    """Triangular(low, mode, high) rounded to whole months; each month has equal width."""
    if low == high:
        rng.random(shape)  # the same draws as otherwise, to keep the stream aligned
        return np.full(shape, low, dtype=np.int64)
    raw = rng.triangular(low - 0.5, mode, high + 0.5, size=shape)
    return np.clip(np.rint(raw), low, high).astype(np.int64)


def _outages(scenario: Scenario, model: RiskModel, rng: np.random.Generator) -> list[Change]:
    risk = model.line_outage
    horizon = scenario.manifest.months
    shape = (len(scenario.lines), horizon)
    starts = rng.random(shape) < monthly_chance(risk.probability_per_year)
    lengths = _whole_months(rng, shape, risk.months_min, risk.months_mode, risk.months_max)
    changes: list[Change] = []
    for row, month in zip(*np.nonzero(starts), strict=True):
        months = int(min(lengths[row, month], horizon - month))
        start = month_at(scenario.manifest.start, int(month))
        changes.append(LineOutage(line=scenario.lines[row].code, start=start, months=months))
    return changes


def _slips(scenario: Scenario, model: RiskModel, rng: np.random.Generator) -> list[Change]:
    risk = model.lead_time
    closed = [line for line in scenario.lines if line.state is not LineState.ACTIVE]
    happens = rng.random(len(closed)) < risk.probability
    months = rng.integers(risk.months_min, risk.months_max + 1, size=len(closed))
    return [
        LeadTimeSlip(months=int(m), line=line.code)
        for line, hit, m in zip(closed, happens, months, strict=True)
        if hit
    ]


def _surges(scenario: Scenario, model: RiskModel, rng: np.random.Generator) -> list[Change]:
    risk = model.demand_surge
    nations = scenario.nations
    happens = rng.random(len(nations)) < risk.probability
    factors = rng.uniform(risk.factor_min, risk.factor_max, size=len(nations))
    months = rng.integers(0, scenario.manifest.months, size=len(nations))
    return [
        DemandFactor(
            factor=round(float(factor), 4),
            nation=nation.code,
            from_month=month_at(scenario.manifest.start, int(month)),
        )
        for nation, hit, factor, month in zip(nations, happens, factors, months, strict=True)
        if hit
    ]


def _shocks(scenario: Scenario, model: RiskModel, rng: np.random.Generator) -> list[Change]:
    risk = model.component_shock
    limited = list(dict.fromkeys(row.component for row in scenario.component_supply))
    horizon = scenario.manifest.months
    shape = (len(limited), horizon)
    starts = rng.random(shape) < monthly_chance(risk.probability_per_year)
    factors = rng.uniform(risk.factor_min, risk.factor_max, size=shape)
    lengths = rng.integers(risk.months_min, risk.months_max + 1, size=shape)
    changes: list[Change] = []
    for row, month in zip(*np.nonzero(starts), strict=True):
        changes.append(
            ComponentShock(
                component=limited[row],
                factor=round(float(factors[row, month]), 4),
                start=month_at(scenario.manifest.start, int(month)),
                months=int(min(lengths[row, month], horizon - month)),
            )
        )
    return changes
