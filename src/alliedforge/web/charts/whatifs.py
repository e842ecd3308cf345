"""The what-if pages' numbers and figures: the cases of one or more stored what-if runs
side by side (each run's baseline once, then each run's changed case), the KPI table with
each case's change from the first baseline, and the engine's figures as plain dicts."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from alliedforge.web.charts.timelines import as_dict
from alliedforge.whatif.compare import CaseKpis, Comparison
from alliedforge.whatif.figures import (
    costs_figure,
    lateness_figure,
    openings_figure,
    shortfall_figure,
)

# A KPI row: its key, what it counts, and how to read it from a case.
KPIS: tuple[tuple[str, str, Callable[[CaseKpis], float]], ...] = (
    ("procurement", "cost", lambda c: c.costs.procurement),
    ("opening", "cost", lambda c: c.costs.opening),
    ("commitment", "cost", lambda c: c.costs.commitment),
    ("shortfall penalty", "cost", lambda c: c.costs.shortfall),
    ("lateness penalty", "cost", lambda c: c.costs.late),
    ("objective", "cost", lambda c: c.objective),
    ("shortfall", "units", lambda c: c.total("shortfall")),
    ("lateness", "unit-months", lambda c: c.total("late_unit_months")),
    ("on time", "share", lambda c: c.on_time_share),
    ("lines opened", "lines", lambda c: float(len(c.openings)) if c.feasible else math.nan),
    ("tiers reached", "tiers", lambda c: float(len(c.tiers)) if c.feasible else math.nan),
)
NATION_MEASURES = ("shortfall", "late_unit_months")
# The engine's figures of a comparison, by the name the page gives each chart.
FIGURES = {
    "costs": costs_figure,
    "shortfall": shortfall_figure,
    "lateness": lateness_figure,
    "openings": openings_figure,
}


@dataclass(frozen=True, slots=True)
class ComparisonView:
    """What the page shows (`data`, also its JSON twin) and the figures it draws."""

    data: dict[str, Any]
    figures: dict[str, dict[str, Any]]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _delta(a: float, b: float) -> float | None:
    return _finite(b - a)


def combined(results: Sequence[tuple[int, dict[str, Any]]]) -> Comparison:
    """One comparison of stored what-if runs (run id, `Comparison.to_dict()`: a baseline
    and the changed case): the first run's baseline, then each run's changed case under
    its what-if's name (with its run where two runs share a name)."""
    stored = [(run_id, Comparison.from_dict(result).cases) for run_id, result in results]
    names = Counter(case.name for _, cases in stored for case in cases[1:])
    cases = [stored[0][1][0]]
    for run_id, kept in stored:
        cases.extend(
            case if names[case.name] == 1 else replace(case, name=f"{case.name} (run {run_id})")
            for case in kept[1:]
        )
    return Comparison(tuple(cases))


def _row(values: list[float]) -> dict[str, Any]:
    return {
        "values": [_finite(v) for v in values],
        "deltas": [None, *(_delta(values[0], v) for v in values[1:])],
    }


def _nations(cases: Sequence[CaseKpis]) -> list[dict[str, Any]]:
    codes = list(dict.fromkeys(n.nation for case in cases for n in case.nations))
    rows = []
    for code in codes:
        row: dict[str, Any] = {"nation": code}
        for measure in NATION_MEASURES:
            values = []
            for case in cases:
                found = [getattr(n, measure) for n in case.nations if n.nation == code]
                values.append(found[0] if found else math.nan)
            row[measure] = _row(values)
        rows.append(row)
    return rows


def comparison_view(results: Sequence[tuple[int, dict[str, Any]]]) -> ComparisonView:
    """The side-by-side view of stored what-if results (see `combined`)."""
    comparison = combined(results)
    cases = comparison.cases
    data = {
        "currency": comparison.baseline.currency,
        "same_base": len(_base_hashes(results)) == 1,
        "cases": [
            {
                "name": case.name,
                "status": case.status.value,
                "mode": case.mode,
                "scenario_hash": case.scenario_hash,
                "description": case.description,
                "infeasibility": list(case.infeasibility),
            }
            for case in cases
        ],
        "kpis": [
            {"key": key, "unit": unit, **_row([read(case) for case in cases])}
            for key, unit, read in KPIS
        ],
        "nations": _nations(cases),
        "openings": [
            {
                "case": delta.name,
                "added": [o.line for o in delta.openings_added],
                "removed": [o.line for o in delta.openings_removed],
                "moved": [
                    {"line": m.line, "a": m.a.decision_month, "b": m.b.decision_month}
                    for m in delta.openings_moved
                ],
                "tiers": len(delta.tiers),
            }
            for delta in comparison.deltas
        ],
    }
    figures = {name: as_dict(draw(comparison)) for name, draw in FIGURES.items()}
    return ComparisonView(data, figures)


def _base_hashes(results: Sequence[tuple[int, dict[str, Any]]]) -> set[str]:
    """The baseline scenario hash of every stored result."""
    return {str(result["cases"][0]["scenario_hash"]) for _, result in results}
