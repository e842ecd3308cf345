"""Synthetic demand: fleets, requirements sized against capacity, and stockpile targets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alliedforge.scenario.model import Fleet, Requirement, Stockpile
from alliedforge.scenario.months import month_at
from alliedforge.scenario.synth.catalogue import Catalogue
from alliedforge.scenario.synth.industry import Industry
from alliedforge.scenario.synth.numbers import FloatArray, IntArray, round_sig

PRIORITY_SHARES = (0.15, 0.25, 0.30, 0.20, 0.10)
# Chance that a nation fields systems of a given family, growing with its demand weight
# so that small nations do not field every kind of weapon.
FLEET_SHARE_BASE, FLEET_SHARE_PER_WEIGHT = 0.2, 0.08
STOCKPILES = 3
# Demand per family as a multiple of what its lines can make in the horizon: some families
# fall short, others have slack.
DEMAND_TO_CAPACITY = (0.6, 1.4)


@dataclass(frozen=True, slots=True)
class Demand:
    """Fleets and requirements as parallel arrays; stockpile rows as they are written."""

    fleet_nation: IntArray
    fleet_system: IntArray
    fleet_quantity: IntArray
    nation: IntArray
    system: IntArray
    quantity: FloatArray  # units
    due: IntArray  # month index
    priority: IntArray
    stockpiles: tuple[Stockpile, ...]


def served_systems(
    industry: Industry, qualifications: tuple[IntArray, IntArray, IntArray]
) -> IntArray:
    """Systems with a qualified item that some line makes."""
    item, system, _ = qualifications
    return np.unique(system[np.isin(item, industry.line_item)])


def draw_demand(
    rng: np.random.Generator,
    catalogue: Catalogue,
    industry: Industry,
    qualifications: tuple[IntArray, IntArray, IntArray],
    requirements: int,
    months: int,
    start: str,
) -> Demand:
    """Requirements of nations for the systems they field, sized so demand ≈ capacity."""
    served = served_systems(industry, qualifications)
    fleet_nation, fleet_system = _draw_fleets(rng, catalogue, served)
    kinds = [catalogue.families[catalogue.system_family[s]].kind for s in fleet_system]
    size = np.array([np.sqrt(catalogue.nations[n].demand / 10.0) for n in fleet_nation])
    drawn = np.array([rng.uniform(k.fleet[0], k.fleet[1]) for k in kinds])
    low = np.array([k.fleet[0] for k in kinds])
    fleet_quantity = np.maximum(low // 2, np.round(drawn * size)).astype(np.int64).clip(1)
    weight = np.array([catalogue.nations[n].demand for n in fleet_nation])
    entry = rng.choice(fleet_nation.size, size=requirements, p=weight / weight.sum())
    nation, system = fleet_nation[entry], fleet_system[entry]
    ratio = rng.uniform(*DEMAND_TO_CAPACITY, size=len(catalogue.families))
    target = _system_output(catalogue, industry, qualifications, months)
    target *= ratio[catalogue.system_family]
    # Larger nations place larger requirements.
    nation_size = np.sqrt([catalogue.nations[n].demand for n in nation])
    share = rng.lognormal(0.0, 0.8, size=requirements) * nation_size
    system_share = np.bincount(system, weights=share, minlength=target.size)
    raw = target[system] * share / system_share[system]
    # Whole units at two significant digits: requirements are planning figures.
    quantity = np.maximum(np.round(round_sig(raw, 2)), 1.0)
    # Due from the third month on, so that early requirements can still be met in time.
    due = rng.integers(min(2, months - 1), months, size=requirements)
    priority = rng.choice(np.arange(1, 6), size=requirements, p=PRIORITY_SHARES)
    stockpiles = _draw_stockpiles(rng, catalogue, fleet_nation, fleet_system, target, months, start)
    return Demand(
        fleet_nation=fleet_nation,
        fleet_system=fleet_system,
        fleet_quantity=fleet_quantity,
        nation=nation,
        system=system,
        quantity=quantity,
        due=due,
        priority=priority,
        stockpiles=stockpiles,
    )


def _system_output(
    catalogue: Catalogue,
    industry: Industry,
    qualifications: tuple[IntArray, IntArray, IntArray],
    months: int,
) -> FloatArray:
    """Units the lines can make for each system in the horizon.

    A line's output is split evenly over the systems its item fits, so that demand sized
    to it matches what can really serve each system, not just its family.
    """
    item, system, _ = qualifications
    line, fit = np.nonzero(industry.line_item[:, None] == item[None, :])
    fits_per_item = np.bincount(item, minlength=catalogue.item_family.size)
    share = industry.horizon_output(months)[line] / fits_per_item[industry.line_item[line]]
    output = np.bincount(system[fit], weights=share, minlength=len(catalogue.systems))
    return output.astype(np.float64)


def _draw_fleets(
    rng: np.random.Generator, catalogue: Catalogue, served: IntArray
) -> tuple[IntArray, IntArray]:
    """Each nation fields one or two served systems of some families, and at least one."""
    served_family = catalogue.system_family[served]
    families = np.unique(served_family)
    nations, systems = [], []
    for n, nation in enumerate(catalogue.nations):
        share = min(0.9, FLEET_SHARE_BASE + FLEET_SHARE_PER_WEIGHT * nation.demand)
        picked: list[int] = []
        for f in families:
            if rng.random() < share:
                options = served[served_family == f]
                count = min(options.size, 1 + int(rng.random() < 0.3))
                picked.extend(rng.choice(options, size=count, replace=False).tolist())
        if not picked:
            picked.append(int(served[rng.integers(served.size)]))
        nations.extend([n] * len(picked))
        systems.extend(sorted(picked))
    return np.array(nations, dtype=np.int64), np.array(systems, dtype=np.int64)


def _draw_stockpiles(
    rng: np.random.Generator,
    catalogue: Catalogue,
    fleet_nation: IntArray,
    fleet_system: IntArray,
    system_target: FloatArray,
    months: int,
    start: str,
) -> tuple[Stockpile, ...]:
    """A few stocking targets in coalitions of three or more; some are already met."""
    if len(catalogue.nations) <= 2:
        return ()
    count = min(STOCKPILES, fleet_nation.size)
    rows = []
    for e in np.sort(rng.choice(fleet_nation.size, size=count, replace=False)):
        s = fleet_system[e]
        # A stock target is a slice of what the system's lines make in the horizon.
        size = system_target[s] * rng.uniform(0.03, 0.15)
        target = max(1.0, float(round_sig(np.array([size]), 2)[0]))
        on_hand = float(round_sig(np.array([target * rng.uniform(0.1, 1.2)]), 2)[0])
        due = int(rng.integers(months // 2, months))
        rows.append(
            Stockpile(
                catalogue.nations[fleet_nation[e]].code,
                catalogue.systems[s].code,
                on_hand,
                target,
                month_at(start, due),
            )
        )
    return tuple(rows)


def fleet_rows(catalogue: Catalogue, demand: Demand) -> tuple[Fleet, ...]:
    return tuple(
        Fleet(catalogue.nations[n].code, catalogue.systems[s].code, float(q))
        for n, s, q in zip(
            demand.fleet_nation, demand.fleet_system, demand.fleet_quantity, strict=True
        )
    )


def requirement_codes(count: int) -> list[str]:
    width = max(3, len(str(count - 1)))
    return [f"R{k:0{width}d}" for k in range(count)]


def requirement_rows(catalogue: Catalogue, demand: Demand, start: str) -> tuple[Requirement, ...]:
    codes = requirement_codes(demand.nation.size)
    return tuple(
        Requirement(
            code=codes[r],
            nation=catalogue.nations[demand.nation[r]].code,
            weapon_system=catalogue.systems[demand.system[r]].code,
            quantity=float(demand.quantity[r]),
            due=month_at(start, int(demand.due[r])),
            priority=int(demand.priority[r]),
        )
        for r in range(demand.nation.size)
    )
