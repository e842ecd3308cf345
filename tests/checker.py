"""Independent plan verifier: recomputes a Plan from its deliveries and openings alone."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from alliedforge.planning.plan import (
    Costs,
    Mode,
    Plan,
    PlanStatus,
    RequirementOutcome,
    TierChoice,
)
from alliedforge.scenario.model import LineState, Scenario
from alliedforge.scenario.months import month_at, month_index, year_of

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

COMMITTED_DELIVERIES_ACCRUE_LATENESS = True
"""Our reading of planning-model.md: "deliveries to r (plan + commitments)" and L_r sums over r's
late deliveries, so a commitment arriving after its requirement's due month is late like any
other delivery and costs late_fraction·S(p_r) per unit-month; its units are not on time."""

OPTIMALITY_GAP_FLOOR = 1e-4
"""A plan reported `optimal` is within the solver's relative MIP gap, at most 1e-4 (spec); a
looser gap is accepted only when the plan's options asked for it."""

_NO_MONTH = -(10**9)  # a month string that does not parse
_NEVER = 10**9  # "not qualified" / "not opened"

_CommitmentKey = tuple[str, str, str]  # line, requirement, month


@dataclass
class CheckReport:
    """Every violation found (human readable) and what the checker recomputed."""

    violations: list[str] = field(default_factory=list)
    costs: Costs = field(default_factory=Costs)
    outcomes: dict[str, RequirementOutcome] = field(default_factory=dict)
    tiers: list[TierChoice] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def add(self, family: str, message: str) -> None:
        self.violations.append(f"{family}: {message}")

    def __str__(self) -> str:
        if self.ok:
            return "plan is valid"
        head = f"{len(self.violations)} violation(s):"
        return "\n".join([head, *(f"  - {v}" for v in self.violations)])


def assert_plan_valid(scenario: Scenario, plan: Plan, tol: float = 1e-6) -> CheckReport:
    """Raise AssertionError listing every violation; return the report when there is none."""
    report = check_plan(scenario, plan, tol)
    if not report.ok:
        raise AssertionError(str(report))
    return report


def check_plan(scenario: Scenario, plan: Plan, tol: float = 1e-6) -> CheckReport:
    """Verify `plan` against every rule of planning-model.md, recomputing costs and outcomes."""
    report = CheckReport()
    if plan.status is PlanStatus.INFEASIBLE:
        if plan.deliveries:
            report.add(
                "infeasible", f"plan is infeasible but lists {len(plan.deliveries)} deliveries"
            )
        if not any(text.strip() for text in plan.infeasibility):
            report.add("infeasible", "plan is infeasible but gives no `infeasibility` explanation")
        return report
    ix = _Index(scenario)
    rows = _Rows(plan, ix, report, tol)
    tau = _check_openings(plan, ix, report)
    _check_arcs(ix, rows, report, tol)
    _check_capacity(ix, rows, tau, report, tol)
    _check_components(scenario, ix, rows, report, tol)
    _check_commitments(scenario, plan, report, tol)
    report.tiers = _check_tiers(ix, rows, plan.mode, report, tol)
    _compare_tiers(plan, report, tol)
    _check_budgets(scenario, ix, rows, report, tol)
    report.outcomes = _recompute_outcomes(ix, rows, report, tol)
    report.costs = _recompute_costs(scenario, ix, rows, tau)
    _compare_outcomes(plan, report, tol)
    _compare_costs(plan, report, tol)
    _check_bound(plan, report, tol)
    return report


def _fmt(x: float) -> str:
    return f"{x:.10g}"


def _slack(tol: float, scale: float | FloatArray) -> FloatArray:
    """Absolute tolerance for a quantity of magnitude `scale`: relative, floored at `tol`."""
    return np.asarray(tol * np.maximum(1.0, np.abs(scale)), dtype=np.float64)


class _Index:
    """Scenario tables as positions and numpy arrays."""

    def __init__(self, scenario: Scenario) -> None:
        manifest = scenario.manifest
        self.scenario = scenario
        self.start = manifest.start
        self.horizon = manifest.months
        self._month_cache: dict[str, int] = {}

        self.requirements = scenario.all_requirements()
        self.req_pos = {r.code: k for k, r in enumerate(self.requirements)}
        nations = [n.code for n in scenario.nations]
        nations += [r.nation for r in self.requirements] + [b.nation for b in scenario.budgets]
        self.nations = list(dict.fromkeys(nations))
        self.nation_pos = {n: k for k, n in enumerate(self.nations)}
        self.req_nation = np.array([self.nation_pos[r.nation] for r in self.requirements], np.int64)
        self.req_qty = np.array([r.quantity for r in self.requirements], np.float64)
        self.req_due = np.array([self.month(r.due) for r in self.requirements], np.int64)
        costs = manifest.shortfall_cost
        self.req_penalty = np.array([costs[r.priority - 1] for r in self.requirements], np.float64)

        items = [i.code for i in scenario.items] + [ln.item for ln in scenario.lines]
        items += [q.item for q in scenario.qualifications] + [b.item for b in scenario.bom]
        self.item_pos = {code: k for k, code in enumerate(dict.fromkeys(items))}
        systems = [w.code for w in scenario.weapon_systems]
        systems += [r.weapon_system for r in self.requirements]
        systems += [q.weapon_system for q in scenario.qualifications]
        self.ws_pos = {code: k for k, code in enumerate(dict.fromkeys(systems))}
        self.req_ws = np.array([self.ws_pos[r.weapon_system] for r in self.requirements], np.int64)
        self.qual_from = np.full((len(self.item_pos), len(self.ws_pos)), _NEVER, np.int64)
        for q in scenario.qualifications:
            first = 0 if q.from_month is None else self.month(q.from_month)
            i, w = self.item_pos[q.item], self.ws_pos[q.weapon_system]
            self.qual_from[i, w] = min(self.qual_from[i, w], first)

        self.lines = scenario.lines
        self.line_pos = {ln.code: k for k, ln in enumerate(self.lines)}
        self.line_item = np.array([self.item_pos[ln.item] for ln in self.lines], np.int64)
        self.line_supplier_code = np.array([ln.supplier for ln in self.lines], dtype=object)
        self.line_item_code = np.array([ln.item for ln in self.lines], dtype=object)

        self.pair_tiers: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        for p in scenario.prices:
            self.pair_tiers[(p.supplier, p.item)].append((p.min_quantity, p.unit_price))
        for tiers in self.pair_tiers.values():
            tiers.sort()
        self.pairs = list(dict.fromkeys((ln.supplier, ln.item) for ln in self.lines))
        pair_pos = {pair: k for k, pair in enumerate(self.pairs)}
        self.line_pair = np.array([pair_pos[(ln.supplier, ln.item)] for ln in self.lines], np.int64)

        self.month_year = np.array([year_of(self.start, t) for t in range(self.horizon)], np.int64)

    def month(self, text: str) -> int:
        """Month index of `text`, or _NO_MONTH when it does not parse."""
        if text not in self._month_cache:
            try:
                self._month_cache[text] = month_index(self.start, text)
            except ValueError:
                self._month_cache[text] = _NO_MONTH
        return self._month_cache[text]

    def month_name(self, t: int) -> str:
        return month_at(self.start, int(t))


class _Rows:
    """`plan.deliveries` as arrays; rows that reference nothing known are reported and masked."""

    def __init__(self, plan: Plan, ix: _Index, report: CheckReport, tol: float) -> None:
        dl = plan.deliveries
        n = len(dl)
        self.deliveries = dl
        self.line = np.fromiter((ix.line_pos.get(d.line, -1) for d in dl), np.int64, n)
        self.req = np.fromiter((ix.req_pos.get(d.requirement, -1) for d in dl), np.int64, n)
        self.month = np.fromiter((ix.month(d.month) for d in dl), np.int64, n)
        self.qty = np.fromiter((d.quantity for d in dl), np.float64, n)
        self.price = np.fromiter((d.unit_price for d in dl), np.float64, n)
        self.committed = np.fromiter((d.committed for d in dl), np.bool_, n)

        finite = np.isfinite(self.qty) & np.isfinite(self.price)
        known = (self.line >= 0) & (self.req >= 0)
        in_horizon = (self.month >= 0) & (self.month < ix.horizon)
        for k in np.flatnonzero(~(finite & known & in_horizon)):
            d = dl[k]
            if d.line not in ix.line_pos:
                report.add("delivery", f"row {k} names unknown line {d.line!r}")
            if d.requirement not in ix.req_pos:
                report.add("delivery", f"row {k} names unknown requirement {d.requirement!r}")
            if not in_horizon[k]:
                report.add("delivery", f"row {k} month {d.month!r} is not a month of the horizon")
            if not finite[k]:
                report.add("delivery", f"row {k} has quantity {d.quantity} / price {d.unit_price}")
        for k in np.flatnonzero(self.qty < -tol):
            report.add("delivery", f"row {k} ({dl[k].line} → {dl[k].requirement}) is negative")
        self.valid: BoolArray = finite & known & in_horizon
        self.planned: BoolArray = self.valid & ~self.committed

        # Rows must say the same as the line and requirement they name.
        safe_line = np.where(self.valid, self.line, 0)
        safe_req = np.where(self.valid, self.req, 0)
        if n and ix.lines:
            supplier = np.array([d.supplier for d in dl], dtype=object)
            item = np.array([d.item for d in dl], dtype=object)
            nation = np.array([d.nation for d in dl], dtype=object)
            nation_code = np.array(ix.nations, dtype=object)
            bad_supplier = self.valid & (supplier != ix.line_supplier_code[safe_line])
            bad_item = self.valid & (item != ix.line_item_code[safe_line])
            bad_nation = self.valid & (nation != nation_code[ix.req_nation[safe_req]])
            for k in np.flatnonzero(bad_supplier | bad_item):
                d, ln = dl[k], ix.lines[self.line[k]]
                report.add(
                    "delivery",
                    f"row {k} says {d.supplier}/{d.item} but line {ln.code} is "
                    f"{ln.supplier}/{ln.item}",
                )
            for k in np.flatnonzero(bad_nation):
                d = dl[k]
                report.add(
                    "delivery",
                    f"row {k} delivers to {d.requirement} for nation {d.nation!r}, "
                    f"but that requirement is {ix.requirements[self.req[k]].nation}'s",
                )
        # deliveries.csv: one row per (line, requirement, month) for planned quantities.
        key = (safe_line * max(len(ix.requirements), 1) + safe_req) * ix.horizon + self.month
        planned_keys, counts = np.unique(key[self.planned], return_counts=True)
        for dup in planned_keys[counts > 1]:
            k = int(np.flatnonzero(self.planned & (key == dup))[0])
            d = dl[k]
            report.add(
                "delivery",
                f"several planned rows for line {d.line}, requirement {d.requirement}, {d.month}",
            )
        self.line_safe = safe_line
        self.req_safe = safe_req


def _check_openings(plan: Plan, ix: _Index, report: CheckReport) -> IntArray:
    """Validate openings; return the decision month per line (_NEVER when not opened)."""
    tau = np.full(len(ix.lines), _NEVER, np.int64)
    for op in plan.openings:
        if op.line not in ix.line_pos:
            report.add("opening", f"unknown line {op.line!r} opened")
            continue
        k = ix.line_pos[op.line]
        ln = ix.lines[k]
        if ln.state is LineState.ACTIVE:
            report.add("opening", f"line {ln.code} is active and cannot be opened")
            continue
        if tau[k] != _NEVER:
            report.add("opening", f"line {ln.code} opened more than once")
            continue
        decision = ix.month(op.decision_month)
        if not 0 <= decision < ix.horizon:
            report.add("opening", f"line {ln.code} decision month {op.decision_month!r} is outside")
            continue
        earliest = 0 if ln.earliest_decision is None else ix.month(ln.earliest_decision)
        if decision < earliest:
            report.add(
                "opening",
                f"line {ln.code} decided {op.decision_month}, before its earliest decision "
                f"{ln.earliest_decision}",
            )
        lead = ln.lead_months or 0
        if ix.month(op.first_output_month) != decision + lead:
            report.add(
                "opening",
                f"line {ln.code} first output {op.first_output_month}, expected "
                f"{ix.month_name(decision + lead)} (decision + {lead} months lead)",
            )
        cost = ln.opening_cost or 0.0
        if not math.isclose(op.opening_cost, cost, rel_tol=1e-9, abs_tol=1e-9):
            report.add(
                "opening", f"line {ln.code} opening cost {_fmt(op.opening_cost)}, not {_fmt(cost)}"
            )
        tau[k] = decision
    return tau


def _capacity(ix: _Index, tau: IntArray) -> FloatArray:
    """Capacity (units) per line and month: c, or c·ρ(t − τ − lead) for opened lines."""
    t = np.arange(ix.horizon)
    cap = np.zeros((len(ix.lines), ix.horizon))
    for k, ln in enumerate(ix.lines):
        if ln.state is LineState.ACTIVE:
            cap[k] = ln.capacity_per_month
        elif tau[k] != _NEVER:
            since = t - tau[k] - (ln.lead_months or 0)
            ramp = ln.ramp_months or 0
            rho = np.ones(ix.horizon) if ramp == 0 else np.minimum(1.0, (since + 1) / ramp)
            cap[k] = ln.capacity_per_month * np.where(since < 0, 0.0, rho)
    line_row = {ln.code: k for k, ln in enumerate(ix.lines)}
    for a in ix.scenario.availability:  # what-ifs: a share of the month's capacity
        cap[line_row[a.line], month_index(ix.start, a.month)] *= a.factor
    return cap


def _check_arcs(ix: _Index, rows: _Rows, report: CheckReport, tol: float) -> None:
    """Deliveries only where the line's item is qualified on the requirement's weapon system."""
    if not len(rows.qty):
        return
    first = ix.qual_from[ix.line_item[rows.line_safe], ix.req_ws[rows.req_safe]]
    bad = rows.valid & (rows.qty > tol) & (rows.month < first)
    for k in np.flatnonzero(bad):
        d = rows.deliveries[k]
        req = ix.requirements[rows.req[k]]
        when = "never" if first[k] == _NEVER else f"only from {ix.month_name(first[k])}"
        report.add(
            "arc",
            f"line {d.line} delivers {_fmt(d.quantity)} of {d.item} to {d.requirement} in "
            f"{d.month}, but {d.item} is qualified on {req.weapon_system} {when}",
        )


def _check_capacity(
    ix: _Index, rows: _Rows, tau: IntArray, report: CheckReport, tol: float
) -> None:
    """Plan + commitments of each line in each month within that month's capacity."""
    n_lines, horizon = len(ix.lines), ix.horizon
    v = rows.valid
    load = np.bincount(
        rows.line[v] * horizon + rows.month[v], rows.qty[v], minlength=n_lines * horizon
    ).reshape(n_lines, horizon)
    cap = _capacity(ix, tau)
    for k, t in np.argwhere(load > cap + _slack(tol, cap)):
        ln = ix.lines[k]
        why = ""
        if ln.state is not LineState.ACTIVE:
            if tau[k] == _NEVER:
                why = f" ({ln.state} line never opened)"
            elif t < tau[k] + (ln.lead_months or 0):
                first = ix.month_name(tau[k] + (ln.lead_months or 0))
                why = f" (before its first output month {first})"
        report.add(
            "capacity",
            f"line {ln.code} delivers {_fmt(load[k, t])} in {ix.month_name(t)}, "
            f"capacity {_fmt(cap[k, t])}{why}",
        )


def _component_supply(scenario: Scenario, ix: _Index) -> dict[str, FloatArray]:
    """Supply per month of each component that has rows: blank month = every month, dated rows
    override it, and months without any row have nothing."""
    supply: dict[str, FloatArray] = {}
    # Stable sort: blank-month rows first so that dated rows override them.
    for row in sorted(scenario.component_supply, key=lambda r: r.month is not None):
        available = supply.setdefault(row.component, np.zeros(ix.horizon))
        if row.month is None:
            available[:] = row.capacity
        elif 0 <= (t := ix.month(row.month)) < ix.horizon:
            available[t] = row.capacity
    return supply


def _check_components(
    scenario: Scenario, ix: _Index, rows: _Rows, report: CheckReport, tol: float
) -> None:
    """Σ bom(i,c)·quantity over deliveries of month t ≤ supply(c,t), commitments included."""
    supply = _component_supply(scenario, ix)
    if not supply:
        return
    n_items, horizon = len(ix.item_pos), ix.horizon
    v = rows.valid
    item = ix.line_item[rows.line_safe]
    item_load = np.bincount(
        item[v] * horizon + rows.month[v], rows.qty[v], minlength=n_items * horizon
    ).reshape(n_items, horizon)
    for comp, available in supply.items():
        per_unit = np.zeros(n_items)
        for b in scenario.bom:
            if b.component == comp:
                per_unit[ix.item_pos[b.item]] += b.quantity_per_unit
        used = per_unit @ item_load
        for t in np.flatnonzero(used > available + _slack(tol, available)):
            report.add(
                "component",
                f"{comp} used {_fmt(used[t])} in {ix.month_name(t)}, supply {_fmt(available[t])}",
            )


def _check_commitments(scenario: Scenario, plan: Plan, report: CheckReport, tol: float) -> None:
    """Committed rows are exactly the scenario's commitments, at their contract price."""
    expected: dict[_CommitmentKey, list[tuple[float, float]]] = defaultdict(list)
    for c in scenario.commitments:
        expected[(c.line, c.requirement, c.month)].append((c.quantity, c.unit_price))
    listed: dict[_CommitmentKey, list[tuple[float, float]]] = defaultdict(list)
    for d in plan.deliveries:
        if d.committed:
            listed[(d.line, d.requirement, d.month)].append((d.quantity, d.unit_price))
    for key in sorted(set(expected) | set(listed)):
        want, got = sorted(expected.get(key, [])), sorted(listed.get(key, []))
        same = len(want) == len(got) and all(
            abs(wq - gq) <= _slack(tol, wq) and abs(wp - gp) <= _slack(tol, wp)
            for (wq, wp), (gq, gp) in zip(want, got, strict=True)
        )
        if not same:
            line, req, month = key
            report.add(
                "commitment",
                f"line {line} → {req} in {month}: scenario commits (qty, price) {want}, "
                f"plan lists {got}",
            )


def _check_tiers(
    ix: _Index, rows: _Rows, mode: Mode, report: CheckReport, tol: float
) -> list[TierChoice]:
    """All-units tiers per (supplier, item) — per nation too in national mode."""
    national = mode is Mode.NATIONAL
    n_nations = len(ix.nations)
    p = rows.planned
    pair = ix.line_pair[rows.line_safe]
    key = pair * n_nations + ix.req_nation[rows.req_safe] if national else pair
    n_groups = len(ix.pairs) * (n_nations if national else 1)
    volume = np.bincount(key[p], rows.qty[p], minlength=n_groups)
    priced = p & (rows.qty > tol)
    low, high = np.full(n_groups, np.inf), np.full(n_groups, -np.inf)
    np.minimum.at(low, key[priced], rows.price[priced])
    np.maximum.at(high, key[priced], rows.price[priced])

    chosen: list[TierChoice] = []
    for g in np.flatnonzero(volume > tol):
        supplier, item = ix.pairs[g // n_nations if national else g]
        nation = ix.nations[g % n_nations] if national else None
        who = f"{supplier}/{item}" + (f" for {nation}" if nation else "")
        q = float(volume[g])
        tiers = ix.pair_tiers.get((supplier, item), [])
        if not tiers:
            report.add("tier", f"{who} delivers {_fmt(q)} but has no price tier")
            continue
        smallest = tiers[0][0]
        if q < smallest - _slack(tol, smallest):
            report.add("minimum order", f"{who} buys {_fmt(q)}, below the minimum {_fmt(smallest)}")
            continue
        if not np.isfinite(low[g]):
            continue
        if high[g] - low[g] > _slack(tol, high[g]):
            report.add(
                "tier", f"{who} planned at several unit prices ({_fmt(low[g])}..{_fmt(high[g])})"
            )
            continue
        price = float(high[g])
        reached = [(m, pi) for m, pi in tiers if m <= q + _slack(tol, m)]
        match = [(m, pi) for m, pi in reached if abs(price - pi) <= _slack(tol, pi)]
        if not match:
            report.add(
                "tier",
                f"{who} price {_fmt(price)} is no tier reached by {_fmt(q)} units "
                f"(reached: {[pi for _, pi in reached]})",
            )
            continue
        # A tier only within tolerance of being reached is not one the optimum must take.
        surely = [pi for m, pi in tiers if m <= q - _slack(tol, m)] or [pi for _, pi in reached]
        cheapest = min(surely)
        if price > cheapest + _slack(tol, cheapest):
            report.add(
                "tier",
                f"{who} pays {_fmt(price)} for {_fmt(q)} units though tier price "
                f"{_fmt(cheapest)} is reached (suboptimal)",
            )
        chosen.append(TierChoice(supplier, item, nation, match[0][0], price, q))
    return chosen


def _compare_tiers(plan: Plan, report: CheckReport, tol: float) -> None:
    """`plan.tiers` lists, for every pair with volume, the tier and quantity recomputed."""
    national = plan.mode is Mode.NATIONAL
    recomputed = {(t.supplier, t.item, t.nation): t for t in report.tiers}
    seen: set[tuple[str, str, str | None]] = set()
    for t in plan.tiers:
        nation = t.nation or None
        if not national and nation is not None:
            report.add("tier", f"joint-mode tier row {t.supplier}/{t.item} names nation {nation}")
        key = (t.supplier, t.item, nation if national else None)
        if t.quantity <= tol:
            continue
        seen.add(key)
        want = recomputed.get(key)
        if want is None:
            report.add("tier", f"tier row {key} has quantity {_fmt(t.quantity)}, deliveries none")
            continue
        if abs(t.quantity - want.quantity) > _slack(tol, want.quantity) or abs(
            t.unit_price - want.unit_price
        ) > _slack(tol, want.unit_price):
            report.add(
                "tier",
                f"tier row {key} says {_fmt(t.quantity)} at {_fmt(t.unit_price)}, deliveries "
                f"give {_fmt(want.quantity)} at {_fmt(want.unit_price)}",
            )
    for key in sorted(recomputed.keys() - seen, key=str):
        report.add("tier", f"no tier row for {key} although it delivers")


def _check_budgets(
    scenario: Scenario, ix: _Index, rows: _Rows, report: CheckReport, tol: float
) -> None:
    """Σ quantity × unit price of a nation's deliveries in a calendar year ≤ its budget."""
    if not scenario.budgets:
        return
    v = rows.valid
    first_year = int(ix.month_year[0])
    n_years = int(ix.month_year[-1]) - first_year + 1
    year = ix.month_year[np.clip(rows.month, 0, ix.horizon - 1)] - first_year
    nation = ix.req_nation[rows.req_safe]
    spend = np.bincount(
        nation[v] * n_years + year[v],
        rows.qty[v] * rows.price[v],
        minlength=len(ix.nations) * n_years,
    ).reshape(len(ix.nations), n_years)
    for b in scenario.budgets:
        y = b.year - first_year
        if not 0 <= y < n_years:
            continue
        spent = float(spend[ix.nation_pos[b.nation], y])
        if spent > b.amount + _slack(tol, b.amount):
            report.add(
                "budget", f"{b.nation} spends {_fmt(spent)} in {b.year}, budget {_fmt(b.amount)}"
            )


def _per_requirement(ix: _Index, rows: _Rows) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Delivered, delivered on time and late unit-months per requirement (commitments too)."""
    v = rows.valid
    n = len(ix.requirements)
    req, month, qty = rows.req[v], rows.month[v], rows.qty[v]
    late_by = np.maximum(0, month - ix.req_due[req]) if len(req) else np.zeros(0)
    if not COMMITTED_DELIVERIES_ACCRUE_LATENESS:
        late_by = np.where(rows.committed[v], 0, late_by)
    delivered = np.bincount(req, qty, minlength=n)
    on_time = np.bincount(req, qty * (month <= ix.req_due[req]), minlength=n)
    late = np.bincount(req, qty * late_by, minlength=n)
    return delivered, on_time, late


def _recompute_outcomes(
    ix: _Index, rows: _Rows, report: CheckReport, tol: float
) -> dict[str, RequirementOutcome]:
    delivered, on_time, late = _per_requirement(ix, rows)
    for k in np.flatnonzero(delivered > ix.req_qty + _slack(tol, ix.req_qty)):
        r = ix.requirements[k]
        report.add(
            "requirement", f"{r.code} receives {_fmt(delivered[k])}, more than {_fmt(r.quantity)}"
        )
    shortfall = np.maximum(0.0, ix.req_qty - delivered)
    return {
        r.code: RequirementOutcome(
            r.code,
            r.nation,
            r.quantity,
            float(delivered[k]),
            float(on_time[k]),
            float(late[k]),
            float(shortfall[k]),
        )
        for k, r in enumerate(ix.requirements)
    }


def _compare_outcomes(plan: Plan, report: CheckReport, tol: float) -> None:
    """`plan.requirements` lists every requirement once, as recomputed."""
    listed: dict[str, RequirementOutcome] = {}
    for o in plan.requirements:
        if o.requirement in listed:
            report.add("outcome", f"{o.requirement} listed twice")
        listed[o.requirement] = o
    for code in listed.keys() - report.outcomes.keys():
        report.add("outcome", f"{code} is no requirement of the scenario")
    fields = ("nation", "quantity", "delivered", "delivered_on_time", "late_unit_months")
    for code, want in report.outcomes.items():
        got = listed.get(code)
        if got is None:
            report.add("outcome", f"{code} missing from plan.requirements")
            continue
        for name in (*fields, "shortfall"):
            a, b = getattr(got, name), getattr(want, name)
            if isinstance(b, str):
                if a != b:
                    report.add("outcome", f"{code} {name} {a!r}, expected {b!r}")
            elif abs(a - b) > _slack(tol, max(want.quantity, abs(b))):
                report.add("outcome", f"{code} {name} {_fmt(a)}, recomputed {_fmt(b)}")


def _recompute_costs(scenario: Scenario, ix: _Index, rows: _Rows, tau: IntArray) -> Costs:
    """The objective's components (EUR) from the deliveries, openings and scenario alone."""
    manifest = scenario.manifest
    p = rows.planned
    opened = [ln for k, ln in enumerate(ix.lines) if tau[k] != _NEVER]
    delivered, _, late = _per_requirement(ix, rows)
    shortfall = np.maximum(0.0, ix.req_qty - delivered)
    return Costs(
        procurement=float(np.dot(rows.qty[p], rows.price[p])),
        opening=float(sum(ln.opening_cost or 0.0 for ln in opened)),
        commitment=float(sum(c.quantity * c.unit_price for c in scenario.commitments)),
        shortfall=float(np.dot(ix.req_penalty, shortfall)),
        late=float(manifest.late_fraction * np.dot(ix.req_penalty, late)),
    )


def _compare_costs(plan: Plan, report: CheckReport, tol: float) -> None:
    """Each component and the total within `tol` relative to the objective (summary contract)."""
    want = report.costs
    scale = max(1.0, abs(want.total), abs(plan.objective))
    for name in ("procurement", "opening", "commitment", "shortfall", "late"):
        a, b = getattr(plan.costs, name), getattr(want, name)
        if not abs(a - b) <= tol * scale:
            report.add("objective", f"{name} cost {_fmt(a)}, recomputed {_fmt(b)}")
    if not abs(plan.objective - want.total) <= tol * scale:
        report.add("objective", f"objective {_fmt(plan.objective)}, recomputed {_fmt(want.total)}")


def _check_bound(plan: Plan, report: CheckReport, tol: float) -> None:
    """bound ≤ objective; `mip_gap` is their relative gap; `optimal` means that gap is within
    the gap asked for (plan.options["gap"]), never looser than 1e-4."""
    obj, bound = plan.objective, plan.bound
    if math.isnan(bound):
        report.add("bound", "bound is not a number")
        return
    if bound > obj + tol * max(1.0, abs(obj)):
        report.add("bound", f"bound {_fmt(bound)} above objective {_fmt(obj)}")
    gap = (obj - bound) / abs(obj) if obj else (0.0 if obj - bound <= tol else math.inf)
    if 0 <= gap < math.inf and not abs(plan.mip_gap - gap) <= max(tol, 1e-3 * gap):
        report.add(
            "bound",
            f"mip_gap {plan.mip_gap:.3g}, but (objective − bound)/|objective| is {gap:.3g}",
        )
    if plan.status is PlanStatus.OPTIMAL:
        asked = plan.options.get("gap")
        asked_gap = float(asked) if isinstance(asked, int | float) else 0.0
        allowed = max(asked_gap, OPTIMALITY_GAP_FLOOR) + tol
        if gap > allowed:
            report.add(
                "bound",
                f"status optimal but (objective − bound)/|objective| = {gap:.3g} exceeds "
                f"{allowed:.3g} (objective {_fmt(obj)}, bound {_fmt(bound)})",
            )
