"""The value of interoperability on tiny scenarios with hand-computed values.

Builders' round numbers: S(1) = 10000 per unit short, a priority-1 unit-month late costs
100, one tier at 4000/unit for each item. Items SH1 and SH2 are of one family.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from alliedforge.interop.report import write_interop_report
from alliedforge.interop.value import (
    Basis,
    Direction,
    InteropError,
    InteropRanking,
    InteropValue,
    find_candidates,
    rank_interop,
)
from alliedforge.planning.batch import InlineRunner, PlanDone, PlanJob
from alliedforge.planning.options import PlanOptions
from alliedforge.planning.plan import Plan
from alliedforge.scenario.model import Qualification, Scenario

from builders import active, make_scenario, req, tier

EXACT = PlanOptions(time_limit=60, gap=1e-9)


class RecordingRunner(InlineRunner):
    """Plans inline and remembers every job key it was given."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def run(self, jobs: Sequence[PlanJob], on_done: PlanDone | None = None) -> dict[str, Plan]:
        self.keys += [job.key for job in jobs]
        return super().run(jobs, on_done)


def two_howitzers(sh2_on_how2_from: str | None = None, months: int = 1) -> Scenario:
    """AAA's HOW can fire SH2 (line L2, 200/month); BBB's HOW2 only SH1, which no line makes.

    With `sh2_on_how2_from`, SH2 is also qualified on HOW2 from that month (pending).
    """
    qualifications = [Qualification("SH2", "HOW"), Qualification("SH1", "HOW2")]
    if sh2_on_how2_from is not None:
        qualifications.append(Qualification("SH2", "HOW2", sh2_on_how2_from))
    return make_scenario(
        months=months,
        lines=[active("L2", 200, item="SH2")],
        prices=[tier(0, 4000, item="SH1"), tier(0, 4000, item="SH2")],
        requirements=[
            req("RA", 100, "2027-01", nation="AAA", weapon_system="HOW"),
            req("RB", 50, "2027-01", nation="BBB", weapon_system="HOW2"),
        ],
        qualifications=qualifications,
    )


def by_pair(values: tuple[InteropValue, ...]) -> dict[tuple[str, str], InteropValue]:
    return {(v.candidate.item, v.candidate.weapon_system): v for v in values}


def test_candidates_are_pairs_whose_family_the_system_already_fires() -> None:
    candidates = find_candidates(two_howitzers(), "2027-01")
    assert {(c.item, c.weapon_system, c.direction) for c in candidates} == {
        ("SH1", "HOW", Direction.ADD),
        ("SH2", "HOW2", Direction.ADD),
    }


def test_a_nation_without_a_qualified_round_gains_the_shortfall_it_avoids() -> None:
    runner = RecordingRunner()
    ranking = rank_interop(two_howitzers(), runner, options=EXACT)
    # Base: AAA gets 100 × 4000; BBB's 50 are short × 10000. Total 900,000.
    assert ranking.base.objective == pytest.approx(900_000, rel=1e-9)
    gains = by_pair(ranking.gains)
    # SH2 on HOW2: BBB's 50 units at 4000 instead of 50 × 10000 short.
    sh2 = gains[("SH2", "HOW2")]
    assert sh2.value == pytest.approx(300_000, rel=1e-6)
    assert sh2.basis is Basis.SOLVED
    assert sh2.shortfall == pytest.approx(50)
    assert [(n.nation, n.shortfall) for n in sh2.nations] == [("BBB", pytest.approx(50))]
    # SH1 on HOW: no line makes SH1, so nothing can change, and nothing is planned for it.
    sh1 = gains[("SH1", "HOW")]
    assert (sh1.value, sh1.basis) == (0.0, Basis.NO_SUPPLY)
    assert ranking.gains[0] is sh2
    assert "add:SH1@HOW" not in runner.keys


def test_existing_qualifications_are_worth_what_losing_them_costs() -> None:
    runner = RecordingRunner()
    ranking = rank_interop(two_howitzers(), runner, options=EXACT)
    holdings = by_pair(ranking.holdings)
    # Without SH2 on HOW, AAA's 100 units are short: 100 × (10000 − 4000).
    used = holdings[("SH2", "HOW")]
    assert used.value == pytest.approx(600_000, rel=1e-6)
    assert used.candidate.direction is Direction.REMOVE
    assert [(n.nation, n.shortfall) for n in used.nations] == [("AAA", pytest.approx(100))]
    # SH1 on HOW2 serves nothing in the base plan: 0, and no job was run for it.
    unused = holdings[("SH1", "HOW2")]
    assert (unused.value, unused.basis) == (0.0, Basis.UNUSED)
    assert "remove:SH1@HOW2" not in runner.keys
    assert "remove:SH2@HOW" in runner.keys


def test_a_pending_qualification_brought_forward_saves_its_lateness() -> None:
    # SH2 usable on HOW2 only from March: BBB's 50 units arrive 2 months late (50 × 2 × 100).
    scenario = two_howitzers(sh2_on_how2_from="2027-03", months=3)
    ranking = rank_interop(scenario, RecordingRunner(), reverse=False, options=EXACT)
    assert ranking.holdings == ()
    advance = by_pair(ranking.gains)[("SH2", "HOW2")]
    assert advance.candidate.direction is Direction.ADVANCE
    assert advance.candidate.qualified_from == "2027-03"
    assert advance.value == pytest.approx(10_000, rel=1e-6)
    assert advance.late_unit_months == pytest.approx(100)
    assert advance.shortfall == pytest.approx(0)


def test_from_a_later_month_the_pending_qualification_is_no_candidate() -> None:
    scenario = two_howitzers(sh2_on_how2_from="2027-03", months=3)
    assert not any(c.weapon_system == "HOW2" for c in find_candidates(scenario, "2027-03"))


def test_a_month_outside_the_horizon_is_refused() -> None:
    with pytest.raises(InteropError, match="2030-01"):
        rank_interop(two_howitzers(), RecordingRunner(), from_month="2030-01", options=EXACT)


def test_the_ranking_is_json_and_html(tmp_path: Path) -> None:
    ranking: InteropRanking = rank_interop(two_howitzers(), InlineRunner(), options=EXACT)
    document = json.loads(json.dumps(ranking.to_dict(), allow_nan=False))
    assert document["gains"][0]["item"] == "SH2"
    assert document["gains"][0]["value"] == pytest.approx(300_000, rel=1e-6)
    assert {h["basis"] for h in document["holdings"]} == {"solved", "unused"}
    html = write_interop_report(tmp_path / "report.html", ranking).read_text(encoding="utf-8")
    assert "<td>SH2</td><td>HOW2</td><td>add</td>" in html
    assert "Plotly" in html
    assert "<script src=" not in html  # plotly.js inlined: the report works offline
