"""A sparse MILP assembled block by block: columns, rows and COO triplets → one CSC matrix."""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Block:
    """A named, contiguous range of columns or rows."""

    name: str
    start: int
    size: int

    @property
    def stop(self) -> int:
        return self.start + self.size

    def ids(self) -> IntArray:
        return np.arange(self.start, self.stop, dtype=np.int64)


@dataclass
class SparseMilp:
    """Columns and rows appended in blocks; no per-term Python work on the hot path."""

    cost: list[FloatArray] = field(default_factory=list)
    col_lower: list[FloatArray] = field(default_factory=list)
    col_upper: list[FloatArray] = field(default_factory=list)
    integer: list[npt.NDArray[np.bool_]] = field(default_factory=list)
    row_lower: list[FloatArray] = field(default_factory=list)
    row_upper: list[FloatArray] = field(default_factory=list)
    entry_row: list[IntArray] = field(default_factory=list)
    entry_col: list[IntArray] = field(default_factory=list)
    entry_val: list[FloatArray] = field(default_factory=list)
    num_cols: int = 0
    num_rows: int = 0
    offset: float = 0.0
    columns: dict[str, Block] = field(default_factory=dict)
    rows: dict[str, Block] = field(default_factory=dict)

    def add_columns(
        self,
        name: str,
        cost: FloatArray,
        lower: FloatArray | float,
        upper: FloatArray | float,
        *,
        integer: bool = False,
    ) -> Block:
        size = len(cost)
        block = Block(name, self.num_cols, size)
        self.cost.append(np.asarray(cost, dtype=float))
        self.col_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (size,)).copy())
        self.col_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (size,)).copy())
        self.integer.append(np.full(size, integer))
        self.num_cols += size
        self.columns[name] = block
        return block

    def fix_columns(self, name: str, values: FloatArray) -> None:
        """Fix every column of block `name` at `values` (lower = upper)."""
        part = list(self.columns).index(name)  # blocks are appended in insertion order
        self.col_lower[part][:] = values
        self.col_upper[part][:] = values

    def add_rows(
        self, name: str, lower: FloatArray | float, upper: FloatArray | float, size: int
    ) -> Block:
        block = Block(name, self.num_rows, size)
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (size,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (size,)).copy())
        self.num_rows += size
        self.rows[name] = block
        return block

    def add_entries(self, rows: IntArray, cols: IntArray, values: FloatArray | float) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        self.entry_row.append(rows)
        self.entry_col.append(np.asarray(cols, dtype=np.int64))
        self.entry_val.append(np.broadcast_to(np.asarray(values, dtype=float), rows.shape).copy())

    @property
    def num_entries(self) -> int:
        return sum(len(r) for r in self.entry_row)

    def vector(self, parts: list[FloatArray]) -> FloatArray:
        return np.concatenate(parts) if parts else np.zeros(0)

    def integrality(self) -> npt.NDArray[np.bool_]:
        return np.concatenate(self.integer) if self.integer else np.zeros(0, dtype=bool)

    def csc(self) -> sp.csc_matrix:
        """The constraint matrix, column-wise, duplicates summed."""
        cat = np.concatenate
        matrix = sp.csc_matrix(
            (cat(self.entry_val), (cat(self.entry_row), cat(self.entry_col))),
            shape=(self.num_rows, self.num_cols),
        )
        matrix.sum_duplicates()
        return matrix

    def to_highs(self) -> highspy.HighsLp:
        """The whole model as a HiGHS LP/MIP."""
        return highs_lp(
            self.csc(),
            cost=self.vector(self.cost),
            col_lower=self.vector(self.col_lower),
            col_upper=self.vector(self.col_upper),
            row_lower=self.vector(self.row_lower),
            row_upper=self.vector(self.row_upper),
            integrality=self.integrality(),
            offset=self.offset,
        )


def highs_lp(
    matrix: sp.csc_matrix,
    *,
    cost: FloatArray,
    col_lower: FloatArray,
    col_upper: FloatArray,
    row_lower: FloatArray,
    row_upper: FloatArray,
    integrality: npt.NDArray[np.bool_],
    offset: float = 0.0,
) -> highspy.HighsLp:
    """A HiGHS model in column-wise (CSC) form from numpy arrays."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.offset_ = offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    if integrality.any():
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[flag] for flag in integrality.astype(np.int64)]
    return lp
