"""Synthetic industrial base: suppliers, production lines and all-units price tiers."""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np

from alliedforge.scenario.model import Line, LineState, Price, Supplier
from alliedforge.scenario.months import month_at
from alliedforge.scenario.synth.catalogue import Catalogue
from alliedforge.scenario.synth.numbers import (
    BoolArray,
    FloatArray,
    IntArray,
    log_uniform,
    round_sig,
)
from alliedforge.scenario.synth.reference import (
    NATO_ASSIGNED_NCB,
    SECTOR_ACTIVITIES,
    SUPPLIER_STEMS,
    Sector,
)

STATES = (LineState.ACTIVE, LineState.DORMANT, LineState.NEW)
ACTIVE, DORMANT, NEW = range(len(STATES))
STATE_SHARES = (0.5, 0.2, 0.3)
LINES_PER_SUPPLIER = 3.0
MIN_ORDER_SHARE = 0.3  # chance that a supplier–item pair has a minimum order
# NCAGE codes avoid I and O, which read as 1 and 0.
_NCAGE_LETTERS = "".join(c for c in string.ascii_uppercase if c not in "IO")


@dataclass(frozen=True, slots=True)
class Industry:
    """Lines as parallel arrays (index = line) plus the suppliers they belong to."""

    suppliers: tuple[Supplier, ...]
    line_item: IntArray
    line_supplier: IntArray
    state: IntArray  # index into STATES
    capacity: FloatArray  # units per month at full rate
    lead: IntArray  # months; 0 for active lines
    ramp: IntArray
    earliest: IntArray  # month index of the earliest opening decision
    opening_cost: FloatArray  # EUR

    @property
    def active(self) -> BoolArray:
        return np.asarray(self.state == ACTIVE, dtype=np.bool_)

    def horizon_output(self, months: int) -> FloatArray:
        """Units each line can make within the horizon when opened as early as allowed."""
        running = months - self.earliest - self.lead - (self.ramp - 1).clip(0) / 2
        return self.capacity * np.where(self.active, months, running.clip(0))


def draw_industry(
    rng: np.random.Generator, catalogue: Catalogue, lines: int, months: int
) -> Industry:
    """Lines over items (every family gets an active line first), suppliers by sector."""
    families = len(catalogue.families)
    anchored = min(lines, families)
    first = [rng.choice(np.flatnonzero(catalogue.item_family == f)) for f in range(anchored)]
    rest = rng.integers(0, catalogue.item_family.size, size=lines - anchored)
    line_item = np.concatenate([np.array(first, dtype=np.int64), rest])
    # An anchor line is active so that each family has something to deliver from month 0.
    state = np.concatenate(
        [
            np.full(anchored, ACTIVE, dtype=np.int64),
            rng.choice(len(STATES), size=lines - anchored, p=STATE_SHARES),
        ]
    )
    kinds = [catalogue.families[catalogue.item_family[i]].kind for i in line_item]
    low = np.array([k.capacity[0] for k in kinds])
    high = np.array([k.capacity[1] for k in kinds])
    new, dormant = state == NEW, state == DORMANT
    # New plants are built for larger output than the lines already running.
    scale = np.where(new, rng.uniform(1.0, 1.5, lines), 1.0)
    capacity = round_sig(log_uniform(rng, low, high, lines) * scale, 2)
    lead_low = np.array([k.lead_new[0] for k in kinds])
    lead_high = np.array([k.lead_new[1] for k in kinds])
    lead = np.where(new, rng.integers(lead_low, lead_high + 1), 0)
    lead = np.where(dormant, rng.integers(3, 10, size=lines), lead)
    ramp = np.where(new, rng.integers(3, 10, size=lines), 0)
    ramp = np.where(dormant, rng.integers(0, 4, size=lines), ramp)
    per_unit = log_uniform(
        rng,
        np.array([k.opening_per_unit[0] for k in kinds]),
        np.array([k.opening_per_unit[1] for k in kinds]),
        lines,
    )
    reactivation = rng.uniform(0.1, 0.3, size=lines)
    opening_cost = round_sig(capacity * per_unit * np.where(dormant, reactivation, 1.0), 2)
    opening_cost = np.where(new | dormant, opening_cost, 0.0)
    wait_new = rng.integers(1, max(2, min(12, months)), size=lines)
    wait_dormant = rng.integers(1, max(2, min(6, months)), size=lines)
    earliest = np.where(new & (rng.random(lines) < 0.5), wait_new, 0)
    earliest = np.where(dormant & (rng.random(lines) < 0.3), wait_dormant, earliest)
    earliest = earliest.clip(0, months - 1)
    sectors = [k.sector for k in kinds]
    line_supplier, suppliers = _draw_suppliers(rng, catalogue, sectors)
    return Industry(
        suppliers=suppliers,
        line_item=line_item,
        line_supplier=line_supplier,
        state=state,
        capacity=capacity,
        lead=lead,
        ramp=ramp,
        earliest=earliest,
        opening_cost=opening_cost,
    )


def _draw_suppliers(
    rng: np.random.Generator, catalogue: Catalogue, sectors: list[Sector]
) -> tuple[IntArray, tuple[Supplier, ...]]:
    """Suppliers specialise in one sector and sit in the larger industrial nations."""
    line_supplier = np.zeros(len(sectors), dtype=np.int64)
    supplier_sector: list[Sector] = []
    for sector in Sector:
        members = np.flatnonzero([s is sector for s in sectors])
        if members.size == 0:
            continue
        count = max(1, round(members.size / LINES_PER_SUPPLIER))
        # Every supplier gets a line; the rest are spread at random.
        owner = np.concatenate([np.arange(count), rng.integers(0, count, members.size - count)])
        rng.shuffle(owner)
        line_supplier[members] = len(supplier_sector) + owner
        supplier_sector.extend([sector] * count)
    weights = np.array([n.industry for n in catalogue.nations])
    country = rng.choice(
        len(catalogue.nations), size=len(supplier_sector), p=weights / weights.sum()
    )
    stems = rng.permutation(len(SUPPLIER_STEMS))
    taken: set[str] = set()
    suppliers = []
    for k, (sector, c) in enumerate(zip(supplier_sector, country, strict=True)):
        nation = catalogue.nations[c]
        stem = SUPPLIER_STEMS[stems[k % len(stems)]]
        if k >= len(stems):
            stem = f"{stem} {k // len(stems) + 1}"
        activities = SECTOR_ACTIVITIES[sector]
        name = f"{stem} {activities[rng.integers(len(activities))]} {nation.legal_form}"
        code = _ncage(rng, nation.ncage, taken)
        suppliers.append(Supplier(code, name, nation.code))
    return line_supplier, tuple(suppliers)


def _ncage(rng: np.random.Generator, pattern: str | None, taken: set[str]) -> str:
    """A fresh code of the nation's NCAGE pattern (`#` digit, `*` letter or digit)."""
    alphabet = {"#": string.digits, "*": string.digits + _NCAGE_LETTERS}
    shape = pattern or "*****"
    while True:
        code = "".join(
            alphabet[ch][rng.integers(len(alphabet[ch]))] if ch in alphabet else ch for ch in shape
        )
        if code not in taken:
            taken.add(code)
            return code


def item_ncb(rng: np.random.Generator, catalogue: Catalogue, industry: Industry) -> list[str]:
    """The bureau that codified each item: that of its first maker's nation when it has one."""
    with_bureau = [n for n in catalogue.nations if n.ncb is not None]
    by_code = {n.code: n for n in catalogue.nations}
    codes = []
    for i in range(catalogue.item_family.size):
        makers = np.flatnonzero(industry.line_item == i)
        ncb = None
        if makers.size:
            country = industry.suppliers[industry.line_supplier[makers[0]]].country
            ncb = by_code[country].ncb
        if ncb is None and with_bureau:
            ncb = with_bureau[rng.integers(len(with_bureau))].ncb
        codes.append(ncb or NATO_ASSIGNED_NCB)
    return codes


def line_rows(industry: Industry, item_codes: list[str], start: str) -> tuple[Line, ...]:
    width = max(3, len(str(industry.line_item.size - 1)))
    rows = []
    for k in range(industry.line_item.size):
        state = STATES[industry.state[k]]
        active = state is LineState.ACTIVE
        earliest = int(industry.earliest[k])
        rows.append(
            Line(
                code=f"L{k:0{width}d}",
                supplier=industry.suppliers[industry.line_supplier[k]].code,
                item=item_codes[industry.line_item[k]],
                capacity_per_month=float(industry.capacity[k]),
                state=state,
                lead_months=None if active else int(industry.lead[k]),
                opening_cost=None if active else float(industry.opening_cost[k]),
                ramp_months=None if active else int(industry.ramp[k]),
                earliest_decision=month_at(start, earliest) if earliest else None,
            )
        )
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class PriceBook:
    """Price tiers per supplier–item pair; `list_price` is each pair's first-tier price (EUR)."""

    rows: tuple[Price, ...]
    list_price: dict[tuple[int, int], float]


def draw_prices(
    rng: np.random.Generator,
    catalogue: Catalogue,
    industry: Industry,
    item_codes: list[str],
    months: int,
) -> PriceBook:
    """1–3 all-units tiers per pair, cheaper with volume; some pairs have a minimum order."""
    kinds = [catalogue.families[f].kind for f in catalogue.item_family]
    item_price = log_uniform(
        rng,
        np.array([k.price[0] for k in kinds]),
        np.array([k.price[1] for k in kinds]),
        len(kinds),
    )
    made = zip(industry.line_supplier, industry.line_item, strict=True)
    pairs = sorted({(int(s), int(i)) for s, i in made})
    output = industry.horizon_output(months)
    rows: list[Price] = []
    list_price: dict[tuple[int, int], float] = {}
    for s, i in pairs:
        mine = (industry.line_supplier == s) & (industry.line_item == i)
        # Volume thresholds are shares of what the pair can make in the horizon.
        volume = max(float(output[mine].sum()), float(industry.capacity[mine].sum()))
        tiers = int(rng.choice([1, 2, 3], p=[0.3, 0.4, 0.3]))
        minimum = volume * rng.uniform(0.01, 0.04) if rng.random() < MIN_ORDER_SHARE else 0.0
        shares = np.array([rng.uniform(0.08, 0.15), rng.uniform(0.25, 0.45)])[: tiers - 1]
        thresholds = round_sig(np.concatenate([[minimum], volume * shares]), 2)
        discounts = np.cumprod(1.0 - rng.uniform(0.03, 0.10, size=tiers - 1))
        factors = np.concatenate([[1.0], discounts])
        prices = round_sig(item_price[i] * rng.uniform(0.92, 1.12) * factors, 3)
        list_price[(s, i)] = float(prices[0])
        supplier = industry.suppliers[s].code
        rows.extend(
            Price(supplier, item_codes[i], float(m), float(p))
            for m, p in zip(thresholds, prices, strict=True)
        )
    return PriceBook(tuple(rows), list_price)
