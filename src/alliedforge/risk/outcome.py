"""What a risk run found: each sample's outcome, and the statistics over the samples.

Family rule: a requirement's shortfall and lateness count towards the item family of its
weapon system — the family most items qualified on that system belong to (ties: the
first such item in items.csv). A requirement is met on time when its units delivered by
the due month reach its quantity (less 1e-6) in that sample; a demand surge raises the
quantity of the sample's requirement. Samples whose plan is infeasible (a disruption
broke a commitment) are counted and left out of the statistics; samples stopped by the
time limit keep their best plan (a feasible plan, perhaps not the cheapest), counted.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from alliedforge.planning.plan import Plan, PlanStatus
from alliedforge.risk.model import RiskModel, model_from_dict, model_to_dict
from alliedforge.risk.stats import Distribution, distribution, wilson
from alliedforge.scenario.model import Scenario
from alliedforge.whatif.changes import Change

ON_TIME_TOLERANCE = 1e-6
NO_FAMILY = "(no qualified item)"

ChangeRecord = dict[str, str | int | float | None]


@dataclass(frozen=True, slots=True)
class RequirementInfo:
    """A requirement of the base scenario (stockpile requirements included)."""

    code: str
    nation: str
    weapon_system: str
    due: str
    priority: int
    quantity: float
    family: str


@dataclass(frozen=True, slots=True)
class SampleOutcome:
    """One planned sample (or the undisrupted base plan, `sample` −1): units and unit-months."""

    sample: int
    status: str
    objective: float
    mip_gap: float
    seconds: float
    changes: tuple[ChangeRecord, ...]
    on_time: tuple[str, ...]  # requirement codes met in full by their due month
    shortfall_by_nation: dict[str, float]
    late_by_nation: dict[str, float]
    shortfall_by_family: dict[str, float]
    late_by_family: dict[str, float]

    @property
    def usable(self) -> bool:
        return self.status != PlanStatus.INFEASIBLE


@dataclass(frozen=True, slots=True)
class RiskResult:
    """A whole risk run: its inputs' identity, the base plan and every sample."""

    scenario_name: str
    scenario_hash: str
    seed: int
    model: RiskModel
    options: dict[str, float | str]
    requirements: tuple[RequirementInfo, ...]
    base: SampleOutcome
    samples: tuple[SampleOutcome, ...]


@dataclass(frozen=True, slots=True)
class OnTimeChance:
    """The chance a requirement is met in full on time, with its Wilson 95 % interval."""

    requirement: RequirementInfo
    met: int
    samples: int
    probability: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class RiskSummary:
    """Statistics over the usable samples of a `RiskResult`."""

    samples: int
    usable: int
    infeasible: int
    not_optimal: int
    shortfall: Distribution  # all nations, units
    late: Distribution  # all nations, unit-months
    shortfall_by_nation: dict[str, Distribution]
    late_by_nation: dict[str, Distribution]
    shortfall_by_family: dict[str, Distribution]
    late_by_family: dict[str, Distribution]
    on_time: tuple[OnTimeChance, ...]  # in requirement order


def change_record(change: Change) -> ChangeRecord:
    """A change as the plain row of a what-if file (`kind` first)."""
    record: ChangeRecord = {"kind": change.kind}
    record.update({f.name: getattr(change, f.name) for f in fields(change)})
    return record


def weapon_system_families(scenario: Scenario) -> dict[str, str]:
    """The family of each weapon system's qualified items (see the module's rule)."""
    family_of = {item.code: item.family for item in scenario.items}
    order = {item.code: i for i, item in enumerate(scenario.items)}
    qualified: dict[str, list[str]] = defaultdict(list)
    for q in scenario.qualifications:
        qualified[q.weapon_system].append(q.item)
    families: dict[str, str] = {}
    for system in scenario.weapon_systems:
        items = sorted(set(qualified[system.code]), key=lambda code: order.get(code, 0))
        counts = Counter(family_of[item] for item in items if item in family_of)
        if not counts:
            families[system.code] = NO_FAMILY
            continue
        top = max(counts.values())
        families[system.code] = next(
            family_of[item] for item in items if counts[family_of[item]] == top
        )
    return families


def requirement_infos(scenario: Scenario) -> tuple[RequirementInfo, ...]:
    families = weapon_system_families(scenario)
    return tuple(
        RequirementInfo(
            code=r.code,
            nation=r.nation,
            weapon_system=r.weapon_system,
            due=r.due,
            priority=r.priority,
            quantity=r.quantity,
            family=families.get(r.weapon_system, NO_FAMILY),
        )
        for r in scenario.all_requirements()
    )


def sample_outcome(
    sample: int,
    changes: Iterable[Change],
    plan: Plan,
    requirements: tuple[RequirementInfo, ...],
) -> SampleOutcome:
    """Reduce a sample's plan to what the statistics need."""
    records = tuple(change_record(c) for c in changes)
    if plan.status is PlanStatus.INFEASIBLE:
        nothing: dict[str, float] = {}
        return SampleOutcome(
            sample=sample,
            status=plan.status.value,
            objective=math.nan,
            mip_gap=math.nan,
            seconds=plan.build_seconds + plan.solve_seconds,
            changes=records,
            on_time=(),
            shortfall_by_nation=nothing,
            late_by_nation=nothing,
            shortfall_by_family=nothing,
            late_by_family=nothing,
        )
    family = {r.code: r.family for r in requirements}
    shortfall_n: dict[str, float] = dict.fromkeys(sorted({r.nation for r in requirements}), 0.0)
    late_n = dict(shortfall_n)
    shortfall_f: dict[str, float] = dict.fromkeys(sorted({r.family for r in requirements}), 0.0)
    late_f = dict(shortfall_f)
    on_time: list[str] = []
    for outcome in plan.requirements:
        shortfall_n[outcome.nation] = shortfall_n.get(outcome.nation, 0.0) + outcome.shortfall
        late_n[outcome.nation] = late_n.get(outcome.nation, 0.0) + outcome.late_unit_months
        f = family.get(outcome.requirement, NO_FAMILY)
        shortfall_f[f] = shortfall_f.get(f, 0.0) + outcome.shortfall
        late_f[f] = late_f.get(f, 0.0) + outcome.late_unit_months
        if outcome.delivered_on_time >= outcome.quantity - ON_TIME_TOLERANCE:
            on_time.append(outcome.requirement)
    return SampleOutcome(
        sample=sample,
        status=plan.status.value,
        objective=plan.objective,
        mip_gap=plan.mip_gap,
        seconds=plan.build_seconds + plan.solve_seconds,
        changes=records,
        on_time=tuple(on_time),
        shortfall_by_nation=shortfall_n,
        late_by_nation=late_n,
        shortfall_by_family=shortfall_f,
        late_by_family=late_f,
    )


def _by_key(outcomes: list[SampleOutcome], attribute: str) -> dict[str, Distribution]:
    keys = sorted({k for o in outcomes for k in getattr(o, attribute)})
    return {
        key: distribution([getattr(o, attribute).get(key, 0.0) for o in outcomes]) for key in keys
    }


def summarise(result: RiskResult) -> RiskSummary:
    """Distributions per nation and family, and on-time chances, over the usable samples."""
    usable = [s for s in result.samples if s.usable]
    counts: Counter[str] = Counter(code for s in usable for code in s.on_time)
    chances = []
    for r in result.requirements:
        low, high = wilson(counts[r.code], len(usable))
        probability = counts[r.code] / len(usable) if usable else math.nan
        chances.append(OnTimeChance(r, counts[r.code], len(usable), probability, low, high))
    return RiskSummary(
        samples=len(result.samples),
        usable=len(usable),
        infeasible=len(result.samples) - len(usable),
        not_optimal=sum(1 for s in usable if s.status != PlanStatus.OPTIMAL),
        shortfall=distribution([sum(s.shortfall_by_nation.values()) for s in usable]),
        late=distribution([sum(s.late_by_nation.values()) for s in usable]),
        shortfall_by_nation=_by_key(usable, "shortfall_by_nation"),
        late_by_nation=_by_key(usable, "late_by_nation"),
        shortfall_by_family=_by_key(usable, "shortfall_by_family"),
        late_by_family=_by_key(usable, "late_by_family"),
        on_time=tuple(chances),
    )


def _finite(value: Any) -> Any:
    """JSON has no NaN: non-finite numbers become null, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def _sample_from_dict(data: Mapping[str, Any]) -> SampleOutcome:
    return SampleOutcome(
        sample=int(data["sample"]),
        status=str(data["status"]),
        objective=_number(data["objective"]),
        mip_gap=_number(data["mip_gap"]),
        seconds=_number(data["seconds"]),
        changes=tuple(dict(c) for c in data["changes"]),
        on_time=tuple(data["on_time"]),
        shortfall_by_nation={k: float(v) for k, v in data["shortfall_by_nation"].items()},
        late_by_nation={k: float(v) for k, v in data["late_by_nation"].items()},
        shortfall_by_family={k: float(v) for k, v in data["shortfall_by_family"].items()},
        late_by_family={k: float(v) for k, v in data["late_by_family"].items()},
    )


def result_to_dict(result: RiskResult) -> dict[str, Any]:
    """The run and its summary as JSON-safe data (`risk.json`); NaN becomes null."""
    summary = summarise(result)
    data: dict[str, Any] = _finite(
        {
            "scenario_name": result.scenario_name,
            "scenario_hash": result.scenario_hash,
            "seed": result.seed,
            "model": model_to_dict(result.model),
            "options": dict(result.options),
            "requirements": [asdict(r) for r in result.requirements],
            "base": asdict(result.base),
            "samples": [asdict(s) for s in result.samples],
            "summary": summary_to_dict(summary),
        }
    )
    return data


def result_from_dict(data: Mapping[str, Any], source: str = "risk.json") -> RiskResult:
    """Read back `result_to_dict`'s data (the summary is recomputed by `summarise`)."""
    return RiskResult(
        scenario_name=str(data["scenario_name"]),
        scenario_hash=str(data["scenario_hash"]),
        seed=int(data["seed"]),
        model=model_from_dict(data["model"], source),
        options=dict(data["options"]),
        requirements=tuple(RequirementInfo(**r) for r in data["requirements"]),
        base=_sample_from_dict(data["base"]),
        samples=tuple(_sample_from_dict(s) for s in data["samples"]),
    )


def summary_to_dict(summary: RiskSummary) -> dict[str, Any]:
    data = asdict(summary)
    data["on_time"] = [
        {
            "requirement": c.requirement.code,
            "nation": c.requirement.nation,
            "met": c.met,
            "samples": c.samples,
            "probability": c.probability,
            "low": c.low,
            "high": c.high,
        }
        for c in summary.on_time
    ]
    return dict(_finite(data))
