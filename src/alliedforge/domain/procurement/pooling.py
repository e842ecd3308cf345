"""Pure pooling of a plan's deliveries into joint-procurement lots: group them per
(planned supplier,) item family, merge each nation's deliveries per requirement, item and
month, and keep a group only if enough nations take part."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from alliedforge.domain.procurement.models import Grouping
from alliedforge.scenario.nsn import canonical_item_code


@dataclass(frozen=True, slots=True)
class Planned:
    """A planned (not committed) delivery: units of an item for a nation's requirement in a
    month, from a supplier, at a unit price."""

    supplier: str
    item: str
    requirement: str
    nation: str
    month: str
    quantity: float
    unit_price: float


@dataclass(frozen=True, slots=True)
class PooledLine:
    """A nation's units of an item in a month for one requirement; `unit_price` is the
    quantity-weighted mean of the planned prices merged into it."""

    nation: str
    requirement: str
    item: str
    month: str
    quantity: float
    unit_price: float

    @property
    def value(self) -> float:
        return self.quantity * self.unit_price


@dataclass(frozen=True, slots=True)
class Pool:
    """A group of planned deliveries: the supplier planned (None when pooled per family
    across suppliers), the item family, its lines in (month, nation, requirement, item)
    order."""

    supplier: str | None
    family: str
    lines: tuple[PooledLine, ...]

    @property
    def nations(self) -> tuple[str, ...]:
        return tuple(sorted({line.nation for line in self.lines}))


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A group not made into a lot, and why."""

    supplier: str | None
    family: str
    nations: tuple[str, ...]
    reason: str


def pool_deliveries(
    deliveries: Iterable[Planned],
    family_of: Mapping[str, str],
    grouping: Grouping,
    min_participants: int,
) -> tuple[list[Pool], list[LeftOut]]:
    """The pools of at least `min_participants` nations, and the groups left out, both in
    (family, supplier) order. `family_of` maps canonical item codes (NSNs dashed) to
    their item family."""
    grouped: dict[tuple[str, str], dict[tuple[str, str, str, str], list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0, 0.0])
    )
    for delivery in deliveries:
        if delivery.quantity <= 0:
            continue
        item = canonical_item_code(delivery.item)
        family = family_of.get(item, item)
        supplier = delivery.supplier if grouping is Grouping.SUPPLIER_FAMILY else ""
        key = (delivery.month, delivery.nation, delivery.requirement, item)
        totals = grouped[(family, supplier)][key]
        totals[0] += delivery.quantity
        totals[1] += delivery.quantity * delivery.unit_price
    pools: list[Pool] = []
    left_out: list[LeftOut] = []
    for (family, supplier), merged in sorted(grouped.items()):
        lines = tuple(
            PooledLine(nation, requirement, item, month, quantity, value / quantity)
            for (month, nation, requirement, item), (quantity, value) in sorted(merged.items())
        )
        pool = Pool(supplier or None, family, lines)
        if len(pool.nations) >= min_participants:
            pools.append(pool)
            continue
        reason = (
            f"{len(pool.nations)} participating nation(s), fewer than the "
            f"{min_participants} a joint procurement needs"
        )
        left_out.append(LeftOut(pool.supplier, family, pool.nations, reason))
    return pools, left_out


def cost_shares(lines: Iterable[tuple[str, float, float]]) -> dict[str, tuple[float, float, float]]:
    """Each nation's (units, value, share of the lot's value) from (nation, units, value)
    lines; shares sum to 1 (a lot worth nothing splits by units instead)."""
    units: dict[str, float] = defaultdict(float)
    values: dict[str, float] = defaultdict(float)
    for nation, quantity, value in lines:
        units[nation] += quantity
        values[nation] += value
    total_value, total_units = sum(values.values()), sum(units.values())
    shares: dict[str, tuple[float, float, float]] = {}
    for nation in sorted(units):
        if total_value > 0:
            share = values[nation] / total_value
        else:
            share = units[nation] / total_units if total_units > 0 else 0.0
        shares[nation] = (units[nation], values[nation], share)
    return shares
