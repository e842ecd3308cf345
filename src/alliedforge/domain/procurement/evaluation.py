"""Pure rules of price tiers and bid evaluation: the cost of a quantity under all-units
tiers, the share of a lot a delivery schedule brings on time, and the ranking of bids by
lowest price or weighted best value. Quantities in units, money in the record's currency."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

# Past performance in [0, 1] of a supplier (by code): see `track_record.past_performance`.
PastPerformance = Callable[[str], float]


@dataclass(frozen=True, slots=True)
class Tier:
    """All-units price: every unit costs `unit_price` once `min_quantity` units are reached."""

    min_quantity: float
    unit_price: float


@dataclass(frozen=True, slots=True)
class Units:
    """Units in a month (`YYYY-MM`): needed by its end, or delivered in it."""

    month: str
    quantity: float


@dataclass(frozen=True, slots=True)
class Offer:
    """What a bid brings to the evaluation: its supplier, the cost of the lot under its
    tiers and the share of the lot it delivers on time."""

    bid_id: int
    supplier: str
    cost: float
    delivery: float


@dataclass(frozen=True, slots=True)
class Ranked:
    """A bid's score (the higher the better) and its place (1 = best)."""

    bid_id: int
    score: float
    rank: int


def no_track_record(_supplier: str) -> float:
    """Past performance when none is known: everyone scores 1."""
    return 1.0


def unit_price(tiers: Sequence[Tier], quantity: float) -> float:
    """The unit price of `quantity` units: the tier with the largest `min_quantity` not
    above it. The first tier starts at 0 (tiers are checked on the way in)."""
    reached = [tier for tier in tiers if tier.min_quantity <= quantity]
    return max(reached, key=lambda tier: tier.min_quantity).unit_price


def cost(tiers: Sequence[Tier], quantity: float) -> float:
    """What `quantity` units cost under all-units `tiers`."""
    return quantity * unit_price(tiers, quantity)


def on_time_share(schedule: Iterable[Units], needs: Iterable[Units]) -> float:
    """The share (0–1) of the needed units a schedule delivers in or before the month each
    is needed. Units go to the earliest open need first, which is optimal: a unit early
    enough for an earlier need is early enough for every later one."""
    needs = sorted(needs, key=lambda need: need.month)
    total = sum(need.quantity for need in needs)
    if total <= 0:
        return 1.0
    deliveries = sorted(schedule, key=lambda delivery: delivery.month)
    on_time, available, next_delivery = 0.0, 0.0, 0
    for need in needs:
        while next_delivery < len(deliveries) and deliveries[next_delivery].month <= need.month:
            available += deliveries[next_delivery].quantity
            next_delivery += 1
        served = min(available, need.quantity)
        on_time += served
        available -= served
    return min(1.0, on_time / total)


def rank(
    offers: Sequence[Offer],
    best_value: bool,
    weights: tuple[float, float, float],
    past_performance: PastPerformance = no_track_record,
) -> list[Ranked]:
    """Score and rank bids. Price counts as the cheapest cost over the bid's (the cheapest
    scores 1). Lowest price ranks by that alone; best value by
    `weights` = (price, delivery, past performance) applied to the price score, the
    on-time share and the supplier's past performance. Ties keep the order given (the
    earlier submission first)."""
    if not offers:
        return []
    cheapest = min(offer.cost for offer in offers)
    price_weight, delivery_weight, past_weight = weights
    scored: list[tuple[float, int, int]] = []
    for order, offer in enumerate(offers):
        price = 1.0 if offer.cost <= 0 else cheapest / offer.cost
        score = price
        if best_value:
            past = min(1.0, max(0.0, past_performance(offer.supplier)))
            score = price_weight * price + delivery_weight * offer.delivery + past_weight * past
        scored.append((score, order, offer.bid_id))
    ordered = sorted(scored, key=lambda entry: (-entry[0], entry[1]))
    return [Ranked(bid_id, score, place) for place, (score, _, bid_id) in enumerate(ordered, 1)]
