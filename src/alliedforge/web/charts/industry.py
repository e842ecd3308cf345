"""A supplier's lines and prices as figures: each line's capacity per month over the
horizon with its ramp-up (the planner's own capacity rule), and the price tiers of each
item as a step chart of unit price against quantity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

from alliedforge.scenario.capacity import line_capacity
from alliedforge.scenario.model import Line, LineState, Price
from alliedforge.scenario.months import month_at

PALETTE = ("#1f4e79", "#c0504d", "#2e8540", "#8064a2", "#d98c00", "#4bacc6", "#7f6000")
RAMP_FILL = "rgba(242, 193, 78, 0.25)"
# The last tier holds for any larger order: draw it on this far past its threshold.
LAST_TIER_REACH = 1.5
FLAT_REACH = 1000.0  # units shown when every tier starts at zero (one flat price)


@dataclass(frozen=True, slots=True)
class LineCapacity:
    """A line's capacity in each month of the horizon (units/month); `first_output` and
    `full_capacity` are the months its ramp-up starts and ends (None: not within the
    horizon; an active line runs at full capacity from the first month)."""

    code: str
    item: str
    state: LineState
    capacity: tuple[float, ...]
    first_output: str | None
    full_capacity: str | None


def line_capacities(lines: Sequence[Line], start: str, months: int) -> list[LineCapacity]:
    """Each line's monthly capacity, a dormant or new line taken as opened at its
    earliest decision — the best case, as the capacity analysis reads it."""
    found = []
    for line in lines:
        capacity = line_capacity(line, start, months)
        producing = np.flatnonzero(capacity > 0)
        full = producing[capacity[producing] >= line.capacity_per_month]
        found.append(
            LineCapacity(
                code=line.code,
                item=line.item,
                state=line.state,
                capacity=tuple(capacity.tolist()),
                first_output=month_at(start, int(producing[0])) if producing.size else None,
                full_capacity=month_at(start, int(full[0])) if full.size else None,
            )
        )
    return found


def capacity_figure(lines: Sequence[LineCapacity], start: str, months: int) -> dict[str, Any]:
    """Monthly capacity per line (units/month) as steps; the months a dormant or new line
    ramps up are shaded and named."""
    x = [month_at(start, t) for t in range(months)]
    traces = []
    shapes = []
    annotations = []
    for k, line in enumerate(lines):
        colour = PALETTE[k % len(PALETTE)]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{escape(line.code)} ({line.state})",
                "x": x,
                "y": list(line.capacity),
                "line": {"shape": "hv", "color": colour, "width": 2},
                "hovertemplate": f"{escape(line.code)}: %{{y:,.0f}} units/month in %{{x|%Y-%m}}"
                "<extra></extra>",
            }
        )
        ramp = _ramp(line, month_at(start, months))
        if ramp is not None:
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": ramp[0],
                    "x1": ramp[1],
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": RAMP_FILL,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
            annotations.append(
                {
                    "x": ramp[0],
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "yanchor": "bottom",
                    "xanchor": "left",
                    "showarrow": False,
                    "text": f"{escape(line.code)} ramp-up",
                    "font": {"size": 11, "color": colour},
                }
            )
    return {
        "data": traces,
        "layout": {
            "title": {"text": "Capacity per line and month (best case: opened when first allowed)"},
            "xaxis": {"title": {"text": "Month"}, "type": "date"},
            "yaxis": {"title": {"text": "Units per month"}, "rangemode": "tozero"},
            "shapes": shapes,
            "annotations": annotations,
            "legend": {"orientation": "h", "y": -0.25},
            "margin": {"t": 64, "r": 16, "b": 72, "l": 72},
        },
    }


def _ramp(line: LineCapacity, end: str) -> tuple[str, str] | None:
    """From the first month of output to the end of the month full capacity is reached
    (else `end`, the month after the horizon) of a line that ramps up in sight."""
    if line.state is LineState.ACTIVE or line.first_output is None:
        return None
    return line.first_output, end if line.full_capacity is None else month_at(line.full_capacity, 1)


def price_figure(prices: Sequence[Price], currency: str) -> dict[str, Any]:
    """Unit price against quantity ordered, one step line per item: each all-units tier
    holds from its minimum quantity up to the next tier's."""
    by_item: dict[str, list[Price]] = {}
    for price in prices:
        by_item.setdefault(price.item, []).append(price)
    largest = max((price.min_quantity for price in prices), default=0.0)
    reach = largest * LAST_TIER_REACH if largest > 0 else FLAT_REACH
    traces = []
    for k, (item, tiers) in enumerate(sorted(by_item.items())):
        tiers = sorted(tiers, key=lambda tier: tier.min_quantity)
        quantities = [tier.min_quantity for tier in tiers] + [reach]
        unit_prices = [tier.unit_price for tier in tiers] + [tiers[-1].unit_price]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": escape(item),
                "x": quantities,
                "y": unit_prices,
                "line": {"shape": "hv", "color": PALETTE[k % len(PALETTE)], "width": 2},
                "marker": {"size": [7] * len(tiers) + [0]},
                "hovertemplate": f"{escape(item)}: %{{y:,.2f}} {escape(currency)} per unit "
                "from %{x:,.0f} units<extra></extra>",
            }
        )
    return {
        "data": traces,
        "layout": {
            "title": {"text": "Unit price by quantity ordered (all-units tiers)"},
            "xaxis": {"title": {"text": "Units ordered"}, "rangemode": "tozero"},
            "yaxis": {
                "title": {"text": f"Unit price ({escape(currency)})"},
                "rangemode": "tozero",
            },
            "legend": {"orientation": "h", "y": -0.25},
            "margin": {"t": 64, "r": 16, "b": 72, "l": 80},
        },
    }
