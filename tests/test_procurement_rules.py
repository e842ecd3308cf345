"""The pure rules of procurement: all-units tiers, on-time share of a schedule, ranking by
lowest price and best value, pooling a plan's deliveries into lots, cost shares."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from alliedforge.domain.procurement.evaluation import (
    Offer,
    Tier,
    Units,
    cost,
    on_time_share,
    rank,
    unit_price,
)
from alliedforge.domain.procurement.models import Grouping
from alliedforge.domain.procurement.pooling import Planned, cost_shares, pool_deliveries
from alliedforge.domain.procurement.schemas import BidCreate, TenderCreate, Weights

TIERS = (Tier(0, 10.0), Tier(100, 8.0), Tier(1000, 6.0))


@pytest.mark.parametrize(
    ("quantity", "price"),
    [(0, 10.0), (99.5, 10.0), (100, 8.0), (999, 8.0), (1000, 6.0), (5e6, 6.0)],
)
def test_the_tier_reached_prices_every_unit(quantity: float, price: float) -> None:
    assert unit_price(TIERS, quantity) == price
    assert cost(TIERS, quantity) == quantity * price


def test_on_time_share_serves_the_earliest_need_first() -> None:
    needs = [Units("2027-03", 100), Units("2027-01", 100)]
    # 150 by January: 100 serve January, 50 carry to March; 20 more arrive in April (late).
    schedule = [Units("2027-01", 150), Units("2027-04", 20)]
    assert on_time_share(schedule, needs) == pytest.approx(150 / 200)
    assert on_time_share([Units("2027-05", 200)], needs) == 0.0
    assert on_time_share([Units("2026-12", 500)], needs) == 1.0
    assert on_time_share([], []) == 1.0


@given(
    st.lists(st.tuples(st.integers(1, 12), st.floats(0, 1e4)), max_size=8),
    st.lists(st.tuples(st.integers(1, 12), st.floats(0, 1e4)), min_size=1, max_size=8),
)
def test_on_time_share_is_a_share_and_earlier_never_hurts(
    schedule: list[tuple[int, float]], needs: list[tuple[int, float]]
) -> None:
    planned = [Units(f"2027-{month:02d}", units) for month, units in needs]
    offered = [Units(f"2027-{month:02d}", units) for month, units in schedule]
    share = on_time_share(offered, planned)
    assert 0.0 <= share <= 1.0
    earlier = [Units(f"2027-{max(month - 1, 1):02d}", units) for month, units in schedule]
    assert on_time_share(earlier, planned) >= share - 1e-12


def test_lowest_price_ranks_by_cost_alone() -> None:
    offers = [Offer(1, "A", 200.0, 1.0), Offer(2, "B", 100.0, 0.0), Offer(3, "C", 400.0, 1.0)]
    ranked = rank(offers, best_value=False, weights=(0.2, 0.8, 0.0))
    assert [(r.bid_id, r.rank) for r in ranked] == [(2, 1), (1, 2), (3, 3)]
    assert [r.score for r in ranked] == [1.0, 0.5, 0.25]


def test_best_value_weighs_price_delivery_and_past_performance() -> None:
    offers = [Offer(1, "A", 100.0, 0.2), Offer(2, "B", 125.0, 1.0)]
    weights = (0.5, 0.5, 0.0)
    ranked = rank(offers, best_value=True, weights=weights)
    # A: 0.5 * 1 + 0.5 * 0.2 = 0.6; B: 0.5 * 0.8 + 0.5 * 1 = 0.9.
    assert [(r.bid_id, pytest.approx(r.score)) for r in ranked] == [(2, 0.9), (1, 0.6)]
    performance = {"A": 1.0, "B": 0.0}
    ranked = rank(offers, True, (0.4, 0.2, 0.4), performance.__getitem__)
    # A: 0.4 + 0.04 + 0.4 = 0.84; B: 0.32 + 0.2 + 0 = 0.52.
    assert [(r.bid_id, pytest.approx(r.score)) for r in ranked] == [(1, 0.84), (2, 0.52)]


def test_ties_keep_the_earlier_submission_first() -> None:
    offers = [Offer(7, "A", 100.0, 1.0), Offer(3, "B", 100.0, 1.0)]
    assert [r.bid_id for r in rank(offers, True, (1.0, 0.0, 0.0))] == [7, 3]
    assert rank([], True, (1.0, 0.0, 0.0)) == []


def _planned(supplier: str, item: str, nation: str, units: float, price: float) -> Planned:
    return Planned(supplier, item, f"R-{nation}", nation, "2027-06", units, price)


def test_pools_need_enough_nations_and_say_why_a_group_is_left_out() -> None:
    family_of = {"I1": "F", "I2": "F", "I3": "G"}
    deliveries = [
        _planned("S1", "I1", "A", 10, 2.0),
        _planned("S1", "I1", "A", 30, 4.0),  # merged with the row above: 40 at 3.5
        _planned("S1", "I2", "B", 5, 1.0),
        _planned("S2", "I1", "C", 5, 1.0),
        _planned("S2", "I3", "A", 5, 1.0),
        _planned("S2", "I3", "B", 0, 1.0),  # nothing delivered: no participant
    ]
    by_family, left = pool_deliveries(deliveries, family_of, Grouping.FAMILY, 3)
    assert [(pool.family, pool.supplier, pool.nations) for pool in by_family] == [
        ("F", None, ("A", "B", "C"))
    ]
    merged = [line for line in by_family[0].lines if line.nation == "A"]
    assert [(line.quantity, line.unit_price) for line in merged] == [(40, 3.5)]
    assert [(group.family, group.nations) for group in left] == [("G", ("A",))]
    assert "1 participating nation(s), fewer than the 3" in left[0].reason
    per_supplier, left = pool_deliveries(deliveries, family_of, Grouping.SUPPLIER_FAMILY, 2)
    assert [(pool.supplier, pool.family, pool.nations) for pool in per_supplier] == [
        ("S1", "F", ("A", "B"))
    ]
    assert [(group.supplier, group.family) for group in left] == [("S2", "F"), ("S2", "G")]


def test_cost_shares_split_the_value() -> None:
    shares = cost_shares([("A", 10, 30.0), ("B", 10, 10.0), ("A", 5, 0.0)])
    assert shares == {"A": (15, 30.0, 0.75), "B": (10, 10.0, 0.25)}
    free = cost_shares([("A", 3, 0.0), ("B", 1, 0.0)])
    assert [free[nation][2] for nation in ("A", "B")] == [0.75, 0.25]


def test_inputs_are_checked_before_any_rule_runs() -> None:
    with pytest.raises(ValidationError, match="sum to"):
        Weights(price=0.5, delivery=0.1, past_performance=0.1)
    with pytest.raises(ValidationError, match="closes_on is before opens_on"):
        TenderCreate.model_validate(
            {"lot_id": 1, "opens_on": "2027-02-01", "closes_on": "2027-01-01"}
        )
    bid = {"schedule": [{"month": "2027-01", "quantity": 1}], "capacity_per_month": 1}
    with pytest.raises(ValidationError, match="starts at min_quantity 0"):
        BidCreate.model_validate({**bid, "tiers": [{"min_quantity": 5, "unit_price": 1}]})
    twice = [{"min_quantity": 0, "unit_price": 2}, {"min_quantity": 0, "unit_price": 1}]
    with pytest.raises(ValidationError, match="different min_quantity"):
        BidCreate.model_validate({**bid, "tiers": twice})
    tiers = [{"min_quantity": 9, "unit_price": 1}, {"min_quantity": 0, "unit_price": 2}]
    made = BidCreate.model_validate({**bid, "tiers": tiers})
    assert [tier.min_quantity for tier in made.tiers] == [0, 9]
