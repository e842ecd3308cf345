"""Read a solution vector back into a `Plan`: deliveries, openings, tiers, outcomes, costs.

Costs are recomputed from the plan's own rows with the rules of planning-model.md,
so that the reported objective is exactly what the plan package implies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alliedforge.planning.index import FloatArray, IntArray, weighted_count
from alliedforge.planning.model import EPS, PlanningModel
from alliedforge.planning.plan import (
    Costs,
    Delivery,
    Mode,
    Opening,
    RequirementOutcome,
    TierChoice,
)
from alliedforge.scenario.months import month_at, month_index


@dataclass(frozen=True)
class PlanRows:
    """The plan's rows and costs, before status and timings are attached."""

    deliveries: tuple[Delivery, ...]
    openings: tuple[Opening, ...]
    tiers: tuple[TierChoice, ...]
    requirements: tuple[RequirementOutcome, ...]
    costs: Costs


def arc_prices(pm: PlanningModel, deliver: FloatArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """Per tier-pair quantity, per arc unit price, and per tier-pair chosen tier (-1: none).

    The tier is the cheapest one the realised quantity reaches; prices fall with
    volume after dominance filtering, so that is the highest threshold ≤ Q.
    """
    pairs = pm.tier_pairs
    quantity = weighted_count(pm.arcs.tier_pair, deliver, minlength=len(pairs.pair))
    chosen = np.full(len(pairs.pair), -1, dtype=np.int64)
    for p in np.flatnonzero(quantity > EPS):
        lo, hi = pairs.tier_start[p], pairs.tier_start[p + 1]
        reached = np.flatnonzero(pairs.tier_min[lo:hi] <= quantity[p] * (1 + 1e-9) + EPS)
        chosen[p] = lo + (reached[-1] if len(reached) else 0)
    price: FloatArray = np.zeros(len(chosen))
    priced = chosen >= 0
    price[priced] = pairs.tier_price[chosen[priced]]
    return quantity, price[pm.arcs.tier_pair], chosen


def split_group_months(
    arc_key: IntArray, arc_flow: FloatArray, serve_key: IntArray, serve_flow: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Split each group-month's inflow among its requirements (north-west corner).

    Arcs and serves of all group-months are laid end to end on one axis, in key order;
    each overlap of an arc's interval with a serve's interval is one delivery row.
    """
    arc_order = np.lexsort((np.arange(len(arc_key)), arc_key))
    serve_order = np.lexsort((np.arange(len(serve_key)), serve_key))
    keys = np.union1d(arc_key, serve_key)
    arc_total = np.bincount(np.searchsorted(keys, arc_key), weights=arc_flow, minlength=len(keys))
    serve_total = np.bincount(
        np.searchsorted(keys, serve_key), weights=serve_flow, minlength=len(keys)
    )
    # Lay every key out at the larger of its two totals so a rounding mismatch cannot
    # push one key's flow into the next.
    width = np.maximum(arc_total, serve_total)
    origin = np.cumsum(width) - width
    arc_end = origin[np.searchsorted(keys, arc_key[arc_order])] + _cumsum_within(
        arc_key[arc_order], arc_flow[arc_order]
    )
    serve_end = origin[np.searchsorted(keys, serve_key[serve_order])] + _cumsum_within(
        serve_key[serve_order], serve_flow[serve_order]
    )
    cuts = np.union1d(arc_end, serve_end)
    left = np.concatenate([[0.0], cuts[:-1]])
    mid = (left + cuts) / 2
    amount = cuts - left
    a = np.searchsorted(arc_end, mid)
    s = np.searchsorted(serve_end, mid)
    ok = (amount > EPS) & (a < len(arc_end)) & (s < len(serve_end))
    a, s, amount = a[ok], s[ok], amount[ok]
    same = arc_key[arc_order][a] == serve_key[serve_order][s]
    return arc_order[a[same]], serve_order[s[same]], amount[same]


def _cumsum_within(keys: IntArray, flow: FloatArray) -> FloatArray:
    total = np.cumsum(flow)
    first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    before = np.concatenate([[0.0], total])[first]
    run = np.diff(np.append(first, len(keys)))
    within: FloatArray = total - np.repeat(before, run)
    return within


def extract_rows(pm: PlanningModel, values: FloatArray) -> PlanRows:
    """Turn column values into plan rows and recompute the objective's components."""
    index, milp = pm.index, pm.milp
    scenario = index.scenario
    start = scenario.manifest.start
    late_fraction = index.late_fraction

    def block(name: str) -> FloatArray:
        if name not in milp.columns:
            return np.zeros(0)
        b = milp.columns[name]
        v = values[b.start : b.stop].copy()
        v[np.abs(v) < EPS] = 0.0
        return v

    deliver = block("deliver")
    serve = block("serve")
    # A line opens in the first month its cumulative `open` column reaches 1.
    open_by = block("open") > 0.5
    opened = open_by & ~np.concatenate(
        [[False], open_by[:-1] & (pm.open_line[1:] == pm.open_line[:-1])]
    )

    tp_quantity, price, chosen = arc_prices(pm, deliver)
    months = index.months
    arc_key = pm.arcs.group * months + pm.arcs.month
    serve_key = index.req_group[pm.serve_req] * months + pm.serve_month
    live_arc, live_serve = np.flatnonzero(deliver > 0), np.flatnonzero(serve > 0)
    a, s, amount = split_group_months(
        arc_key[live_arc], deliver[live_arc], serve_key[live_serve], serve[live_serve]
    )
    a, s = live_arc[a], live_serve[s]

    line_rows = scenario.lines
    deliveries = [
        Delivery(
            line=line_rows[ln].code,
            supplier=line_rows[ln].supplier,
            item=line_rows[ln].item,
            requirement=index.req_codes[r],
            nation=index.nation_codes[index.req_nation[r]],
            month=month_at(start, int(t)),
            quantity=float(q),
            unit_price=float(p),
        )
        for ln, r, t, q, p in zip(
            pm.arcs.line[a], pm.serve_req[s], pm.serve_month[s], amount, price[a], strict=True
        )
    ]
    req_of = {code: i for i, code in enumerate(index.req_codes)}
    nation_of_req = {code: index.nation_codes[index.req_nation[i]] for code, i in req_of.items()}
    lines_by_code = {ln.code: ln for ln in line_rows}
    deliveries += [
        Delivery(
            line=c.line,
            supplier=lines_by_code[c.line].supplier,
            item=lines_by_code[c.line].item,
            requirement=c.requirement,
            nation=nation_of_req[c.requirement],
            month=c.month,
            quantity=c.quantity,
            unit_price=c.unit_price,
            committed=True,
        )
        for c in scenario.commitments
    ]

    openings = tuple(
        Opening(
            line=index.line_codes[ln],
            decision_month=month_at(start, int(tau)),
            first_output_month=month_at(start, int(tau + index.line_lead[ln])),
            opening_cost=float(index.line_opening_cost[ln]),
        )
        for ln, tau in zip(pm.open_line[opened], pm.open_month[opened], strict=True)
    )

    pairs = pm.tier_pairs
    tiers = tuple(
        TierChoice(
            supplier=index.supplier_codes[index.pair_supplier[pairs.pair[p]]],
            item=index.item_codes[index.pair_item[pairs.pair[p]]],
            nation=None if pm.mode is Mode.JOINT else index.nation_codes[pairs.nation[p]],
            min_quantity=float(pairs.tier_min[chosen[p]]),
            unit_price=float(pairs.tier_price[chosen[p]]),
            quantity=float(tp_quantity[p]),
        )
        for p in np.flatnonzero(chosen >= 0)
    )

    outcomes, shortfall_cost, late_cost = _outcomes(pm, deliveries, req_of)
    costs = Costs(
        procurement=float(np.dot(deliver, price)),
        opening=float(sum(o.opening_cost for o in openings)),
        commitment=index.commitment_cost,
        shortfall=shortfall_cost,
        late=late_cost * late_fraction,
    )
    return PlanRows(tuple(deliveries), openings, tiers, outcomes, costs)


def _outcomes(
    pm: PlanningModel, deliveries: list[Delivery], req_of: dict[str, int]
) -> tuple[tuple[RequirementOutcome, ...], float, float]:
    index = pm.index
    start = index.scenario.manifest.start
    n = len(index.req_codes)
    delivered, on_time, late = np.zeros(n), np.zeros(n), np.zeros(n)
    if deliveries:
        r = np.array([req_of[d.requirement] for d in deliveries], dtype=np.int64)
        t = np.array([month_index(start, d.month) for d in deliveries], dtype=np.int64)
        q = np.array([d.quantity for d in deliveries], dtype=float)
        months_late = np.maximum(0, t - index.req_due[r])
        delivered = weighted_count(r, q, minlength=n)
        on_time = weighted_count(r, q * (months_late == 0), minlength=n)
        late = weighted_count(r, q * months_late, minlength=n)
    required = index.req_quantity + index.committed_to_requirement
    shortfall = np.maximum(required - delivered, 0.0)
    outcomes = tuple(
        RequirementOutcome(
            requirement=index.req_codes[i],
            nation=index.nation_codes[index.req_nation[i]],
            quantity=float(required[i]),
            delivered=float(delivered[i]),
            delivered_on_time=float(on_time[i]),
            late_unit_months=float(late[i]),
            shortfall=float(shortfall[i]),
        )
        for i in range(n)
    )
    weights = index.req_shortfall_cost
    return outcomes, float(np.dot(weights, shortfall)), float(np.dot(weights, late))
