"""Build the planning MILP of planning-model.md as sparse matrices, in one fixed order.

Variables (all quantities in units, money in the scenario currency):
- `deliver[a]`: arc a = (line, group, month); a group is a (nation, weapon system)
  pair, created only where the line's item is qualified on the weapon system by
  that month and the line can produce by then;
- `serve[r, t]`: units of the group's month-t inflow assigned to requirement r —
  requirements of one group share every rule but quantity, due month and priority,
  so routing lines into groups and splitting per requirement is exact and small;
- `open[l, τ]`: binary, dormant/new line l is open by decision month τ (cumulative);
- `buy[P, cell, k]`: units of tier-pair P bought at tier k that land in a budget
  cell (nation, year) or in the pair's remaining `rest` cell;
- `tier[P, k]`: binary, tier k applies to tier-pair P.
A tier-pair is a supplier–item pair (joint mode) or a (pair, nation) (national mode).
Shortfall is substituted out: u_r = q_r − Σ_t serve[r, t], which folds S(p_r)·q_r
into the objective constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alliedforge.planning.index import (
    NOT_QUALIFIED,
    FloatArray,
    IntArray,
    PlanningIndex,
    weighted_count,
)
from alliedforge.planning.matrix import SparseMilp
from alliedforge.planning.plan import Mode

# Below this many units a quantity is solver noise, not a plan.
EPS = 1e-6


@dataclass(frozen=True)
class Arcs:
    """Usable (line, group, month) triples and their derived keys."""

    line: IntArray
    group: IntArray
    month: IntArray
    tier_pair: IntArray  # tier-pair of the arc
    cell: IntArray  # budget cell of the arc's (nation, year), or -1 for none


@dataclass(frozen=True)
class TierPairs:
    """Tier-pairs: the units over which an all-units tier is chosen."""

    pair: IntArray  # supplier–item pair
    nation: IntArray  # -1 in joint mode
    max_quantity: FloatArray  # the most the tier-pair can deliver (a tight big-M)
    tier_start: IntArray  # offsets into the flattened tier arrays
    tier_min: FloatArray  # thresholds m_k, flattened
    tier_max: FloatArray  # upper end of tier k's quantity range, flattened
    tier_price: FloatArray
    needs_binary: np.ndarray  # per tier-pair: more than one tier or a minimum order


@dataclass
class PlanningModel:
    """The assembled MILP with the index sets that map its columns back to the plan."""

    index: PlanningIndex
    mode: Mode
    milp: SparseMilp
    arcs: Arcs
    serve_req: IntArray
    serve_month: IntArray
    open_line: IntArray
    open_month: IntArray
    tier_pairs: TierPairs
    buy_tier_pair: IntArray
    buy_cell: IntArray
    buy_tier: IntArray  # flattened tier id
    tier_binary_tier: IntArray  # flattened tier id of each tier binary


def candidate_arcs(index: PlanningIndex) -> tuple[IntArray, IntArray, IntArray]:
    """(line, group, first month) for every line that may ever serve a group."""
    qual = index.qualified_from[index.line_item][:, index.group_weapon]  # (lines, groups)
    first_output = np.where(index.line_active, 0, index.line_earliest + index.line_lead)
    group_demand = index.group_demand()
    usable = (qual != NOT_QUALIFIED) & (group_demand[None, :] > EPS)
    line, group = np.nonzero(usable)
    first = np.maximum(qual[line, group], first_output[line])
    keep = first < index.months
    return line[keep], group[keep], first[keep]


def tier_pairs_of(
    index: PlanningIndex, mode: Mode, line: IntArray, group: IntArray
) -> tuple[TierPairs, IntArray]:
    """Tier-pairs reachable through the candidate (line, group) links, and each link's one."""
    pair = index.line_pair[line]
    nations = len(index.nation_codes)
    key = pair if mode is Mode.JOINT else pair * nations + index.group_nation[group]
    unique, link_tp = np.unique(key, return_inverse=True)
    tp_pair = unique if mode is Mode.JOINT else unique // len(index.nation_codes)
    tp_nation = (
        np.full(len(unique), -1, dtype=np.int64)
        if mode is Mode.JOINT
        else unique % len(index.nation_codes)
    )

    # Big-M: the least of what the pair's lines can make and what it can serve.
    line_total = index.max_capacity().sum(axis=1)
    pair_capacity = weighted_count(index.line_pair, line_total, minlength=len(index.pair_supplier))
    group_demand = index.group_demand()
    served_groups = np.unique(link_tp * len(index.group_nation) + group)
    demand = weighted_count(
        served_groups // len(index.group_nation),
        group_demand[served_groups % len(index.group_nation)],
        minlength=len(unique),
    )
    max_quantity = np.minimum(pair_capacity[tp_pair], demand)

    starts, mins, maxs, prices, binary = [0], [], [], [], []
    for p, cap in zip(tp_pair, max_quantity, strict=True):
        tiers = index.pair_tiers[p]
        reachable = tiers.min_quantity <= cap + EPS
        m = tiers.min_quantity[reachable]
        upper = np.append(m[1:], cap)[: len(m)]
        mins.append(m)
        maxs.append(np.minimum(upper, cap))
        prices.append(tiers.unit_price[reachable])
        starts.append(starts[-1] + len(m))
        binary.append(len(m) > 1 or (len(m) == 1 and m[0] > EPS))
    cat = np.concatenate
    pairs = TierPairs(
        pair=tp_pair.astype(np.int64),
        nation=tp_nation.astype(np.int64),
        max_quantity=max_quantity,
        tier_start=np.array(starts, dtype=np.int64),
        tier_min=cat(mins) if mins else np.zeros(0),
        tier_max=cat(maxs) if maxs else np.zeros(0),
        tier_price=cat(prices) if prices else np.zeros(0),
        needs_binary=np.array(binary, dtype=bool),
    )
    return pairs, link_tp.astype(np.int64)


def add_delivery_variables(model: SparseMilp, index: PlanningIndex, mode: Mode) -> PlanningModel:
    """Create `deliver` on every usable arc whose tier-pair has a reachable tier."""
    line, group, first = candidate_arcs(index)
    pairs, link_tp = tier_pairs_of(index, mode, line, group)
    has_tier = np.diff(pairs.tier_start) > 0
    keep = has_tier[link_tp]
    line, group, first, link_tp = line[keep], group[keep], first[keep], link_tp[keep]

    span = index.months - first
    arc_line = np.repeat(line, span)
    arc_group = np.repeat(group, span)
    arc_tp = np.repeat(link_tp, span)
    offsets = np.repeat(np.cumsum(span) - span, span)
    arc_month = np.repeat(first, span) + (np.arange(span.sum()) - offsets)

    cell = np.full(len(arc_line), -1, dtype=np.int64)
    if len(index.budget_nation):
        budget_key = index.budget_nation * 10_000 + index.budget_year
        order = np.argsort(budget_key)
        arc_key = index.group_nation[arc_group] * 10_000 + index.month_year[arc_month]
        pos = np.searchsorted(budget_key[order], arc_key).clip(max=len(order) - 1)
        hit = budget_key[order][pos] == arc_key
        cell[hit] = order[pos[hit]]

    upper = index.max_capacity()[arc_line, arc_month]
    group_demand = index.group_demand()
    upper = np.minimum(upper, group_demand[arc_group])
    model.add_columns("deliver", np.zeros(len(arc_line)), 0.0, upper)
    arcs = Arcs(arc_line, arc_group, arc_month, arc_tp, cell)
    empty = np.zeros(0, dtype=np.int64)
    return PlanningModel(
        index=index,
        mode=mode,
        milp=model,
        arcs=arcs,
        serve_req=empty,
        serve_month=empty,
        open_line=empty,
        open_month=empty,
        tier_pairs=pairs,
        buy_tier_pair=empty,
        buy_cell=empty,
        buy_tier=empty,
        tier_binary_tier=empty,
    )


def add_requirement_constraints(pm: PlanningModel) -> None:
    """`serve` splits each group-month inflow among the group's requirements (≤ q_r each)."""
    index, milp, arcs = pm.index, pm.milp, pm.arcs
    months = index.months
    num_groups = len(index.group_nation)
    first_in = np.full(num_groups, months, dtype=np.int64)
    np.minimum.at(first_in, arcs.group, arcs.month)

    req = np.flatnonzero((index.req_quantity > EPS) & (first_in[index.req_group] < months))
    first = first_in[index.req_group[req]]
    span = months - first
    serve_req = np.repeat(req, span)
    offsets = np.repeat(np.cumsum(span) - span, span)
    serve_month = np.repeat(first, span) + (np.arange(span.sum()) - offsets)
    late = np.maximum(0, serve_month - index.req_due[serve_req])
    weight = index.req_shortfall_cost[serve_req]
    # Serving a unit saves its shortfall cost and pays lateness: S·(late_fraction·late − 1).
    cost = weight * (index.late_fraction * late - 1.0)
    serve = milp.add_columns("serve", cost, 0.0, index.req_quantity[serve_req])
    pm.serve_req, pm.serve_month = serve_req, serve_month

    # Balance per (group, month): Σ deliver − Σ serve = 0.
    arc_key = arcs.group * months + arcs.month
    serve_key = index.req_group[serve_req] * months + serve_month
    keys, inverse = np.unique(np.concatenate([arc_key, serve_key]), return_inverse=True)
    balance = milp.add_rows("group_balance", 0.0, 0.0, len(keys))
    deliver = milp.columns["deliver"]
    milp.add_entries(balance.start + inverse[: len(arc_key)], deliver.ids(), 1.0)
    milp.add_entries(balance.start + inverse[len(arc_key) :], serve.ids(), -1.0)

    # Quantity per requirement: Σ_t serve ≤ q_r (commitments already deducted).
    req_rows, req_pos = np.unique(serve_req, return_inverse=True)
    quantity = milp.add_rows("requirement", -np.inf, index.req_quantity[req_rows], len(req_rows))
    milp.add_entries(quantity.start + req_pos, serve.ids(), 1.0)

    milp.offset += float(np.dot(index.req_shortfall_cost, index.req_quantity))
    milp.offset += index.commitment_cost
    milp.offset += index.late_fraction * float(
        np.dot(index.req_shortfall_cost, index.commitment_late_unit_months)
    )


def add_opening_variables(pm: PlanningModel) -> None:
    """`open[l, τ]` = 1 when dormant/new line l is open by decision month τ (monotone in τ).

    Cumulative rather than one-hot: capacity in month t then needs only the
    `ramp` most recent columns (ρ rises by 1/ramp per month), not one per τ ≤ t,
    which keeps the matrix sparse for long horizons.
    """
    index = pm.index
    lines = np.unique(pm.arcs.line[~index.line_active[pm.arcs.line]])
    if len(lines) == 0:
        return
    last = index.months - 1 - index.line_lead[lines]
    first = index.line_earliest[lines]
    span = np.maximum(last - first + 1, 0)
    open_line = np.repeat(lines, span)
    offsets = np.repeat(np.cumsum(span) - span, span)
    open_month = np.repeat(first, span) + (np.arange(span.sum()) - offsets)
    # The opening cost sits on each line's last column: open by the end ⇔ opened at all.
    is_last = np.zeros(len(open_line), dtype=bool)
    is_last[np.cumsum(span)[span > 0] - 1] = True
    cost = np.where(is_last, index.line_opening_cost[open_line], 0.0)
    block = pm.milp.add_columns("open", cost, 0.0, 1.0, integer=True)
    pm.open_line, pm.open_month = open_line, open_month
    # Monotone: open by τ−1 ⇒ open by τ.
    follows = np.flatnonzero(~is_last)
    rows = pm.milp.add_rows("open_monotone", -np.inf, 0.0, len(follows))
    pm.milp.add_entries(rows.start + np.arange(len(follows)), block.start + follows, 1.0)
    pm.milp.add_entries(rows.start + np.arange(len(follows)), block.start + follows + 1, -1.0)


def add_capacity_constraints(pm: PlanningModel) -> None:
    """Per line and month: deliveries ≤ capacity (ramped after opening for dormant/new lines)."""
    index, milp, arcs = pm.index, pm.milp, pm.arcs
    months = index.months
    key = arcs.line * months + arcs.month
    keys, inverse = np.unique(key, return_inverse=True)
    row_line, row_month = keys // months, keys % months
    active = index.line_active[row_line]
    upper = np.where(
        active,
        index.line_capacity[row_line] * index.line_availability[row_line, row_month]
        - index.line_committed[row_line, row_month],
        0.0,
    )
    rows = milp.add_rows("capacity", -np.inf, upper, len(keys))
    milp.add_entries(rows.start + inverse, milp.columns["deliver"].ids(), 1.0)
    if len(pm.open_line) == 0:
        return
    # Opened by τ gives c·ρ(t − τ − lead) in month t with ρ(k) = min(1, (k+1)/ramp), so
    # capacity(t) = (c·a_t/ramp)·Σ_{j<ramp} open[l, t − lead − j], a_t the availability.
    open_key = pm.open_line * months + pm.open_month
    open_ids = milp.columns["open"].ids()
    closed = np.flatnonzero(~active)
    line, t = row_line[closed], row_month[closed]
    ramp = np.maximum(index.line_ramp[line], 1)
    j = np.arange(int(ramp.max()))
    tau = t[:, None] - index.line_lead[line][:, None] - j[None, :]
    wanted = (j[None, :] < ramp[:, None]) & (tau >= index.line_earliest[line][:, None])
    wanted &= (index.line_availability[line, t] > 0)[:, None]
    r, k = np.nonzero(wanted)
    position = np.searchsorted(open_key, line[r] * months + tau[r, k])
    milp.add_entries(
        rows.start + closed[r],
        open_ids[position],
        -index.line_capacity[line[r]] * index.line_availability[line[r], t[r]] / ramp[r],
    )


def add_component_constraints(pm: PlanningModel) -> None:
    """Per constrained component and month: Σ bom · deliveries ≤ supply left after commitments."""
    index, milp, arcs = pm.index, pm.milp, pm.arcs
    if len(index.component_codes) == 0:
        return
    months = index.months
    use = index.bom[index.line_item[arcs.line]]  # (arcs, components)
    arc_ids, comp = np.nonzero(use)
    limited = np.isfinite(index.component_supply[comp, arcs.month[arc_ids]])
    arc_ids, comp = arc_ids[limited], comp[limited]
    if len(arc_ids) == 0:
        return
    key = comp * months + arcs.month[arc_ids]
    keys, inverse = np.unique(key, return_inverse=True)
    supply = index.component_supply[keys // months, keys % months]
    rows = milp.add_rows("component", -np.inf, supply, len(keys))
    deliver = milp.columns["deliver"]
    milp.add_entries(rows.start + inverse, deliver.start + arc_ids, use[arc_ids, comp])


def add_tier_constraints(pm: PlanningModel) -> None:
    """All-units tiers: one tier per tier-pair, its quantity within [m_k, next m], priced π_k.

    `buy` splits each tier-pair's quantity by tier and by budget cell, so that budget
    rows can price deliveries at the chosen tier linearly.
    """
    index, milp, arcs, pairs = pm.index, pm.milp, pm.arcs, pm.tier_pairs
    num_cells = len(index.budget_nation) + 1
    rest = num_cells - 1
    cell = np.where(arcs.cell >= 0, arcs.cell, rest)
    link_key = arcs.tier_pair * num_cells + cell
    links, link_pos = np.unique(link_key, return_inverse=True)
    link_tp, link_cell = links // num_cells, links % num_cells

    tiers_per = np.diff(pairs.tier_start)[link_tp]
    buy_link = np.repeat(np.arange(len(links)), tiers_per)
    offsets = np.repeat(np.cumsum(tiers_per) - tiers_per, tiers_per)
    buy_tier = pairs.tier_start[link_tp][buy_link] + (np.arange(tiers_per.sum()) - offsets)
    buy_tp = link_tp[buy_link]
    buy = milp.add_columns("buy", pairs.tier_price[buy_tier], 0.0, pairs.max_quantity[buy_tp])
    pm.buy_tier_pair, pm.buy_cell, pm.buy_tier = buy_tp, link_cell[buy_link], buy_tier

    # Link: Σ_k buy[P, cell, k] = Σ deliveries of P landing in the cell.
    link = milp.add_rows("tier_link", 0.0, 0.0, len(links))
    milp.add_entries(link.start + buy_link, buy.ids(), 1.0)
    milp.add_entries(link.start + link_pos, milp.columns["deliver"].ids(), -1.0)

    binary_pairs = np.flatnonzero(pairs.needs_binary)
    if len(binary_pairs) == 0:
        return
    counts = np.diff(pairs.tier_start)[binary_pairs]
    first = pairs.tier_start[binary_pairs]
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    tier_ids = np.repeat(first, counts) + (np.arange(counts.sum()) - offsets)
    tier_tp = np.repeat(binary_pairs, counts)
    choose = milp.add_columns("tier", np.zeros(len(tier_ids)), 0.0, 1.0, integer=True)
    pm.tier_binary_tier = tier_ids

    # m_k·tier_k ≤ Σ_cell buy[P, cell, k] ≤ M_k·tier_k, with M_k the next threshold.
    column_of_tier = np.full(len(pairs.tier_min), -1, dtype=np.int64)
    column_of_tier[tier_ids] = choose.ids()
    buy_binary = column_of_tier[buy_tier] >= 0
    tier_row = np.full(len(pairs.tier_min), -1, dtype=np.int64)
    tier_row[tier_ids] = np.arange(len(tier_ids))
    upper = milp.add_rows("tier_upper", -np.inf, 0.0, len(tier_ids))
    milp.add_entries(
        upper.start + tier_row[buy_tier[buy_binary]], buy.start + np.flatnonzero(buy_binary), 1.0
    )
    milp.add_entries(upper.start + tier_row[tier_ids], choose.ids(), -pairs.tier_max[tier_ids])
    with_min = tier_ids[pairs.tier_min[tier_ids] > EPS]
    if len(with_min):
        lower_row = np.full(len(pairs.tier_min), -1, dtype=np.int64)
        lower_row[with_min] = np.arange(len(with_min))
        lower = milp.add_rows("tier_lower", 0.0, np.inf, len(with_min))
        sel = buy_binary & (lower_row[buy_tier] >= 0)
        milp.add_entries(
            lower.start + lower_row[buy_tier[sel]], buy.start + np.flatnonzero(sel), 1.0
        )
        milp.add_entries(
            lower.start + lower_row[with_min], column_of_tier[with_min], -pairs.tier_min[with_min]
        )
    one = milp.add_rows("tier_one", -np.inf, 1.0, len(binary_pairs))
    pair_row = np.full(len(pairs.pair), -1, dtype=np.int64)
    pair_row[binary_pairs] = np.arange(len(binary_pairs))
    milp.add_entries(one.start + pair_row[tier_tp], choose.ids(), 1.0)


def add_budget_constraints(pm: PlanningModel) -> None:
    """Per budget row (nation, year): Σ price · units bought into that cell ≤ amount left."""
    index, milp = pm.index, pm.milp
    if len(index.budget_nation) == 0:
        return
    rows = milp.add_rows("budget", -np.inf, index.budget_amount, len(index.budget_amount))
    in_budget = np.flatnonzero(pm.buy_cell < len(index.budget_nation))
    buy = milp.columns["buy"]
    milp.add_entries(
        rows.start + pm.buy_cell[in_budget],
        buy.start + in_budget,
        pm.tier_pairs.tier_price[pm.buy_tier[in_budget]],
    )


def build_model(index: PlanningIndex, mode: Mode) -> PlanningModel:
    """Assemble the whole MILP; each step adds one family of variables or constraints."""
    pm = add_delivery_variables(SparseMilp(), index, mode)
    add_requirement_constraints(pm)
    add_opening_variables(pm)
    add_capacity_constraints(pm)
    add_component_constraints(pm)
    add_tier_constraints(pm)
    add_budget_constraints(pm)
    return pm
