"""Small statistics of a risk run: Wilson intervals for chances, summaries of samples."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
# The two-sided normal quantile of CONFIDENCE, as the Wilson interval uses it.
Z_95 = 1.959963984540054


def wilson(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a chance seen `successes` times in `trials`.

    Unlike p ± z·√(p(1−p)/n) it stays within [0, 1] and is not empty at 0 or n successes.
    """
    if trials <= 0:
        return (math.nan, math.nan)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class Distribution:
    """A sample of values (units or unit-months): mean with its t interval, quantiles."""

    count: int
    mean: float
    mean_low: float  # NaN below two samples
    mean_high: float
    p10: float
    p50: float
    p90: float
    minimum: float
    maximum: float


def distribution(values: Sequence[float]) -> Distribution:
    """Summarise `values` (NaN everywhere when there are none)."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        nan = math.nan
        return Distribution(0, nan, nan, nan, nan, nan, nan, nan, nan)
    mean = float(data.mean())
    if data.size >= 2:
        half = (
            float(stats.t.ppf(0.5 + CONFIDENCE / 2, data.size - 1))
            * float(data.std(ddof=1))
            / math.sqrt(data.size)
        )
        low, high = mean - half, mean + half
    else:
        low = high = math.nan
    p10, p50, p90 = (float(q) for q in np.percentile(data, [10, 50, 90]))
    return Distribution(
        count=int(data.size),
        mean=mean,
        mean_low=low,
        mean_high=high,
        p10=p10,
        p50=p50,
        p90=p90,
        minimum=float(data.min()),
        maximum=float(data.max()),
    )
