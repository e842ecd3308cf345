"""Security labels: a NATO classification and a releasability, and the read rule they make.

A record is readable by a user cleared to at least its classification whose nationality
it is releasable to. Releasability is stored as `ALL` or sorted comma-separated nation
codes (`DEU,FRA`), so that one portable SQL expression can filter on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, literal, or_

from alliedforge.domain.errors import InvalidError
from alliedforge.store.base import CLASSIFICATIONS, DEFAULT_CLASSIFICATION, RELEASABLE_TO_ALL

POLICY = "NATO"
RELEASABLE_TO_CATEGORY = "Releasable To"


def rank(classification: str) -> int:
    """The position of `classification` from NATO UNCLASSIFIED (0) upwards."""
    try:
        return CLASSIFICATIONS.index(classification)
    except ValueError:
        raise InvalidError(
            "classification", classification, "expected one of " + ", ".join(CLASSIFICATIONS)
        ) from None


def levels_up_to(clearance: str) -> tuple[str, ...]:
    """The classifications a user with `clearance` may read."""
    return CLASSIFICATIONS[: rank(clearance) + 1]


@dataclass(frozen=True, slots=True)
class Label:
    """A confidentiality label: classification and the nations it is releasable to
    (None: releasable to all)."""

    classification: str = DEFAULT_CLASSIFICATION
    releasable_to: frozenset[str] | None = None

    @classmethod
    def parse(cls, classification: str, releasable_to: str) -> Label:
        """A label from its stored form (`ALL` or `DEU,FRA`); the classification is checked."""
        rank(classification)
        if releasable_to.strip().upper() == RELEASABLE_TO_ALL:
            return cls(classification, None)
        nations = frozenset(code.strip().upper() for code in releasable_to.split(","))
        if not nations or "" in nations:
            raise InvalidError("releasable_to", releasable_to, "expected ALL or nation codes")
        return cls(classification, nations)

    @property
    def stored_releasability(self) -> str:
        """The stored form of the releasability: `ALL` or sorted `DEU,FRA`."""
        if self.releasable_to is None:
            return RELEASABLE_TO_ALL
        return ",".join(sorted(self.releasable_to))

    def readable_by(self, clearance: str, nationality: str | None) -> bool:
        """Whether a user with this clearance and nationality may read what carries it."""
        if rank(self.classification) > rank(clearance):
            return False
        return self.releasable_to is None or (
            nationality is not None and nationality in self.releasable_to
        )

    def as_stanag_4774(self, created: datetime | None = None) -> dict[str, Any]:
        """The label as JSON mirroring a STANAG 4774 confidentiality label (policy
        identifier, classification, a permissive `Releasable To` category). Not a claim
        of conformance: the official schema is not public."""
        values = ["ALL"] if self.releasable_to is None else sorted(self.releasable_to)
        label: dict[str, Any] = {
            "policy_identifier": POLICY,
            "classification": self.classification,
            "categories": [
                {"tag_name": RELEASABLE_TO_CATEGORY, "type": "PERMISSIVE", "values": values}
            ],
        }
        if created is not None:
            label["creation_time"] = created.isoformat()
        return label


def readable_clause(
    classification: Any, releasable_to: Any, clearance: str, nationality: str | None
) -> ColumnElement[bool]:
    """SQL that keeps the rows whose label columns a user may read (see `Label.readable_by`).

    `',' || releasable_to || ','` LIKE `'%,DEU,%'` matches one code in the stored list on
    SQLite and PostgreSQL alike."""
    releasable = releasable_to == RELEASABLE_TO_ALL
    if nationality is not None:
        padded = literal(",") + releasable_to + literal(",")
        releasable = or_(releasable, padded.like(f"%,{nationality},%"))
    return and_(classification.in_(levels_up_to(clearance)), releasable)
