"""Split a planning model into blocks that only budgets and components couple.

Lines, requirement groups and tier-pairs that share an arc form one connected
block; each column belongs to exactly one block. Rows inside a block stay with
it; the rows that span blocks (budgets, component supply) are the coupling rows.
Every coupling row is a `≤` row, so a block may use what the others leave.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from alliedforge.planning.index import FloatArray, IntArray
from alliedforge.planning.matrix import highs_lp
from alliedforge.planning.model import PlanningModel


@dataclass(frozen=True)
class Blocks:
    """Column partition of a model and the coupling rows between the parts."""

    count: int
    column_block: IntArray
    columns: tuple[IntArray, ...]  # column ids of each block
    rows: tuple[IntArray, ...]  # row ids each block touches (coupling rows included)
    coupling: IntArray  # ids of rows that span blocks
    matrix: sp.csc_matrix
    cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    integrality: npt.NDArray[np.bool_]

    @property
    def sizes(self) -> IntArray:
        return np.array([len(c) for c in self.columns], dtype=np.int64)

    def sub_model(
        self, block: int, coupling_upper: FloatArray, cost: FloatArray | None = None
    ) -> highspy.HighsLp:
        """Block `block` alone, its coupling rows capped at `coupling_upper` (full row vector)."""
        cols, rows = self.columns[block], self.rows[block]
        matrix = self.matrix[:, cols].tocsr()[rows, :].tocsc()
        upper = self.row_upper.copy()
        upper[self.coupling] = coupling_upper[self.coupling]
        return highs_lp(
            matrix,
            cost=(self.cost if cost is None else cost)[cols],
            col_lower=self.col_lower[cols],
            col_upper=self.col_upper[cols],
            row_lower=self.row_lower[rows],
            row_upper=upper[rows],
            integrality=self.integrality[cols],
        )


def find_blocks(pm: PlanningModel) -> Blocks:
    """Connected blocks of (line, group, tier-pair) through the model's arcs."""
    milp, arcs, index = pm.milp, pm.arcs, pm.index
    lines, groups = len(index.line_codes), len(index.group_nation)
    pairs = len(pm.tier_pairs.pair)
    nodes = lines + groups + pairs
    line_node = arcs.line
    group_node = lines + arcs.group
    pair_node = lines + groups + arcs.tier_pair
    edges = sp.coo_matrix(
        (
            np.ones(2 * len(line_node)),
            (np.r_[line_node, line_node], np.r_[group_node, pair_node]),
        ),
        shape=(nodes, nodes),
    )
    _, label = connected_components(edges, directed=False)

    column_block = np.full(milp.num_cols, -1, dtype=np.int64)
    column_block[milp.columns["deliver"].ids()] = label[line_node]
    if "serve" in milp.columns:
        column_block[milp.columns["serve"].ids()] = label[lines + index.req_group[pm.serve_req]]
    if "open" in milp.columns:
        column_block[milp.columns["open"].ids()] = label[pm.open_line]
    if "buy" in milp.columns:
        column_block[milp.columns["buy"].ids()] = label[lines + groups + pm.buy_tier_pair]
    if "tier" in milp.columns:
        tier_pair = np.searchsorted(pm.tier_pairs.tier_start, pm.tier_binary_tier, side="right") - 1
        column_block[milp.columns["tier"].ids()] = label[lines + groups + tier_pair]
    # Renumber to the blocks that own columns, largest first (they matter most).
    used, dense = np.unique(column_block, return_inverse=True)
    size = np.bincount(dense)
    order = np.argsort(-size, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    column_block = rank[dense]
    count = len(used)

    matrix = milp.csc()
    csr = matrix.tocsr()
    row_of_entry = np.repeat(np.arange(milp.num_rows), np.diff(csr.indptr))
    entry_block = column_block[csr.indices]
    lo = np.full(milp.num_rows, count, dtype=np.int64)
    hi = np.full(milp.num_rows, -1, dtype=np.int64)
    np.minimum.at(lo, row_of_entry, entry_block)
    np.maximum.at(hi, row_of_entry, entry_block)
    coupling = np.flatnonzero(lo < hi)
    by_block = np.argsort(column_block, kind="stable")
    bounds = np.searchsorted(column_block[by_block], np.arange(count + 1))
    columns = tuple(by_block[bounds[b] : bounds[b + 1]] for b in range(count))
    pair_rows = np.unique(entry_block * milp.num_rows + row_of_entry)
    row_bounds = np.searchsorted(pair_rows // milp.num_rows, np.arange(count + 1))
    rows = tuple(pair_rows[row_bounds[b] : row_bounds[b + 1]] % milp.num_rows for b in range(count))
    return Blocks(
        count=count,
        column_block=column_block,
        columns=columns,
        rows=rows,
        coupling=coupling,
        matrix=matrix,
        cost=milp.vector(milp.cost),
        col_lower=milp.vector(milp.col_lower),
        col_upper=milp.vector(milp.col_upper),
        row_lower=milp.vector(milp.row_lower),
        row_upper=milp.vector(milp.row_upper),
        integrality=milp.integrality(),
    )
