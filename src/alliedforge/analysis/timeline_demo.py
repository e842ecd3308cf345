"""A seeded generator of plausible procurement timelines: the demo's `timelines.csv`.

Durations are drawn from triangular distributions (low, most likely, high, in months) sized
to public orders of magnitude (domain-notes.md): tender to contract from about a month
(urgent buys) to over a year, contract to first delivery 7–36 months, longer for
interceptors than for mortar bombs. Each nation has its own administrative pace, which
stretches or shortens the stages before the contract. Illustrative, not real data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from alliedforge.analysis.timelines import DAYS_PER_MONTH, MILESTONES, Milestone, Procurement
from alliedforge.scenario.model import Scenario

DEMO_SEED = 6
DEMO_COUNT = 60
DEMO_AS_OF = date(2026, 6, 30)
FIRST_APPROVAL = date(2018, 1, 1)
LAST_APPROVAL = date(2025, 9, 30)

Months = tuple[float, float, float]  # low, most likely, high

# Requirement approved → tender published → bids closed → awarded → contract signed.
PRE_CONTRACT: tuple[Months, ...] = (
    (1.0, 3.0, 9.0),
    (0.5, 1.5, 4.0),
    (0.5, 2.5, 8.0),
    (0.25, 1.5, 6.0),
)
URGENT_SHARE = 0.2
URGENT_FACTOR = 0.35  # an urgent buy runs bidding, evaluation and contracting this much faster
LOST_DATE_SHARE = 0.04  # of each of these dates, missing from the records
LOSABLE = (Milestone.TENDER_PUBLISHED, Milestone.BIDS_CLOSED, Milestone.AWARDED)


@dataclass(frozen=True, slots=True)
class FamilyPace:
    """Months from contract to first delivery, and from first delivery to completion."""

    lead: Months
    delivery: Months


FAMILY_PACE = {
    "120mm-HE": FamilyPace(lead=(7.0, 10.0, 18.0), delivery=(6.0, 12.0, 24.0)),
    "155mm-HE": FamilyPace(lead=(8.0, 14.0, 30.0), delivery=(9.0, 18.0, 36.0)),
    "SAM-MR": FamilyPace(lead=(14.0, 22.0, 36.0), delivery=(12.0, 24.0, 48.0)),
    "SAM-LR": FamilyPace(lead=(18.0, 28.0, 36.0), delivery=(12.0, 30.0, 48.0)),
}
OTHER_PACE = FamilyPace(lead=(7.0, 16.0, 36.0), delivery=(6.0, 18.0, 36.0))


def buyers(scenario: Scenario) -> tuple[tuple[str, str], ...]:
    """(nation, item family) pairs where the nation fields a system an item of the family fits."""
    family = {item.code: item.family for item in scenario.items}
    fits: dict[str, set[str]] = {}
    for q in scenario.qualifications:
        fits.setdefault(q.weapon_system, set()).add(family[q.item])
    pairs = {(f.nation, fam) for f in scenario.fleets for fam in fits.get(f.weapon_system, ())}
    return tuple(sorted(pairs))


def generate_timelines(
    pairs: Sequence[tuple[str, str]],
    count: int,
    seed: int,
    as_of: date = DEMO_AS_OF,
) -> tuple[Procurement, ...]:
    """`count` procurements by (nation, family) `pairs`; milestones after `as_of` are blank."""
    if not pairs:
        raise ValueError("no (nation, family) pairs to generate procurements for")
    rng = np.random.default_rng(seed)
    nations = sorted({nation for nation, _ in pairs})
    pace = dict(zip(nations, rng.uniform(0.7, 1.5, size=len(nations)), strict=True))
    span = (LAST_APPROVAL - FIRST_APPROVAL).days
    drawn = []
    for _ in range(count):
        nation, family = pairs[int(rng.integers(len(pairs)))]
        approved = FIRST_APPROVAL + timedelta(days=int(rng.integers(span + 1)))
        urgent = rng.random() < URGENT_SHARE
        months = [rng.triangular(*m) * pace[nation] for m in PRE_CONTRACT]
        if urgent:
            months[1:] = [m * URGENT_FACTOR for m in months[1:]]
        family_pace = FAMILY_PACE.get(family, OTHER_PACE)
        months += [rng.triangular(*family_pace.lead), rng.triangular(*family_pace.delivery)]
        lost = {
            m
            for m, gone in zip(LOSABLE, rng.random(len(LOSABLE)) < LOST_DATE_SHARE, strict=True)
            if gone
        }
        drawn.append((nation, family, approved, months, lost))
    drawn.sort(key=lambda d: (d[2], d[0]))
    procurements = []
    for number, (nation, family, approved, months, lost) in enumerate(drawn, start=1):
        days = np.cumsum([0, *(round(m * DAYS_PER_MONTH) for m in months)])
        happened = [approved + timedelta(days=int(d)) for d in days]
        dates = tuple(
            None if day > as_of or milestone in lost else day
            for milestone, day in zip(MILESTONES, happened, strict=True)
        )
        code = f"{nation}-{approved.year}-{number:03d}"
        procurements.append(Procurement(code, nation, family, dates))
    return tuple(procurements)


def demo_timelines(scenario: Scenario) -> tuple[Procurement, ...]:
    """The demo's historical procurements, over the demo scenario's nations and families."""
    return generate_timelines(buyers(scenario), DEMO_COUNT, DEMO_SEED)
