"""Random draws and roundings shared by the synthetic-scenario drawers."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def log_uniform(
    rng: np.random.Generator, low: FloatArray, high: FloatArray, size: int
) -> FloatArray:
    """Values spread evenly in orders of magnitude: capacities and prices vary by ratios."""
    return np.exp(rng.uniform(np.log(low), np.log(high), size))


def round_sig(values: FloatArray, digits: int) -> FloatArray:
    """Round positive values to `digits` significant digits, so files hold planning figures."""
    return _compose(*_decompose(values, digits))


def floor_sig(values: FloatArray, digits: int) -> FloatArray:
    """Like `round_sig`, but never above the value: for quantities that must fit a limit."""
    x = np.asarray(values, dtype=np.float64)
    mantissa, exponent = _decompose(x, digits)
    rounded = _compose(mantissa, exponent)
    # np.floor on x / 10**e would turn 7.6 into 7.5 through float noise; step down instead.
    return np.where(rounded > x, _compose(mantissa - 1, exponent), rounded)


def _decompose(values: FloatArray, digits: int) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(values, dtype=np.float64)
    positive = x > 0
    exponent = np.zeros_like(x)
    exponent[positive] = np.floor(np.log10(x[positive])) - (digits - 1)
    mantissa = np.where(positive, np.round(x / 10.0**exponent), 0.0)
    return mantissa, exponent


def _compose(mantissa: FloatArray, exponent: FloatArray) -> FloatArray:
    # Dividing by an exact power of ten gives the float nearest the decimal, so 0.0103
    # prints as 0.0103 and not as 0.010300000000000001.
    up = mantissa * 10.0 ** np.maximum(exponent, 0)
    down = mantissa / 10.0 ** -np.minimum(exponent, 0)
    return np.where(exponent >= 0, up, down)
