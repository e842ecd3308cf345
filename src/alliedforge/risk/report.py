"""A risk run as one self-contained HTML report, and its per-sample CSV."""

from __future__ import annotations

import csv
import html
import io
import json
import math
from pathlib import Path

from plotly.offline import get_plotlyjs

from alliedforge.analysis.report import PAGE, Num, figure_html, section, table
from alliedforge.risk.figures import (
    late_by_nation_figure,
    on_time_figure,
    shortfall_by_family_figure,
    shortfall_by_nation_figure,
    total_shortfall_figure,
)
from alliedforge.risk.model import model_to_dict
from alliedforge.risk.outcome import (
    OnTimeChance,
    RiskResult,
    RiskSummary,
    result_to_dict,
    summarise,
)
from alliedforge.risk.stats import Distribution

# How many requirements the "top risks" list shows.
TOP_RISKS = 15


def top_risks(
    result: RiskResult, summary: RiskSummary, count: int = TOP_RISKS
) -> list[OnTimeChance]:
    """The requirements the base plan meets on time that disruptions most often make late:
    lowest chance first, earliest due first among ties. Requirements already late in the
    base plan are a known shortfall, not a risk, and are left out."""
    safe = set(result.base.on_time)
    ranked = sorted(
        (c for c in summary.on_time if c.requirement.code in safe and c.probability < 1.0),
        key=lambda c: (c.probability, c.requirement.due, c.requirement.code),
    )
    return ranked[:count]


def late_in_base(result: RiskResult) -> int:
    """How many requirements the undisrupted plan already fails to meet on time."""
    return len(result.requirements) - len(result.base.on_time)


def _cell(value: float, digits: int = 0) -> Num | str:
    return "—" if math.isnan(value) else Num(value, digits)


def _distribution_rows(by_key: dict[str, Distribution]) -> list[list[Num | str]]:
    return [
        [
            key,
            _cell(d.mean),
            _cell(d.mean_low),
            _cell(d.mean_high),
            _cell(d.p10),
            _cell(d.p50),
            _cell(d.p90),
            _cell(d.maximum),
        ]
        for key, d in by_key.items()
    ]


_DISTRIBUTION_HEADERS = ("", "Mean", "Mean 95 % low", "Mean 95 % high", "P10", "P50", "P90")


def _distribution_table(first: str, by_key: dict[str, Distribution]) -> str:
    return table((first, *_DISTRIBUTION_HEADERS[1:], "Max"), _distribution_rows(by_key))


def _header(result: RiskResult, summary: RiskSummary) -> str:
    seconds = [s.seconds for s in result.samples if not math.isnan(s.seconds)]
    gaps = [s.mip_gap for s in result.samples if s.usable]
    facts = [
        ("Scenario", result.scenario_name),
        ("Scenario hash", result.scenario_hash),
        ("Seed", str(result.seed)),
        ("Samples", str(summary.samples)),
        ("Planned (used)", str(summary.usable)),
        ("Infeasible (left out)", str(summary.infeasible)),
        ("Not proven optimal (time limit)", str(summary.not_optimal)),
        ("Largest MIP gap", f"{100 * max(gaps):.3f} %" if gaps else "—"),
        ("Mean time per sample", f"{sum(seconds) / len(seconds):.1f} s" if seconds else "—"),
        *((f"Option {k}", str(v)) for k, v in result.options.items()),
    ]
    items = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(text)}</dd>" for label, text in facts
    )
    title = f"<h1>Risk report: {html.escape(result.scenario_name)}</h1>"
    return f"<header>{title}<dl>{items}</dl></header>"


def _model_table(result: RiskResult) -> str:
    rows = [
        (section_name, key, str(value))
        for section_name, values in model_to_dict(result.model).items()
        for key, value in values.items()
    ]
    return table(("Disruption", "Parameter", "Value"), rows)


def _risks_table(result: RiskResult, summary: RiskSummary) -> str:
    rows = [
        (
            c.requirement.code,
            c.requirement.nation,
            c.requirement.weapon_system,
            c.requirement.due,
            str(c.requirement.priority),
            Num(100 * c.probability, 1, " %"),
            Num(100 * c.low, 1, " %"),
            Num(100 * c.high, 1, " %"),
        )
        for c in top_risks(result, summary)
    ]
    headers = ("Requirement", "Nation", "System", "Due", "Priority", "P(on time)", "Low", "High")
    note = (
        "<p>Requirements the undisrupted plan meets on time, by their chance of staying on "
        f"time; {late_in_base(result)} requirement(s) are late or short even in the "
        "undisrupted plan and are not listed. Intervals: Wilson score, 95 %.</p>"
    )
    return table(headers, rows) + note


def render_risk_report(result: RiskResult) -> str:
    summary = summarise(result)
    totals = {"shortfall (units)": summary.shortfall, "late (unit-months)": summary.late}
    tables = [
        ("Alliance totals", "Total", totals),
        ("Shortfall per nation (units)", "Nation", summary.shortfall_by_nation),
        ("Late unit-months per nation", "Nation", summary.late_by_nation),
        ("Shortfall per item family (units)", "Family", summary.shortfall_by_family),
        ("Late unit-months per item family", "Family", summary.late_by_family),
    ]
    sections = [
        _header(result, summary),
        *(section(title, _distribution_table(first, d)) for title, first, d in tables),
        section("Requirements most at risk", _risks_table(result, summary)),
        section("Disruption model", _model_table(result)),
    ]
    figures = [
        total_shortfall_figure(result),
        shortfall_by_nation_figure(result),
        late_by_nation_figure(result),
        shortfall_by_family_figure(result),
        on_time_figure(summary),
    ]
    sections.append(
        section("Figures", *(figure_html(fig, i) for i, fig in enumerate(figures, start=1)))
    )
    return PAGE.substitute(
        title=html.escape(f"AlliedForge risk report: {result.scenario_name}"),
        plotlyjs=get_plotlyjs(),
        body="\n".join(sections),
    )


SAMPLE_COLUMNS = (
    "sample",
    "status",
    "objective",
    "mip_gap",
    "seconds",
    "shortfall",
    "late_unit_months",
    "requirements_on_time",
    "changes",
)


def samples_csv(result: RiskResult) -> str:
    """One row per sample (the base plan first, sample −1), nations' shortfall last."""
    nations = sorted({r.nation for r in result.requirements})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*SAMPLE_COLUMNS, *(f"shortfall_{n}" for n in nations)])
    for s in (result.base, *result.samples):
        changes = "; ".join(
            " ".join(f"{k}={v}" for k, v in change.items() if v is not None) for change in s.changes
        )
        writer.writerow(
            [
                s.sample,
                s.status,
                "" if math.isnan(s.objective) else f"{s.objective:.2f}",
                "" if math.isnan(s.mip_gap) else f"{s.mip_gap:.6f}",
                f"{s.seconds:.2f}",
                f"{sum(s.shortfall_by_nation.values()):.2f}" if s.usable else "",
                f"{sum(s.late_by_nation.values()):.2f}" if s.usable else "",
                len(s.on_time),
                changes,
                *(f"{s.shortfall_by_nation.get(n, 0.0):.2f}" if s.usable else "" for n in nations),
            ]
        )
    return out.getvalue()


def write_risk_outputs(folder: Path, result: RiskResult) -> list[Path]:
    """Write risk.json, report.html and samples.csv into `folder`; return their paths.
    Everything is rendered before the first file is written."""
    outputs = {
        "risk.json": json.dumps(result_to_dict(result), indent=2, allow_nan=False) + "\n",
        "report.html": render_risk_report(result),
        "samples.csv": samples_csv(result),
    }
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in outputs.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
