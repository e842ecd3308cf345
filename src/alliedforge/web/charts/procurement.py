"""The procurement pages' figures: each nation's cost share of a lot, the scores of a
tender's bids. Built only from what the page shows the caller, so a chart never holds a
number its table does not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from alliedforge.domain.procurement.models import BidStatus
from alliedforge.domain.procurement.schemas import BidRead, NationShare

SHARE, SCORE, AWARDED = "#1f4e79", "#2a9d8f", "#d98c00"
MARGIN = {"t": 56, "r": 24, "b": 64, "l": 88}
BARGAP = 0.4
# A bar chart spans at least this many categories' width: one nation's view stays slim.
MIN_CATEGORIES = 4


@dataclass(frozen=True, slots=True)
class ScoredBid:
    """A bid's place after evaluation (1 = best): by score, ties to the earlier
    submission, as the evaluation ranks them."""

    rank: int
    bid_id: int
    supplier: str
    cost: float
    delivery: float
    score: float
    awarded: bool


def ranking(bids: Sequence[BidRead]) -> list[ScoredBid]:
    """The scored bids of a tender, best first (the evaluation scores submitted bids only,
    so withdrawn ones are unscored and left out)."""
    scored = sorted(
        (bid for bid in bids if bid.score is not None),
        key=lambda bid: (-(bid.score or 0.0), bid.id),
    )
    return [
        ScoredBid(
            rank=place,
            bid_id=bid.id,
            supplier=bid.supplier,
            cost=bid.cost,
            delivery=bid.delivery,
            score=bid.score or 0.0,
            awarded=bid.status == BidStatus.AWARDED,
        )
        for place, bid in enumerate(scored, start=1)
    ]


def shares_figure(shares: Sequence[NationShare], currency: str) -> dict[str, Any]:
    """Each nation's share of a lot's value (percent), its value in the hover."""
    nations = [escape(share.nation) for share in shares]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Cost share",
                "x": nations,
                "y": [100 * share.share for share in shares],
                "customdata": [share.value for share in shares],
                "marker": {"color": SHARE},
                "hovertemplate": "%{x}: %{y:.1f} % of the lot (%{customdata:,.0f} "
                + escape(currency)
                + ")<extra></extra>",
            }
        ],
        "layout": _layout(
            "Cost share per nation (% of the lot's value)",
            xaxis=_categories(nations, "Nation"),
            yaxis={"title": {"text": "% of the lot's value"}, "rangemode": "tozero"},
        ),
    }


def scores_figure(ranked: Sequence[ScoredBid]) -> dict[str, Any]:
    """The score of each bid (0–1), best first; the awarded bid stands out."""
    names = [f"#{bid.rank} {escape(bid.supplier)} (bid {bid.bid_id})" for bid in ranked]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Score",
                "x": names,
                "y": [bid.score for bid in ranked],
                "marker": {"color": [AWARDED if bid.awarded else SCORE for bid in ranked]},
                "hovertemplate": "%{x}: score %{y:.3f}<extra></extra>",
            }
        ],
        "layout": _layout(
            "Bid scores (1 is the best possible)",
            xaxis=_categories(names, "Bid"),
            yaxis={"title": {"text": "Score"}, "range": [0, 1.05]},
        ),
    }


def _categories(names: list[str], title: str) -> dict[str, Any]:
    axis: dict[str, Any] = {"title": {"text": title}, "type": "category"}
    if len(names) < MIN_CATEGORIES:
        # Pad the axis so that one or two bars keep a bar's width.
        axis["range"] = [-0.5, MIN_CATEGORIES - 0.5]
    return axis


def _layout(title: str, **axes: Any) -> dict[str, Any]:
    return {"title": {"text": title}, "bargap": BARGAP, "margin": MARGIN, **axes}
