"""Synthetic, plausible, valid scenarios up to alliance scale, for tests and benchmarks."""

from __future__ import annotations

import numpy as np

from alliedforge.scenario.model import Budget, Manifest, Scenario
from alliedforge.scenario.months import is_month
from alliedforge.scenario.synth.catalogue import (
    draw_catalogue,
    draw_qualifications,
    item_rows,
    qualification_rows,
)
from alliedforge.scenario.synth.demand import draw_demand, fleet_rows, requirement_rows
from alliedforge.scenario.synth.industry import (
    draw_industry,
    draw_prices,
    item_ncb,
    line_rows,
)
from alliedforge.scenario.synth.limits import (
    Commitments,
    ComponentTables,
    draw_budgets,
    draw_commitments,
    draw_components,
)
from alliedforge.scenario.synth.numbers import round_sig
from alliedforge.scenario.synth.reference import NATIONS
from alliedforge.scenario.validate import MAX_MONTHS

# Shortfall cost per unit by priority, as multiples of the dearest list price: every unit is
# worth buying when capacity allows, and priorities decide who waits when it does not.
SHORTFALL_LADDER = (2.0, 1.6, 1.3, 1.15, 1.05)


def generate_scenario(
    *,
    nations: int,
    items: int,
    families: int,
    lines: int,
    requirements: int,
    months: int,
    seed: int,
    budgets: bool = False,
    components: bool = False,
    commitments: bool = False,
    start: str = "2027-01",
) -> Scenario:
    """A random scenario that is valid by construction and the same for the same arguments.

    Nations are real NATO members (up to 32); every family gets an active line when there
    are enough lines; demand for each weapon system is 0.6–1.4 times (a factor per family)
    what the lines serving it can make in the horizon, so some families are short and
    others have slack. `budgets`, `components` and `commitments` add those optional tables;
    they are drawn from streams of their own, so switching one on leaves the other tables
    unchanged. Commitments never break capacity, component supply, budgets or requirement
    quantities, so every scenario is feasible.
    """
    _check_arguments(nations, items, families, lines, requirements, months, start)
    base, commit_rng, component_rng, budget_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)
    )
    catalogue = draw_catalogue(base, nations=nations, families=families, items=items)
    industry = draw_industry(base, catalogue, lines, months)
    item_list = item_rows(base, catalogue, item_ncb(base, catalogue, industry))
    item_codes = [item.code for item in item_list]
    made = np.zeros(items, dtype=np.bool_)
    made[industry.line_item] = True
    qualifications = draw_qualifications(base, catalogue, made, months)
    prices = draw_prices(base, catalogue, industry, item_codes, months)
    demand = draw_demand(base, catalogue, industry, qualifications, requirements, months, start)
    line_list = line_rows(industry, item_codes, start)
    requirement_list = requirement_rows(catalogue, demand, start)

    contracts = Commitments.none()
    if commitments:
        contracts = draw_commitments(commit_rng, industry, qualifications, demand, prices, months)
    shared = ComponentTables((), (), ())
    if components:
        shared = draw_components(
            component_rng, catalogue, industry, contracts, item_codes, months, start
        )
    budget_rows: tuple[Budget, ...] = ()
    if budgets:
        budget_rows = draw_budgets(budget_rng, catalogue, demand, prices, contracts, months, start)

    dearest = max(prices.list_price.values())
    shortfall = round_sig(dearest * np.array(SHORTFALL_LADDER), 3)
    manifest = Manifest(
        name=f"synthetic-{seed}",
        start=start,
        months=months,
        shortfall_cost=tuple(float(c) for c in shortfall),
    )
    return Scenario(
        manifest=manifest,
        nations=catalogue.nation_rows(),
        weapon_systems=catalogue.systems,
        items=item_list,
        qualifications=qualification_rows(catalogue, item_list, qualifications, start),
        suppliers=industry.suppliers,
        lines=line_list,
        prices=prices.rows,
        requirements=requirement_list,
        fleets=fleet_rows(catalogue, demand),
        budgets=budget_rows,
        components=shared.components,
        bom=shared.bom,
        component_supply=shared.supply,
        commitments=contracts.rows(
            [line.code for line in line_list], [r.code for r in requirement_list], start
        ),
        stockpiles=demand.stockpiles,
    )


def _check_arguments(
    nations: int, items: int, families: int, lines: int, requirements: int, months: int, start: str
) -> None:
    if not 1 <= nations <= len(NATIONS):
        raise ValueError(f"nations must be 1..{len(NATIONS)} (NATO members), not {nations}")
    if families < 1 or items < families:
        raise ValueError(f"need 1 <= families <= items, not {families} families of {items} items")
    if lines < 1 or requirements < 1:
        raise ValueError("need at least one line and one requirement")
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be 1..{MAX_MONTHS}, not {months}")
    if not is_month(start):
        raise ValueError(f"start must be a month YYYY-MM, not {start!r}")
