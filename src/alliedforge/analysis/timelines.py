"""Acquisition timelines: how long each stage of a procurement takes, and where the months go.

A procurement passes seven milestones in a fixed order; a *stage* is the gap between two
consecutive milestones. Durations are in months of average Gregorian length
(365.2425 / 12 = 30.436875 days). A stage with a missing date at either end is skipped and
reported, never estimated. Quantiles interpolate linearly between order statistics
(numpy's default), so the median of 1, 2, 3, 4, 5 is 3 and its P80 is 4.2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise

import numpy as np

DAYS_PER_MONTH = 365.2425 / 12


class Milestone(StrEnum):
    """A dated event in a procurement, in the order they happen."""

    REQUIREMENT_APPROVED = "requirement_approved"
    TENDER_PUBLISHED = "tender_published"
    BIDS_CLOSED = "bids_closed"
    AWARDED = "awarded"
    CONTRACT_SIGNED = "contract_signed"
    FIRST_DELIVERY = "first_delivery"
    COMPLETED = "completed"


class Stage(StrEnum):
    """The gap between two consecutive milestones (see `STAGE_SPANS`)."""

    PREPARATION = "preparation"
    BIDDING = "bidding"
    EVALUATION = "evaluation"
    CONTRACTING = "contracting"
    LEAD_TIME = "lead_time"
    DELIVERY = "delivery"

    @property
    def start(self) -> Milestone:
        return STAGE_SPANS[self][0]

    @property
    def end(self) -> Milestone:
        return STAGE_SPANS[self][1]


MILESTONES: tuple[Milestone, ...] = tuple(Milestone)
STAGES: tuple[Stage, ...] = tuple(Stage)
STAGE_SPANS: dict[Stage, tuple[Milestone, Milestone]] = {
    stage: (MILESTONES[k], MILESTONES[k + 1]) for k, stage in enumerate(STAGES)
}


@dataclass(frozen=True, slots=True)
class Procurement:
    """One procurement's milestone dates, `None` where not (yet) known, in `MILESTONES` order."""

    code: str
    nation: str
    family: str
    dates: tuple[date | None, ...]

    def __post_init__(self) -> None:
        if len(self.dates) != len(MILESTONES):
            raise ValueError(
                f"{self.code}: expected {len(MILESTONES)} dates, got {len(self.dates)}"
            )
        known = [d for d in self.dates if d is not None]
        if known != sorted(known):
            raise ValueError(f"{self.code}: milestone dates go back in time")

    def date_of(self, milestone: Milestone) -> date | None:
        return self.dates[MILESTONES.index(milestone)]


@dataclass(frozen=True, slots=True)
class SkippedStage:
    """A stage of a procurement left out of the statistics because a date is missing."""

    procurement: str
    stage: Stage
    missing: tuple[Milestone, ...]


@dataclass(frozen=True, slots=True)
class Durations:
    """Summary of a set of durations (months): how many, median, P20, P80, minimum, maximum."""

    count: int
    median: float
    p20: float
    p80: float
    minimum: float
    maximum: float


@dataclass(frozen=True, slots=True)
class StageSummary:
    """One stage within a group; `durations` None when no procurement has both its dates."""

    stage: Stage
    durations: Durations | None
    share: float  # of the sum of the group's stage medians, 0..1 (0 when unknown)


@dataclass(frozen=True, slots=True)
class GroupTimeline:
    """The stages of a group of procurements (all, one nation or one item family).

    `bottleneck` is the stage with the largest median, `bottleneck_p80` the one with the
    largest P80 (ties go to the earlier stage); None when no stage has a duration.
    `total` covers procurements with both the first and the last milestone.
    """

    group: str
    procurements: int
    stages: tuple[StageSummary, ...]
    total: Durations | None
    bottleneck: Stage | None
    bottleneck_p80: Stage | None

    def stage(self, stage: Stage) -> StageSummary:
        return self.stages[STAGES.index(stage)]


@dataclass(frozen=True, slots=True)
class TimelineAnalysis:
    """Stage statistics over all procurements, per nation and per item family."""

    overall: GroupTimeline
    nations: tuple[GroupTimeline, ...]
    families: tuple[GroupTimeline, ...]
    skipped: tuple[SkippedStage, ...]


OVERALL = "all"


def months_between(start: date, end: date) -> float:
    """Months (of average length) from `start` to `end`."""
    return (end - start).days / DAYS_PER_MONTH


def stage_months(procurement: Procurement) -> tuple[float | None, ...]:
    """Duration of each stage in months, in `STAGES` order; None where a date is missing."""
    dates = procurement.dates
    return tuple(
        None if start is None or end is None else months_between(start, end)
        for start, end in pairwise(dates)
    )


def total_months(procurement: Procurement) -> float | None:
    """Months from requirement approval to completion; None unless both are known."""
    first, last = procurement.dates[0], procurement.dates[-1]
    return None if first is None or last is None else months_between(first, last)


def skipped_stages(procurements: Iterable[Procurement]) -> tuple[SkippedStage, ...]:
    """Every stage left out for a missing date, with the milestones that are missing."""
    skipped = []
    for p in procurements:
        for stage in STAGES:
            missing = tuple(m for m in (stage.start, stage.end) if p.date_of(m) is None)
            if missing:
                skipped.append(SkippedStage(p.code, stage, missing))
    return tuple(skipped)


def describe(values: Sequence[float]) -> Durations | None:
    """Count, median, P20, P80, minimum and maximum of `values`; None when there are none."""
    if not values:
        return None
    array = np.asarray(values, dtype=float)
    p20, median, p80 = np.quantile(array, (0.2, 0.5, 0.8))
    return Durations(
        count=len(values),
        median=float(median),
        p20=float(p20),
        p80=float(p80),
        minimum=float(array.min()),
        maximum=float(array.max()),
    )


def _largest(stages: Sequence[StageSummary], measure: Callable[[Durations], float]) -> Stage | None:
    # -k breaks a tie in favour of the earlier stage
    known = [
        (measure(s.durations), -k, s.stage) for k, s in enumerate(stages) if s.durations is not None
    ]
    return max(known)[2] if known else None


def _known(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def summarise_group(group: str, procurements: Sequence[Procurement]) -> GroupTimeline:
    """Stage statistics, shares and bottlenecks of one group of procurements."""
    per_procurement = [stage_months(p) for p in procurements]
    durations = [describe(_known(m[k] for m in per_procurement)) for k in range(len(STAGES))]
    medians = [0.0 if d is None else d.median for d in durations]
    known = sum(medians)
    stages = tuple(
        StageSummary(stage, d, share=median / known if known > 0 else 0.0)
        for stage, d, median in zip(STAGES, durations, medians, strict=True)
    )
    return GroupTimeline(
        group=group,
        procurements=len(procurements),
        stages=stages,
        total=describe(_known(map(total_months, procurements))),
        bottleneck=_largest(stages, lambda d: d.median),
        bottleneck_p80=_largest(stages, lambda d: d.p80),
    )


def _by(
    procurements: Sequence[Procurement], key: Callable[[Procurement], str]
) -> tuple[GroupTimeline, ...]:
    groups: dict[str, list[Procurement]] = {}
    for p in procurements:
        groups.setdefault(key(p), []).append(p)
    return tuple(summarise_group(name, groups[name]) for name in sorted(groups))


def analyse_timelines(procurements: Sequence[Procurement]) -> TimelineAnalysis:
    """Stage durations, shares and bottlenecks overall, per nation and per item family."""
    return TimelineAnalysis(
        overall=summarise_group(OVERALL, procurements),
        nations=_by(procurements, lambda p: p.nation),
        families=_by(procurements, lambda p: p.family),
        skipped=skipped_stages(procurements),
    )
