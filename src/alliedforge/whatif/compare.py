"""Cases side by side: the KPIs of each (scenario, plan) and their deltas against the first.

A `Comparison` keeps only numbers and codes, so it round-trips through JSON (`to_dict`,
`from_dict`) and the web app can store it and rebuild it without the scenarios or plans.
Units are units, unit-months and the scenario currency; unknown numbers (an infeasible
plan has no cost) are NaN in memory and null in JSON.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from alliedforge.analysis.kpis import nation_kpis
from alliedforge.analysis.plandiff import COST_COMPONENTS, Change, OpeningMove, TierChange
from alliedforge.planning.plan import Costs, Opening, Plan, PlanStatus, TierChoice
from alliedforge.scenario.model import Scenario
from alliedforge.whatif.changes import WhatIf
from alliedforge.whatif.files import change_to_dict

NAN = float("nan")


@dataclass(frozen=True, slots=True)
class Case:
    """One scenario and its plan, under a name; `whatif` is what made the scenario, if any."""

    name: str
    scenario: Scenario
    plan: Plan
    whatif: WhatIf | None = None


@dataclass(frozen=True, slots=True)
class NationResult:
    """How one nation fares in a case (units, unit-months, attributed cost)."""

    nation: str
    required: float
    delivered: float
    on_time: float
    shortfall: float
    late_unit_months: float
    cost: float

    @property
    def on_time_share(self) -> float:
        """Units delivered on time over units required (NaN when nothing is required)."""
        return self.on_time / self.required if self.required > 0 else NAN


@dataclass(frozen=True, slots=True)
class CaseKpis:
    """The KPIs of one case; `changes` are the what-if's change tables (file shape)."""

    name: str
    scenario_name: str
    scenario_hash: str
    currency: str
    status: PlanStatus
    mode: str
    costs: Costs
    nations: tuple[NationResult, ...] = ()
    openings: tuple[Opening, ...] = ()
    tiers: tuple[TierChoice, ...] = ()
    infeasibility: tuple[str, ...] = ()
    description: str = ""
    changes: tuple[dict[str, Any], ...] = ()

    @property
    def feasible(self) -> bool:
        return self.status is not PlanStatus.INFEASIBLE

    @property
    def objective(self) -> float:
        return self.costs.total

    def total(self, name: str) -> float:
        """A nation figure summed over nations (`shortfall`, `late_unit_months`, …)."""
        return sum(getattr(n, name) for n in self.nations) if self.feasible else NAN

    @property
    def on_time_share(self) -> float:
        required = self.total("required")
        return self.total("on_time") / required if required > 0 else NAN


@dataclass(frozen=True, slots=True)
class CaseDelta:
    """A case against the baseline (the first case): `a` is the baseline, `b` the case."""

    name: str
    costs: tuple[Change, ...]
    shortfall: tuple[Change, ...]
    late_unit_months: tuple[Change, ...]
    on_time_share: tuple[Change, ...]
    openings_added: tuple[Opening, ...]
    openings_removed: tuple[Opening, ...]
    openings_moved: tuple[OpeningMove, ...]
    tiers: tuple[TierChange, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """The cases in order; the first is the baseline every delta is measured from."""

    cases: tuple[CaseKpis, ...]

    def __post_init__(self) -> None:
        if not self.cases:
            raise ValueError("a comparison needs at least one case")

    @property
    def baseline(self) -> CaseKpis:
        return self.cases[0]

    @property
    def deltas(self) -> tuple[CaseDelta, ...]:
        """Every case but the first against the first, in order."""
        return tuple(_delta(self.baseline, case) for case in self.cases[1:])

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: no NaN or infinity (they are null)."""
        return {"cases": [_case_to_dict(case) for case in self.cases]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        """The comparison `to_dict` gave."""
        return cls(tuple(_case_from_dict(case) for case in data["cases"]))


def case_kpis(case: Case) -> CaseKpis:
    """The KPIs of one case, nations in scenario order, openings by decision month."""
    plan, scenario = case.plan, case.scenario
    common: dict[str, Any] = {
        "name": case.name,
        "scenario_name": scenario.manifest.name,
        "scenario_hash": plan.scenario_hash or scenario.content_hash(),
        "currency": scenario.manifest.currency,
        "status": plan.status,
        "mode": plan.mode.value,
        "description": case.whatif.description if case.whatif else "",
        "changes": tuple(change_to_dict(c) for c in case.whatif.changes) if case.whatif else (),
    }
    if plan.status is PlanStatus.INFEASIBLE:
        nan = Costs(NAN, NAN, NAN, NAN, NAN)
        return CaseKpis(costs=nan, infeasibility=plan.infeasibility, **common)
    nations = tuple(
        NationResult(
            nation=k.nation,
            required=k.required,
            delivered=k.delivered,
            on_time=k.on_time,
            shortfall=k.shortfall,
            late_unit_months=k.late_unit_months,
            cost=k.costs.total,
        )
        for k in nation_kpis(scenario, plan)
    )
    return CaseKpis(
        costs=plan.costs,
        nations=nations,
        openings=tuple(sorted(plan.openings, key=lambda o: (o.decision_month, o.line))),
        tiers=tuple(sorted(plan.tiers, key=_tier_key)),
        **common,
    )


def compare_cases(cases: Sequence[Case]) -> Comparison:
    """KPIs of every case and the deltas of each against the first."""
    return Comparison(tuple(case_kpis(case) for case in cases))


def _tier_key(tier: TierChoice) -> tuple[str, str, str]:
    return tier.supplier, tier.item, tier.nation or ""


def _by_nation(a: CaseKpis, b: CaseKpis, name: str) -> tuple[Change, ...]:
    before = {n.nation: n for n in a.nations}
    after = {n.nation: n for n in b.nations}
    codes = list(before) + [code for code in after if code not in before]
    return tuple(
        Change(
            code,
            getattr(before[code], name) if code in before else NAN,
            getattr(after[code], name) if code in after else NAN,
        )
        for code in codes
    )


def _delta(a: CaseKpis, b: CaseKpis) -> CaseDelta:
    costs = tuple(
        Change(name, getattr(a.costs, name), getattr(b.costs, name)) for name in COST_COMPONENTS
    )
    opened_a = {o.line: o for o in a.openings}
    opened_b = {o.line: o for o in b.openings}
    tiers_a = {_tier_key(t): t for t in a.tiers}
    tiers_b = {_tier_key(t): t for t in b.tiers}
    return CaseDelta(
        name=b.name,
        costs=(*costs, Change("objective", a.objective, b.objective)),
        shortfall=_by_nation(a, b, "shortfall"),
        late_unit_months=_by_nation(a, b, "late_unit_months"),
        on_time_share=_by_nation(a, b, "on_time_share"),
        openings_added=tuple(o for line, o in opened_b.items() if line not in opened_a),
        openings_removed=tuple(o for line, o in opened_a.items() if line not in opened_b),
        openings_moved=tuple(
            OpeningMove(line, opened_a[line], o)
            for line, o in opened_b.items()
            if line in opened_a and opened_a[line].decision_month != o.decision_month
        ),
        tiers=tuple(
            TierChange(key[0], key[1], key[2] or None, tiers_a.get(key), tiers_b.get(key))
            for key in sorted(tiers_a.keys() | tiers_b)
            if key not in tiers_a
            or key not in tiers_b
            or tiers_a[key].min_quantity != tiers_b[key].min_quantity
        ),
    )


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _number(value: float | None) -> float:
    return NAN if value is None else float(value)


def _plain(row: object) -> dict[str, Any]:
    """A row of numbers and codes as JSON: non-finite numbers become null."""
    return {
        key: _finite(value) if isinstance(value, float) else value
        for key, value in asdict(row).items()  # type: ignore[call-overload]
    }


def _case_to_dict(case: CaseKpis) -> dict[str, Any]:
    return {
        "name": case.name,
        "scenario_name": case.scenario_name,
        "scenario_hash": case.scenario_hash,
        "currency": case.currency,
        "status": case.status.value,
        "mode": case.mode,
        "costs": _plain(case.costs),
        "nations": [_plain(n) for n in case.nations],
        "openings": [_plain(o) for o in case.openings],
        "tiers": [_plain(t) for t in case.tiers],
        "infeasibility": list(case.infeasibility),
        "description": case.description,
        "changes": [dict(c) for c in case.changes],
    }


def _numbers(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {**row, **{name: _number(row[name]) for name in names}}


def _case_from_dict(data: dict[str, Any]) -> CaseKpis:
    return CaseKpis(
        name=data["name"],
        scenario_name=data["scenario_name"],
        scenario_hash=data["scenario_hash"],
        currency=data["currency"],
        status=PlanStatus(data["status"]),
        mode=data["mode"],
        costs=Costs(**_numbers(data["costs"], *COST_COMPONENTS)),
        nations=tuple(
            NationResult(
                **_numbers(
                    n, "required", "delivered", "on_time", "shortfall", "late_unit_months", "cost"
                )
            )
            for n in data["nations"]
        ),
        openings=tuple(Opening(**o) for o in data["openings"]),
        tiers=tuple(TierChoice(**t) for t in data["tiers"]),
        infeasibility=tuple(data["infeasibility"]),
        description=data["description"],
        changes=tuple(data["changes"]),
    )
