"""The risk page's numbers and figures: a stored risk result (`result_to_dict`) read back,
its statistics per nation and item family beside the undisrupted base plan, each
requirement's chance of being met on time, and the engine's figures as plain dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from alliedforge.domain.audit.service import json_safe
from alliedforge.risk.figures import (
    late_by_nation_figure,
    on_time_figure,
    shortfall_by_family_figure,
    shortfall_by_nation_figure,
    total_shortfall_figure,
)
from alliedforge.risk.outcome import (
    RiskResult,
    RiskSummary,
    result_from_dict,
    summarise,
    summary_to_dict,
)
from alliedforge.risk.stats import Distribution
from alliedforge.web.charts.timelines import as_dict


@dataclass(frozen=True, slots=True)
class RiskView:
    """What the page shows (`data`, also its JSON twin) and the figures it draws."""

    data: dict[str, Any]
    figures: dict[str, dict[str, Any]]


def _groups(
    shortfall: Mapping[str, Distribution],
    late: Mapping[str, Distribution],
    base_shortfall: Mapping[str, float],
    base_late: Mapping[str, float],
) -> list[dict[str, Any]]:
    """One row per nation (or family): the distributions and the base plan's figures."""
    keys = list(dict.fromkeys([*shortfall, *late]))
    return [
        {
            "key": key,
            "base_shortfall": base_shortfall.get(key, 0.0),
            "base_late": base_late.get(key, 0.0),
            "shortfall": None if key not in shortfall else asdict(shortfall[key]),
            "late": None if key not in late else asdict(late[key]),
        }
        for key in keys
    ]


def _data(result: RiskResult, summary: RiskSummary) -> dict[str, Any]:
    plain = summary_to_dict(summary)  # non-finite numbers as null
    base = result.base
    requirements = {r.code: r for r in result.requirements}
    nations = _groups(
        summary.shortfall_by_nation,
        summary.late_by_nation,
        base.shortfall_by_nation,
        base.late_by_nation,
    )
    families = _groups(
        summary.shortfall_by_family,
        summary.late_by_family,
        base.shortfall_by_family,
        base.late_by_family,
    )
    return {
        "scenario_name": result.scenario_name,
        "seed": result.seed,
        "options": result.options,
        "samples": summary.samples,
        "usable": summary.usable,
        "infeasible": summary.infeasible,
        "not_optimal": summary.not_optimal,
        "base": {
            "status": base.status,
            "shortfall": sum(base.shortfall_by_nation.values()),
            "late": sum(base.late_by_nation.values()),
        },
        "shortfall": plain["shortfall"],
        "late": plain["late"],
        "nations": json_safe(nations),
        "families": json_safe(families),
        "on_time": [
            {
                **chance,
                "due": requirements[chance["requirement"]].due,
                "priority": requirements[chance["requirement"]].priority,
                "family": requirements[chance["requirement"]].family,
                "base_on_time": chance["requirement"] in base.on_time,
            }
            for chance in plain["on_time"]
        ],
    }


def risk_view(stored: Mapping[str, Any]) -> RiskView:
    """The view of a stored risk result."""
    result = result_from_dict(stored, "the stored risk run")
    summary = summarise(result)
    return RiskView(_data(result, summary), _figures(result, summary))


def _figures(result: RiskResult, summary: RiskSummary) -> dict[str, dict[str, Any]]:
    return {
        "total": as_dict(total_shortfall_figure(result)),
        "shortfall": as_dict(shortfall_by_nation_figure(result)),
        "lateness": as_dict(late_by_nation_figure(result)),
        "families": as_dict(shortfall_by_family_figure(result)),
        "on_time": as_dict(on_time_figure(summary)),
    }
