"""Acquisition timelines: stage durations, statistics, the missing-date rule, the CSV reader."""

from __future__ import annotations

from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliedforge.analysis.timeline_csv import (
    COLUMNS,
    TimelineError,
    parse_timelines,
    read_timelines,
    render_timelines,
)
from alliedforge.analysis.timeline_demo import demo_timelines
from alliedforge.analysis.timelines import (
    MILESTONES,
    STAGES,
    Milestone,
    Procurement,
    Stage,
    analyse_timelines,
    describe,
    skipped_stages,
    stage_months,
    summarise_group,
    total_months,
)
from alliedforge.scenario import load_scenario
from alliedforge.scenario.problems import Problem

MONTH_DAYS = 365.2425 / 12  # a month of average Gregorian length
DAY0 = date(2024, 1, 1)
HEADER = ",".join(COLUMNS)
PROPERTY = settings(max_examples=60, deadline=None)


def _days(values: list[float]) -> list[float]:
    return [v / MONTH_DAYS for v in values]


def procurement(
    gaps: list[int | None], code: str = "P1", nation: str = "DEU", family: str = "155mm-HE"
) -> Procurement:
    """Dates DAY0, then each gap (days) after the one before; a None gap leaves that date
    out and adds no days."""
    dates: list[date | None] = [DAY0]
    day = DAY0
    for gap in gaps:
        day += timedelta(days=gap or 0)
        dates.append(None if gap is None else day)
    return Procurement(code, nation, family, tuple(dates))


def test_stage_durations_are_the_gaps_between_consecutive_dates_in_months() -> None:
    # 2024-01-01 → 2024-03-01 is 60 days (a leap February), → 2024-03-15 14 more, …
    p = Procurement(
        "P1",
        "DEU",
        "155mm-HE",
        (
            date(2024, 1, 1),
            date(2024, 3, 1),
            date(2024, 3, 15),
            date(2024, 4, 15),
            date(2024, 4, 15),
            date(2025, 4, 15),
            date(2026, 1, 1),
        ),
    )
    expected_days = [60, 14, 31, 0, 365, 261]
    assert stage_months(p) == pytest.approx(_days(expected_days))
    assert total_months(p) == pytest.approx((365 + 366) / MONTH_DAYS)


def test_a_missing_date_skips_the_stages_it_bounds_and_is_reported() -> None:
    p = procurement([30, None, 10, 20, 300, None])  # no bids_closed, no completed
    months = stage_months(p)
    assert months[0] == pytest.approx(30 / MONTH_DAYS)
    assert months[1] is None  # tender → bids: no end date
    assert months[2] is None  # bids → award: no start date; never guessed from the gap
    assert months[3] == pytest.approx(20 / MONTH_DAYS)
    assert months[4] == pytest.approx(300 / MONTH_DAYS)
    assert months[5] is None
    assert total_months(p) is None
    skipped = {(s.stage, s.missing) for s in skipped_stages([p])}
    assert skipped == {
        (Stage.BIDDING, (Milestone.BIDS_CLOSED,)),
        (Stage.EVALUATION, (Milestone.BIDS_CLOSED,)),
        (Stage.DELIVERY, (Milestone.COMPLETED,)),
    }


def test_missing_dates_leave_the_counts_and_the_total() -> None:
    complete = procurement([30, 30, 30, 30, 30, 30], code="A")
    running = procurement([60, 60, 60, 60, None, None], code="B")
    group = summarise_group("all", [complete, running])
    assert [s.durations.count if s.durations else 0 for s in group.stages] == [2, 2, 2, 2, 1, 1]
    assert group.total is not None
    assert group.total.count == 1
    assert group.total.median == pytest.approx(180 / MONTH_DAYS)


def test_quantiles_interpolate_between_sorted_values() -> None:
    # positions (n − 1)·q over 1..5: P20 at 0.8 → 1.8, median at 2 → 3, P80 at 3.2 → 4.2
    d = describe([5.0, 1.0, 4.0, 2.0, 3.0])
    assert d is not None
    assert (d.count, d.minimum, d.maximum) == (5, 1.0, 5.0)
    assert (d.p20, d.median, d.p80) == pytest.approx((1.8, 3.0, 4.2))
    assert describe([]) is None


def test_stage_statistics_of_a_group_by_hand() -> None:
    # preparation of 0, 30, 60, 90 and 120 days: median 60, P20 at 0.8 → 24, P80 at 3.2 → 96
    group = summarise_group(
        "all", [procurement([d, 10, 10, 10, 10, 10], code=f"P{d}") for d in (90, 0, 120, 30, 60)]
    )
    d = group.stage(Stage.PREPARATION).durations
    assert d is not None
    assert (d.median, d.p20, d.p80) == pytest.approx(_days([60, 24, 96]))
    assert (d.minimum, d.maximum) == pytest.approx(_days([0, 120]))


def test_shares_are_each_median_over_the_sum_of_medians() -> None:
    group = summarise_group("all", [procurement([30, 60, 90, 0, 120, 300])])
    assert [s.share for s in group.stages] == pytest.approx(
        [30 / 600, 60 / 600, 90 / 600, 0, 120 / 600, 300 / 600]
    )
    assert group.bottleneck is Stage.DELIVERY
    assert group.bottleneck_p80 is Stage.DELIVERY


def test_the_bottleneck_by_median_and_by_p80_can_differ() -> None:
    # evaluation always takes 40 days; contracting usually 5 but 100 in the slow cases
    contracting = [0, 5, 5, 100, 100]
    group = summarise_group(
        "all", [procurement([1, 1, 40, c, 1, 1], code=f"P{k}") for k, c in enumerate(contracting)]
    )
    assert group.bottleneck is Stage.EVALUATION
    assert group.bottleneck_p80 is Stage.CONTRACTING


def test_a_tie_goes_to_the_earlier_stage_and_no_data_has_no_bottleneck() -> None:
    group = summarise_group("all", [procurement([10, 50, 50, 10, 10, 10])])
    assert group.bottleneck is Stage.BIDDING
    empty = summarise_group("all", [procurement([None] * 6)])
    assert empty.bottleneck is None
    assert empty.bottleneck_p80 is None
    assert all(s.share == 0 for s in empty.stages)


def test_analysis_per_nation_and_per_family() -> None:
    rows = [
        procurement([30] * 6, code="A", nation="POL", family="155mm-HE"),
        procurement([60] * 6, code="B", nation="DEU", family="155mm-HE"),
        procurement([90] * 6, code="C", nation="DEU", family="SAM-MR"),
    ]
    analysis = analyse_timelines(rows)
    assert analysis.overall.procurements == 3
    assert [(g.group, g.procurements) for g in analysis.nations] == [("DEU", 2), ("POL", 1)]
    assert [(g.group, g.procurements) for g in analysis.families] == [
        ("155mm-HE", 2),
        ("SAM-MR", 1),
    ]
    deu = analysis.nations[0].stage(Stage.LEAD_TIME).durations
    assert deu is not None
    assert deu.median == pytest.approx(75 / MONTH_DAYS)
    assert analysis.skipped == ()


def test_a_procurement_refuses_dates_that_go_back_in_time() -> None:
    with pytest.raises(ValueError, match="back in time"):
        Procurement("P1", "DEU", "F", (date(2024, 2, 1), date(2024, 1, 1), *[None] * 5))
    with pytest.raises(ValueError, match="7 dates"):
        Procurement("P1", "DEU", "F", (date(2024, 2, 1),))


# ---- the CSV form -------------------------------------------------------------------------


def _csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join((header, *rows)) + "\n"


def _problems(text: str) -> list[Problem]:
    with pytest.raises(TimelineError) as caught:
        parse_timelines(text, "history.csv")
    return caught.value.problems


def test_csv_reads_dates_and_blanks() -> None:
    text = _csv("P1,DEU,155mm-HE,2024-01-01,2024-03-01,,2024-04-15,2024-05-01,,")
    (p,) = parse_timelines(text, "history.csv")
    assert (p.code, p.nation, p.family) == ("P1", "DEU", "155mm-HE")
    assert p.dates == (
        date(2024, 1, 1),
        date(2024, 3, 1),
        None,
        date(2024, 4, 15),
        date(2024, 5, 1),
        None,
        None,
    )


def test_csv_columns_may_come_in_any_order() -> None:
    header = ",".join(reversed(COLUMNS))
    (p,) = parse_timelines(_csv(",,,,,,2024-01-01,F,N,P1", header=header), "x.csv")
    assert (p.code, p.nation, p.family) == ("P1", "N", "F")
    assert p.date_of(Milestone.REQUIREMENT_APPROVED) == date(2024, 1, 1)


def test_csv_round_trips() -> None:
    rows = (procurement([30, None, 10, 20, 300, None], code="A"), procurement([1] * 6, code="B"))
    assert parse_timelines(render_timelines(rows), "x.csv") == rows


def test_csv_errors_are_located_by_file_row_column_and_value() -> None:
    text = _csv(
        "P1,DEU,155mm-HE,2024-01-01,2024-02-30,,,,,",
        "P2,,155mm-HE,2024-01-01,,,,,,",
        "P1,POL,155mm-HE,01/02/2024,,,,,,",
        "P3,POL,155mm-HE,2024-01-01,,",
    )
    problems = _problems(text)
    located = {(p.table, p.row, p.column, p.value) for p in problems}
    assert located == {
        ("history.csv", 2, "tender_published", "2024-02-30"),
        ("history.csv", 3, "nation", None),
        ("history.csv", 4, "procurement", "P1"),
        ("history.csv", 4, "requirement_approved", "01/02/2024"),
        ("history.csv", 5, None, "6 cells"),
    }
    duplicate = next(p for p in problems if p.column == "procurement")
    assert "row 2" in duplicate.expected


def test_a_negative_gap_is_located_at_the_later_date_even_across_a_missing_one() -> None:
    text = _csv("P1,DEU,F,2024-01-01,2024-03-01,,2024-02-01,2024-04-01,,")
    (problem,) = _problems(text)
    assert (problem.row, problem.column, problem.value) == (2, "awarded", "2024-02-01")
    assert "tender_published" in problem.expected
    assert "2024-03-01" in problem.expected


def test_csv_header_problems_are_reported_together() -> None:
    header = HEADER.replace("awarded", "award_date") + ",bids_closed"
    problems = _problems(_csv(header=header))
    located = {(p.row, p.column, p.value) for p in problems}
    assert located == {
        (1, "award_date", "award_date"),
        (1, "bids_closed", "bids_closed"),
        (1, "awarded", None),
    }
    assert _problems("\n \n") == [Problem("history.csv", 1, None, None, "a header row")]


def test_read_names_the_file_of_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes(HEADER.encode() + b"\nP1,M\xfcnchen,F,2024-01-01,,,,,,\n")
    with pytest.raises(TimelineError) as caught:
        read_timelines(path)
    (problem,) = caught.value.problems
    assert problem.table == "old.csv"
    assert problem.expected == "UTF-8 text"


# ---- properties ---------------------------------------------------------------------------

gaps = st.lists(st.integers(min_value=0, max_value=1500), min_size=6, max_size=6)


@PROPERTY
@given(gaps=gaps)
def test_complete_rows_have_non_negative_stages_that_sum_to_the_total(gaps: list[int]) -> None:
    p = procurement(list(gaps))
    months = stage_months(p)
    assert all(m is not None and m >= 0 for m in months)
    assert sum(m for m in months if m is not None) == pytest.approx(total_months(p))
    (read,) = parse_timelines(render_timelines([p]), "x.csv")
    assert read == p


@PROPERTY
@given(gaps=gaps, back=st.integers(min_value=1, max_value=400), at=st.integers(1, 6))
def test_a_negative_gap_is_a_located_error(gaps: list[int], back: int, at: int) -> None:
    days = [0]
    for k, gap in enumerate(gaps, start=1):
        days.append(days[-1] + (-back if k == at else gap))
    dates = [(DAY0 + timedelta(days=d)).isoformat() for d in days]
    (problem,) = _problems(_csv(",".join(["P1", "DEU", "F", *dates])))
    assert (problem.table, problem.row) == ("history.csv", 2)
    assert (problem.column, problem.value) == (MILESTONES[at].value, dates[at])


# ---- the demo file ------------------------------------------------------------------------

DEMO_FILE = files("alliedforge.data").joinpath("timelines.csv")


def test_the_demo_file_is_the_seeded_generator_output() -> None:
    demo = load_scenario(Path(str(files("alliedforge.data").joinpath("demo"))))
    assert DEMO_FILE.read_bytes() == render_timelines(demo_timelines(demo)).encode("utf-8")


def test_the_demo_file_is_valid_and_fits_public_orders_of_magnitude() -> None:
    demo = load_scenario(Path(str(files("alliedforge.data").joinpath("demo"))))
    procurements = read_timelines(Path(str(DEMO_FILE)))
    assert 50 <= len(procurements) <= 70
    assert {p.nation for p in procurements} <= {n.code for n in demo.nations}
    assert {p.family for p in procurements} <= {i.family for i in demo.items}
    for p in procurements:
        months = stage_months(p)
        tender, signed = p.date_of(Milestone.TENDER_PUBLISHED), p.date_of(Milestone.CONTRACT_SIGNED)
        if tender is not None and signed is not None:
            # tender to contract: about a month (urgent buys) to over a year
            assert 0.5 <= (signed - tender).days / MONTH_DAYS <= 20
        lead = months[STAGES.index(Stage.LEAD_TIME)]
        if lead is not None:
            assert 7 - 0.1 <= lead <= 36 + 0.1  # contract to first delivery: 7–36 months
