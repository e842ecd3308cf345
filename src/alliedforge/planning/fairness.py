"""Fair share: spread each priority's shortfall across nations in proportion to requirements.

For each priority p served for two or more nations, a column F_p ∈ [0, 1] bounds
every such nation's shortfall share: for nation n with servable requirements
(n, p) of total quantity Q_np (commitments included),

    Σ_{r∈(n,p)} (q_r − Σ_t serve[r, t]) ≤ F_p · Q_np,

and F_p costs S(p)·Q_p in the objective (Q_p = Σ_n Q_np). Moving a unit of
shortfall away from the worst-served nation is therefore worth up to S(p) on top
of the spec's costs: fairness wins over any cheaper routing that costs less than
the shortfall cost itself. Requirements with no usable arc at all (nothing can
ever reach them) take no part: no plan could change their shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alliedforge.planning.index import FloatArray, IntArray, weighted_count
from alliedforge.planning.model import PlanningModel


@dataclass(frozen=True)
class FairnessRows:
    """The fair-share rows of a model: enough to price any solution's fairness term."""

    serve_start: int  # first `serve` column
    serve_row: IntArray  # fair-share row of each serve column, -1 for none
    row_priority: IntArray  # F column of each row
    required: FloatArray  # Q_np per row (units)
    remaining: FloatArray  # Σ q_r still to plan per row (units)
    weight: FloatArray  # S(p)·Q_p per F column (currency)

    def penalty(self, values: FloatArray) -> float:
        """Σ_p S(p)·Q_p·(worst share of p) of a solution: the least fairness term it can carry.

        Computed from the deliveries, not read from F: a solution stopped early may carry a
        larger F than its shares need, and the all-zero fallback has no F at all.
        """
        serve = values[self.serve_start : self.serve_start + len(self.serve_row)]
        mine = self.serve_row >= 0
        served = weighted_count(self.serve_row[mine], serve[mine], minlength=len(self.required))
        share = np.maximum(self.remaining - served, 0.0) / np.maximum(self.required, 1e-9)
        worst = np.zeros(len(self.weight))
        np.maximum.at(worst, self.row_priority, share)
        return float(np.dot(self.weight, worst))


def add_fairness_constraints(pm: PlanningModel) -> FairnessRows | None:
    """Add F_p and one row per (nation, priority) bounding its shortfall share by F_p."""
    index, milp = pm.index, pm.milp
    if len(pm.serve_req) == 0:
        return None
    priorities = len(index.scenario.manifest.shortfall_cost)
    priority = np.array([r.priority - 1 for r in index.scenario.all_requirements()])
    servable = np.unique(pm.serve_req)
    nations = len(index.nation_codes)
    cells, cell_of = np.unique(
        priority[servable] * nations + index.req_nation[servable], return_inverse=True
    )
    cell_priority = cells // nations
    # Only priorities shared by two nations or more have a share to spread.
    shared = np.bincount(cell_priority, minlength=priorities) >= 2
    kept = np.flatnonzero(shared[cell_priority])
    if len(kept) == 0:
        return None
    required = index.req_quantity + index.committed_to_requirement
    cell_required = weighted_count(cell_of, required[servable], minlength=len(cells))
    cell_remaining = weighted_count(cell_of, index.req_quantity[servable], minlength=len(cells))

    used = np.flatnonzero(shared)
    column_of_priority = np.full(priorities, -1, dtype=np.int64)
    column_of_priority[used] = np.arange(len(used))
    priority_required = weighted_count(cell_priority, cell_required, minlength=priorities)
    cost = np.asarray(index.scenario.manifest.shortfall_cost, dtype=float)
    weight = cost[used] * priority_required[used]
    fair = milp.add_columns("fair", weight, 0.0, 1.0)

    # One row per kept (nation, priority) cell: −Σ serve − Q_np·F_p ≤ −Σ q_r.
    row_of_cell = np.full(len(cells), -1, dtype=np.int64)
    row_of_cell[kept] = np.arange(len(kept))
    rows = milp.add_rows("fair_share", -np.inf, -cell_remaining[kept], len(kept))
    req_row = np.full(len(index.req_codes), -1, dtype=np.int64)
    req_row[servable] = row_of_cell[cell_of]
    serve_row = req_row[pm.serve_req]
    in_row = np.flatnonzero(serve_row >= 0)
    serve = milp.columns["serve"]
    milp.add_entries(rows.start + serve_row[in_row], serve.start + in_row, -1.0)
    row_priority = column_of_priority[cell_priority[kept]]
    milp.add_entries(
        rows.start + np.arange(len(kept)), fair.start + row_priority, -cell_required[kept]
    )
    return FairnessRows(
        serve_start=serve.start,
        serve_row=serve_row,
        row_priority=row_priority,
        required=cell_required[kept],
        remaining=cell_remaining[kept],
        weight=weight,
    )
