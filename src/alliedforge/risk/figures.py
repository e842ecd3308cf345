"""Plotly figures of a risk run: distributions per nation and family, on-time chances."""

from __future__ import annotations

from collections import defaultdict

import plotly.graph_objects as go

from alliedforge.analysis.figures import layout, note
from alliedforge.risk.outcome import RiskResult, RiskSummary, SampleOutcome

SHORTFALL_TITLE = "Shortfall per nation across samples (units)"
LATE_TITLE = "Late unit-months per nation across samples"
TOTAL_TITLE = "Total shortfall across samples (units)"
FAMILY_TITLE = "Shortfall per item family across samples (units)"
ON_TIME_TITLE = "Chance each requirement is met on time (nation × tranche by due month)"


def _usable(result: RiskResult) -> list[SampleOutcome]:
    return [s for s in result.samples if s.usable]


def _boxes(result: RiskResult, attribute: str, title: str, unit: str) -> go.Figure:
    """One box per key (nation or family) over the usable samples; the base plan's value
    as a diamond, so the spread reads against the undisrupted plan."""
    samples = _usable(result)
    fig = go.Figure()
    keys = sorted({k for s in samples for k in getattr(s, attribute)})
    for key in keys:
        values = [getattr(s, attribute).get(key, 0.0) for s in samples]
        fig.add_trace(
            go.Box(
                y=values,
                name=key,
                boxpoints="outliers",
                marker={"color": "#1f77b4"},
                showlegend=False,
                hovertemplate=f"{key}: %{{y:,.0f}} {unit}<extra></extra>",
            )
        )
    base = getattr(result.base, attribute)
    if keys and base:
        fig.add_trace(
            go.Scatter(
                x=keys,
                y=[base.get(k, 0.0) for k in keys],
                mode="markers",
                name="base plan",
                marker={"symbol": "diamond", "size": 10, "color": "#d62728"},
                hovertemplate=f"base plan, %{{x}}: %{{y:,.0f}} {unit}<extra></extra>",
            )
        )
    if not keys:
        note(fig, "No usable sample")
    fig.update_yaxes(title_text=unit, rangemode="tozero")
    return layout(fig, title)


def shortfall_by_nation_figure(result: RiskResult) -> go.Figure:
    return _boxes(result, "shortfall_by_nation", SHORTFALL_TITLE, "units")


def late_by_nation_figure(result: RiskResult) -> go.Figure:
    return _boxes(result, "late_by_nation", LATE_TITLE, "unit-months")


def shortfall_by_family_figure(result: RiskResult) -> go.Figure:
    return _boxes(result, "shortfall_by_family", FAMILY_TITLE, "units")


def total_shortfall_figure(result: RiskResult) -> go.Figure:
    """Histogram of the alliance's total shortfall per sample."""
    totals = [sum(s.shortfall_by_nation.values()) for s in _usable(result)]
    fig = go.Figure(
        go.Histogram(
            x=totals,
            nbinsx=30,
            marker={"color": "#1f77b4"},
            hovertemplate="%{x:,.0f} units: %{y} samples<extra></extra>",
        )
    )
    if result.base.usable:
        fig.add_vline(
            x=sum(result.base.shortfall_by_nation.values()),
            line={"color": "#d62728", "dash": "dash"},
            annotation_text="base plan",
        )
    if not totals:
        note(fig, "No usable sample")
    fig.update_xaxes(title_text="units short, all nations")
    fig.update_yaxes(title_text="samples")
    return layout(fig, TOTAL_TITLE)


def on_time_figure(summary: RiskSummary) -> go.Figure:
    """Heatmap: a row per nation, its requirements in due order as columns; the hover
    names the requirement and gives the chance with its Wilson 95 % interval."""
    rows: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
    for chance in sorted(summary.on_time, key=lambda c: (c.requirement.due, c.requirement.code)):
        r = chance.requirement
        text = (
            f"{r.code}<br>{r.weapon_system}, due {r.due}, priority {r.priority}<br>"
            f"on time in {chance.met} of {chance.samples} samples: {chance.probability:.0%} "
            f"(95 % CI {chance.low:.0%}–{chance.high:.0%})"
        )
        rows[r.nation].append((r.code, chance.probability, text))
    nations = sorted(rows)
    width = max((len(v) for v in rows.values()), default=0)
    z = [[row[1] for row in rows[n]] + [None] * (width - len(rows[n])) for n in nations]
    hover = [[row[2] for row in rows[n]] + [""] * (width - len(rows[n])) for n in nations]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(1, width + 1)),
            y=nations,
            text=hover,
            hovertemplate="%{y}: %{text}<extra></extra>",
            colorscale="RdYlGn",
            zmin=0,
            zmax=1,
            colorbar={"title": "P(on time)", "tickformat": ".0%"},
            xgap=1,
            ygap=1,
        )
    )
    if not nations:
        note(fig, "No requirement")
    fig.update_xaxes(title_text="requirement of the nation, by due month", dtick=1)
    fig.update_yaxes(autorange="reversed")  # nations read top-down, as in the tables
    return layout(fig, ON_TIME_TITLE, height=max(360, 40 * len(nations) + 160))
