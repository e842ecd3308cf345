"""Plotly figures of acquisition timelines and of the compression what-if (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from alliedforge.analysis.compression import CompressionValue
from alliedforge.analysis.figures import layout, note
from alliedforge.analysis.timelines import STAGES, Procurement, TimelineAnalysis, stage_months

STAGE_BOXES_TITLE = "Stage durations (months)"
NATION_STAGES_TITLE = "Median months per nation, by stage"
BOTTLENECK_TITLE = "Where the months go: median and P80 per stage"
COMPRESSION_TITLE = "What compressing a stage buys"

_STAGE_COLOURS = dict(zip(STAGES, qualitative.Safe, strict=False))
_BOTTLENECK, _OTHER = "#c0392b", "#7f8c8d"


def _stage_label(stage: str) -> str:
    return stage.replace("_", " ")


def stage_boxes_figure(procurements: Sequence[Procurement]) -> go.Figure:
    """One box per stage over every procurement that has both of its dates, points shown."""
    months = [stage_months(p) for p in procurements]
    fig = go.Figure()
    for k, stage in enumerate(STAGES):
        known = [
            (p.code, m[k]) for p, m in zip(procurements, months, strict=True) if m[k] is not None
        ]
        fig.add_trace(
            go.Box(
                y=[value for _, value in known],
                name=_stage_label(stage),
                customdata=[code for code, _ in known],
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": _STAGE_COLOURS[stage], "size": 5},
                hovertemplate="%{customdata}: %{y:.1f} months<extra>%{fullData.name}</extra>",
            )
        )
    if not any(value is not None for m in months for value in m):
        note(fig, "No stage has both of its dates in these procurements")
    fig.update_layout(showlegend=False)
    fig.update_xaxes(title_text="Stage")
    fig.update_yaxes(title_text="Months", rangemode="tozero")
    return layout(fig, STAGE_BOXES_TITLE)


def nation_stages_figure(analysis: TimelineAnalysis) -> go.Figure:
    """Each nation's median months per stage, stacked (a blank segment: no duration known)."""
    nations = [g.group for g in analysis.nations]
    fig = go.Figure()
    for k, stage in enumerate(STAGES):
        summaries = [g.stages[k] for g in analysis.nations]
        fig.add_trace(
            go.Bar(
                x=nations,
                y=[None if s.durations is None else s.durations.median for s in summaries],
                name=_stage_label(stage),
                marker={"color": _STAGE_COLOURS[stage]},
                customdata=[
                    (0, 0.0) if s.durations is None else (s.durations.count, s.durations.p80)
                    for s in summaries
                ],
                hovertemplate=(
                    "%{x}: median %{y:.1f} months, P80 %{customdata[1]:.1f}"
                    " (%{customdata[0]} procurements)<extra>%{fullData.name}</extra>"
                ),
            )
        )
    if not nations:
        note(fig, "No procurements")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="Nation", type="category")
    fig.update_yaxes(title_text="Months (sum of stage medians)", rangemode="tozero")
    return layout(fig, NATION_STAGES_TITLE)


def bottleneck_figure(analysis: TimelineAnalysis) -> go.Figure:
    """Median (bar) and P80 (marker) of every stage over all procurements; the bottleneck in red."""
    overall = analysis.overall
    known = [s for s in overall.stages if s.durations is not None]
    labels = [_stage_label(s.stage) for s in known]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            orientation="h",
            y=labels,
            x=[s.durations.median for s in known if s.durations is not None],
            name="median",
            marker={
                "color": [_BOTTLENECK if s.stage == overall.bottleneck else _OTHER for s in known]
            },
            customdata=[f"{100 * s.share:.0f} %" for s in known],
            hovertemplate=(
                "%{y}: median %{x:.1f} months, %{customdata} of the months<extra></extra>"
            ),
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=[s.durations.p80 for s in known if s.durations is not None],
            name="P80",
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 18, "color": "black"},
            hovertemplate="%{y}: P80 %{x:.1f} months<extra></extra>",
        )
    )
    if overall.bottleneck is None:
        note(fig, "No stage has both of its dates in these procurements")
    else:
        text = f"Bottleneck: {_stage_label(overall.bottleneck)} by median"
        if overall.bottleneck_p80 is not None and overall.bottleneck_p80 != overall.bottleneck:
            text += f", {_stage_label(overall.bottleneck_p80)} by P80"
        fig.add_annotation(
            text=text, xref="paper", yref="paper", x=1.0, y=1.08, xanchor="right", showarrow=False
        )
    fig.update_xaxes(title_text="Months", rangemode="tozero")
    fig.update_yaxes(title_text="Stage", autorange="reversed", type="category")
    return layout(fig, BOTTLENECK_TITLE)


def compression_figure(value: CompressionValue, currency: str) -> go.Figure:
    """Baseline against compressed: cost by component, shortfall and late unit-months per nation."""
    fig = make_subplots(
        rows=1,
        cols=3,
        horizontal_spacing=0.08,
        subplot_titles=(
            f"Cost by component ({currency})",
            "Shortfall per nation (units)",
            "Lateness per nation (unit-months)",
        ),
    )
    panels = (
        ([c.key for c in value.diff.costs], [(c.a, c.b) for c in value.diff.costs], currency),
        (
            [n.nation for n in value.nations],
            [(n.shortfall.a, n.shortfall.b) for n in value.nations],
            "units",
        ),
        (
            [n.nation for n in value.nations],
            [(n.late_unit_months.a, n.late_unit_months.b) for n in value.nations],
            "unit-months",
        ),
    )
    colours = (qualitative.Plotly[1], qualitative.Plotly[0])
    for col, (keys, pairs, unit) in enumerate(panels, start=1):
        for side, (name, colour) in enumerate(
            zip(("baseline", "compressed"), colours, strict=True)
        ):
            fig.add_trace(
                go.Bar(
                    x=keys,
                    y=[pair[side] for pair in pairs],
                    name=name,
                    legendgroup=name,
                    showlegend=col == 1,
                    marker={"color": colour},
                    hovertemplate="%{x}: %{y:,.0f} " + unit + "<extra>" + name + "</extra>",
                ),
                row=1,
                col=col,
            )
    objective = value.diff.objective
    fig.add_annotation(
        text=(
            f"{_stage_label(value.stage)} {value.months} months shorter: objective "
            f"{objective.delta:+,.0f} {currency}, shortfall {value.shortfall.delta:+,.0f} units, "
            f"lateness {value.late_unit_months.delta:+,.0f} unit-months"
        ),
        xref="paper",
        yref="paper",
        x=1.0,
        y=1.16,
        xanchor="right",
        showarrow=False,
    )
    fig.update_layout(barmode="group")
    for col in (1, 2, 3):
        fig.update_yaxes(rangemode="tozero", row=1, col=col)
        fig.update_xaxes(type="category", row=1, col=col)
    return layout(fig, COMPRESSION_TITLE)
