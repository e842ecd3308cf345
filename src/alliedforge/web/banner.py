"""The classification banner of a page: the most sensitive label among its records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from alliedforge.domain.access.labels import rank
from alliedforge.store.base import CLASSIFICATIONS, DEFAULT_CLASSIFICATION

# CSS class suffix per classification (colours are in static/app.css).
LEVELS = {
    classification: classification.lower().replace(" ", "-") for classification in CLASSIFICATIONS
}


@dataclass(frozen=True, slots=True)
class Banner:
    """The marking of a page: the highest classification among its records, and the
    nations all of them are releasable to (None: all nations)."""

    classification: str = DEFAULT_CLASSIFICATION
    releasable_to: frozenset[str] | None = None

    @property
    def text(self) -> str:
        if self.releasable_to is None:
            return self.classification
        nations = ", ".join(sorted(self.releasable_to)) or "no nation"
        return f"{self.classification} — Releasable to {nations}"

    @property
    def level(self) -> str:
        return LEVELS.get(self.classification, LEVELS[DEFAULT_CLASSIFICATION])


def banner_of(labels: Iterable[dict[str, Any]]) -> Banner:
    """The banner over records with these STANAG 4774 labels (as the services return
    them): the highest classification, and releasability narrowed to the nations every
    record is releasable to — what the page as a whole may be shown to."""
    classification = DEFAULT_CLASSIFICATION
    releasable: frozenset[str] | None = None
    for label in labels:
        if rank(label["classification"]) > rank(classification):
            classification = label["classification"]
        for category in label.get("categories", []):
            values = frozenset(category.get("values", []))
            if "ALL" in values:
                continue
            releasable = values if releasable is None else releasable & values
    return Banner(classification, releasable)
