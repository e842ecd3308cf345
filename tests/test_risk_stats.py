"""Statistics of a risk run on hand-checkable inputs: Wilson intervals and summaries."""

from __future__ import annotations

import math

import pytest

from alliedforge.risk.stats import distribution, wilson


def test_wilson_of_half_matches_the_formula_by_hand() -> None:
    # n = 100, p = 0.5, z = 1.96: centre 0.5, half = 1.96/1.038416 × √(0.0025 + 0.00009604)
    # = 1.887487 × 0.0509510 = 0.096170 (worked on paper with z² = 3.8416).
    low, high = wilson(50, 100, z=1.96)
    assert low == pytest.approx(0.5 - 0.096170, abs=1e-5)
    assert high == pytest.approx(0.5 + 0.096170, abs=1e-5)


def test_wilson_never_collapses_at_zero_or_all_successes() -> None:
    # 0 of 10 with z = 1.96: upper = z²/n / (1 + z²/n) = 0.38416 / 1.38416 = 0.277540.
    low, high = wilson(0, 10, z=1.96)
    assert low == 0.0
    assert high == pytest.approx(0.277540, abs=1e-6)
    low, high = wilson(10, 10, z=1.96)
    assert low == pytest.approx(1 - 0.277540, abs=1e-6)
    assert high == 1.0


def test_wilson_without_trials_is_unknown() -> None:
    assert all(math.isnan(x) for x in wilson(0, 0))


def test_distribution_of_one_to_ten() -> None:
    d = distribution([float(v) for v in range(1, 11)])
    assert (d.count, d.mean, d.minimum, d.maximum) == (10, 5.5, 1.0, 10.0)
    # Linear percentiles: P10 at position 0.9 → 1.9; P50 at 4.5 → 5.5; P90 at 8.1 → 9.1.
    assert (d.p10, d.p50, d.p90) == pytest.approx((1.9, 5.5, 9.1))
    # s = √(82.5/9) = 3.02765, t(0.975, 9) = 2.262157: half = 2.262157 × 3.02765 / √10.
    half = 2.262157 * math.sqrt(82.5 / 9) / math.sqrt(10)
    assert d.mean_low == pytest.approx(5.5 - half, abs=1e-5)
    assert d.mean_high == pytest.approx(5.5 + half, abs=1e-5)


def test_distribution_of_one_value_has_no_interval_and_of_none_is_empty() -> None:
    one = distribution([4.0])
    assert (one.mean, one.p10, one.p90) == (4.0, 4.0, 4.0)
    assert math.isnan(one.mean_low)
    assert math.isnan(one.mean_high)
    assert distribution([]).count == 0
