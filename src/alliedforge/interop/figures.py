"""Plotly figures of an interoperability ranking (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from alliedforge.analysis.figures import layout, note
from alliedforge.interop.value import InteropValue

GAINS_TITLE = "What qualifying would save"
HOLDINGS_TITLE = "What existing qualifications are worth"
# A bar chart past this many candidates is unreadable; the table lists them all.
MAX_BARS = 40


def value_figure(
    values: Sequence[InteropValue], currency: str, title: str = GAINS_TITLE
) -> go.Figure:
    """Value per candidate, most valuable first, the [low, high] interval as error bars."""
    shown = [v for v in values if v.high > 0][:MAX_BARS]
    labels = [f"{v.candidate.item} → {v.candidate.weapon_system}" for v in shown]
    fig = go.Figure(
        go.Bar(
            x=[v.value for v in shown],
            y=labels,
            orientation="h",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [v.high - v.value for v in shown],
                "arrayminus": [v.value - v.low for v in shown],
            },
            customdata=[[v.low, v.high, v.candidate.direction.value] for v in shown],
            hovertemplate=(
                f"%{{y}} (%{{customdata[2]}}): %{{x:,.0f}} {currency}"
                f"<br>interval %{{customdata[0]:,.0f}} – %{{customdata[1]:,.0f}}<extra></extra>"
            ),
        )
    )
    if not shown:
        note(fig, "No candidate changes the plan")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title_text=f"Value ({currency})", rangemode="tozero")
    return layout(fig, title, height=max(360, 120 + 24 * len(shown)))
