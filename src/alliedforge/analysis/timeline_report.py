"""Acquisition timelines and the compression what-if as one self-contained HTML report."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from alliedforge.analysis.compression import CompressionValue, CompressionWhatIf
from alliedforge.analysis.plandiff import Change
from alliedforge.analysis.report import PAGE, Num, figure_html, section, table
from alliedforge.analysis.timeline_figures import (
    bottleneck_figure,
    compression_figure,
    nation_stages_figure,
    stage_boxes_figure,
)
from alliedforge.analysis.timelines import (
    STAGES,
    Durations,
    GroupTimeline,
    Procurement,
    TimelineAnalysis,
    analyse_timelines,
)
from alliedforge.planning.plan import Plan

_DURATION_HEADERS = ("Count", "Median", "P20", "P80", "Min", "Max")


def _durations(d: Durations | None) -> list[str | Num]:
    if d is None:
        return ["0", "—", "—", "—", "—", "—"]
    return [
        Num(d.count),
        *(Num(v, digits=1) for v in (d.median, d.p20, d.p80, d.minimum, d.maximum)),
    ]


def _stages_table(group: GroupTimeline) -> str:
    rows = [
        (
            s.stage.value,
            f"{s.stage.start.value} → {s.stage.end.value}",
            *_durations(s.durations),
            Num(100 * s.share, digits=0, suffix=" %"),
        )
        for s in group.stages
    ]
    rows.append(("total", "first → last milestone", *_durations(group.total), ""))
    headers = ("Stage", "From → to", *_DURATION_HEADERS, "Share of months")
    note = (
        "<p>Months of average length (30.44 days). Share of months: the stage's median as a "
        "share of the sum of the stage medians. Total: procurements with both the first and "
        "the last date only.</p>"
    )
    return table(headers, rows) + note


def _bottleneck_table(groups: Sequence[GroupTimeline], kind: str) -> str:
    rows = [
        (
            g.group,
            Num(g.procurements),
            "—" if g.total is None else Num(g.total.median, digits=1),
            g.bottleneck.value if g.bottleneck else "—",
            g.bottleneck_p80.value if g.bottleneck_p80 else "—",
        )
        for g in groups
    ]
    headers = (kind, "Procurements", "Median total (months)", "Bottleneck (median)", "(P80)")
    return table(headers, rows)


def _medians_table(groups: Sequence[GroupTimeline], kind: str) -> str:
    rows = [
        (
            g.group,
            *("—" if s.durations is None else Num(s.durations.median, digits=1) for s in g.stages),
        )
        for g in groups
    ]
    return table((kind, *(stage.value for stage in STAGES)), rows)


def _skipped_table(analysis: TimelineAnalysis) -> str:
    rows = [
        (s.procurement, s.stage.value, ", ".join(m.value for m in s.missing))
        for s in analysis.skipped
    ]
    note = (
        "<p>A stage is left out of the statistics when a date at either end is missing: "
        "not yet reached, or not recorded. Nothing is estimated.</p>"
    )
    return note + table(("Procurement", "Stage", "Missing date(s)"), rows)


def _timeline_sections(
    procurements: Sequence[Procurement], analysis: TimelineAnalysis
) -> list[str]:
    overall = analysis.overall
    bottleneck = "no stage has a known duration"
    if overall.bottleneck is not None and overall.bottleneck_p80 is not None:
        bottleneck = f"{overall.bottleneck.value} by median, {overall.bottleneck_p80.value} by P80"
    summary = (
        f"<p>{len(procurements)} procurements. Bottleneck over all of them: "
        f"<strong>{html.escape(bottleneck)}</strong>.</p>"
    )
    return [
        section("Stage durations, all procurements (months)", summary, _stages_table(overall)),
        section("Bottleneck per nation", _bottleneck_table(analysis.nations, "Nation")),
        section("Bottleneck per item family", _bottleneck_table(analysis.families, "Family")),
        section("Median months per nation and stage", _medians_table(analysis.nations, "Nation")),
        section(
            "Median months per item family and stage",
            _medians_table(analysis.families, "Family"),
        ),
        section("Skipped stages", _skipped_table(analysis)),
    ]


def _change_row(label: str, change: Change, digits: int = 0) -> tuple[str, Num, Num, Num]:
    return (
        label,
        Num(change.a, digits),
        Num(change.b, digits),
        Num(change.delta, digits),
    )


def _shown(value: str | int | None) -> str:
    return "—" if value is None else str(value)


def _plan_facts(baseline: Plan, plan: Plan) -> str:
    facts = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(p.status.value)}, "
        f"gap {100 * p.mip_gap:.4f} %</dd>"
        for label, p in (("Baseline plan", baseline), ("Compressed plan", plan))
    )
    return f"<dl>{facts}</dl>"


def _compression_sections(what_if: CompressionWhatIf, value: CompressionValue) -> list[str]:
    currency = what_if.scenario.manifest.currency
    intro = (
        f"<p>Scenario {html.escape(what_if.scenario.manifest.name)}: the stage "
        f"<strong>{html.escape(value.stage.value)}</strong> {value.months} months shorter, "
        f"so every dormant or new line's <code>{html.escape(value.lever.value)}</code> "
        "changes as listed; both scenarios planned with the same options.</p>"
    )
    shifts = table(
        ("Line", "Parameter", "Baseline", "Compressed"),
        [(s.line, s.lever.value, _shown(s.before), _shown(s.after)) for s in value.lines],
    )
    totals = table(
        ("Measure", "Baseline", "Compressed", "Change"),
        [
            _change_row("Shortfall (units)", value.shortfall),
            _change_row("Lateness (unit-months)", value.late_unit_months),
            *(_change_row(f"Cost: {c.key} ({currency})", c) for c in value.diff.costs),
            _change_row(f"Objective ({currency})", value.diff.objective),
        ],
    )
    nations = table(
        (
            "Nation",
            "Shortfall before",
            "after",
            "Late unit-months before",
            "after",
            f"Attributed cost before ({currency})",
            "after",
            "change",
        ),
        [
            (
                n.nation,
                Num(n.shortfall.a),
                Num(n.shortfall.b),
                Num(n.late_unit_months.a),
                Num(n.late_unit_months.b),
                Num(n.cost.a),
                Num(n.cost.b),
                Num(n.cost.delta),
            )
            for n in value.nations
        ],
    )
    moved = table(
        ("Line", "Baseline decision", "Compressed decision"),
        [
            *((m.line, m.a.decision_month, m.b.decision_month) for m in value.diff.openings_moved),
            *((o.line, "not opened", o.decision_month) for o in value.diff.openings_added),
            *((o.line, o.decision_month, "not opened") for o in value.diff.openings_removed),
        ],
    )
    return [
        section(
            "Compression what-if",
            intro,
            _plan_facts(what_if.baseline, what_if.plan),
            shifts,
        ),
        section("What it buys", totals),
        section("What it buys per nation", nations),
        section("Line openings that change", moved),
    ]


def render_timeline_report(
    procurements: Sequence[Procurement] = (), what_if: CompressionWhatIf | None = None
) -> str:
    """The report as an HTML string: the timeline analysis of `procurements` (when given) and
    the compression what-if (when given and both its plans are feasible)."""
    sections = ["<header><h1>Acquisition timelines</h1></header>"]
    figures: list[go.Figure] = []
    if procurements:
        analysis = analyse_timelines(procurements)
        sections += _timeline_sections(procurements, analysis)
        figures += [
            stage_boxes_figure(procurements),
            nation_stages_figure(analysis),
            bottleneck_figure(analysis),
        ]
    if what_if is not None:
        if what_if.value is None:
            sections.append(
                section(
                    "Compression what-if",
                    "<p>A plan is infeasible, so there is nothing to compare.</p>",
                )
            )
        else:
            sections += _compression_sections(what_if, what_if.value)
            currency = what_if.scenario.manifest.currency
            figures.append(compression_figure(what_if.value, currency))
    if figures:
        sections.append(
            section("Figures", *(figure_html(fig, i) for i, fig in enumerate(figures, 1)))
        )
    return PAGE.substitute(
        title="AlliedForge acquisition timelines",
        plotlyjs=get_plotlyjs(),
        body="\n".join(sections),
    )


def write_timeline_report(
    path: Path,
    procurements: Sequence[Procurement] = (),
    what_if: CompressionWhatIf | None = None,
) -> Path:
    """Write the self-contained HTML report to `path` and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_timeline_report(procurements, what_if), encoding="utf-8")
    return path
