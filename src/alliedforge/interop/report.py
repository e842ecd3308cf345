"""An interoperability ranking as one self-contained HTML report (plotly.js inlined once)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from plotly.offline import get_plotlyjs

from alliedforge.analysis.report import PAGE, Num, figure_html, section, table
from alliedforge.interop.figures import GAINS_TITLE, HOLDINGS_TITLE, value_figure
from alliedforge.interop.value import InteropRanking, InteropValue

EXPLANATION = (
    "<p>Each value compares a plan of the scenario with one qualification changed against "
    "the base plan, in the objective's own terms (procurement, openings, shortfall and "
    "lateness penalties). For qualifications to add or bring forward it is the saving; for "
    "existing ones, the loss if they were removed. Candidates are ranked by the value of the "
    "plan found. When a plan stops at its time limit the true value lies in the interval "
    "shown (low from the plan found, high from the solver's bound), provided the base plan "
    "is optimal; an exact 0 without an interval was known without solving (basis "
    "<code>unused</code>, <code>no_supply</code>, <code>no_demand</code>).</p>"
)


def _values_table(values: Sequence[InteropValue]) -> str:
    headers = (
        "Rank",
        "Item",
        "Weapon system",
        "Change",
        "Qualified from",
        "Value",
        "Low",
        "High",
        "Shortfall (units)",
        "Late unit-months",
        "Per nation (units short, late unit-months)",
        "Basis",
    )
    rows = [
        (
            str(rank),
            v.candidate.item,
            v.candidate.weapon_system,
            v.candidate.direction.value,
            v.candidate.qualified_from or "",
            Num(v.value),
            Num(v.low),
            Num(v.high),
            Num(v.shortfall),
            Num(v.late_unit_months),
            ", ".join(
                f"{n.nation} {n.shortfall:,.0f} / {n.late_unit_months:,.0f}" for n in v.nations
            ),
            v.basis.value,
        )
        for rank, v in enumerate(values, start=1)
    ]
    return table(headers, rows)


def render_interop_report(ranking: InteropRanking) -> str:
    """The report as an HTML string."""
    currency = ranking.currency
    base = ranking.base
    facts = (
        f"<p>Scenario <b>{html.escape(ranking.scenario_name)}</b>; qualifications from "
        f"{html.escape(ranking.from_month)}. Base plan {html.escape(base.status.value)}: "
        f"objective {base.objective:,.0f} {html.escape(currency)}, bound "
        f"{base.bound:,.0f}, gap {100 * base.mip_gap:.4f} %.</p>"
    )
    sections = [
        f"<header><h1>Value of interoperability: {html.escape(ranking.scenario_name)}</h1>"
        f"{facts}{EXPLANATION}</header>",
        section(
            f"{GAINS_TITLE} ({currency})",
            figure_html(value_figure(ranking.gains, currency, GAINS_TITLE), 1),
            _values_table(ranking.gains),
        ),
    ]
    if ranking.holdings:
        sections.append(
            section(
                f"{HOLDINGS_TITLE} ({currency})",
                figure_html(value_figure(ranking.holdings, currency, HOLDINGS_TITLE), 2),
                _values_table(ranking.holdings),
            )
        )
    return PAGE.substitute(
        title=html.escape(f"AlliedForge interoperability: {ranking.scenario_name}"),
        plotlyjs=get_plotlyjs(),
        body="\n".join(sections),
    )


def write_interop_report(path: Path, ranking: InteropRanking) -> Path:
    """Write the self-contained HTML report to `path` and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_interop_report(ranking), encoding="utf-8")
    return path
